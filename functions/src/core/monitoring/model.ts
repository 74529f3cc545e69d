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

export type CheckSpec = HttpCheckSpec | TcpCheckSpec | JsonRpcCheckSpec | EvmCheckSpec;
export type CheckType = CheckSpec['type'];
export const CHECK_TYPES: readonly CheckType[] = ['http', 'tcp', 'json-rpc', 'evm'];

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
