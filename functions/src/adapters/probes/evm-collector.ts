import { performance } from 'node:perf_hooks';
import { trackHead } from '../../core/monitoring/evaluate';
import type { EvmCheckSpec, EvmObservation, EvmOutcome, EvmSyncState } from '../../core/monitoring/model';
import type { Clock } from '../../core/ports/clock';
import { callJsonRpc, type JsonRpcCallResult } from './json-rpc-client';

function quantity(v: unknown): number | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]+$/.test(v)) return null;
  const n = BigInt(v);
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : null;
}

function bigQuantity(v: unknown): string | null {
  if (typeof v === 'string' && /^0x[0-9a-fA-F]+$/.test(v)) return BigInt(v).toString();
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return null;
}

function syncState(v: unknown): EvmSyncState | false | null {
  if (v === false) return false;
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  const currentBlock = quantity(o.currentBlock);
  const highestBlock = quantity(o.highestBlock);
  if (currentBlock === null || highestBlock === null) return null;
  return { startingBlock: quantity(o.startingBlock) ?? 0, currentBlock, highestBlock };
}

function resultObject(r: JsonRpcCallResult): Record<string, unknown> | null {
  return r.reachable && !r.error && r.result && typeof r.result === 'object' ? (r.result as Record<string, unknown>) : null;
}

/** Geth's `txpool_status`: `{ pending: "0x..", queued: "0x.." }`. */
function txpoolPending(r: JsonRpcCallResult): number | null {
  const o = resultObject(r);
  return o ? quantity(o.pending) : null;
}

/** Besu's `txpool_besuStatistics`: `{ maxSize, localCount, remoteCount }` (numbers). */
function besuPending(r: JsonRpcCallResult): number | null {
  const o = resultObject(r);
  if (!o) return null;
  const local = quantity(o.localCount);
  const remote = quantity(o.remoteCount);
  return local === null || remote === null ? null : local + remote;
}

/**
 * Collects an EVM node's state over JSON-RPC. `eth_blockNumber` must answer; the rest is optional
 * and asked for in parallel: `net_peerCount`, `eth_syncing`, `eth_gasPrice`, `eth_chainId`, and
 * pending transactions from the first that answers of `txpool_status` (Geth),
 * `txpool_besuStatistics` (Besu with the TXPOOL api) and
 * `eth_getBlockTransactionCountByNumber("pending")` (Ganache answers 0 there even with pending
 * transactions). Head progress is compared with `previous`.
 */
export async function collectEvm(clock: Clock, spec: EvmCheckSpec, previous: EvmObservation | null): Promise<EvmOutcome> {
  const started = performance.now();
  const opts = { ...(spec.headers ? { headers: spec.headers } : {}), ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}) };
  const call = (method: string, params: unknown[] = []) => callJsonRpc(spec.url, method, params, opts);
  const [head, peers, syncing, gasPrice, chainId, txpool] = await Promise.all([
    call('eth_blockNumber'),
    call('net_peerCount'),
    call('eth_syncing'),
    call('eth_gasPrice'),
    call('eth_chainId'),
    call('txpool_status'),
  ]);
  if (!head.reachable) return head;
  const blockNumber = head.error ? null : quantity(head.result);
  if (blockNumber === null) {
    const why = head.error ? `${head.error.message} (code ${head.error.code})` : `unexpected result ${JSON.stringify(head.result)}`;
    return { reachable: false, error: `eth_blockNumber failed: ${why}`, timedOut: false, durationMs: performance.now() - started };
  }

  const unavailable: string[] = [];
  const value = <T>(name: string, r: JsonRpcCallResult, decode: (v: unknown) => T | null): T | null => {
    const decoded = r.reachable && !r.error ? decode(r.result) : null;
    if (decoded === null) unavailable.push(name);
    return decoded;
  };
  const peerCount = value('net_peerCount', peers, quantity);
  const sync = value('eth_syncing', syncing, syncState);
  const gasPriceWei = value('eth_gasPrice', gasPrice, bigQuantity);
  const chain = value('eth_chainId', chainId, quantity);
  let pendingTransactions = txpoolPending(txpool);
  if (pendingTransactions === null) {
    unavailable.push('txpool_status');
    pendingTransactions = besuPending(await call('txpool_besuStatistics'));
  }
  if (pendingTransactions === null) {
    unavailable.push('txpool_besuStatistics');
    pendingTransactions = value('eth_getBlockTransactionCountByNumber', await call('eth_getBlockTransactionCountByNumber', ['pending']), quantity);
  }

  const observedAt = clock.now();
  const { headSince, previousBlockNumber } = trackHead(previous, blockNumber, observedAt);
  const observation: EvmObservation = {
    observedAt,
    blockNumber,
    headSince,
    previousBlockNumber,
    peerCount,
    syncing: sync,
    gasPriceWei,
    chainId: chain,
    pendingTransactions,
    unavailable,
    durationMs: performance.now() - started,
  };
  return { reachable: true, observation };
}
