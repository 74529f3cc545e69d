import { ageThreshold, aboveThreshold, conclude, failed, latencyFinding, type Finding } from '../evaluate';
import type {
  CcipChainProgress,
  CcipCheckSpec,
  CcipObservation,
  CcipOutcome,
  CcipPendingMessage,
  CheckObservation,
  CheckResult,
  Thresholds,
} from '../model';

/**
 * Event topics (keccak-256 of the canonical signatures) of the CCIP 1.2–1.5 lane contracts:
 * - on-ramp `CCIPSendRequested(Internal.EVM2EVMMessage message)`, the message a tuple of
 *   (uint64 sourceChainSelector, address sender, address receiver, uint64 sequenceNumber,
 *   uint256 gasLimit, bool strict, uint64 nonce, address feeToken, uint256 feeTokenAmount,
 *   bytes data, (address,uint256)[] tokenAmounts, bytes[] sourceTokenData, bytes32 messageId);
 * - off-ramp `ExecutionStateChanged(uint64 indexed sequenceNumber, bytes32 indexed messageId,
 *   MessageExecutionState state, bytes returnData)` (the enum is a uint8);
 * - router `MessageExecuted(bytes32 messageId, uint64 sourceChainSelector, address offRamp, bytes32 calldataHash)`.
 */
export const CCIP_TOPICS = {
  sendRequested: '0xd0c3c799bf9e2639de44391e7f524d229b2b55f5b1ea94b2bf7da42f7243dddd',
  executionStateChanged: '0xd4f851956a5d67c3997d1c9205045fef79bae2947fdee7e9e2641abc7391ef65',
  messageExecuted: '0x9b877de93ea9895756e337442c657f95a34fc68e7eb988bdfa693d5be83016b6',
} as const;

/** Canonical signatures the topics are hashed from (for documentation and tests). */
export const CCIP_EVENT_SIGNATURES = {
  sendRequested: 'CCIPSendRequested((uint64,address,address,uint64,uint256,bool,uint64,address,uint256,bytes,(address,uint256)[],bytes[],bytes32))',
  executionStateChanged: 'ExecutionStateChanged(uint64,bytes32,uint8,bytes)',
  messageExecuted: 'MessageExecuted(bytes32,uint64,address,bytes32)',
} as const;

export const DEFAULT_CCIP_PENDING_AGE_SECONDS: Thresholds = { warning: 900, critical: 3600 };
export const DEFAULT_CCIP_FAILED_MESSAGES: Thresholds = { critical: 0 };
export const DEFAULT_CCIP_BLOCK_RANGE = 1000;
export const DEFAULT_CCIP_MAX_RANGES = 20;
/** At most this many pending, failed and early-executed messages are remembered each (the state stays small). */
export const CCIP_TRACKED_LIMIT = 1000;

/** Whether a carried observation is a CCIP lane's (EVM observations have no `kind`). */
export function isCcipObservation(o: CheckObservation | null | undefined): o is CcipObservation {
  return !!o && 'kind' in o && o.kind === 'ccip';
}

/** A log as `eth_getLogs` returns it (the fields used here). */
export interface RawLog {
  address: string;
  topics: readonly string[];
  data: string;
  blockNumber: string;
  logIndex?: string;
}

export interface CcipSend {
  messageId: string;
  sequenceNumber: number;
  block: number;
}

export interface CcipExecution {
  messageId: string;
  sequenceNumber: number;
  state: 0 | 1 | 2 | 3;
  block: number;
}

function words(data: string): string[] {
  const hex = data.startsWith('0x') ? data.slice(2) : data;
  const out: string[] = [];
  for (let i = 0; i + 64 <= hex.length; i += 64) out.push(hex.slice(i, i + 64));
  return out;
}

function wordNumber(word: string | undefined): number | null {
  if (word === undefined || !/^[0-9a-fA-F]{64}$/.test(word)) return null;
  const n = BigInt(`0x${word}`);
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : null;
}

function blockOf(log: RawLog): number | null {
  return /^0x[0-9a-fA-F]+$/.test(log.blockNumber) ? Number(BigInt(log.blockNumber)) : null;
}

/**
 * Decodes an on-ramp `CCIPSendRequested` log: the data is one offset word to the message tuple,
 * whose 4th head word is the sequence number and 13th the message id. Null when it does not fit.
 */
export function decodeSendRequested(log: RawLog): CcipSend | null {
  if (log.topics[0]?.toLowerCase() !== CCIP_TOPICS.sendRequested) return null;
  const w = words(log.data);
  const offset = wordNumber(w[0]);
  const block = blockOf(log);
  if (offset === null || offset % 32 !== 0 || block === null) return null;
  const t = offset / 32;
  const sequenceNumber = wordNumber(w[t + 3]);
  const id = w[t + 12];
  if (sequenceNumber === null || id === undefined) return null;
  return { messageId: `0x${id.toLowerCase()}`, sequenceNumber, block };
}

/** Decodes an off-ramp `ExecutionStateChanged` log (sequence number and message id indexed, state the first data word). */
export function decodeExecutionStateChanged(log: RawLog): CcipExecution | null {
  if (log.topics[0]?.toLowerCase() !== CCIP_TOPICS.executionStateChanged || log.topics.length < 3) return null;
  const sequenceNumber = wordNumber(log.topics[1]!.replace(/^0x/, ''));
  const state = wordNumber(words(log.data)[0]);
  const block = blockOf(log);
  if (sequenceNumber === null || state === null || state > 3 || block === null) return null;
  return { messageId: log.topics[2]!.toLowerCase(), sequenceNumber, state: state as CcipExecution['state'], block };
}

/** Whether a log is the router's `MessageExecuted`. */
export function isMessageExecuted(log: RawLog): boolean {
  return log.topics[0]?.toLowerCase() === CCIP_TOPICS.messageExecuted;
}

/** What one collection read from both chains. */
export interface CcipScan {
  observedAt: string;
  source: CcipChainProgress;
  destination: CcipChainProgress;
  /** In block order; `sentAt` is the source block's timestamp. */
  sends: (CcipSend & { sentAt: string })[];
  /** In block and log order. */
  executions: CcipExecution[];
  routerExecuted: number;
  durationMs: number;
}

function emptyObservation(scan: CcipScan): CcipObservation {
  return {
    kind: 'ccip',
    observedAt: scan.observedAt,
    source: scan.source,
    destination: scan.destination,
    sent: 0,
    succeeded: 0,
    failedAttempts: 0,
    routerExecuted: 0,
    pending: [],
    pendingUntracked: 0,
    failed: [],
    executedEarly: [],
    delta: { sent: 0, succeeded: 0, failedAttempts: 0 },
    durationMs: scan.durationMs,
  };
}

/**
 * Folds one scan into the lane state (pure). Sends are applied before executions, so a message sent
 * and executed within the same scan is matched; an execution whose send was not read yet is kept
 * (`executedEarly`) and settles the send when it arrives. Success is final; a failed message stays
 * in `failed` until a later successful execution; state 1 marks a pending message in progress.
 */
export function applyCcipScan(previous: CcipObservation | null, scan: CcipScan): CcipObservation {
  const prev = previous ?? emptyObservation(scan);
  const pending = new Map(prev.pending.map((p) => [p.messageId, { ...p }]));
  const failedById = new Map(prev.failed.map((f) => [f.messageId, f]));
  const early = new Map(prev.executedEarly.map((e) => [e.messageId, e]));
  let pendingUntracked = prev.pendingUntracked;
  const delta = { sent: 0, succeeded: 0, failedAttempts: 0 };

  for (const s of scan.sends) {
    delta.sent++;
    const done = early.get(s.messageId);
    if (done) {
      early.delete(s.messageId);
      if (done.state === 3) failedById.set(s.messageId, { messageId: s.messageId, sequenceNumber: s.sequenceNumber, sentAt: s.sentAt, failedBlock: done.block });
      continue;
    }
    if (pending.size >= CCIP_TRACKED_LIMIT) pendingUntracked++;
    else pending.set(s.messageId, { messageId: s.messageId, sequenceNumber: s.sequenceNumber, sentAt: s.sentAt, sentBlock: s.block, state: 0 });
  }

  for (const e of scan.executions) {
    const p = pending.get(e.messageId);
    const f = failedById.get(e.messageId);
    if (e.state === 3) delta.failedAttempts++;
    if (e.state === 3 && early.has(e.messageId)) continue;
    if (e.state === 2) {
      // A repeated success of an early execution is not a second success.
      if (early.get(e.messageId)?.state === 2) continue;
      delta.succeeded++;
      if (p) pending.delete(e.messageId);
      else if (f) failedById.delete(e.messageId);
      else if (pendingUntracked > 0) pendingUntracked--;
      else early.set(e.messageId, { messageId: e.messageId, state: 2, block: e.block });
    } else if (e.state === 3) {
      if (p) {
        pending.delete(e.messageId);
        failedById.set(e.messageId, { messageId: e.messageId, sequenceNumber: e.sequenceNumber, sentAt: p.sentAt, failedBlock: e.block });
      } else if (f) {
        failedById.set(e.messageId, { ...f, failedBlock: e.block });
      } else if (pendingUntracked > 0) {
        pendingUntracked--;
        failedById.set(e.messageId, { messageId: e.messageId, sequenceNumber: e.sequenceNumber, sentAt: null, failedBlock: e.block });
      } else {
        early.set(e.messageId, { messageId: e.messageId, state: 3, block: e.block });
      }
    } else if (e.state === 1 && p) {
      p.state = 1;
    }
  }

  const bounded = <T>(items: T[]): T[] => (items.length > CCIP_TRACKED_LIMIT ? items.slice(items.length - CCIP_TRACKED_LIMIT) : items);
  const pendingList: CcipPendingMessage[] = [...pending.values()].sort((a, b) => a.sentBlock - b.sentBlock || a.sequenceNumber - b.sequenceNumber);
  return {
    kind: 'ccip',
    observedAt: scan.observedAt,
    source: scan.source,
    destination: scan.destination,
    sent: prev.sent + delta.sent,
    succeeded: prev.succeeded + delta.succeeded,
    failedAttempts: prev.failedAttempts + delta.failedAttempts,
    routerExecuted: prev.routerExecuted + scan.routerExecuted,
    pending: pendingList,
    pendingUntracked,
    failed: bounded([...failedById.values()]),
    executedEarly: bounded([...early.values()]),
    delta,
    durationMs: scan.durationMs,
  };
}

/** Seconds the oldest pending message has waited at the observation time; 0 with none pending. */
export function oldestPendingAgeSeconds(o: CcipObservation): number {
  const oldest = o.pending[0];
  if (!oldest) return 0;
  return Math.max(0, Math.floor((Date.parse(o.observedAt) - Date.parse(oldest.sentAt)) / 1000));
}

/**
 * Evaluates a CCIP lane. Pending age (oldest message without a final state, at or above the limit)
 * is judged only once the destination chain has been read up to its head, since an unread
 * execution would otherwise look pending; while catching up the message says so. Failed messages
 * (last execution failed) above the limit; latency by its limits.
 *
 * Metrics: `messages_sent`, `messages_success`, `messages_failed`, `messages_in_progress`,
 * `messages_pending`, `oldest_pending_age_seconds`, `execution_failures` (attempts),
 * `router_executed`, `new_messages`, `source_head`, `destination_head`, `source_blocks_behind`,
 * `destination_blocks_behind`, `latency_ms`.
 */
export function evaluateCcip(spec: CcipCheckSpec, outcome: CcipOutcome, checkedAt: string): CheckResult {
  if (!outcome.reachable) return failed(outcome, 'CCIP lane', checkedAt);
  const o = outcome.observation;
  const age = oldestPendingAgeSeconds(o);
  const pendingCount = o.pending.length + o.pendingUntracked;
  const sourceBehind = Math.max(0, o.source.head - o.source.scannedTo);
  const destinationBehind = Math.max(0, o.destination.head - o.destination.scannedTo);
  const metrics: Record<string, number> = {
    messages_sent: o.sent,
    messages_success: o.succeeded,
    messages_failed: o.failed.length,
    messages_in_progress: o.pending.filter((p) => p.state === 1).length,
    messages_pending: pendingCount,
    oldest_pending_age_seconds: age,
    execution_failures: o.failedAttempts,
    router_executed: o.routerExecuted,
    new_messages: o.delta.sent,
    source_head: o.source.head,
    destination_head: o.destination.head,
    source_blocks_behind: sourceBehind,
    destination_blocks_behind: destinationBehind,
    latency_ms: Math.round(o.durationMs),
  };
  const findings: Finding[] = [latencyFinding(o.durationMs, spec.latencyMs)];
  if (destinationBehind === 0 && pendingCount > 0) {
    const t = spec.pendingAgeSeconds ?? DEFAULT_CCIP_PENDING_AGE_SECONDS;
    const st = ageThreshold(age, t);
    const oldest = o.pending[0];
    findings.push({ status: st, reason: `${pendingCount} pending, oldest${oldest ? ` (seq ${oldest.sequenceNumber})` : ''} waiting ${age} s (limit ${st === 'critical' ? t.critical : t.warning} s)` });
  }
  const failedLimit = spec.failedMessages ?? DEFAULT_CCIP_FAILED_MESSAGES;
  const fst = aboveThreshold(o.failed.length, failedLimit);
  const seqs = o.failed.slice(0, 5).map((f) => f.sequenceNumber).join(', ');
  findings.push({ status: fst, reason: `${o.failed.length} failed message${o.failed.length === 1 ? '' : 's'} (seq ${seqs}${o.failed.length > 5 ? ', ...' : ''}) waiting for manual execution` });
  const catching = sourceBehind > 0 || destinationBehind > 0 ? `; catching up (${sourceBehind} source, ${destinationBehind} destination blocks left)` : '';
  const okMessage = `${o.sent} sent, ${o.succeeded} executed, ${pendingCount} pending${pendingCount > 0 ? ` (oldest ${age} s)` : ''}, ${o.failed.length} failed${catching}`;
  return conclude(findings, okMessage, metrics, o.durationMs, checkedAt);
}
