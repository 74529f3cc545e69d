/**
 * Lambda bundles and cold init. Every `functions/src/handlers/lambda/*.ts` entry is bundled with
 * esbuild using the stack's own options (`SIGNALBOX_BUNDLING`, as `NodejsFunction` passes them to
 * the esbuild CLI), then each bundle is loaded by a fresh Node process (this Node, 24 under npm
 * scripts) that handles one representative event. AWS calls go to loopback: DynamoDB to an
 * in-process dynalite (`AWS_ENDPOINT_URL_DYNAMODB`), everything else to a small fake endpoint
 * (`AWS_ENDPOINT_URL`) that answers EventBridge PutEvents, Secrets Manager GetSecretValue, Cost
 * Explorer GetCostAndUsage and the Cognito JWKS, and refuses any other operation; so every
 * invocation completes, and its outcome (status or error) is in the row's note.
 *
 * Baseline: an empty handler bundled the same way, measured the same way in the same run.
 * Figure: median time from process start to the first invocation's answer (Node bootstrap +
 * bundle load + first event), over N processes.
 */
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir, stat, symlink, writeFile, mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { SIGNALBOX_BUNDLING } from '../infra/constructs/signalbox-function';
import { ensureTable, startDynalite } from '../functions/src/adapters/local/dynalite';
import { LocalIssuer } from '../functions/src/adapters/local/local-issuer';
import { systemClock } from '../functions/src/core/ports/clock';
import { LIVE_ENV } from '../functions/src/shared/live';
import { ratioOf, type BenchContext, type BenchResult, type BenchRow } from './harness';

const REPO_ROOT = resolve(import.meta.dirname, '..');
const ENTRY_DIR = join(REPO_ROOT, 'functions/src/handlers/lambda');
const TABLE = 'signalbox-bench';
const BUS = 'signalbox-bench-bus';
const POOL = 'us-east-1_bench';
const CLIENT_ID = 'bench-portal-client';
const PRODUCER_TOKEN = 'bench-producer-token-0123456789';
const MAX_BUNDLE_BYTES = 1024 * 1024;

/** esbuild options equivalent to the CLI arguments CDK's NodejsFunction builds from `SIGNALBOX_BUNDLING`. */
export function esbuildOptionsFor(entry: string, outfile: string): Parameters<typeof build>[0] {
  const b = SIGNALBOX_BUNDLING;
  return {
    entryPoints: [entry],
    bundle: true,
    outfile,
    absWorkingDir: REPO_ROOT,
    target: b.target ?? 'node24',
    platform: 'node',
    format: b.format === OutputFormat.ESM ? 'esm' : 'cjs',
    minify: b.minify ?? false,
    sourcemap: b.sourceMap ?? false,
    sourcesContent: b.sourcesContent ?? true,
    external: [...(b.externalModules ?? ['@aws-sdk/*'])],
    ...(b.mainFields ? { mainFields: [...b.mainFields] } : {}),
    ...(b.banner ? { banner: { js: b.banner } } : {}),
    logLevel: 'warning',
  };
}

interface InitSample {
  /** ms from process start (performance.timeOrigin) to the handler's answer. */
  total: number;
  import: number;
  invoke: number;
  /** ms the parent saw from spawn to exit. */
  wall: number;
  /**
   * CPU ms (user + system) the process had used when the answer came: less sensitive than the
   * wall-clock figures to other work on a shared machine, so a better guide between two runs.
   */
  cpu: number;
  outcome: string;
}

const RUNNER = `
const t0 = performance.now();
const mod = await import(process.argv[2]);
const t1 = performance.now();
const event = JSON.parse(process.env.SIGNALBOX_BENCH_EVENT);
const context = { functionName: 'bench', functionVersion: '$LATEST', awsRequestId: crypto.randomUUID(), memoryLimitInMB: '512', getRemainingTimeInMillis: () => 10000, callbackWaitsForEmptyEventLoop: true };
let outcome;
try {
  const r = await mod.handler(event, context);
  outcome = r && typeof r === 'object' && 'statusCode' in r ? 'HTTP ' + r.statusCode : 'ok';
} catch (err) {
  outcome = 'threw ' + (err && err.name) + ': ' + String(err && err.message).slice(0, 80);
}
const t2 = performance.now();
const cpu = process.cpuUsage();
process.stdout.write('\\n@@BENCH' + JSON.stringify({ total: t2, import: t1 - t0, invoke: t2 - t1, cpu: (cpu.user + cpu.system) / 1000, outcome }) + '\\n');
process.exit(0);
`;

/** A loopback stand-in for the AWS services the functions call besides DynamoDB. */
async function startFakeAws(issuer: LocalIssuer): Promise<{ url: string; published: Array<Record<string, unknown>>; server: Server }> {
  const published: Array<Record<string, unknown>> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && req.url === `/${POOL}/.well-known/jwks.json`) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(issuer.jwks()));
        return;
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      if (target === 'AWSEvents.PutEvents') {
        const entries = (body.Entries as Array<Record<string, unknown>>) ?? [];
        published.push(...entries);
        reply(200, { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) });
      } else if (target === 'secretsmanager.GetSecretValue') {
        reply(200, { ARN: body.SecretId, Name: 'bench', SecretString: PRODUCER_TOKEN, VersionId: 'v1' });
      } else if (target === 'AWSInsightsIndexService.GetCostAndUsage') {
        reply(200, { ResultsByTime: [], DimensionValueAttributes: [] });
      } else if (target === 'AWSInsightsIndexService.GetCostForecast') {
        reply(200, { Total: { Amount: '0', Unit: 'USD' }, ForecastResultsByTime: [] });
      } else {
        reply(400, { __type: 'UnknownOperationException', message: `bench fake AWS: ${target || req.url} not served` });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, published, server };
}

function httpEvent(method: string, path: string, headers: Record<string, string>, body?: string): Record<string, unknown> {
  const now = new Date();
  const [rawPath, query = ''] = path.split('?');
  return {
    version: '2.0',
    routeKey: method === 'POST' && rawPath === '/api/events' ? 'POST /api/events' : 'ANY /api/{proxy+}',
    rawPath,
    rawQueryString: query,
    headers: { host: 'api.example.com', 'user-agent': 'bench', ...headers },
    queryStringParameters: query ? Object.fromEntries(new URLSearchParams(query)) : undefined,
    requestContext: {
      accountId: '123456789012', apiId: 'bench', domainName: 'api.example.com', domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: randomUUID(), routeKey: 'ANY /api/{proxy+}', stage: '$default', time: now.toUTCString(), timeEpoch: now.getTime(),
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
  };
}

function cdevent(i: number): Record<string, unknown> {
  return {
    context: { specversion: '0.5.1', id: `bench-${randomUUID()}`, source: '/bench/lambda', type: 'dev.cdevents.service.deployed.0.3.0', timestamp: new Date().toISOString() },
    subject: { id: `svc-${i % 5}`, content: { environment: { id: 'prod' }, artifactId: `pkg:oci/app@sha256%3Aabc?tag=1.0.${i}` } },
  };
}

function wsEvent(routeKey: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    requestContext: { routeKey, eventType: routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE', connectionId: `c-${randomUUID()}`, requestId: randomUUID(), domainName: 'ws.example.com', stage: 'live', apiId: 'bench', connectedAt: Date.now(), requestTimeEpoch: Date.now() },
    isBase64Encoded: false,
    ...extra,
  };
}

function delivered(entry: Record<string, unknown> | undefined, i: number): Record<string, unknown> {
  // What ingest published (captured by the fake PutEvents), as a rule target receives it.
  const detail = entry ? (JSON.parse(String(entry.Detail)) as unknown) : cdevent(i);
  return {
    version: '0', id: randomUUID(), 'detail-type': String(entry?.DetailType ?? 'dev.cdevents.service.deployed.0.3.0'), source: String(entry?.Source ?? 'signalbox'),
    account: '123456789012', time: new Date().toISOString(), region: 'us-east-1', resources: [], detail,
  };
}

function spawnInit(runner: string, bundle: string, env: Record<string, string>): Promise<InitSample> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [runner, pathToFileURL(bundle).href], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const wall = performance.now() - started;
      const line = out.split('\n').find((l) => l.startsWith('@@BENCH'));
      if (!line) return reject(new Error(`init run of ${bundle} exited ${code} without a result: ${err.slice(0, 400)}`));
      resolvePromise({ ...(JSON.parse(line.slice('@@BENCH'.length)) as Omit<InitSample, 'wall'>), wall });
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const runs = ctx.quick ? 3 : 11;
  const outDir = join(ctx.tmpDir, 'bundles');
  await mkdir(outDir, { recursive: true });
  // What SIGNALBOX_BUNDLING keeps external (the AWS SDK, which the runtime provides) resolves from the repo.
  await symlink(join(REPO_ROOT, 'node_modules'), join(ctx.tmpDir, 'node_modules'), 'dir');

  const entries = (await readdir(ENTRY_DIR)).filter((f) => f.endsWith('.ts')).sort().map((f) => ({ name: basename(f, '.ts'), entry: join(ENTRY_DIR, f) }));
  const emptyEntry = join(ctx.tmpDir, 'empty-handler.ts');
  await writeFile(emptyEntry, 'export const handler = async () => ({ statusCode: 200 });\n');
  const bundles: Array<{ name: string; file: string; bytes: number; mapBytes: number }> = [];
  for (const e of [{ name: 'empty', entry: emptyEntry }, ...entries]) {
    const file = join(outDir, e.name, 'index.mjs');
    await build(esbuildOptionsFor(e.entry, file));
    bundles.push({ name: e.name, file, bytes: (await stat(file)).size, mapBytes: await stat(`${file}.map`).then((s) => s.size, () => 0) });
    ctx.log(`bundled ${e.name}: ${(bundles.at(-1)!.bytes / 1024).toFixed(0)} KiB`);
  }

  const dynamo = await startDynalite();
  await ensureTable(dynamo.client, TABLE);
  const issuer = await LocalIssuer.open({ dataDir: null, clock: systemClock });
  const fake = await startFakeAws(issuer);
  const runner = join(ctx.tmpDir, 'init-runner.mjs');
  await writeFile(runner, RUNNER);
  const issuerUrl = `${fake.url}/${POOL}`;
  const viewer = issuer.userFor('viewer');
  const userToken = () => issuer.issue(viewer, { overrides: { iss: issuerUrl, client_id: CLIENT_ID } });

  const events: Record<string, (i: number) => Record<string, unknown>> = {
    empty: () => ({}),
    ingest: (i) => httpEvent('POST', '/api/events', { authorization: `Bearer ${PRODUCER_TOKEN}`, 'content-type': 'application/json' }, JSON.stringify(cdevent(i))),
    // The store function reads the StoreCdEvents queue: an SQS batch of EventBridge envelopes.
    store: (i) => ({
      Records: [
        {
          messageId: `m-${i}`,
          body: JSON.stringify(delivered(fake.published[i], i)),
          attributes: { SentTimestamp: String(Date.now()) },
          eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:store',
          awsRegion: 'us-east-1',
        },
      ],
    }),
    'alert-events': (i) => delivered(fake.published[(i + 1) % Math.max(1, fake.published.length)], i),
    'live-broadcast': (i) => delivered(fake.published[i % Math.max(1, fake.published.length)], i),
    api: () => httpEvent('GET', '/api/inventory', { authorization: `Bearer ${userToken()}` }),
    costs: () => ({ version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.scheduler', account: '123456789012', time: new Date().toISOString(), region: 'us-east-1', resources: [], detail: {} }),
    monitor: () => ({ version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.scheduler', account: '123456789012', time: new Date().toISOString(), region: 'us-east-1', resources: [], detail: {} }),
    'rollout-task': () => ({ task: 'AdvanceRollout', rolloutId: `r-bench-${randomUUID()}` }),
    'live-connect': () => wsEvent('$connect', { queryStringParameters: { token: userToken() } }),
    'live-disconnect': () => wsEvent('$disconnect'),
    'live-message': () => wsEvent('$default', { body: JSON.stringify({ action: 'subscribe', topics: ['events'] }) }),
  };
  const baseEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_OPTIONS: '--enable-source-maps',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: fake.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    TABLE_NAME: TABLE,
    EVENT_BUS_NAME: BUS,
    LOG_LEVEL: 'INFO',
    INGEST_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-token',
    SIGNALBOX_JWT_ISSUER: issuerUrl,
    SIGNALBOX_JWT_CLIENT_ID: CLIENT_ID,
    SIGNALBOX_MONITORING_CONFIG_FILE: join(ctx.tmpDir, 'no-monitoring-config.json'),
    // Port 9 on loopback refuses at once: PostToConnection fails without a DNS lookup.
    [LIVE_ENV.callbackUrl]: 'https://127.0.0.1:9/live',
    [LIVE_ENV.url]: 'wss://ws.example.invalid/live',
  };

  // Ingest first: what it publishes becomes the store / alert / broadcast functions' events.
  const order = ['empty', 'ingest', ...bundles.map((b) => b.name).filter((n) => n !== 'empty' && n !== 'ingest')];
  const samples = new Map<string, InitSample[]>();
  try {
    for (const name of order) {
      const bundle = bundles.find((b) => b.name === name)!;
      const make = events[name] ?? (() => ({}));
      const list: InitSample[] = [];
      for (let i = 0; i < runs; i++) {
        const env = { ...baseEnv, POWERTOOLS_SERVICE_NAME: `signalbox-${name}`, SIGNALBOX_BENCH_EVENT: JSON.stringify(make(i)) };
        list.push(await spawnInit(runner, bundle.file, env));
      }
      samples.set(name, list);
      if (name === 'empty' || name === 'ingest') {
        // The stack sets NODE_OPTIONS=--enable-source-maps; how much of the init is that?
        const plain: InitSample[] = [];
        for (let i = 0; i < runs; i++) {
          const env = { ...baseEnv, NODE_OPTIONS: '', POWERTOOLS_SERVICE_NAME: `signalbox-${name}`, SIGNALBOX_BENCH_EVENT: JSON.stringify(make(runs + i)) };
          plain.push(await spawnInit(runner, bundle.file, env));
        }
        samples.set(`${name} (no --enable-source-maps)`, plain);
      }
      ctx.log(`${name}: median ${round(median(list.map((s) => s.total)))} ms (${list[0]!.outcome})`);
    }
  } finally {
    await new Promise<void>((r) => fake.server.close(() => r()));
    await dynamo.stop();
  }

  const empty = samples.get('empty')!;
  const emptyTotal = median(empty.map((s) => s.total));
  const emptyBytes = bundles.find((b) => b.name === 'empty')!.bytes;
  const rows: BenchRow[] = [];
  for (const b of bundles) {
    if (b.name === 'empty') continue;
    rows.push({ name: `${b.name} bundle`, value: round(b.bytes / 1024), unit: 'KiB', baseline: round(emptyBytes / 1024, 2), goal: '< 1024 KiB', met: b.bytes < MAX_BUNDLE_BYTES, note: `source map ${round(b.mapBytes / 1024)} KiB (not loaded)` });
  }
  for (const b of bundles) {
    if (b.name === 'empty') continue;
    const s = samples.get(b.name)!;
    const total = median(s.map((x) => x.total));
    const ratio = ratioOf(total, emptyTotal);
    const outcomes = [...new Set(s.map((x) => x.outcome.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>')))].join(' | ');
    rows.push({
      name: `${b.name} cold init`,
      value: round(total),
      unit: 'ms',
      baseline: round(emptyTotal),
      ...(ratio !== undefined ? { ratio } : {}),
      goal: '< 2x empty handler',
      met: ratio !== undefined && ratio < 2,
      note: `load ${round(median(s.map((x) => x.import)))} ms + first event ${round(median(s.map((x) => x.invoke)))} ms; CPU ${round(median(s.map((x) => x.cpu)))} ms (empty ${round(median(empty.map((x) => x.cpu)))}); ${outcomes}`,
    });
  }
  const plainEmpty = samples.get('empty (no --enable-source-maps)')!;
  const plainIngest = samples.get('ingest (no --enable-source-maps)')!;
  const plainRatio = ratioOf(median(plainIngest.map((x) => x.total)), median(plainEmpty.map((x) => x.total)));
  rows.push({
    name: 'ingest cold init, no source maps',
    value: round(median(plainIngest.map((x) => x.total))),
    unit: 'ms',
    baseline: round(median(plainEmpty.map((x) => x.total))),
    ...(plainRatio !== undefined ? { ratio: plainRatio } : {}),
    note: `NODE_OPTIONS without --enable-source-maps (the stack sets it); load ${round(median(plainIngest.map((x) => x.import)))} ms`,
  });
  return {
    name: 'lambda',
    rows,
    meta: {
      runs,
      node: process.version,
      figure: 'median ms from process start (performance.timeOrigin) to the first invocation answer, N fresh processes',
      emptyHandler: { loadMs: round(median(empty.map((s) => s.import)), 2), totalMs: round(emptyTotal, 2), wallMs: round(median(empty.map((s) => s.wall))) },
      wallMs: Object.fromEntries([...samples].map(([n, s]) => [n, round(median(s.map((x) => x.wall)))])),
      cpuMs: Object.fromEntries([...samples].map(([n, s]) => [n, round(median(s.map((x) => x.cpu)))])),
      bundling: 'SIGNALBOX_BUNDLING from infra/constructs/signalbox-function.ts, mapped to esbuild options as NodejsFunction passes them to the esbuild CLI',
      fakes: 'DynamoDB: in-process dynalite; PutEvents, GetSecretValue, GetCostAndUsage, Cognito JWKS: loopback fake; other AWS operations answer UnknownOperationException',
    },
  };
}
