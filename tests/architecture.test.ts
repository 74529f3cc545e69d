import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const DEPCRUISE = join(ROOT, 'node_modules/.bin/depcruise');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

async function violations(paths: string[]): Promise<Violation[]> {
  // depcruise exits non-zero when it finds errors; its JSON report is on stdout either way.
  const out = await run(DEPCRUISE, [...paths, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((err: { stdout: string }) => ({ stdout: err.stdout }));
  return (JSON.parse(out.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('dependency rule', () => {
  it('has no violations: core is pure, only wiring/ imports adapters', async () => {
    expect(await violations(['functions/src', 'local', 'infra'])).toEqual([]);
  }, 120_000);

  it('catches a core module importing the AWS SDK, an adapter outside wiring, and node:http in core', async () => {
    const probes = {
      core: join(ROOT, 'functions/src/core/zz-probe-violation.ts'),
      handler: join(ROOT, 'functions/src/handlers/zz-probe-violation.ts'),
    };
    writeFileSync(probes.core, "import '@aws-sdk/client-dynamodb';\nimport 'node:http';\nexport {};\n");
    writeFileSync(probes.handler, "import '../adapters/local/dynalite';\nexport {};\n");
    try {
      const found = await violations(['functions/src']);
      const names = found.map((v) => `${v.rule.name} ${v.from}`);
      expect(names).toEqual(
        expect.arrayContaining([
          'core-is-pure functions/src/core/zz-probe-violation.ts',
          'only-wiring-imports-adapters functions/src/handlers/zz-probe-violation.ts',
        ]),
      );
      expect(found.filter((v) => v.rule.name === 'core-is-pure')).toHaveLength(2);
    } finally {
      rmSync(probes.core, { force: true });
      rmSync(probes.handler, { force: true });
    }
  }, 120_000);

  it('keeps process.env out of the core', () => {
    const offenders = filesUnder(join(ROOT, 'functions/src/core')).filter((f) => /process\s*\.\s*env|process\[['"]env/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
