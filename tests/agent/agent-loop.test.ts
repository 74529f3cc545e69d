import { describe, expect, it } from 'vitest';
import { AgentLoop, Outbox, type AgentResult, type SendOutcome } from '../../functions/src/agent/loop';
import { selectAgentChecks } from '../../functions/src/agent/config';
import { parseConfig } from '../../functions/src/core/config/parse';
import type { EvmObservation } from '../../functions/src/core/monitoring/model';
import { agentStaleness } from '../../functions/src/core/monitoring/ingest-observations';
import type { Probes } from '../../functions/src/core/ports/probes';

const CONFIG = `checks:
  - name: chain
    type: evm
    agent: dc1-agent
    url: http://10.0.0.1:8545
    interval: 10s
  - name: web
    type: http
    agent: dc1-agent
    url: \${WEB_URL}/health
    interval: 30s
  - name: elsewhere
    type: tcp
    agent: dc2-agent
    host: 10.0.0.2
    port: 22
  - name: central
    type: tcp
    host: 10.0.0.3
    port: 22
`;

function config() {
  const { config, issues } = parseConfig([{ name: 'checks.yaml', text: CONFIG }]);
  expect(issues).toEqual([]);
  return config;
}

function clockAt(start: string) {
  let ms = Date.parse(start);
  return { now: () => new Date(ms).toISOString(), advance: (s: number) => (ms += s * 1000) };
}

function observation(at: string, block: number, previous: EvmObservation | null): EvmObservation {
  return { observedAt: at, blockNumber: block, headSince: at, previousBlockNumber: previous?.blockNumber ?? null, peerCount: 0, syncing: false, gasPriceWei: '1', chainId: 1, pendingTransactions: 0, unavailable: [], durationMs: 1 };
}

function result(checkId: string, i: number): AgentResult {
  return { checkId, status: 'ok', message: `#${i}`, metrics: {}, durationMs: 1, checkedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() };
}

describe('the check config field agent', () => {
  it('is read, validated like other names, and selects an agent\'s checks', () => {
    const c = config();
    expect(c.checks.map((x) => [x.name, x.agent])).toEqual([
      ['chain', 'dc1-agent'],
      ['web', 'dc1-agent'],
      ['elsewhere', 'dc2-agent'],
      ['central', undefined],
    ]);
    expect(selectAgentChecks(c.checks, 'dc1-agent').map((x) => x.name)).toEqual(['chain', 'web']);
    expect(selectAgentChecks(c.checks, 'dc3-agent')).toEqual([]);
    // An agent's own file without any agent field: all of it.
    expect(selectAgentChecks(c.checks.filter((x) => x.agent === undefined), 'dc3-agent').map((x) => x.name)).toEqual(['central']);
    const bad = parseConfig([{ name: 'c.yaml', text: 'checks:\n  - name: x\n    type: tcp\n    agent: DC1_Agent\n    host: h\n    port: 1\n' }]);
    expect(bad.issues).toEqual([expect.objectContaining({ file: 'c.yaml', line: 4, column: 12, field: 'checks[0].agent' })]);
  });
});

describe('agentStaleness', () => {
  const check = { agent: 'dc1-agent', intervalSeconds: 60 };
  it('is unknown before the first result and after three intervals without one', () => {
    expect(agentStaleness({ intervalSeconds: 60 }, undefined, '2026-01-01T00:00:00.000Z')).toBeNull();
    expect(agentStaleness(check, undefined, '2026-01-01T00:00:00.000Z')).toEqual({ status: 'unknown', message: 'no result from agent dc1-agent yet' });
    const latest = { checkedAt: '2026-01-01T00:00:00.000Z' };
    expect(agentStaleness(check, latest, '2026-01-01T00:03:00.000Z')).toBeNull();
    expect(agentStaleness(check, latest, '2026-01-01T00:03:00.001Z')).toEqual({ status: 'unknown', message: 'no result from agent dc1-agent since 2026-01-01T00:00:00.000Z' });
  });
});

describe('Outbox', () => {
  it('keeps the newest results and counts the dropped oldest ones', () => {
    const box = new Outbox(3);
    expect(box.push([result('a', 1), result('a', 2)])).toBe(0);
    expect(box.push([result('a', 3), result('a', 4), result('a', 5)])).toBe(2);
    expect(box.dropped).toBe(2);
    expect(box.peek(10).map((r) => r.message)).toEqual(['#3', '#4', '#5']);
    box.remove(2);
    expect(box.peek(10).map((r) => r.message)).toEqual(['#5']);
  });
});

describe('AgentLoop', () => {
  function loop(send: (batch: readonly AgentResult[]) => Promise<SendOutcome>, opts: { bufferSize?: number; batchSize?: number } = {}) {
    const clock = clockAt('2026-01-01T00:00:00.000Z');
    const seen: (EvmObservation | null)[] = [];
    let block = 100;
    const probes: Probes = {
      http: async () => ({ reachable: true, statusCode: 200, durationMs: 2, body: 'ok', bodyTruncated: false }),
      tcp: async () => ({ reachable: true, durationMs: 1 }),
      jsonRpc: async () => ({ reachable: true, durationMs: 1, result: true }),
      evm: async (_spec, previous) => {
        seen.push(previous);
        block += 2;
        return { reachable: true, observation: observation(clock.now(), block, previous) };
      },
    };
    const sleeps: number[] = [];
    const agent = new AgentLoop({
      checks: selectAgentChecks(config().checks, 'dc1-agent'),
      placeholders: { WEB_URL: 'http://10.0.0.9' },
      probes,
      clock,
      send,
      sleep: async (ms) => void sleeps.push(ms),
      bufferSize: opts.bufferSize ?? 100,
      batchSize: opts.batchSize ?? 100,
      retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 250 },
    });
    return { agent, clock, seen, sleeps };
  }

  it('runs due checks with the core evaluator and passes the EVM previous observation on', async () => {
    const { agent, clock, seen } = loop(async () => ({ kind: 'sent', accepted: 1, duplicates: 0 }));
    const first = await agent.runDue();
    expect(first.map((r) => [r.checkId, r.status])).toEqual([
      ['chain', 'ok'],
      ['web', 'ok'],
    ]);
    expect(first[1]!.metrics.status_code).toBe(200);
    clock.advance(10);
    const second = await agent.runDue();
    // Only the 10s check is due; it was given the first observation and saw the head advance.
    expect(second.map((r) => r.checkId)).toEqual(['chain']);
    expect(seen[0]).toBeNull();
    expect(seen[1]?.blockNumber).toBe(102);
    expect(second[0]!.metrics.blocks_advanced).toBe(2);
    expect(agent.outbox.size).toBe(3);
  });

  it('retries an unavailable server with exponential backoff, then keeps the results for later', async () => {
    const calls: number[] = [];
    let up = false;
    const { agent, sleeps } = loop(async (batch) => {
      calls.push(batch.length);
      return up ? { kind: 'sent', accepted: batch.length, duplicates: 0 } : { kind: 'unavailable', message: 'ECONNREFUSED' };
    });
    await agent.runDue();
    const down = await agent.flush();
    expect(down).toMatchObject({ sent: 0, remaining: 2, unavailable: 'ECONNREFUSED' });
    expect(calls).toEqual([2, 2, 2, 2]);
    expect(sleeps).toEqual([100, 200, 250]);
    up = true;
    expect(await agent.flush()).toMatchObject({ sent: 2, remaining: 0 });
  });

  it('sends in batches, drops a refused batch, and stops at once on 401', async () => {
    const outcomes: SendOutcome[] = [
      { kind: 'rejected', status: 400, message: 'results[0].checkId: no check "web"' },
      { kind: 'sent', accepted: 1, duplicates: 0 },
    ];
    const { agent } = loop(async () => outcomes.shift()!, { batchSize: 1 });
    await agent.runDue();
    expect(await agent.flush()).toMatchObject({ sent: 1, rejected: 1, remaining: 0 });

    const { agent: refused } = loop(async () => ({ kind: 'unauthorized', message: 'HTTP 401' }), { batchSize: 1 });
    await refused.runDue();
    expect(await refused.flush()).toMatchObject({ sent: 0, remaining: 2, unauthorized: 'HTTP 401' });
  });
});
