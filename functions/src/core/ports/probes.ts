import type {
  CactiCheckSpec,
  CactiOutcome,
  CcipCheckSpec,
  CcipObservation,
  CcipOutcome,
  EvmCheckSpec,
  EvmObservation,
  EvmOutcome,
  FireflyCheckSpec,
  FireflyOutcome,
  HttpCheckSpec,
  HttpOutcome,
  JsonRpcCheckSpec,
  JsonRpcOutcome,
  TcpCheckSpec,
  TcpOutcome,
} from '../monitoring/model';

/**
 * Reaches targets and reports what it saw, without judging it (thresholds are applied by
 * `core/monitoring/evaluate`). A target that is down, slow or answers an error is an OUTCOME
 * (`reachable: false`, or a JSON-RPC error object), never a thrown error; every call ends within
 * the spec's `timeoutMs` (default 10 s). Calls have no side effects on the target beyond the request
 * the spec describes, so they are safe to retry.
 */
export interface Probes {
  /** One HTTP(S) request; for https also the server certificate and whether it verified. */
  http(spec: HttpCheckSpec): Promise<HttpOutcome>;
  /** A TCP connect, closed at once. */
  tcp(spec: TcpCheckSpec): Promise<TcpOutcome>;
  /** One JSON-RPC 2.0 call over HTTP(S). */
  jsonRpc(spec: JsonRpcCheckSpec): Promise<JsonRpcOutcome>;
  /**
   * Collects an EVM node's facts (head, peers, syncing, gas price, chain id, pending transactions)
   * and compares the head with `previous` (the last observation of the same check, or null).
   * Only `eth_blockNumber` is required; other methods the node lacks are listed in `unavailable`.
   */
  evm(spec: EvmCheckSpec, previous: EvmObservation | null): Promise<EvmOutcome>;
  /*
   * The chain collectors below are optional so that probes without them (test doubles) still fit;
   * a check whose collector is missing evaluates to `unknown`.
   */
  /** A Hyperledger FireFly node: its status, the namespace list and each namespace's status. */
  firefly?(spec: FireflyCheckSpec): Promise<FireflyOutcome>;
  /** A Hyperledger Cacti API server: its healthcheck and the expected connector plugins' web services. */
  cacti?(spec: CactiCheckSpec): Promise<CactiOutcome>;
  /**
   * A Chainlink CCIP lane: reads the on-ramp, off-ramp and router logs from where `previous` (the
   * last observation of the same check, or null) stopped, in bounded `eth_getLogs` ranges.
   */
  ccip?(spec: CcipCheckSpec, previous: CcipObservation | null): Promise<CcipOutcome>;
}
