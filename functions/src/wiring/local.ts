import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { ensureTable, startDynalite } from '../adapters/local/dynalite';
import { loadOrCreateToken } from '../adapters/local/file-producer-tokens';
import { BodyTooLargeError, readBody, toApiGatewayEvent, writeResult, type HttpLambda } from '../adapters/local/lambda-http';
import { createPutEventsListener } from '../adapters/local/put-events-endpoint';
import { MAX_BODY_BYTES } from '../core/use-cases/ingest-events';
import { createApiHandler } from '../handlers/http/api';
import { createIngestHandler } from '../handlers/http/ingest';
import { documentClient, DynamoDeadLetterStore, DynamoEventStore, DynamoInventoryStore } from '../adapters/aws/dynamo-stores';
import { withStoreErrors } from '../adapters/aws/dynamo-errors';
import { DynamoDoraStore } from '../adapters/aws/dynamo-dora-store';
import { DynamoAccessTokenStore } from '../adapters/aws/dynamo-access-tokens';
import { JwksTokenVerifier } from '../adapters/http/jwks-token-verifier';
import { DEMO_USERS, LOCAL_CLIENT_ID, LOCAL_ISSUER, LocalIssuer, type DemoUser } from '../adapters/local/local-issuer';
import { TokenBucketRateLimiter, type BucketLimit } from '../adapters/local/token-bucket-rate-limiter';
import { ensureBootstrapToken, storeAgentTokens, storeProducerTokens } from '../core/auth/access-tokens';
import { ROLES, type Role } from '../core/auth/model';
import { authorizeLiveConnection } from '../core/live/use-cases';
import type { RouteClass } from '../core/ports/rate-limiter';
import type { ApiAuthDeps } from '../handlers/http/api';
import type { AdminDeps } from '../handlers/http/admin-routes';
import { DynamoAuditStore } from '../adapters/aws/dynamo-audit-store';
import { DynamoSettingsStore } from '../adapters/aws/dynamo-settings-store';
import { StaticUserDirectory } from '../adapters/local/static-user-directory';
import { disabledEnvironments } from '../core/settings/settings';
import { LocalEventBus } from '../adapters/local/local-event-bus';
import { EventJournal } from '../adapters/local/event-journal';
import type { Deps } from '../core/deps';
import { systemClock, type Clock } from '../core/ports/clock';
import type { Logger } from '../core/ports/logger';
import { createStoreBatchHandler, createStoreHandler } from '../handlers/events/store';
import { batchingTarget } from '../adapters/local/batching-target';
import { createAlertEventsHandler } from '../handlers/events/alert-events';
import { WebhookNotifier } from '../adapters/http/webhook-notifier';
import { SlackNotifier } from '../adapters/http/slack-notifier';
import type { Notifier } from '../core/ports/notifier';
import { resolveReceivers } from '../core/monitoring/notify';
import { runMonitoringCycle, type MonitoringCycleOutput } from '../core/monitoring/cycle';
import { createLiveBroadcastHandler } from '../handlers/events/live-broadcast';
import { InMemoryLiveConnections } from '../adapters/local/in-memory-live-connections';
import { LocalLiveSocketServer } from '../adapters/local/live-socket-server';
import { connectLive, disconnectLive, handleLiveFrame, type LiveDeps } from '../core/live/use-cases';
import type { LiveConnectionStore } from '../core/ports/live-connections';
import { BUS_RULES } from '../shared/bus-rules';
import { readFile } from 'node:fs/promises';
import { DynamoRolloutStore } from '../adapters/aws/dynamo-rollout-store';
import { CompositeMetricProviders } from '../adapters/composite-metric-providers';
import { CompositeTrafficTargets } from '../adapters/composite-traffic-targets';
import { HttpJsonMetrics } from '../adapters/http/http-json-metrics';
import { PrometheusMetrics } from '../adapters/http/prometheus-metrics';
import { WebhookTarget } from '../adapters/http/webhook-target';
import { localProxyTargets, type ProxyLookup } from '../adapters/local/local-proxy-target';
import { LocalRolloutRunner, type LocalRolloutRunnerOptions } from '../adapters/local/local-rollout-runner';
import { DynamoCostStore } from '../adapters/aws/dynamo-cost-store';
import { allocationFromEnvironments } from '../core/costs/allocation';
import type { CostDeps } from '../core/costs/deps';

export type { LocalRolloutRunnerOptions };
export { startAlertInbox, type AlertInbox } from '../adapters/local/alert-inbox';
import { ProxyMetricProvider } from '../adapters/local/proxy-metrics';
import type { RolloutDeps } from '../core/rollouts/deps';
import type { RolloutPreset } from '../core/rollouts/model';
import { createRolloutTaskHandler } from '../handlers/tasks/rollout-task';
import { DynamoCheckHistoryStore } from '../adapters/aws/dynamo-check-history-store';
import { DynamoAlertStore } from '../adapters/aws/dynamo-alert-store';
import { loadConfigFolder } from '../adapters/local/config-folder';
import { NodeProbes } from '../adapters/probes/node-probes';
import { formatIssue } from '../core/config/parse';
import {
  emptyMonitoringConfig,
  inMemoryMonitorState,
  staticMonitoringConfig,
  type MonitoringConfigSnapshot,
  type MonitoringDeps,
} from '../core/monitoring/deps';

export type { BucketLimit, DemoUser, LocalIssuer };
export { DEMO_USERS };

export interface LocalWiring {
  deps: RolloutDeps & MonitoringDeps & ApiAuthDeps & CostDeps & AdminDeps;
  bus: LocalEventBus;
  runner: LocalRolloutRunner;
  /** The live-update WebSocket endpoint (`/ws`; the HTTP server hands it its `upgrade` events). */
  live: LocalLiveSocketServer;
  /** Who is subscribed to what (tests look here). */
  liveConnections: LiveConnectionStore;
}

/** What the local runtime gives the rollout side: its proxies, presets, secrets and runner knobs. */
export interface LocalRolloutOptions {
  /** Named weighted proxies the `local-proxy` target and the `signalbox` metric provider use. */
  proxies?: ProxyLookup;
  presets?: () => RolloutPreset[];
  /** Folder of webhook signing secrets (`<dir>/<secretName>`); none = signed webhooks refuse. */
  webhookSecretsDir?: string | null;
  runner?: LocalRolloutRunnerOptions;
}

/**
 * The composition root for `npm start` and the tests: the same DynamoDB adapters against dynalite,
 * the in-process bus with the same rules as the CDK stack, each rule bound to the same handler the
 * Lambda runs.
 */
/**
 * Accepted events waiting for the local store consumer past which ingest pushes back (503 with
 * Retry-After): about 10–20 s of work on one busy process, so "accepted → visible" stays bounded.
 */
export const DEFAULT_INGEST_BACKLOG = 2000;

export function localDeps(opts: {
  dynamo: DynamoDBClient;
  tableName: string;
  logger: Logger;
  clock?: Clock;
  retry?: { attempts: number; baseDelayMs: number };
  rollouts?: LocalRolloutOptions;
  /** The monitoring config (default: none, so no checks). */
  monitoring?: MonitoringConfigSnapshot;
  /** Retries of the alert notifiers (tests shorten them); default the notifiers' own. */
  notifierRetry?: NotifierRetry;
  /** The local identity provider whose tokens the API and `/ws` accept. */
  issuer: LocalIssuer;
  /** Token-bucket sizes per route class (tests shrink them); `false`: no limits. */
  rateLimits?: Partial<Record<RouteClass, BucketLimit>> | false;
  /** The bus's write-ahead journal (accepted = on disk); absent: the bus is in memory only. */
  journal?: EventJournal;
  /** See `startLocalBackend`. */
  ingestBacklog?: number | false;
}): LocalWiring {
  const doc = documentClient(opts.dynamo);
  const deadLetters = new DynamoDeadLetterStore(doc, opts.tableName);
  const clock = opts.clock ?? systemClock;
  const bus = new LocalEventBus({
    clock,
    journal: opts.journal,
    // The dead letters live in the same store: if it is down, keep them until it is back.
    deadLetterRetry: { maxDelayMs: 1000 },
    retry: opts.retry ?? { attempts: 3, baseDelayMs: 50 },
    onDeadLetter: async ({ rule, event, error, attempts }) => {
      const now = clock.now();
      await deadLetters.record({
        id: `${rule}-${event.id}`,
        eventKey: null,
        // The rule's consumer, so a replay runs the same consumer again (store, alertEvents, live).
        consumer: BUS_RULES.find((r) => r.id === rule)?.target ?? 'store',
        error: `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`,
        attempts,
        firstFailedAt: now,
        lastFailedAt: now,
        payload: event,
        state: 'pending',
      });
    },
  });
  const ro = opts.rollouts ?? {};
  const proxies: ProxyLookup = ro.proxies ?? {};
  const secretsDir = ro.webhookSecretsDir ?? null;
  const resolveSecret = async (name: string): Promise<string> => {
    if (!secretsDir || !/^[A-Za-z0-9_.@+=-]+$/.test(name)) throw new Error(`webhook secret ${name} is not available locally`);
    return (await readFile(join(secretsDir, name), 'utf8')).trim();
  };
  const runner = new LocalRolloutRunner({ logger: opts.logger, ...ro.runner });
  const accessTokens = new DynamoAccessTokenStore(doc, opts.tableName);
  // The same verifier class as Cognito's, fed the local issuer's key set in-process.
  const userTokens = new JwksTokenVerifier({ jwks: async () => opts.issuer.jwks(), issuer: LOCAL_ISSUER, audiences: [LOCAL_CLIENT_ID], now: () => Date.parse(clock.now()) });
  const monitoringConfig = staticMonitoringConfig(opts.monitoring ?? emptyMonitoringConfig([]));
  // Admin (issue 5): the audit chain and settings in the same table; users are the local issuer's demo users.
  const settings = new DynamoSettingsStore(doc, opts.tableName);
  const deps: RolloutDeps & MonitoringDeps & ApiAuthDeps & CostDeps & AdminDeps = {
    monitoringConfig,
    audit: new DynamoAuditStore(doc, opts.tableName),
    settings,
    users: new StaticUserDirectory(DEMO_USERS),
    disabledEnvironments: () => disabledEnvironments({ settings, monitoringConfig }),
    costs: new DynamoCostStore(doc, opts.tableName),
    // Costs find environments through the config's environments (tags first, then `accounts:`).
    costAllocation: async () => allocationFromEnvironments((opts.monitoring ?? emptyMonitoringConfig([])).config.environments),
    probes: new NodeProbes(clock),
    checkHistory: new DynamoCheckHistoryStore(doc, opts.tableName),
    monitorState: inMemoryMonitorState(),
    alertStore: new DynamoAlertStore(doc, opts.tableName),
    notifiers: localNotifiers(opts.monitoring ?? emptyMonitoringConfig([]), resolveSecret, opts.logger, opts.notifierRetry),
    agentTokens: storeAgentTokens({ accessTokens, clock }),
    userTokens,
    accessTokens,
    ...(opts.rateLimits === false ? {} : { rateLimiter: new TokenBucketRateLimiter(opts.rateLimits ?? {}) }),
    authConfig: { mode: 'local', signInUrl: '/local/sign-in', tokenUrl: '/local/token', usersUrl: '/local/users' },
    rollouts: new DynamoRolloutStore(doc, opts.tableName),
    rolloutRunner: runner,
    targets: new CompositeTrafficTargets({
      webhook: (spec) => new WebhookTarget(spec, { resolveSecret, logger: opts.logger }),
      'local-proxy': localProxyTargets(proxies, opts.logger),
    }),
    metrics: new CompositeMetricProviders({
      http: new HttpJsonMetrics(),
      prometheus: new PrometheusMetrics(),
      signalbox: new ProxyMetricProvider(proxies),
    }),
    presets: ro.presets ?? (() => []),
    events: new DynamoEventStore(doc, opts.tableName),
    inventory: new DynamoInventoryStore(doc, opts.tableName),
    dora: new DynamoDoraStore(doc, opts.tableName),
    deadLetters,
    bus,
    producerTokens: storeProducerTokens({ accessTokens, clock }),
    clock,
    logger: opts.logger,
    newId: randomUUID,
  };
  const rolloutTask = createRolloutTaskHandler(deps);
  runner.bind((input) => rolloutTask(input, {} as never));
  // Live updates: sockets in this process, subscriptions in memory, the same use cases as the Lambdas.
  const liveConnections = new InMemoryLiveConnections();
  const live: LocalLiveSocketServer = new LocalLiveSocketServer({
    logger: opts.logger,
    authorize: async (input) => void (await authorizeLiveConnection({ userTokens }, input)),
    handlers: {
      onConnect: (connectionId) => connectLive(liveDeps, { connectionId }),
      onMessage: async (connectionId, body) => void (await handleLiveFrame(liveDeps, { connectionId, body })),
      onDisconnect: (connectionId) => disconnectLive(liveDeps, { connectionId }),
    },
  });
  const liveDeps: LiveDeps = { liveConnections, livePusher: live, clock, logger: opts.logger };
  const targets = { store: createStoreHandler(deps), live: createLiveBroadcastHandler(liveDeps), alertEvents: createAlertEventsHandler(deps) };
  // The store rule's deliveries are recorded in batches (bounded, so a burst of ingest queues
  // here rather than starting a store round per event at once); each delivery still settles on
  // its own, so the bus's retries and dead letters are unchanged.
  const storeBatches = batchingTarget(createStoreBatchHandler(deps), { maxBatch: 100, maxConcurrency: 2 });
  // Bounded: past this many accepted events still waiting for the store consumer, ingest answers
  // 503 ingest_busy with Retry-After instead of letting "accepted → visible" grow without bound.
  const backlog = opts.ingestBacklog ?? DEFAULT_INGEST_BACKLOG;
  if (backlog !== false) deps.ingestBackpressure = () => (storeBatches.pending() >= backlog ? 1 : null);
  for (const rule of BUS_RULES) {
    const target = targets[rule.target];
    bus.addRule(
      rule.id,
      rule.pattern,
      rule.target === 'store'
        ? storeBatches
        : async (event) => {
            await target(event, {} as never);
          },
    );
  }
  return { deps, bus, runner, live, liveConnections };
}

/** Retry knobs of the HTTP notifiers. */
export interface NotifierRetry {
  retries?: number;
  backoffMs?: number;
}

/**
 * Notifiers for the config's receivers, by name: webhooks (signed with the secret named by the
 * receiver, read from the webhook-secrets folder at each send, so a secret added later is picked
 * up and a missing one dead-letters instead of crashing) and Slack. A receiver whose URL
 * placeholder has no value is left out with one log line; SNS receivers exist in AWS only.
 */
export function localNotifiers(
  snapshot: MonitoringConfigSnapshot,
  resolveSecret: (name: string) => Promise<string>,
  logger: Logger,
  retry: NotifierRetry = {},
): ReadonlyMap<string, Notifier> {
  const notifiers = new Map<string, Notifier>();
  for (const receiver of resolveReceivers(snapshot)) {
    if ('skipped' in receiver) {
      logger.warn(`notification receiver ${receiver.name} is skipped: ${receiver.skipped}`, { receiver: receiver.name });
    } else if (receiver.type === 'sns') {
      logger.info(`notification receiver ${receiver.name} (sns) sends in AWS only; skipped locally`, { receiver: receiver.name });
    } else if (receiver.type === 'slack') {
      notifiers.set(receiver.name, new SlackNotifier({ url: receiver.url, logger, ...retry }));
    } else {
      const { url, secret } = receiver;
      notifiers.set(receiver.name, {
        send: async (payload) =>
          new WebhookNotifier({ url, logger, ...retry, ...(secret ? { secret: await resolveSecret(secret) } : {}) }).send(payload),
      });
    }
  }
  return notifiers;
}

export interface LocalBackend extends LocalWiring {
  dynamoEndpoint: string;
  /** The DynamoDB client every adapter shares (benchmarks add a capacity-counting middleware to it). */
  dynamoClient: DynamoDBClient;
  token: string;
  tokenFile: string;
  tokenCreated: boolean;
  /** The `signalbox-agent` token and where it is kept (`<dataDir>/agent-token`; empty without a data dir). */
  agentToken: string;
  agentTokenFile: string;
  /** The local identity provider (demo users; tests mint tokens with it). */
  issuer: LocalIssuer;
  /**
   * Serves `/api/*` through the same Lambda handlers as API Gateway would, and EventBridge
   * PutEvents (requests carrying `X-Amz-Target`). Returns false for anything else.
   */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Runs the configured checks (on a timer once `start`ed, or now). */
  monitor: LocalMonitor;
  /**
   * Fault injection for tests: stop the store (dynalite stops answering, requests to it fail) and
   * start it again on the same port with the same data.
   */
  store: { stop(): Promise<void>; start(): Promise<void> };
  /** Deliveries the bus found undelivered in its journal at start and delivers again. */
  recoveredDeliveries: number;
  stop(): Promise<void>;
}

/** Where the local runtime's monitoring config comes from. */
export interface LocalMonitoringOptions {
  /** The `signalbox/` folder; null/absent: no checks. */
  configDir?: string | null;
  /** Values of `${NAME}` placeholders (`DEMO_PROXY_URL`, `EVM_RPC_URL`, ...). */
  placeholders?: Record<string, string | undefined>;
  /** Retries of the alert notifiers (tests shorten them). */
  notifierRetry?: NotifierRetry;
}

/**
 * Reads and parses the config folder. Never throws for a bad or missing folder: the problems are
 * in `errors` (`file:line:column field: message`) and the valid items are kept.
 */
export async function loadLocalMonitoringConfig(configDir: string, placeholders: Record<string, string | undefined>): Promise<MonitoringConfigSnapshot> {
  try {
    const { config, issues } = await loadConfigFolder(configDir);
    return { config, errors: issues.map(formatIssue), placeholders };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const reason = e.code === 'ENOENT' ? 'folder not found' : e.message;
    return emptyMonitoringConfig([`${configDir}: cannot read the config folder: ${reason}`], placeholders);
  }
}

/**
 * The local check loop: a monitoring cycle (`runMonitoringCycle`: checks, alert expiry,
 * notifications) every `intervalMs` once started, never two runs at once.
 */
export interface LocalMonitor {
  start(intervalMs: number): void;
  /** Runs a cycle now with every check (ignoring intervals), after a run in progress finishes. */
  runNow(): Promise<MonitoringCycleOutput>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

export function createLocalMonitor(deps: MonitoringDeps): LocalMonitor {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  const run = (force: boolean): Promise<MonitoringCycleOutput> => {
    const next = running.then(() => runMonitoringCycle(deps, { force }));
    running = next.catch((error: Error) => deps.logger.error('running checks failed', { error: error.message }));
    return next;
  };
  let busy = false;
  return {
    start(intervalMs) {
      if (timer) return;
      const tick = () => {
        if (busy) return;
        busy = true;
        run(false)
          .catch(() => undefined)
          .finally(() => (busy = false));
      };
      timer = setInterval(tick, intervalMs);
      timer.unref();
      tick();
    },
    runNow: () => run(true),
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}

/**
 * Starts the local backend: dynalite with data under `dataDir` (or in memory), the table, the
 * producer token (kept in `dataDir/ingest-token` unless `token` is given), and the local wiring.
 */
export async function startLocalBackend(opts: {
  dataDir: string | null;
  tableName: string;
  dynamoPort?: number;
  token?: string;
  logger: Logger;
  clock?: Clock;
  retry?: { attempts: number; baseDelayMs: number };
  rollouts?: LocalRolloutOptions;
  /** Where the `signalbox/` config folder is and the values of its `${NAME}` placeholders. */
  monitoring?: LocalMonitoringOptions;
  /** Use this agent token instead of the one in `dataDir/agent-token` (SIGNALBOX_AGENT_TOKEN). */
  agentToken?: string;
  /** Token-bucket sizes per route class (tests shrink them); `false`: no limits. */
  rateLimits?: Partial<Record<RouteClass, BucketLimit>> | false;
  /**
   * Accepted events waiting for the store consumer beyond which ingest answers 503 `ingest_busy`
   * (Retry-After 1 s) until it catches up; default {@link DEFAULT_INGEST_BACKLOG}; `false`: never.
   */
  ingestBacklog?: number | false;
}): Promise<LocalBackend> {
  const dynamo = await startDynalite({ path: opts.dataDir ? join(opts.dataDir, 'dynamodb') : undefined, port: opts.dynamoPort ?? 0 });
  // A store that is down answers 503 + Retry-After (store_unavailable), as in AWS.
  withStoreErrors(dynamo.client);
  await ensureTable(dynamo.client, opts.tableName);
  const tokenFile = opts.dataDir ? join(opts.dataDir, 'ingest-token') : '';
  const { token, created } = opts.dataDir
    ? await loadOrCreateToken(tokenFile, opts.token)
    : { token: opts.token ?? 'local-test-token', created: false };
  const agentTokenFile = opts.dataDir ? join(opts.dataDir, 'agent-token') : '';
  const agentToken = opts.dataDir ? (await loadOrCreateToken(agentTokenFile, opts.agentToken)).token : (opts.agentToken ?? 'local-agent-token');
  const monitoringConfig = opts.monitoring?.configDir
    ? await loadLocalMonitoringConfig(opts.monitoring.configDir, opts.monitoring.placeholders ?? {})
    : emptyMonitoringConfig([], opts.monitoring?.placeholders ?? {});
  const issuer = await LocalIssuer.open({ dataDir: opts.dataDir, clock: opts.clock ?? systemClock });
  const wiring = localDeps({
    dynamo: dynamo.client,
    tableName: opts.tableName,
    issuer,
    rateLimits: opts.rateLimits,
    ingestBacklog: opts.ingestBacklog,
    logger: opts.logger,
    clock: opts.clock,
    retry: opts.retry,
    rollouts: opts.rollouts,
    monitoring: monitoringConfig,
    notifierRetry: opts.monitoring?.notifierRetry,
    // Accepted means durable: the bus journals every accepted event before publish resolves.
    journal: opts.dataDir ? await EventJournal.open(join(opts.dataDir, 'bus-journal.jsonl')) : undefined,
  });
  // What a previous process accepted but had not delivered yet (it stopped or was killed) goes out now.
  const recoveredDeliveries = wiring.bus.recover();
  if (recoveredDeliveries > 0) opts.logger.info(`bus journal: delivering ${recoveredDeliveries} accepted but undelivered event(s) again`);
  // The file tokens are the bootstrap producer and agent tokens, kept hashed in the store like any other.
  const tokenDeps = { accessTokens: wiring.deps.accessTokens!, clock: wiring.deps.clock };
  await ensureBootstrapToken(tokenDeps, { secret: token, kind: 'producer', name: 'bootstrap producer token' });
  await ensureBootstrapToken(tokenDeps, { secret: agentToken, kind: 'agent', name: 'bootstrap agent token (any agent)' });
  const monitor = createLocalMonitor(wiring.deps);
  const ingest = createIngestHandler(wiring.deps) as unknown as HttpLambda;
  const api = createApiHandler(wiring.deps) as unknown as HttpLambda;
  const putEvents = createPutEventsListener(wiring.bus);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.headers['x-amz-target']) {
      putEvents(req, res);
      return true;
    }
    if (path.startsWith('/local/') && (await handleLocalAuth(req, res, path, issuer))) return true;
    if (path !== '/api' && !path.startsWith('/api/')) return false;
    const isIngest = req.method === 'POST' && /^\/api\/events\/?$/.test(path);
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BODY_BYTES + 1);
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
      res.end(JSON.stringify({ error: { code: 'payload_too_large', field: 'body', message: `request body exceeds ${MAX_BODY_BYTES} bytes` } }));
      req.destroy();
      return true;
    }
    const event = toApiGatewayEvent(req, body, isIngest ? 'POST /api/events' : 'ANY /api/{proxy+}');
    writeResult(res, await (isIngest ? ingest : api)(event, {} as never));
    return true;
  };

  return {
    ...wiring,
    dynamoEndpoint: dynamo.endpoint,
    dynamoClient: dynamo.client,
    store: { stop: () => dynamo.suspend(), start: () => dynamo.resume() },
    recoveredDeliveries,
    token,
    tokenFile,
    tokenCreated: created,
    agentToken,
    agentTokenFile,
    issuer,
    handle,
    monitor,
    stop: async () => {
      await wiring.live.close();
      await monitor.stop();
      await wiring.runner.stop();
      await wiring.bus.idle();
      await wiring.bus.close();
      await dynamo.stop();
    },
  };
}

/**
 * The local issuer's endpoints (local mode only: served here, never in `API_ROUTES`, absent from
 * the CDK stack): `GET /local/jwks.json` (its public keys), `GET /local/users` (the demo users the
 * sign-in page lists), `POST /local/sign-in` `{email}` → `{token, user, expiresAt}` (the portal's
 * sign-in) and `GET /local/token?role=viewer|operator|admin` → `{token}` (scripts and curl).
 * Returns false for other paths.
 */
async function handleLocalAuth(req: IncomingMessage, res: ServerResponse, path: string, issuer: LocalIssuer): Promise<boolean> {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(JSON.stringify(body));
  };
  const fail = (status: number, code: string, field: string | null, message: string) => reply(status, { error: { code, field, message } });
  const roleOf = (u: DemoUser): Role | null => [...ROLES].reverse().find((r) => u.groups.includes(r)) ?? null;
  const view = (u: DemoUser) => ({ email: u.email, name: u.name, role: roleOf(u) });
  const method = req.method ?? 'GET';
  const expect = (m: string) => {
    if (method === m) return true;
    res.setHeader('allow', m);
    fail(405, 'method_not_allowed', 'method', `use ${m} ${path}`);
    return false;
  };
  if (path === '/local/jwks.json') {
    if (expect('GET')) reply(200, issuer.jwks());
    return true;
  }
  if (path === '/local/users') {
    if (expect('GET')) reply(200, { items: DEMO_USERS.map(view) });
    return true;
  }
  if (path === '/local/token') {
    if (!expect('GET')) return true;
    const role = new URL(req.url ?? '/', 'http://localhost').searchParams.get('role') ?? '';
    if (!ROLES.includes(role as Role)) return fail(400, 'invalid_request', 'role', `role must be one of ${ROLES.join(', ')}`), true;
    reply(200, { token: issuer.issue(issuer.userFor(role as Role)) });
    return true;
  }
  if (path === '/local/sign-in') {
    if (!expect('POST')) return true;
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req, 4096)).toString('utf8'));
    } catch {
      return fail(400, 'invalid_json', 'body', 'body must be JSON {"email": "..."}'), true;
    }
    const email = (body as { email?: unknown } | null)?.email;
    const user = DEMO_USERS.find((u) => u.email === email);
    if (!user) return fail(400, 'unknown_user', 'email', `no demo user ${JSON.stringify(email)}; users: ${DEMO_USERS.map((u) => u.email).join(', ')}`), true;
    const token = issuer.issue(user);
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number };
    reply(200, { token, user: view(user), expiresAt: new Date(exp * 1000).toISOString() });
    return true;
  }
  return false;
}
