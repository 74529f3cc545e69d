/**
 * Each Lambda loads only the AWS SDK clients it calls. The SDK is external to the bundles
 * (`SIGNALBOX_BUNDLING.externalModules`), and esbuild keeps every static `import "@aws-sdk/…"` of a
 * module it bundles even when the code using it is dropped, so one all-in-one wiring import makes
 * every function resolve and compile every client at cold start. The entries are bundled here with
 * the stack's own options (the bench's `esbuildOptionsFor`) and the external imports of each bundle
 * are read from esbuild's metafile.
 */
import { build, type Metafile } from 'esbuild';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptionsFor } from '../../bench/lambda.bench';

const ENTRY_DIR = resolve(import.meta.dirname, '../../functions/src/handlers/lambda');

const TABLE = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'];
const BASE = [...TABLE, '@aws-sdk/client-eventbridge'];
const ROLLOUTS = [...BASE, '@aws-sdk/client-cloudwatch', '@aws-sdk/client-lambda', '@aws-sdk/client-sfn'];
const LIVE = [...TABLE, '@aws-sdk/client-apigatewaymanagementapi'];
const SECRETS = '@aws-sdk/client-secrets-manager';

/** Per function: the SDK packages its bundle imports statically, and those it imports on demand. */
const EXPECTED: Record<string, { static: string[]; dynamic: string[] }> = {
  ingest: { static: [...BASE, SECRETS], dynamic: [] },
  store: { static: BASE, dynamic: [] },
  'alert-events': { static: [...BASE, '@aws-sdk/client-sns'], dynamic: [SECRETS] },
  monitor: { static: [...BASE, '@aws-sdk/client-sns'], dynamic: [SECRETS] },
  'rollout-task': { static: ROLLOUTS, dynamic: [SECRETS] },
  api: { static: [...ROLLOUTS, '@aws-sdk/client-sns', '@aws-sdk/client-cognito-identity-provider'], dynamic: [SECRETS] },
  costs: { static: [...TABLE, '@aws-sdk/client-cost-explorer', '@aws-sdk/client-s3'], dynamic: [] },
  'live-broadcast': { static: LIVE, dynamic: [] },
  'live-connect': { static: LIVE, dynamic: [] },
  'live-disconnect': { static: LIVE, dynamic: [] },
  'live-message': { static: LIVE, dynamic: [] },
};

/** The `@aws-sdk/*` packages an output imports, by kind (a subpath import counts as its package). */
function sdkImports(metafile: Metafile): { static: string[]; dynamic: string[] } {
  const out = { static: new Set<string>(), dynamic: new Set<string>() };
  for (const output of Object.values(metafile.outputs)) {
    for (const imp of output.imports) {
      if (!imp.external || !imp.path.startsWith('@aws-sdk/')) continue;
      const pkg = imp.path.split('/').slice(0, 2).join('/');
      (imp.kind === 'dynamic-import' ? out.dynamic : out.static).add(pkg);
    }
  }
  return { static: [...out.static].sort(), dynamic: [...out.dynamic].sort() };
}

describe('Lambda bundles import only the AWS SDK clients their function calls', () => {
  let dir: string;
  const found = new Map<string, { static: string[]; dynamic: string[] }>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'signalbox-sdk-imports-'));
    const entries = (await readdir(ENTRY_DIR)).filter((f) => f.endsWith('.ts')).sort();
    for (const file of entries) {
      const name = basename(file, '.ts');
      const result = await build({ ...esbuildOptionsFor(join(ENTRY_DIR, file), join(dir, name, 'index.mjs')), write: false, metafile: true });
      found.set(name, sdkImports(result.metafile!));
    }
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('checks every entry in functions/src/handlers/lambda', () => {
    expect([...found.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('keeps the SDK external, as the stack bundles it', () => {
    // Without this the sets below would be empty and prove nothing.
    expect(found.get('store')!.static).toContain('@aws-sdk/client-dynamodb');
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: ${expected.static.map((p) => p.replace('@aws-sdk/', '')).join(', ')}${expected.dynamic.length ? ` (+ on demand: ${expected.dynamic.map((p) => p.replace('@aws-sdk/', '')).join(', ')})` : ''}`, () => {
      const got = found.get(name);
      expect(got, `no bundle for ${name}`).toBeDefined();
      expect(got!.static).toEqual([...expected.static].sort());
      expect(got!.dynamic).toEqual([...expected.dynamic].sort());
    });
  }
});
