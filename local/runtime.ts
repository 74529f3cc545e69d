import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { RolloutDeps } from '../functions/src/core/rollouts/deps';
import type { BucketLimit, LocalIssuer, LocalMonitor, LocalRolloutRunnerOptions } from '../functions/src/wiring/local';
import type { RouteClass } from '../functions/src/core/ports/rate-limiter';
import type { MonitoringDeps } from '../functions/src/core/monitoring/deps';
import type { Clock } from '../functions/src/core/ports/clock';
import type { Logger } from '../functions/src/core/ports/logger';
import type { LiveConnectionStore } from '../functions/src/core/ports/live-connections';
import { startAlertInbox, startLocalBackend, type NotifierRetry } from '../functions/src/wiring/local';
import { randomBytes } from 'node:crypto';
import { startDemoChain, type DemoChain } from '../functions/src/wiring/demo-chain';
import { demoRolloutBaselineEvents, startDemoRollouts, type DemoRollouts } from '../functions/src/wiring/demo-rollouts';
import { seedDemo } from './seed/seed-demo';
import { writeFocusSeed } from './seed/focus';
import { importFocusFolder } from '../functions/src/wiring/local-costs';
import { staticFiles } from './static-files';
import { auditLocalCall } from '../functions/src/handlers/http/audit-hook';
import { WEB_OUT } from './web-build';

export const TABLE_NAME = 'signalbox';

export interface LocalRuntimeOptions {
  /** HTTP port; 0 picks a free one (tests). */
  port?: number;
  host?: string;
  /** Where dynalite keeps its data and the producer token lives. */
  dataDir: string;
  /** Seed the demo on first start (once per data dir). */
  seed?: boolean;
  /** The portal's static export; default web/out. */
  webDir?: string;
  /** DynamoDB (dynalite) port; 0 picks a free one. */
  dynamoPort?: number;
  /** Use this producer token instead of the one in the data dir (SIGNALBOX_INGEST_TOKEN). */
  token?: string;
  /** Use this `signalbox-agent` token instead of the one in `<dataDir>/agent-token`. */
  agentToken?: string;
  /** Token-bucket sizes per route class (reads, writes, ingest); tests shrink them. `false`: no limits. */
  rateLimits?: Partial<Record<RouteClass, BucketLimit>> | false;
  /** Accepted events waiting for the store consumer past which ingest answers 503 ingest_busy; `false`: never. */
  ingestBacklog?: number | false;
  quiet?: boolean;
  clock?: Clock;
  /** Bus retry policy (tests shorten it). */
  retry?: { attempts: number; baseDelayMs: number };
  log?: (line: string) => void;
  /** The rollout demo (three demo-api versions behind a weighted proxy, with load). Default none (`npm start` turns it on). */
  demo?: false | { badErrorRate?: number; badLatencyMs?: number; ratePerSecond?: number };
  /** Local state-machine runner knobs (tests shorten waits). */
  runner?: LocalRolloutRunnerOptions;
  /**
   * Monitoring: the `signalbox/` config folder (default the repository's), extra placeholder
   * values, whether to start a local EVM node for `${EVM_RPC_URL}` (default true) and how often
   * the check loop runs (default 5000 ms; 0 = no timer, only `monitor.runNow()`). `false`: none.
   */
  /**
   * Monitoring of the `signalbox/` config folder (checks every `loopMs`, a local EVM node). Off unless
   * given (`npm start` turns it on); `evmPort` prefers a port for the EVM node (default any).
   */
  monitoring?:
    | false
    | {
        configDir?: string;
        placeholders?: Record<string, string>;
        evmNode?: boolean;
        evmPort?: number;
        loopMs?: number;
        /**
         * Start the loopback "alert inbox" that prints each notification (default: when no
         * `ALERT_WEBHOOK_URL` placeholder is given); it becomes `${ALERT_WEBHOOK_URL}`.
         */
        alertInbox?: boolean;
        /** Retries of the alert notifiers (tests shorten them). */
        notifierRetry?: NotifierRetry;
        /**
         * The mock CCIP lane deployed on the local EVM node (`${CCIP_ONRAMP}`, `${CCIP_OFFRAMP}`,
         * `${CCIP_ROUTER}`), sending a message every `intervalMs` (default 4000, but 0 when `loopMs`
         * is 0; 0 = only `ccipLane.tick()`). Default on whenever the EVM node is; `false`: none.
         */
        ccipLane?: false | { intervalMs?: number };
      };
}

/** The repository's demo config folder. */
export const DEMO_CONFIG_DIR = resolve(import.meta.dirname, '..', 'signalbox');
/** Compiled demo contracts (the mock CCIP lane), shared by every data dir: they depend on the source only. */
const COMPILE_CACHE_DIR = resolve(import.meta.dirname, '..', 'node_modules', '.cache', 'signalbox');
/** How often the local EVM node mines an (empty) block, so the head moves. */
const EVM_BLOCK_MS = 3000;

interface LocalEvmNode {
  url: string;
  stop(): Promise<void>;
}

/**
 * An in-process Ganache node (chain id 1337) that mines a block every few seconds, on the usual
 * JSON-RPC port when asked and free (the demo config's TCP check expects 8545), else on any port.
 */
/**
 * Loads Ganache without its start-up warning about its optional native WebSocket module (no build
 * for this Node.js; it falls back to a JavaScript implementation, which is all the demo needs).
 * Only those two messages are dropped, only while the module loads.
 */
async function importGanache(): Promise<typeof import('ganache').default> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (/µWS|Falling back to a NodeJS implementation/.test(args.map(String).join(' '))) return;
    warn(...args);
  };
  try {
    return (await import('ganache')).default;
  } finally {
    console.warn = warn;
  }
}

async function startLocalEvmNode(preferredPort = 0): Promise<LocalEvmNode> {
  const ganache = await importGanache();
  const create = () => ganache.server({ logging: { quiet: true }, chain: { chainId: 1337 }, wallet: { totalAccounts: 2 } });
  let node = create();
  try {
    await node.listen(preferredPort, '127.0.0.1');
  } catch (err) {
    if (preferredPort === 0) throw err;
    await node.close().catch(() => undefined);
    node = create();
    await node.listen(0, '127.0.0.1');
  }
  const url = `http://127.0.0.1:${(node.address() as { port: number }).port}`;
  const timer = setInterval(() => {
    node.provider.request({ method: 'evm_mine', params: [] } as never).catch(() => undefined);
  }, EVM_BLOCK_MS);
  timer.unref();
  return {
    url,
    async stop() {
      clearInterval(timer);
      await node.close();
    },
  };
}

export interface LocalRuntime {
  url: string;
  dynamoEndpoint: string;
  token: string;
  tokenFile: string;
  tokenCreated: boolean;
  /** The token `signalbox-agent`s present (`POST /api/observations`) and the file that keeps it. */
  agentToken: string;
  agentTokenFile: string;
  /** The local identity provider: demo users of each role, tokens for them (tests: `tests/helpers/auth.ts`). */
  issuer: LocalIssuer;
  dataDir: string;
  deps: RolloutDeps & MonitoringDeps;
  /** The rollout demo, when started. */
  demo: DemoRollouts | null;
  /** The check loop; `runNow()` runs every check at once (tests). */
  monitor: LocalMonitor;
  /** Problems of the monitoring config folder, as printed at start. */
  monitoringConfigErrors: readonly string[];
  /** JSON-RPC URL of the local EVM node, when started. */
  evmRpcUrl: string | null;
  /** The mock CCIP lane on the local EVM node, when started (`tick()` sends the next message now). */
  ccipLane: DemoChain | null;
  /** Live-update subscriptions (the WebSocket at `/ws`). */
  liveConnections: LiveConnectionStore;
  /** Resolves when the bus has delivered everything published so far. */
  idle(): Promise<void>;
  /** Fault injection for tests: stop and start the store (dynalite) under the running runtime. */
  store: { stop(): Promise<void>; start(): Promise<void> };
  /** Deliveries found undelivered in the bus journal at start (a crash before) and delivered again. */
  recoveredDeliveries: number;
  stop(): Promise<void>;
}

function consoleLogger(quiet: boolean): Logger {
  const write = (level: string) => (message: string, data?: Record<string, unknown>) => {
    if (quiet && level === 'INFO') return;
    process.stderr.write(`${new Date().toISOString()} ${level} ${message}${data ? ' ' + JSON.stringify(data) : ''}\n`);
  };
  return { info: write('INFO'), warn: write('WARN'), error: write('ERROR') };
}

/**
 * Starts Signalbox locally in this process: dynalite with data under `dataDir`, the in-process
 * bus with the CDK stack's rules, the same Lambda handlers behind one HTTP server that also serves
 * the portal and an EventBridge-compatible PutEvents endpoint (requests with `X-Amz-Target`).
 */
export async function startLocalRuntime(opts: LocalRuntimeOptions): Promise<LocalRuntime> {
  const dataDir = resolve(opts.dataDir);
  const log = opts.log ?? ((line: string) => (opts.quiet ? undefined : process.stdout.write(`${line}\n`)));
  await mkdir(dataDir, { recursive: true });
  const logger = consoleLogger(opts.quiet ?? false);
  const demo = opts.demo ? await startDemoRollouts(opts.demo) : null;
  const mon = opts.monitoring ? opts.monitoring : null;
  const evm = mon && mon.evmNode !== false ? await startLocalEvmNode(mon.evmPort) : null;
  const ccipLane =
    evm && mon && mon.ccipLane !== false
      ? await startDemoChain({ rpcUrl: evm.url, cacheDir: COMPILE_CACHE_DIR, intervalMs: mon.ccipLane?.intervalMs ?? (mon.loopMs === 0 ? 0 : undefined), log }).catch(async (error: unknown) => {
          await evm.stop();
          await demo?.stop();
          throw error;
        })
      : null;
  if (ccipLane) {
    const { onRamp, offRamp, router } = ccipLane.addresses;
    log(`CCIP demo lane on the EVM node: on-ramp ${onRamp}, off-ramp ${offRamp}, router ${router} (check ccip-lane; schedule in signalbox/README.md)`);
  }
  const placeholders: Record<string, string> = {
    ...(demo ? { DEMO_PROXY_URL: demo.proxyUrl } : {}),
    ...(evm ? { EVM_RPC_URL: evm.url } : {}),
    ...ccipLane?.placeholders,
    ...mon?.placeholders,
  };
  // The alert inbox: where `${ALERT_WEBHOOK_URL}` points unless given, printing each notification.
  const inbox =
    mon && (mon.alertInbox ?? placeholders.ALERT_WEBHOOK_URL === undefined)
      ? await startAlertInbox({ secret: await localSecret(join(dataDir, 'webhook-secrets'), ALERT_INBOX_SECRET), log })
      : null;
  if (inbox) {
    placeholders.ALERT_WEBHOOK_URL ??= inbox.url;
    log(`Alert inbox: ${inbox.url} (\${ALERT_WEBHOOK_URL}); each notification is printed here`);
  }
  const backend = await startLocalBackend({
    rollouts: {
      proxies: demo ? { demo: demo.proxy } : {},
      presets: demo ? () => demo.presets() : () => [],
      webhookSecretsDir: join(dataDir, 'webhook-secrets'),
      runner: opts.runner,
    },
    dataDir,
    tableName: TABLE_NAME,
    dynamoPort: opts.dynamoPort,
    token: opts.token,
    agentToken: opts.agentToken,
    rateLimits: opts.rateLimits,
    ingestBacklog: opts.ingestBacklog,
    logger,
    clock: opts.clock,
    retry: opts.retry,
    monitoring: mon ? { configDir: mon.configDir ?? DEMO_CONFIG_DIR, placeholders, notifierRetry: mon.notifierRetry } : undefined,
  });
  const { deps, bus, token } = backend;
  const monitoringConfigErrors = (await deps.monitoringConfig.current()).errors;
  if (monitoringConfigErrors.length > 0) {
    log(`Monitoring config has ${monitoringConfigErrors.length} problem(s); the valid part runs:`);
    for (const line of monitoringConfigErrors) log(`  ${line}`);
  }
  const web = staticFiles(opts.webDir ?? WEB_OUT);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // Local operator actions are audited like the API's (action local:demo), before the answer goes out.
    const audit = (status: number, version: string, verb: string) =>
      auditLocalCall(deps, {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        status,
        sourceIp: req.socket.remoteAddress ?? null,
        authorization: req.headers.authorization,
        resource: `demo-service/${version}`,
        parameters: { verb },
      });
    if (await handleLocalDemo(req, res, demo, audit)) return;
    if (await backend.handle(req, res)) return;
    if (!existsSync(opts.webDir ?? WEB_OUT)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The portal is not built yet: run `npm run build:web` (npm start does it for you).\nThe API is at /api/.\n');
      return;
    }
    return web(req, res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      logger.error('request failed', { url: req.url, error: err.message });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal', field: null, message: 'internal error; see the server log' } }));
    });
  });
  // Live updates: the WebSocket at /ws shares the portal's port (the same protocol as API Gateway's).
  server.on('upgrade', (req, socket, head) => backend.live.handleUpgrade(req, socket, head));
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 3000, opts.host ?? '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${opts.host === '0.0.0.0' ? '127.0.0.1' : (opts.host ?? '127.0.0.1')}:${port}`;

  const runtime: LocalRuntime = {
    url,
    dynamoEndpoint: backend.dynamoEndpoint,
    token,
    tokenFile: backend.tokenFile,
    tokenCreated: backend.tokenCreated,
    agentToken: backend.agentToken,
    agentTokenFile: backend.agentTokenFile,
    issuer: backend.issuer,
    dataDir,
    deps,
    demo,
    monitor: backend.monitor,
    monitoringConfigErrors,
    evmRpcUrl: evm?.url ?? null,
    ccipLane,
    liveConnections: backend.liveConnections,
    idle: () => bus.idle(),
    store: backend.store,
    recoveredDeliveries: backend.recoveredDeliveries,
    stop: async () => {
      // Upgraded sockets outlive closeAllConnections(); close them first or server.close() waits.
      await backend.live.close();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await backend.stop();
      await demo?.stop();
      await ccipLane?.stop();
      await evm?.stop();
      await inbox?.stop();
    },
  };

  const seededMarker = join(dataDir, 'demo-seeded');
  if (opts.seed && !existsSync(seededMarker)) {
    log('Seeding the demo through POST /api/events ...');
    let lastShown = -1;
    const result = await seedDemo({
      baseUrl: url,
      token,
      onProgress: (sent, total) => {
        const pct = Math.floor((sent / total) * 10);
        if (pct !== lastShown) {
          lastShown = pct;
          log(`  seeded ${sent}/${total} events`);
        }
      },
    });
    if (demo) {
      const baseline = await fetch(`${url}/api/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(demoRolloutBaselineEvents(new Date())),
      });
      if (baseline.status !== 202) throw new Error(`seeding the rollout demo failed: HTTP ${baseline.status} ${await baseline.text()}`);
    }
    await bus.idle();
    const focusFiles = await writeFocusSeed(join(dataDir, 'focus'), backend.deps.clock.now().slice(0, 10));
    log(`Seeded ${focusFiles.length} FOCUS cost exports (90 days: ${focusFiles.join(', ')}) into ${join(dataDir, 'focus')}`);
    await writeFile(seededMarker, `${JSON.stringify({ ...result, at: new Date().toISOString() })}\n`);
    log(`Demo seeded: ${result.stored} stored, ${result.duplicate} duplicate, ${result.rejected} rejected.`);
  }
  // FOCUS cost exports dropped into <dataDir>/focus/ (new or changed files) are imported at start.
  const focusImport = await importFocusFolder(backend.deps, join(dataDir, 'focus'));
  for (const r of focusImport.records) log(`FOCUS import ${r.name}: ${r.status}, ${r.rowsRead} rows, ${r.days.length} days${r.problemCount ? `, ${r.problemCount} problem(s), first: ${r.problems[0]?.message}` : ''}`);
  // Rollouts that were moving when the last run stopped continue where they were.
  const resumed = await backend.runner.resumeActive(deps.rollouts);
  if (resumed.length) log(`Resumed ${resumed.length} rollout(s) in progress: ${resumed.join(', ')}`);
  const loopMs = mon ? (mon.loopMs ?? 5000) : 0;
  if (loopMs > 0) backend.monitor.start(loopMs);
  return runtime;
}

/** The secret the `alert-webhook` receiver of the demo config signs with (a file in the webhook-secrets folder). */
export const ALERT_INBOX_SECRET = 'alert-webhook';

/** Reads `<dir>/<name>`, creating it with a random secret (owner-only) on first use. */
async function localSecret(dir: string, name: string): Promise<string> {
  const path = join(dir, name);
  if (existsSync(path)) return (await readFile(path, 'utf8')).trim();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('hex');
  await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return (await readFile(path, 'utf8')).trim();
}

/**
 * Local-only operator endpoints (never under /api, never deployed): `POST
 * /local/demo/services/{version}/stop` and `/start` stop and restart one demo-api version's server,
 * so the "a service goes down" path can be walked by hand. Returns false for other paths.
 */
async function handleLocalDemo(
  req: IncomingMessage,
  res: ServerResponse,
  demo: DemoRollouts | null,
  audit: (status: number, version: string, verb: string) => Promise<void>,
): Promise<boolean> {
  const path = (req.url ?? '/').split('?')[0]!;
  const m = /^\/local\/demo\/services\/([^/]+)\/(stop|start)\/?$/.exec(path);
  if (!m) return false;
  req.resume();
  const reply = async (status: number, body: unknown) => {
    await audit(status, safeDecode(m[1]!), m[2]!);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    await reply(405, { error: { code: 'method_not_allowed', field: null, message: `use POST ${path}` } });
    return true;
  }
  const version = safeDecode(m[1]!);
  const service = demo?.services.find((s) => s.version === version);
  if (!service) {
    await reply(404, { error: { code: 'not_found', field: 'version', message: demo ? `no demo service version ${version}; versions: ${demo.services.map((s) => s.version).join(', ')}` : 'the demo is not running' } });
    return true;
  }
  if (m[2] === 'stop') await service.stop();
  else await service.restart();
  await reply(200, { version, url: service.url, running: service.running() });
  return true;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
