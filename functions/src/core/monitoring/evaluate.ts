import type {
  CheckResult,
  CheckStatus,
  EvmCheckSpec,
  EvmObservation,
  EvmOutcome,
  HttpCheckSpec,
  HttpOutcome,
  JsonRpcCheckSpec,
  JsonRpcOutcome,
  ProbeFailure,
  TcpCheckSpec,
  TcpOutcome,
  Thresholds,
} from './model';

/** Default for `EvmCheckSpec.stalledAfterSeconds`. */
export const DEFAULT_STALLED_AFTER_SECONDS: Thresholds = { critical: 300 };

const SEVERITY: Record<CheckStatus, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

/** The worse of the statuses: critical > warning > unknown > ok. `ok` for none. */
export function worstStatus(statuses: Iterable<CheckStatus>): CheckStatus {
  let worst: CheckStatus = 'ok';
  for (const s of statuses) if (SEVERITY[s] > SEVERITY[worst]) worst = s;
  return worst;
}

/** Status of a value where more is worse (latency): strictly above a limit breaks it. */
export function aboveThreshold(value: number, t: Thresholds | undefined): CheckStatus {
  if (t?.critical !== undefined && value > t.critical) return 'critical';
  if (t?.warning !== undefined && value > t.warning) return 'warning';
  return 'ok';
}

/** Status of a value where less is worse (days left, peers): strictly below a limit breaks it. */
export function belowThreshold(value: number, t: Thresholds | undefined): CheckStatus {
  if (t?.critical !== undefined && value < t.critical) return 'critical';
  if (t?.warning !== undefined && value < t.warning) return 'warning';
  return 'ok';
}

/** Status of an age where reaching the limit breaks it ("stalled after N seconds"). */
export function ageThreshold(seconds: number, t: Thresholds | undefined): CheckStatus {
  if (t?.critical !== undefined && seconds >= t.critical) return 'critical';
  if (t?.warning !== undefined && seconds >= t.warning) return 'warning';
  return 'ok';
}

/** One reason for a status; `conclude` keeps the worst. */
export interface Finding {
  status: CheckStatus;
  reason: string;
}

/** The worst finding's status, the non-ok reasons (worst first) as the message, or `okMessage`. */
export function conclude(findings: Finding[], okMessage: string, metrics: Record<string, number>, durationMs: number, checkedAt: string): CheckResult {
  const status = worstStatus(findings.map((f) => f.status));
  const bad = findings.filter((f) => f.status !== 'ok');
  // Worst reasons first, so the message leads with what decided the status.
  bad.sort((a, b) => SEVERITY[b.status] - SEVERITY[a.status]);
  const message = bad.length === 0 ? okMessage : bad.map((f) => f.reason).join('; ');
  return { status, metrics, message, durationMs: Math.round(durationMs), checkedAt };
}

/** A target that could not be reached: critical, with why. */
export function failed(f: ProbeFailure, what: string, checkedAt: string): CheckResult {
  return {
    status: 'critical',
    metrics: {},
    message: f.timedOut ? `${what} timed out after ${Math.round(f.durationMs)} ms` : `${what} unreachable: ${f.error}`,
    durationMs: Math.round(f.durationMs),
    checkedAt,
  };
}

/** Latency against its limits (above is bad). */
export function latencyFinding(ms: number, t: Thresholds | undefined): Finding {
  const status = aboveThreshold(ms, t);
  const limit = status === 'critical' ? t?.critical : t?.warning;
  return { status, reason: `latency ${Math.round(ms)} ms above ${limit} ms` };
}

function statusAccepted(code: number, expected: number[] | undefined): boolean {
  return expected && expected.length > 0 ? expected.includes(code) : code >= 200 && code < 400;
}

const DAY_MS = 86_400_000;

/** Whole days from `at` until `validTo` (negative once expired), rounded down. */
export function daysLeft(validTo: string, at: string): number {
  return Math.floor((Date.parse(validTo) - Date.parse(at)) / DAY_MS);
}

/** Evaluates an HTTP outcome: status code, body match, latency, TLS trust and days left. */
export function evaluateHttp(spec: HttpCheckSpec, outcome: HttpOutcome, checkedAt: string): CheckResult {
  if (!outcome.reachable) return failed(outcome, spec.url, checkedAt);
  const findings: Finding[] = [];
  const metrics: Record<string, number> = { status_code: outcome.statusCode, latency_ms: Math.round(outcome.durationMs), body_bytes: new TextEncoder().encode(outcome.body).length };
  if (!statusAccepted(outcome.statusCode, spec.expectStatus)) {
    const want = spec.expectStatus?.length ? spec.expectStatus.join(', ') : '2xx or 3xx';
    findings.push({ status: 'critical', reason: `HTTP ${outcome.statusCode}, expected ${want}` });
  }
  if (spec.bodyContains !== undefined && !outcome.body.includes(spec.bodyContains)) {
    findings.push({ status: 'critical', reason: `body does not contain ${JSON.stringify(spec.bodyContains)}` });
  }
  if (spec.bodyRegex !== undefined) {
    let re: RegExp | null = null;
    try {
      re = new RegExp(spec.bodyRegex);
    } catch {
      findings.push({ status: 'unknown', reason: `bodyRegex is not a valid regular expression` });
    }
    if (re && !re.test(outcome.body)) findings.push({ status: 'critical', reason: `body does not match /${spec.bodyRegex}/` });
  }
  findings.push(latencyFinding(outcome.durationMs, spec.latencyMs));
  if (outcome.tls) {
    const left = daysLeft(outcome.tls.validTo, checkedAt);
    metrics.tls_days_left = left;
    if (!outcome.tls.authorized && !spec.allowUntrustedTls) {
      findings.push({ status: 'critical', reason: `TLS certificate not trusted: ${outcome.tls.authorizationError ?? 'unknown reason'}` });
    }
    if (Date.parse(outcome.tls.validTo) <= Date.parse(checkedAt)) {
      findings.push({ status: 'critical', reason: `TLS certificate expired on ${outcome.tls.validTo}` });
    } else {
      const s = belowThreshold(left, spec.tlsDaysLeft);
      findings.push({ status: s, reason: `TLS certificate expires in ${left} days (${outcome.tls.validTo})` });
    }
  } else if (spec.tlsDaysLeft && spec.url.startsWith('https:')) {
    findings.push({ status: 'unknown', reason: 'no TLS certificate seen' });
  }
  return conclude(findings, `HTTP ${outcome.statusCode} in ${Math.round(outcome.durationMs)} ms`, metrics, outcome.durationMs, checkedAt);
}

/** Evaluates a TCP connect outcome. */
export function evaluateTcp(spec: TcpCheckSpec, outcome: TcpOutcome, checkedAt: string): CheckResult {
  if (!outcome.reachable) return failed(outcome, `${spec.host}:${spec.port}`, checkedAt);
  return conclude(
    [latencyFinding(outcome.durationMs, spec.latencyMs)],
    `connected to ${spec.host}:${spec.port} in ${Math.round(outcome.durationMs)} ms`,
    { latency_ms: Math.round(outcome.durationMs) },
    outcome.durationMs,
    checkedAt,
  );
}

/** JSON with object keys sorted, so two values compare equal regardless of key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** Evaluates a JSON-RPC call: an error object is critical with its message; an expected result must match. */
export function evaluateJsonRpc(spec: JsonRpcCheckSpec, outcome: JsonRpcOutcome, checkedAt: string): CheckResult {
  if (!outcome.reachable) return failed(outcome, spec.url, checkedAt);
  const metrics = { latency_ms: Math.round(outcome.durationMs) };
  const findings: Finding[] = [];
  if (outcome.error) {
    findings.push({ status: 'critical', reason: `${spec.method} failed: ${outcome.error.message} (code ${outcome.error.code})` });
  } else if (spec.expectResult !== undefined && canonical(outcome.result) !== canonical(spec.expectResult)) {
    findings.push({ status: 'critical', reason: `${spec.method} returned ${canonical(outcome.result)}, expected ${canonical(spec.expectResult)}` });
  }
  findings.push(latencyFinding(outcome.durationMs, spec.latencyMs));
  return conclude(findings, `${spec.method} answered in ${Math.round(outcome.durationMs)} ms`, metrics, outcome.durationMs, checkedAt);
}

/**
 * Head progress against the previous observation: the head is "new" when the block number grew
 * or went back (a reset or reorg to a shorter chain is still a change); otherwise it keeps the
 * previous `headSince`.
 */
export function trackHead(previous: EvmObservation | null, blockNumber: number, observedAt: string): { headSince: string; previousBlockNumber: number | null } {
  if (!previous) return { headSince: observedAt, previousBlockNumber: null };
  const headSince = previous.blockNumber === blockNumber ? previous.headSince : observedAt;
  return { headSince, previousBlockNumber: previous.blockNumber };
}

/** Seconds the current head has been the head. */
export function headAgeSeconds(o: EvmObservation): number {
  return Math.max(0, Math.floor((Date.parse(o.observedAt) - Date.parse(o.headSince)) / 1000));
}

/** Evaluates one EVM collection: chain id, stalled head, peers, syncing, latency. */
export function evaluateEvm(spec: EvmCheckSpec, outcome: EvmOutcome, checkedAt: string): CheckResult {
  if (!outcome.reachable) return failed(outcome, spec.url, checkedAt);
  const o = outcome.observation;
  const age = headAgeSeconds(o);
  const metrics: Record<string, number> = { block_height: o.blockNumber, head_age_seconds: age, latency_ms: Math.round(o.durationMs) };
  if (o.previousBlockNumber !== null) metrics.blocks_advanced = o.blockNumber - o.previousBlockNumber;
  if (o.peerCount !== null) metrics.peer_count = o.peerCount;
  if (o.chainId !== null) metrics.chain_id = o.chainId;
  if (o.pendingTransactions !== null) metrics.pending_transactions = o.pendingTransactions;
  if (o.gasPriceWei !== null) metrics.gas_price_gwei = Number(BigInt(o.gasPriceWei)) / 1e9;
  if (o.syncing !== null) {
    metrics.syncing = o.syncing ? 1 : 0;
    metrics.sync_blocks_behind = o.syncing ? Math.max(0, o.syncing.highestBlock - o.syncing.currentBlock) : 0;
  }

  const findings: Finding[] = [];
  if (spec.expectChainId !== undefined) {
    if (o.chainId === null) findings.push({ status: 'unknown', reason: 'chain id not available' });
    else if (o.chainId !== spec.expectChainId) findings.push({ status: 'critical', reason: `chain id ${o.chainId}, expected ${spec.expectChainId}` });
  }
  const stalled = ageThreshold(age, spec.stalledAfterSeconds ?? DEFAULT_STALLED_AFTER_SECONDS);
  findings.push({ status: stalled, reason: `stalled: head ${o.blockNumber} unchanged for ${age} s` });
  if (spec.minPeers) {
    if (o.peerCount === null) findings.push({ status: 'unknown', reason: 'peer count not available' });
    else {
      const s = belowThreshold(o.peerCount, spec.minPeers);
      findings.push({ status: s, reason: `${o.peerCount} peers, below ${s === 'critical' ? spec.minPeers.critical : spec.minPeers.warning}` });
    }
  }
  if (o.syncing) {
    const behind = o.syncing.highestBlock - o.syncing.currentBlock;
    findings.push({ status: spec.syncingStatus ?? 'warning', reason: `syncing: block ${o.syncing.currentBlock} of ${o.syncing.highestBlock} (${behind} behind)` });
  }
  findings.push(latencyFinding(o.durationMs, spec.latencyMs));
  const moved = o.previousBlockNumber === null ? 'first observation' : `+${o.blockNumber - o.previousBlockNumber} blocks`;
  return conclude(findings, `head ${o.blockNumber} (${moved}, ${age} s old)`, metrics, o.durationMs, checkedAt);
}
