/**
 * Checks: what to probe (the specs, written in `signalbox/` YAML and reused by the config loader),
 * what a probe saw (raw outcomes, produced by the `Probes` port) and what we concluded
 * (`CheckResult`). Plain data only: no classes, no functions, JSON-serialisable.
 */

/** Health of one check. `unknown` means the check itself could not be evaluated, not that the target is down. */
export type CheckStatus = 'ok' | 'warning' | 'critical' | 'unknown';

export const CHECK_STATUSES: readonly CheckStatus[] = ['ok', 'warning', 'critical', 'unknown'];

/**
 * A pair of limits. Each check field says which direction is bad: for latency a value ABOVE the
 * limit is bad, for TLS days left or peer count a value BELOW it is. Either limit may be omitted.
 */
export interface Thresholds {
  warning?: number;
  critical?: number;
}

/** Fields every check type shares. */
export interface CheckSpecBase {
  /** Give up after this long; the target is then critical. Default 10 000 ms. */
  timeoutMs?: number;
}

/** HTTP(S) request: status, latency, body match, TLS certificate expiry. */
export interface HttpCheckSpec extends CheckSpecBase {
  type: 'http';
  url: string;
  /** Default GET. */
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'OPTIONS';
  headers?: Record<string, string>;
  /** Request body (for POST/PUT). */
  body?: string;
  /** Accepted status codes; default any 2xx or 3xx. Anything else is critical. */
  expectStatus?: number[];
  /** The body must contain this text, else critical. */
  bodyContains?: string;
  /** The body must match this regular expression (JavaScript syntax), else critical. */
  bodyRegex?: string;
  /** Latency in ms; above the limit is bad. */
  latencyMs?: Thresholds;
  /** Days until the server certificate expires; below the limit is bad. An expired certificate is always critical. */
  tlsDaysLeft?: Thresholds;
  /** Accept a certificate that does not verify (self-signed, wrong host); expiry is still checked. Default false. */
  allowUntrustedTls?: boolean;
}

/** TCP connect to host:port. */
export interface TcpCheckSpec extends CheckSpecBase {
  type: 'tcp';
  host: string;
  port: number;
  /** Connect time in ms; above the limit is bad. */
  latencyMs?: Thresholds;
}

/** One JSON-RPC 2.0 call over HTTP(S). A JSON-RPC error object is critical, with its message. */
export interface JsonRpcCheckSpec extends CheckSpecBase {
  type: 'json-rpc';
  url: string;
  method: string;
  params?: unknown[] | Record<string, unknown>;
  headers?: Record<string, string>;
  /** When present, the result must equal this value (deep, key order ignored), else critical. */
  expectResult?: unknown;
  latencyMs?: Thresholds;
}

/** An EVM node (Besu, Geth, ...) over JSON-RPC: head progress, peers, syncing, gas price, chain id, pending transactions. */
export interface EvmCheckSpec extends CheckSpecBase {
  type: 'evm';
  url: string;
  headers?: Record<string, string>;
  /** The node must report this chain id, else critical. */
  expectChainId?: number;
  /** Seconds without a new block head; at or above the limit the chain is "stalled". Default `{ critical: 300 }`. */
  stalledAfterSeconds?: Thresholds;
  /** Connected peers; below the limit is bad. Not checked when absent (a dev node has no peers). */
  minPeers?: Thresholds;
  /** Status while the node reports it is syncing. Default `warning`. */
  syncingStatus?: CheckStatus;
  /** Total time of the collection in ms; above the limit is bad. */
  latencyMs?: Thresholds;
}

export type CheckSpec = HttpCheckSpec | TcpCheckSpec | JsonRpcCheckSpec | EvmCheckSpec | FireflyCheckSpec | CactiCheckSpec | CcipCheckSpec;
export type CheckType = CheckSpec['type'];
export const CHECK_TYPES: readonly CheckType[] = ['http', 'tcp', 'json-rpc', 'evm', 'firefly', 'cacti', 'ccip'];

/** The conclusion of one check run. */
export interface CheckResult {
  status: CheckStatus;
  /** Numeric measurements, snake_case names (`latency_ms`, `tls_days_left`, `block_height`, ...). */
  metrics: Record<string, number>;
  /** One line for people: why this status. */
  message: string;
  /** Wall time the probe took. */
  durationMs: number;
  /** When the check ran (ISO 8601 UTC). */
  checkedAt: string;
}

/** The target could not be reached or did not answer in time. */
export interface ProbeFailure {
  reachable: false;
  error: string;
  timedOut: boolean;
  durationMs: number;
}

/** What the server certificate of an https target looked like. */
export interface TlsInfo {
  /** Certificate `notAfter`, ISO 8601. */
  validTo: string;
  /** The chain verified and the host name matched. */
  authorized: boolean;
  /** Why not, when `authorized` is false. */
  authorizationError?: string;
  subject?: string;
  issuer?: string;
}

export type HttpOutcome =
  | { reachable: true; statusCode: number; durationMs: number; body: string; bodyTruncated: boolean; tls?: TlsInfo }
  | ProbeFailure;

export type TcpOutcome = { reachable: true; durationMs: number } | ProbeFailure;

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export type JsonRpcOutcome =
  | { reachable: true; durationMs: number; result?: unknown; error?: JsonRpcErrorObject }
  | ProbeFailure;

/** The sync state as `eth_syncing` reports it, numbers decoded. */
export interface EvmSyncState {
  startingBlock: number;
  currentBlock: number;
  highestBlock: number;
}

/**
 * One collection from an EVM node. It is also the state the next collection compares with
 * (`Probes.evm(spec, previous)`): keep the last one per check.
 */
export interface EvmObservation {
  observedAt: string;
  blockNumber: number;
  /** When `blockNumber` was first seen as the head (equals `observedAt` when the head moved). */
  headSince: string;
  /** The previous observation's head, null on the first one. */
  previousBlockNumber: number | null;
  /** null when the node does not offer the method. */
  peerCount: number | null;
  /** false when in sync, null when unknown. */
  syncing: EvmSyncState | false | null;
  /** Decimal string of wei (may exceed 2^53). */
  gasPriceWei: string | null;
  chainId: number | null;
  pendingTransactions: number | null;
  /** JSON-RPC methods that the node did not offer or that failed (optional facts only). */
  unavailable: string[];
  durationMs: number;
}

export type EvmOutcome = { reachable: true; observation: EvmObservation } | (ProbeFailure & { observation?: undefined });

/**
 * A Hyperledger FireFly node over its REST API: `GET /api/v1/status` (node and org registration,
 * plugins, multiparty mode), `GET /api/v1/namespaces` and each namespace's own status.
 */
export interface FireflyCheckSpec extends CheckSpecBase {
  type: 'firefly';
  /** Base URL of the FireFly API (`http://firefly:5000`); `/api/v1/...` is appended. */
  url: string;
  headers?: Record<string, string>;
  /** Namespaces that must exist and answer their status (critical otherwise). Others listed by the node are probed too (warning when failing). */
  namespaces?: string[];
  /** Plugin kinds the node must report (`blockchain`, `database`, `dataExchange`, `sharedStorage`, `tokens`, `identity`, `events`); critical when absent. */
  plugins?: string[];
  /** Namespace count; below the limit is bad. */
  minNamespaces?: Thresholds;
  latencyMs?: Thresholds;
}

/** What FireFly reported in one status document (the node-wide or a namespace's). */
export interface FireflyStatus {
  namespace: string | null;
  nodeName: string | null;
  /** null when the document does not say (gateway mode has no node identity). */
  nodeRegistered: boolean | null;
  orgName: string | null;
  orgRegistered: boolean | null;
  /** Configured plugins per kind, as counts (`{ blockchain: 1, database: 1 }`). */
  plugins: Record<string, number>;
  /** null when the document has no `multiparty` section (older FireFly). */
  multiparty: boolean | null;
}

/** One namespace's `GET /api/v1/namespaces/{name}/status`. */
export interface FireflyNamespaceProbe {
  name: string;
  ok: boolean;
  statusCode?: number;
  /** Why not ok: network error, HTTP status and FireFly's error text. */
  error?: string;
  durationMs: number;
  status?: FireflyStatus;
}

export type FireflyOutcome =
  | {
      reachable: true;
      durationMs: number;
      /** null when `/api/v1/status` answered but not with a status document (then `statusError`). */
      status: FireflyStatus | null;
      statusError?: string;
      /** Namespace names listed by `/api/v1/namespaces`; null when that call failed (`namespacesError`). */
      namespaces: string[] | null;
      namespacesError?: string;
      namespaceProbes: FireflyNamespaceProbe[];
    }
  | ProbeFailure;

/**
 * A Hyperledger Cacti (Cactus) API server: `GET /api/v1/api-server/healthcheck` (success flag,
 * creation time, Node.js memory usage) and the web services of the connector plugins it should host
 * (`GET /api/v1/plugins/{package}/get-open-api-spec`).
 */
export interface CactiCheckSpec extends CheckSpecBase {
  type: 'cacti';
  /** Base URL of the API server (`http://cacti:4000`). */
  url: string;
  headers?: Record<string, string>;
  /** Plugin packages that must answer, e.g. `@hyperledger/cactus-plugin-ledger-connector-besu`; critical when one does not. */
  connectors?: string[];
  /** V8 heap used, MiB; above the limit is bad. */
  heapUsedMb?: Thresholds;
  /** Resident set size, MiB; above the limit is bad. */
  rssMb?: Thresholds;
  latencyMs?: Thresholds;
}

/** Node.js `process.memoryUsage()` as the API server reports it, bytes. */
export interface CactiMemoryUsage {
  rss: number | null;
  heapTotal: number | null;
  heapUsed: number | null;
  external: number | null;
  arrayBuffers: number | null;
}

export interface CactiHealth {
  /** null when the answer has no `success` field (it is optional in the API document). */
  success: boolean | null;
  createdAt: string | null;
  memory: CactiMemoryUsage | null;
}

export interface CactiConnectorProbe {
  package: string;
  present: boolean;
  statusCode?: number;
  error?: string;
  /** Operations in the plugin's OpenAPI document, when it sent one. */
  operations?: number;
  durationMs: number;
}

export type CactiOutcome =
  | { reachable: true; durationMs: number; statusCode: number; health: CactiHealth | null; healthError?: string; connectors: CactiConnectorProbe[] }
  | ProbeFailure;

/**
 * One Chainlink CCIP lane, measured from contract logs over JSON-RPC: the source chain's on-ramp
 * (`CCIPSendRequested`), the destination chain's off-ramp (`ExecutionStateChanged`) and optionally
 * its router (`MessageExecuted`). Logs are read with `eth_getLogs` in bounded block ranges, each
 * run continuing where the previous stopped (`CcipObservation`, passed back as `previous`).
 */
export interface CcipCheckSpec extends CheckSpecBase {
  type: 'ccip';
  source: CcipChainSpec & { onRamp: string };
  destination: CcipChainSpec & { offRamp: string; router?: string };
  /** Blocks per `eth_getLogs` call. Default 1000. */
  blockRange?: number;
  /** `eth_getLogs` calls per chain per run; the rest is read in the next runs. Default 20. */
  maxRangesPerRun?: number;
  /** Seconds the oldest pending message has waited; at or above the limit is bad. Default `{ warning: 900, critical: 3600 }`. */
  pendingAgeSeconds?: Thresholds;
  /** Messages whose last execution failed (waiting for manual execution); above the limit is bad. Default `{ critical: 0 }` (any failure). */
  failedMessages?: Thresholds;
  latencyMs?: Thresholds;
}

export interface CcipChainSpec {
  /** JSON-RPC URL of the chain. */
  url: string;
  headers?: Record<string, string>;
  /** First block to read. Default: the last `blockRange × maxRangesPerRun` blocks before the head at the first run. */
  startBlock?: number;
}

/** CCIP's `Internal.MessageExecutionState`. */
export const CCIP_EXECUTION_STATES = ['untouched', 'in-progress', 'success', 'failure'] as const;

/** A sent message without a final execution state yet. */
export interface CcipPendingMessage {
  messageId: string;
  sequenceNumber: number;
  /** Timestamp of the source block that holds the send (ISO 8601). */
  sentAt: string;
  sentBlock: number;
  /** 0 untouched (no execution seen), 1 in progress. */
  state: 0 | 1;
}

/** A message whose last execution failed (it may still be executed manually). */
export interface CcipFailedMessage {
  messageId: string;
  sequenceNumber: number;
  sentAt: string | null;
  failedBlock: number;
}

/** How far one chain has been read. */
export interface CcipChainProgress {
  head: number;
  /** Last block read (inclusive); `startBlock - 1` before the first read. */
  scannedTo: number;
}

/**
 * The state of a lane after one collection; the next collection continues from it. Counters are
 * totals since the first scanned block. Lists are bounded (`CCIP_TRACKED_LIMIT`): pending messages
 * beyond the limit are only counted (`pendingUntracked`).
 */
export interface CcipObservation {
  kind: 'ccip';
  observedAt: string;
  source: CcipChainProgress;
  destination: CcipChainProgress;
  /** Messages sent (on-ramp events). */
  sent: number;
  /** Messages executed successfully (each counted once, also after failed attempts). */
  succeeded: number;
  /** Failed execution attempts (every `ExecutionStateChanged` with state failure). */
  failedAttempts: number;
  /** Router `MessageExecuted` events (0 without a router). */
  routerExecuted: number;
  /** Oldest first. */
  pending: CcipPendingMessage[];
  pendingUntracked: number;
  failed: CcipFailedMessage[];
  /** Final executions seen before their send was read (the destination was read further, or the send is before the start block). */
  executedEarly: { messageId: string; state: 2 | 3; block: number }[];
  /** Sent, succeeded and failed executions read in this collection. */
  delta: { sent: number; succeeded: number; failedAttempts: number };
  durationMs: number;
}

export type CcipOutcome = { reachable: true; observation: CcipObservation } | (ProbeFailure & { observation?: undefined });

/** The state a check carries from one run to the next (`RunCheckInput.previous`). */
export type CheckObservation = EvmObservation | CcipObservation;

