import { performance } from 'node:perf_hooks';
import {
  CCIP_TOPICS,
  DEFAULT_CCIP_BLOCK_RANGE,
  DEFAULT_CCIP_MAX_RANGES,
  applyCcipScan,
  decodeExecutionStateChanged,
  decodeSendRequested,
  isMessageExecuted,
  type CcipExecution,
  type CcipSend,
  type RawLog,
} from '../../core/monitoring/collectors/ccip';
import type { CcipChainProgress, CcipCheckSpec, CcipObservation, CcipOutcome } from '../../core/monitoring/model';
import type { Clock } from '../../core/ports/clock';
import { callJsonRpc } from './json-rpc-client';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** A JSON-RPC call that did not give a usable result; turned into an unreachable outcome. */
class RpcProblem extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

type Rpc = (method: string, params: unknown[]) => Promise<unknown>;

function rpcFor(label: string, url: string, headers: Record<string, string> | undefined, timeoutMs: number | undefined): Rpc {
  const opts = { ...(headers ? { headers } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
  return async (method, params) => {
    const r = await callJsonRpc(url, method, params, opts);
    if (!r.reachable) throw new RpcProblem(`${label} ${method}: ${r.error}`, r.timedOut);
    if (r.error) throw new RpcProblem(`${label} ${method}: ${r.error.message} (code ${r.error.code})`, false);
    return r.result;
  };
}

const hex = (n: number) => `0x${n.toString(16)}`;

function quantity(v: unknown, what: string): number {
  if (typeof v === 'string' && /^0x[0-9a-fA-F]+$/.test(v)) return Number(BigInt(v));
  throw new RpcProblem(`${what}: unexpected result ${JSON.stringify(v)}`, false);
}

/** The block range to read now: from where the last collection stopped, at most `range × maxRanges` blocks. */
function window(previous: CcipChainProgress | null, startBlock: number | undefined, head: number, span: number): { from: number; to: number } {
  const from = previous ? previous.scannedTo + 1 : (startBlock ?? Math.max(0, head - span + 1));
  return { from, to: Math.min(head, from + span - 1) };
}

/** `eth_getLogs` over [from, to] in chunks of `range` blocks, logs in block and log order. */
async function getLogs(rpc: Rpc, address: string[], topics: string[], from: number, to: number, range: number): Promise<RawLog[]> {
  const out: RawLog[] = [];
  for (let start = from; start <= to; start += range) {
    const end = Math.min(to, start + range - 1);
    const logs = await rpc('eth_getLogs', [{ fromBlock: hex(start), toBlock: hex(end), address: address.length === 1 ? address[0] : address, topics: [topics] }]);
    if (!Array.isArray(logs)) throw new RpcProblem(`eth_getLogs: unexpected result ${JSON.stringify(logs).slice(0, 80)}`, false);
    out.push(...(logs as RawLog[]));
  }
  const key = (l: RawLog) => [Number(BigInt(l.blockNumber)), l.logIndex ? Number(BigInt(l.logIndex)) : 0] as const;
  return out.sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1]);
}

/**
 * Collects a CCIP lane from contract logs over JSON-RPC: reads both heads, then the on-ramp's
 * `CCIPSendRequested` logs on the source chain and the off-ramp's `ExecutionStateChanged` (and the
 * router's `MessageExecuted`) logs on the destination chain, from where `previous` stopped (or
 * `startBlock`, or the last `blockRange × maxRangesPerRun` blocks) in `eth_getLogs` calls of at most
 * `blockRange` blocks, at most `maxRangesPerRun` per chain. Sends get their source block's
 * timestamp. A chain whose head went below what was read (a reset dev chain) starts over.
 * Any failed call makes the whole collection unreachable (the caller keeps `previous`).
 */
export async function collectCcip(clock: Clock, spec: CcipCheckSpec, previous: CcipObservation | null): Promise<CcipOutcome> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  for (const [what, a] of [['on-ramp', spec.source.onRamp], ['off-ramp', spec.destination.offRamp], ['router', spec.destination.router]] as const) {
    if (a !== undefined && !ADDRESS.test(a)) return { reachable: false, error: `${what} address ${JSON.stringify(a)} is not 0x and 40 hex digits`, timedOut: false, durationMs: elapsed() };
  }
  const range = spec.blockRange ?? DEFAULT_CCIP_BLOCK_RANGE;
  const span = range * (spec.maxRangesPerRun ?? DEFAULT_CCIP_MAX_RANGES);
  const src = rpcFor('source', spec.source.url, spec.source.headers, spec.timeoutMs);
  const dst = rpcFor('destination', spec.destination.url, spec.destination.headers, spec.timeoutMs);
  try {
    const [sourceHead, destinationHead] = await Promise.all([src('eth_blockNumber', []).then((v) => quantity(v, 'source eth_blockNumber')), dst('eth_blockNumber', []).then((v) => quantity(v, 'destination eth_blockNumber'))]);
    const prev = previous && previous.source.scannedTo <= sourceHead && previous.destination.scannedTo <= destinationHead ? previous : null;
    const sw = window(prev?.source ?? null, spec.source.startBlock, sourceHead, span);
    const dw = window(prev?.destination ?? null, spec.destination.startBlock, destinationHead, span);

    const offRamp = spec.destination.offRamp.toLowerCase();
    const router = spec.destination.router?.toLowerCase();
    const [sourceLogs, destinationLogs] = await Promise.all([
      getLogs(src, [spec.source.onRamp], [CCIP_TOPICS.sendRequested], sw.from, sw.to, range),
      getLogs(dst, router ? [offRamp, router] : [offRamp], router ? [CCIP_TOPICS.executionStateChanged, CCIP_TOPICS.messageExecuted] : [CCIP_TOPICS.executionStateChanged], dw.from, dw.to, range),
    ]);

    const sends = sourceLogs.filter((l) => l.address.toLowerCase() === spec.source.onRamp.toLowerCase()).map(decodeSendRequested).filter((s): s is CcipSend => s !== null);
    const times = new Map<number, string>();
    for (const block of new Set(sends.map((s) => s.block))) {
      const b = (await src('eth_getBlockByNumber', [hex(block), false])) as { timestamp?: unknown } | null;
      times.set(block, new Date(quantity(b?.timestamp, `source block ${block} timestamp`) * 1000).toISOString());
    }
    const executions = destinationLogs.filter((l) => l.address.toLowerCase() === offRamp).map(decodeExecutionStateChanged).filter((e): e is CcipExecution => e !== null);
    const routerExecuted = router ? destinationLogs.filter((l) => l.address.toLowerCase() === router && isMessageExecuted(l)).length : 0;

    const observation = applyCcipScan(prev, {
      observedAt: clock.now(),
      source: { head: sourceHead, scannedTo: Math.max(sw.to, prev?.source.scannedTo ?? sw.from - 1) },
      destination: { head: destinationHead, scannedTo: Math.max(dw.to, prev?.destination.scannedTo ?? dw.from - 1) },
      sends: sends.map((s) => ({ ...s, sentAt: times.get(s.block)! })),
      executions,
      routerExecuted,
      durationMs: elapsed(),
    });
    return { reachable: true, observation };
  } catch (error) {
    if (error instanceof RpcProblem) return { reachable: false, error: error.message, timedOut: error.timedOut, durationMs: elapsed() };
    throw error;
  }
}
