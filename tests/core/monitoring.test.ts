import { describe, expect, it } from 'vitest';
import {
  aboveThreshold,
  ageThreshold,
  belowThreshold,
  evaluateEvm,
  evaluateHttp,
  evaluateJsonRpc,
  evaluateTcp,
  trackHead,
  worstStatus,
} from '../../functions/src/core/monitoring/evaluate';
import { detectFlapping, type StatusSample } from '../../functions/src/core/monitoring/flapping';
import type { CheckStatus, EvmCheckSpec, EvmObservation, EvmOutcome, HttpCheckSpec, HttpOutcome } from '../../functions/src/core/monitoring/model';
import { runCheck } from '../../functions/src/core/monitoring/run-check';
import type { Probes } from '../../functions/src/core/ports/probes';

const T0 = '2026-03-01T12:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

describe('thresholds', () => {
  it.each([
    [50, { warning: 100, critical: 500 }, 'ok'],
    [100, { warning: 100, critical: 500 }, 'ok'],
    [101, { warning: 100, critical: 500 }, 'warning'],
    [501, { warning: 100, critical: 500 }, 'critical'],
    [501, { warning: 100 }, 'warning'],
    [501, { critical: 1000 }, 'ok'],
    [501, undefined, 'ok'],
  ] as const)('above: %d with %j is %s', (value, t, want) => {
    expect(aboveThreshold(value, t)).toBe(want);
  });

  it.each([
    [40, { warning: 30, critical: 7 }, 'ok'],
    [30, { warning: 30, critical: 7 }, 'ok'],
    [29, { warning: 30, critical: 7 }, 'warning'],
    [6, { warning: 30, critical: 7 }, 'critical'],
    [0, { critical: 1 }, 'critical'],
    [1, { critical: 1 }, 'ok'],
  ] as const)('below: %d with %j is %s', (value, t, want) => {
    expect(belowThreshold(value, t)).toBe(want);
  });

  it.each([
    [59, { warning: 60, critical: 300 }, 'ok'],
    [60, { warning: 60, critical: 300 }, 'warning'],
    [300, { warning: 60, critical: 300 }, 'critical'],
  ] as const)('age: %d s with %j is %s', (value, t, want) => {
    expect(ageThreshold(value, t)).toBe(want);
  });

  it('orders statuses critical > warning > unknown > ok', () => {
    expect(worstStatus([])).toBe('ok');
    expect(worstStatus(['ok', 'unknown'])).toBe('unknown');
    expect(worstStatus(['unknown', 'warning', 'ok'])).toBe('warning');
    expect(worstStatus(['warning', 'critical', 'unknown'])).toBe('critical');
  });
});

describe('evaluateHttp', () => {
  const spec: HttpCheckSpec = { type: 'http', url: 'https://app.example/health', latencyMs: { warning: 200, critical: 1000 }, tlsDaysLeft: { warning: 30, critical: 7 } };
  const okOutcome = (over: Partial<Extract<HttpOutcome, { reachable: true }>> = {}): HttpOutcome => ({
    reachable: true,
    statusCode: 200,
    durationMs: 42,
    body: '{"status":"UP"}',
    bodyTruncated: false,
    tls: { validTo: at(90 * 86_400), authorized: true },
    ...over,
  });

  it.each<[string, HttpCheckSpec, HttpOutcome, CheckStatus, RegExp]>([
    ['healthy', spec, okOutcome(), 'ok', /^HTTP 200 in 42 ms$/],
    ['slow', spec, okOutcome({ durationMs: 250 }), 'warning', /latency 250 ms above 200 ms/],
    ['very slow', spec, okOutcome({ durationMs: 1500 }), 'critical', /latency 1500 ms above 1000 ms/],
    ['server error', spec, okOutcome({ statusCode: 503 }), 'critical', /HTTP 503, expected 2xx or 3xx/],
    ['unexpected status', { ...spec, expectStatus: [204] }, okOutcome(), 'critical', /HTTP 200, expected 204/],
    ['expected 404', { ...spec, expectStatus: [404] }, okOutcome({ statusCode: 404 }), 'ok', /HTTP 404/],
    ['body contains', { ...spec, bodyContains: '"UP"' }, okOutcome(), 'ok', /HTTP 200/],
    ['body lacks', { ...spec, bodyContains: '"UP"' }, okOutcome({ body: '{"status":"DOWN"}' }), 'critical', /body does not contain/],
    ['body regex miss', { ...spec, bodyRegex: 'status":\\s*"UP' }, okOutcome({ body: 'x' }), 'critical', /does not match/],
    ['bad regex', { ...spec, bodyRegex: '(' }, okOutcome(), 'unknown', /not a valid regular expression/],
    ['cert 20 days', spec, okOutcome({ tls: { validTo: at(20 * 86_400 + 60), authorized: true } }), 'warning', /expires in 20 days/],
    ['cert 3 days', spec, okOutcome({ tls: { validTo: at(3 * 86_400 + 60), authorized: true } }), 'critical', /expires in 3 days/],
    ['cert expired', spec, okOutcome({ tls: { validTo: at(-60), authorized: false, authorizationError: 'CERT_HAS_EXPIRED' } }), 'critical', /expired on/],
    ['untrusted', spec, okOutcome({ tls: { validTo: at(90 * 86_400), authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' } }), 'critical', /not trusted: DEPTH_ZERO_SELF_SIGNED_CERT/],
    ['untrusted allowed', { ...spec, allowUntrustedTls: true }, okOutcome({ tls: { validTo: at(90 * 86_400), authorized: false } }), 'ok', /HTTP 200/],
    ['refused', spec, { reachable: false, error: 'connect ECONNREFUSED 127.0.0.1:1', timedOut: false, durationMs: 3 }, 'critical', /unreachable: connect ECONNREFUSED/],
    ['timeout', spec, { reachable: false, error: 'timed out', timedOut: true, durationMs: 10_000 }, 'critical', /timed out after 10000 ms/],
  ])('%s', (_name, s, outcome, status, message) => {
    const r = evaluateHttp(s, outcome, T0);
    expect(r.status).toBe(status);
    expect(r.message).toMatch(message);
    expect(r.checkedAt).toBe(T0);
  });

  it('reports status, latency and days left as metrics, and leads the message with the worst reason', () => {
    const r = evaluateHttp(spec, okOutcome({ durationMs: 250, statusCode: 500, tls: { validTo: at(10 * 86_400 + 1), authorized: true } }), T0);
    expect(r.metrics).toEqual({ status_code: 500, latency_ms: 250, body_bytes: 15, tls_days_left: 10 });
    expect(r.durationMs).toBe(250);
    expect(r.message).toBe('HTTP 500, expected 2xx or 3xx; latency 250 ms above 200 ms; TLS certificate expires in 10 days (' + at(10 * 86_400 + 1) + ')');
  });
});

describe('evaluateTcp and evaluateJsonRpc', () => {
  it('grades the connect time', () => {
    const spec = { type: 'tcp', host: 'db', port: 5432, latencyMs: { warning: 50 } } as const;
    expect(evaluateTcp(spec, { reachable: true, durationMs: 3 }, T0)).toMatchObject({ status: 'ok', metrics: { latency_ms: 3 }, message: 'connected to db:5432 in 3 ms' });
    expect(evaluateTcp(spec, { reachable: true, durationMs: 70 }, T0).status).toBe('warning');
    expect(evaluateTcp(spec, { reachable: false, error: 'connect ECONNREFUSED', timedOut: false, durationMs: 1 }, T0)).toMatchObject({ status: 'critical', message: 'db:5432 unreachable: connect ECONNREFUSED' });
  });

  it('turns a JSON-RPC error object into critical with its message', () => {
    const spec = { type: 'json-rpc', url: 'http://n', method: 'eth_call' } as const;
    const r = evaluateJsonRpc(spec, { reachable: true, durationMs: 5, error: { code: -32000, message: 'execution reverted' } }, T0);
    expect(r).toMatchObject({ status: 'critical', message: 'eth_call failed: execution reverted (code -32000)' });
  });

  it.each<[unknown, unknown, CheckStatus]>([
    [{ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }, 'ok'],
    [{ a: 1, b: [1, 2] }, { a: 1, b: [2, 1] }, 'critical'],
    ['0x539', '0x539', 'ok'],
    ['0x1', '0x539', 'critical'],
    [null, null, 'ok'],
    [0, null, 'critical'],
  ])('result %j against expected %j is %s', (result, expectResult, status) => {
    const spec = { type: 'json-rpc', url: 'http://n', method: 'm', expectResult } as const;
    expect(evaluateJsonRpc(spec, { reachable: true, durationMs: 1, result }, T0).status).toBe(status);
  });

  it('accepts any result when none is expected', () => {
    expect(evaluateJsonRpc({ type: 'json-rpc', url: 'http://n', method: 'm' }, { reachable: true, durationMs: 1, result: 7 }, T0).status).toBe('ok');
  });
});

describe('EVM head progress and evaluation', () => {
  const observe = (previous: EvmObservation | null, blockNumber: number, seconds: number, over: Partial<EvmObservation> = {}): EvmObservation => {
    const observedAt = at(seconds);
    return {
      observedAt,
      blockNumber,
      ...trackHead(previous, blockNumber, observedAt),
      peerCount: 4,
      syncing: false,
      gasPriceWei: '2000000000',
      chainId: 1337,
      pendingTransactions: 0,
      unavailable: [],
      durationMs: 12,
      ...over,
    };
  };
  const outcome = (o: EvmObservation): EvmOutcome => ({ reachable: true, observation: o });
  const spec: EvmCheckSpec = { type: 'evm', url: 'http://besu:8545', stalledAfterSeconds: { warning: 60, critical: 180 }, minPeers: { warning: 3, critical: 1 }, expectChainId: 1337 };

  it('keeps headSince while the head does not move and resets it when it does', () => {
    const a = observe(null, 10, 0);
    const b = observe(a, 10, 30);
    const c = observe(b, 10, 90);
    const d = observe(c, 12, 120);
    expect([a.headSince, b.headSince, c.headSince, d.headSince]).toEqual([at(0), at(0), at(0), at(120)]);
    expect(d.previousBlockNumber).toBe(10);
    expect(a.previousBlockNumber).toBeNull();
  });

  it('goes warning then critical "stalled" as the head ages, and recovers on a new block', () => {
    const a = observe(null, 10, 0);
    const b = observe(a, 10, 59);
    const c = observe(b, 10, 60);
    const d = observe(c, 10, 180);
    const e = observe(d, 11, 190);
    expect(evaluateEvm(spec, outcome(a), a.observedAt).status).toBe('ok');
    expect(evaluateEvm(spec, outcome(b), b.observedAt).status).toBe('ok');
    expect(evaluateEvm(spec, outcome(c), c.observedAt)).toMatchObject({ status: 'warning', message: 'stalled: head 10 unchanged for 60 s' });
    expect(evaluateEvm(spec, outcome(d), d.observedAt)).toMatchObject({ status: 'critical', message: 'stalled: head 10 unchanged for 180 s' });
    const r = evaluateEvm(spec, outcome(e), e.observedAt);
    expect(r).toMatchObject({ status: 'ok', message: 'head 11 (+1 blocks, 0 s old)' });
    expect(r.metrics).toMatchObject({ block_height: 11, blocks_advanced: 1, head_age_seconds: 0, peer_count: 4, chain_id: 1337, gas_price_gwei: 2, pending_transactions: 0, syncing: 0 });
  });

  it('uses a 300 s critical stall limit by default', () => {
    const s: EvmCheckSpec = { type: 'evm', url: 'http://n' };
    const a = observe(null, 5, 0);
    expect(evaluateEvm(s, outcome(observe(a, 5, 299)), at(299)).status).toBe('ok');
    expect(evaluateEvm(s, outcome(observe(a, 5, 300)), at(300)).status).toBe('critical');
  });

  it.each<[string, Partial<EvmObservation>, EvmCheckSpec, CheckStatus, RegExp]>([
    ['few peers', { peerCount: 2 }, spec, 'warning', /2 peers, below 3/],
    ['no peers', { peerCount: 0 }, spec, 'critical', /0 peers, below 1/],
    ['peers unknown', { peerCount: null }, spec, 'unknown', /peer count not available/],
    ['no peer rule', { peerCount: 0 }, { type: 'evm', url: 'http://n' }, 'ok', /head 10/],
    ['wrong chain', { chainId: 1 }, spec, 'critical', /chain id 1, expected 1337/],
    ['syncing', { syncing: { startingBlock: 0, currentBlock: 10, highestBlock: 500 } }, spec, 'warning', /syncing: block 10 of 500 \(490 behind\)/],
    ['syncing is critical here', { syncing: { startingBlock: 0, currentBlock: 10, highestBlock: 500 } }, { ...spec, syncingStatus: 'critical' }, 'critical', /syncing/],
  ])('%s', (_name, over, s, status, message) => {
    const o = observe(null, 10, 0, over);
    const r = evaluateEvm(s, outcome(o), o.observedAt);
    expect(r.status).toBe(status);
    expect(r.message).toMatch(message);
  });

  it('is critical when the node is unreachable', () => {
    expect(evaluateEvm(spec, { reachable: false, error: 'eth_blockNumber failed: boom (code -32603)', timedOut: false, durationMs: 2 }, T0)).toMatchObject({
      status: 'critical',
      message: 'http://besu:8545 unreachable: eth_blockNumber failed: boom (code -32603)',
    });
  });
});

describe('detectFlapping', () => {
  const policy = { windowSeconds: 600, minChanges: 4 };
  const samples = (statuses: CheckStatus[], stepSeconds = 60, startSeconds = 0): StatusSample[] =>
    statuses.map((status, i) => ({ status, checkedAt: at(startSeconds + i * stepSeconds) }));

  it('is steady with no changes', () => {
    expect(detectFlapping(samples(['ok', 'ok', 'ok', 'ok']), policy, at(300))).toEqual({ flapping: false, changes: 0, samples: 4 });
  });

  it('is not flapping when it just broke', () => {
    expect(detectFlapping(samples(['ok', 'ok', 'ok', 'critical', 'critical']), policy, at(300)).flapping).toBe(false);
  });

  it('flaps at the threshold of changes and not one below', () => {
    expect(detectFlapping(samples(['ok', 'critical', 'ok', 'critical']), policy, at(300))).toMatchObject({ flapping: false, changes: 3 });
    expect(detectFlapping(samples(['ok', 'critical', 'ok', 'critical', 'ok']), policy, at(300))).toMatchObject({ flapping: true, changes: 4 });
  });

  it('counts warning ↔ critical as a change and ignores order of input', () => {
    const h = samples(['warning', 'critical', 'warning', 'critical', 'warning']).reverse();
    expect(detectFlapping(h, policy, at(300))).toMatchObject({ flapping: true, changes: 4 });
  });

  it('forgets changes that left the window, but uses the last sample before it as baseline', () => {
    // Changes at 0..240 s, then steady; at 1000 s the window (400, 1000] holds only steady samples.
    const h = [...samples(['ok', 'critical', 'ok', 'critical', 'ok']), ...samples(['ok', 'ok', 'ok'], 60, 600)];
    expect(detectFlapping(h, policy, at(1000))).toMatchObject({ flapping: false, changes: 0, samples: 3 });
    // A change right at the window's start still counts against the sample before the window.
    const edge = [{ status: 'ok' as const, checkedAt: at(0) }, { status: 'critical' as const, checkedAt: at(601) }];
    expect(detectFlapping(edge, { windowSeconds: 600, minChanges: 1 }, at(1200))).toMatchObject({ flapping: true, changes: 1, samples: 1 });
  });

  it('ignores samples after now', () => {
    expect(detectFlapping(samples(['ok', 'critical', 'ok', 'critical', 'ok']), policy, at(120)).changes).toBe(2);
  });
});

describe('runCheck', () => {
  const clock = { now: () => T0 };
  const probes: Probes = {
    http: async () => ({ reachable: true, statusCode: 200, durationMs: 5, body: 'ok', bodyTruncated: false }),
    tcp: async () => ({ reachable: false, error: 'connect ECONNREFUSED', timedOut: false, durationMs: 1 }),
    jsonRpc: async () => ({ reachable: true, durationMs: 1, result: '0x1' }),
    evm: async (_spec, previous) => ({
      reachable: true,
      observation: { observedAt: at(30), blockNumber: 7, ...trackHead(previous, 7, at(30)), peerCount: null, syncing: null, gasPriceWei: null, chainId: null, pendingTransactions: null, unavailable: [], durationMs: 3 },
    }),
  };

  it('probes and evaluates each check type', async () => {
    expect((await runCheck({ probes, clock }, { spec: { type: 'http', url: 'http://x' } })).result).toMatchObject({ status: 'ok', checkedAt: T0 });
    expect((await runCheck({ probes, clock }, { spec: { type: 'tcp', host: 'x', port: 1 } })).result.status).toBe('critical');
    expect((await runCheck({ probes, clock }, { spec: { type: 'json-rpc', url: 'http://x', method: 'm', expectResult: '0x2' } })).result.status).toBe('critical');
  });

  it('returns the EVM observation to carry into the next run, stamped with its own time', async () => {
    const first = await runCheck({ probes, clock }, { spec: { type: 'evm', url: 'http://x' } });
    expect(first.observation).toMatchObject({ blockNumber: 7, headSince: at(30), previousBlockNumber: null });
    expect(first.result.checkedAt).toBe(at(30));
    const previous = { ...first.observation!, observedAt: at(0), headSince: at(-400) };
    const second = await runCheck({ probes, clock }, { spec: { type: 'evm', url: 'http://x' }, previous });
    expect(second.result).toMatchObject({ status: 'critical', message: 'stalled: head 7 unchanged for 430 s' });
  });
});
