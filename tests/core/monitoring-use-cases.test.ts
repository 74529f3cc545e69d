import { describe, expect, it } from 'vitest';
import { InMemoryCheckHistoryStore } from '../../functions/src/adapters/local/in-memory-check-history-store';
import { InMemoryAlertStore } from '../../functions/src/adapters/local/in-memory-alert-store';
import { parseConfig } from '../../functions/src/core/config/parse';
import { inMemoryMonitorState, staticMonitoringConfig, type MonitoringDeps } from '../../functions/src/core/monitoring/deps';
import { getCheckHistory, getHealth, getSystem } from '../../functions/src/core/monitoring/health';
import type { EvmObservation, HttpOutcome } from '../../functions/src/core/monitoring/model';
import { OBSERVATION_DETAIL_TYPE, runChecks } from '../../functions/src/core/monitoring/run-checks';
import { NotFoundError, ValidationError } from '../../functions/src/core/errors';
import type { BusEvent } from '../../functions/src/core/ports/event-bus';
import type { Probes } from '../../functions/src/core/ports/probes';
import { silentLogger } from '../../functions/src/core/ports/logger';

const CONFIG = `
systems:
  - name: shop
    subsystems: [web]
    services: [db]
  - name: web
    services: [api]
checks:
  - name: api-http
    type: http
    service: api
    url: \${API_URL}/health
    interval: 30s
  - name: db-port
    type: tcp
    service: db
    host: db.internal
    port: 5432
    interval: 60s
  - name: chain
    type: evm
    service: api
    url: \${RPC_URL}
    interval: 15s
alerts:
  - name: api-down
    severity: critical
    system: web
    condition: { check: api-http, status: critical }
    for: 1m
    labels: { team: shop, kube.io/owner: x }
    summary: the api is down
  - name: api-slow
    severity: warning
    condition: { check: api-http, metric: latency_ms, op: '>', value: 100 }
`;

function setup(placeholders: Record<string, string | undefined> = { API_URL: 'http://api', RPC_URL: 'http://rpc' }) {
  let t = Date.parse('2026-05-01T10:00:00.000Z');
  const clock = { now: () => new Date(t).toISOString() };
  const advance = (s: number) => void (t += s * 1000);
  const { config, issues } = parseConfig([{ name: 'c.yaml', text: CONFIG }]);
  expect(issues).toEqual([]);
  const calls = { http: 0, tcp: 0, evm: [] as (EvmObservation | null)[] };
  let httpOutcome: HttpOutcome = { reachable: true, statusCode: 200, durationMs: 12, body: 'ok', bodyTruncated: false };
  let block = 10;
  const probes: Probes = {
    http: async () => (calls.http++, httpOutcome),
    tcp: async () => (calls.tcp++, { reachable: true, durationMs: 3 }),
    jsonRpc: async () => ({ reachable: true, durationMs: 1, result: true }),
    evm: async (_spec, previous) => {
      calls.evm.push(previous);
      const observedAt = clock.now();
      return {
        reachable: true,
        observation: {
          observedAt,
          blockNumber: block,
          headSince: previous && previous.blockNumber === block ? previous.headSince : observedAt,
          previousBlockNumber: previous?.blockNumber ?? null,
          peerCount: null,
          syncing: false,
          gasPriceWei: null,
          chainId: 1,
          pendingTransactions: 0,
          unavailable: [],
          durationMs: 5,
        },
      };
    },
  };
  const published: BusEvent[] = [];
  const deps: MonitoringDeps = {
    monitoringConfig: staticMonitoringConfig({ config, errors: [], placeholders }),
    probes,
    checkHistory: new InMemoryCheckHistoryStore(),
    monitorState: inMemoryMonitorState(),
    bus: { publish: async (events) => (published.push(...events), events.map((_, i) => ({ eventId: `e${published.length + i}` }))) },
    clock,
    logger: silentLogger,
  };
  return {
    deps,
    calls,
    published,
    advance,
    setHttp: (o: HttpOutcome) => void (httpOutcome = o),
    mine: () => void block++,
  };
}

describe('runChecks', () => {
  it('runs due checks only, records them and publishes observations (not CDEvents)', async () => {
    const s = setup();
    const first = await runChecks(s.deps);
    expect(first.ran.map((r) => [r.checkId, r.result.status])).toEqual([
      ['api-http', 'ok'],
      ['db-port', 'ok'],
      ['chain', 'ok'],
    ]);
    expect(s.published).toHaveLength(3);
    expect(s.published.every((e) => e.detailType === OBSERVATION_DETAIL_TYPE && e.source === 'signalbox.monitoring')).toBe(true);
    expect(s.published[0]!.detail).toMatchObject({ checkId: 'api-http', service: 'api', status: 'ok', metrics: { status_code: 200 } });

    s.advance(20);
    const second = await runChecks(s.deps);
    expect(second.ran.map((r) => r.checkId)).toEqual(['chain']);
    expect(second.skipped).toEqual(['api-http', 'db-port']);

    s.advance(10);
    expect((await runChecks(s.deps)).ran.map((r) => r.checkId)).toEqual(['api-http']); // chain ran 10 s ago, every 15 s
    expect((await runChecks(s.deps, { force: true })).ran).toHaveLength(3);
    expect(s.calls.tcp).toBe(2);
  });

  it('passes the previous EVM observation to the next run', async () => {
    const s = setup();
    await runChecks(s.deps);
    s.mine();
    s.advance(15);
    const run = await runChecks(s.deps);
    expect(s.calls.evm[0]).toBeNull();
    expect(s.calls.evm[1]).toMatchObject({ blockNumber: 10 });
    expect(run.ran.find((r) => r.checkId === 'chain')!.result.metrics.blocks_advanced).toBe(1);
  });

  it('reports a check whose placeholder has no value as unknown, and still runs the others', async () => {
    const s = setup({ API_URL: 'http://api' });
    const out = await runChecks(s.deps);
    const chain = out.ran.find((r) => r.checkId === 'chain')!.result;
    expect(chain.status).toBe('unknown');
    expect(chain.message).toContain('${RPC_URL}');
    expect(out.ran.find((r) => r.checkId === 'api-http')!.result.status).toBe('ok');
    expect((await s.deps.checkHistory.latest(['chain']))[0]).toMatchObject({ status: 'unknown' });
  });
});

describe('getHealth / getSystem / getCheckHistory', () => {
  it('rolls the latest statuses up every layer, with strips and flapping flags', async () => {
    const s = setup();
    const before = await getHealth(s.deps);
    expect(before.roots.map((r) => [r.name, r.status])).toEqual([['shop', 'unknown']]);
    expect(before.checks.every((c) => c.message === 'no result yet')).toBe(true);

    await runChecks(s.deps);
    s.advance(60);
    s.setHttp({ reachable: false, error: 'ECONNREFUSED', timedOut: false, durationMs: 1 });
    await runChecks(s.deps, { force: true });
    const health = await getHealth(s.deps);
    const shop = health.roots[0]!;
    expect(shop.status).toBe('critical');
    const web = shop.children.find((c) => c.name === 'web')!;
    expect(web.kind).toBe('system');
    const api = web.children.find((c) => c.name === 'api')!;
    expect(api).toMatchObject({ kind: 'service', status: 'critical' });
    expect(api.checks.map((c) => c.name)).toEqual(['api-http', 'chain']);
    expect(shop.children.find((c) => c.name === 'db')).toMatchObject({ kind: 'service', status: 'ok' });
    const http = health.checks.find((c) => c.name === 'api-http')!;
    expect(http.strip).toHaveLength(60);
    expect(http.strip.slice(-2).map((x) => x.status)).toEqual(['ok', 'critical']);
    expect(http.flapping).toMatchObject({ flapping: false, changes: 1 });
  });

  it('reads one system with the checks below it, 404 for an unknown one', async () => {
    const s = setup();
    await runChecks(s.deps);
    const web = await getSystem(s.deps, 'web');
    expect(web.system).toMatchObject({ name: 'web', status: 'ok' });
    expect(web.checks.map((c) => c.name).sort()).toEqual(['api-http', 'chain']);
    await expect(getSystem(s.deps, 'nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('returns history buckets newest first with uptime, validating the range', async () => {
    const s = setup();
    await runChecks(s.deps);
    s.advance(120);
    s.setHttp({ reachable: false, error: 'down', timedOut: false, durationMs: 1 });
    await runChecks(s.deps);
    const h = await getCheckHistory(s.deps, 'api-http', {});
    expect(h.items.map((b) => b.status)).toEqual(['critical', 'ok']);
    expect(h.uptime).toMatchObject({ up: 1, down: 1, percent: 50 });
    await expect(getCheckHistory(s.deps, 'nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(getCheckHistory(s.deps, 'api-http', { limit: 'x' })).rejects.toBeInstanceOf(ValidationError);
    await expect(getCheckHistory(s.deps, 'api-http', { from: '2026-05-02T00:00:00Z', to: '2026-05-01T00:00:00Z' })).rejects.toMatchObject({ field: 'to' });
  });
});

describe('alert rules in runChecks', () => {
  it('fires after `for`, publishes CDEvents, and resolves when the check recovers', async () => {
    const s = setup();
    const alerts = new InMemoryAlertStore();
    s.deps.alertStore = alerts;
    const down = { reachable: false as const, error: 'ECONNREFUSED', timedOut: false, durationMs: 1 };
    s.setHttp(down);
    expect((await runChecks(s.deps)).alertTransitions).toEqual([]); // pending: for 1m
    s.advance(30);
    expect((await runChecks(s.deps)).alertTransitions).toEqual([]);
    s.advance(30);
    const fired = await runChecks(s.deps);
    expect(fired.alertTransitions.map((t) => [t.kind, t.severity])).toEqual([['fired', 'critical']]);
    const page = await alerts.listAlerts({ limit: 10 });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]!.labels).toEqual({ alertname: 'api-down', check: 'api-http', service: 'api', system: 'web', team: 'shop', kube_io_owner: 'x' });
    expect(page.items[0]!.annotations).toMatchObject({ summary: 'the api is down' });
    const cdevents = s.published.filter((e) => e.detailType === 'CDEvent');
    expect(cdevents).toHaveLength(1);
    expect(cdevents[0]!.detail).toMatchObject({ context: { type: 'dev.cdeventsx.signalbox-alert.fired.0.1.0', source: '/signalbox/alerts' } });

    s.advance(30);
    expect((await runChecks(s.deps)).alertTransitions).toEqual([]); // still firing: deduplicated
    s.setHttp({ reachable: true, statusCode: 200, durationMs: 500, body: 'ok', bodyTruncated: false });
    s.advance(30);
    const recovered = await runChecks(s.deps);
    // api-down resolves; api-slow (no `for`) fires at once on 500 ms.
    expect(recovered.alertTransitions.map((t) => t.kind).sort()).toEqual(['fired', 'resolved']);
    const states = (await alerts.listAlerts({ limit: 10 })).items.map((a) => [a.labels.alertname, a.state]).sort();
    expect(states).toEqual([['api-down', 'resolved'], ['api-slow', 'firing']]);
  });

  it('restarts the `for` clock when the condition clears in between', async () => {
    const s = setup();
    s.deps.alertStore = new InMemoryAlertStore();
    const down = { reachable: false as const, error: 'x', timedOut: false, durationMs: 1 };
    const up = { reachable: true as const, statusCode: 200, durationMs: 5, body: 'ok', bodyTruncated: false };
    s.setHttp(down);
    await runChecks(s.deps);
    s.advance(30);
    s.setHttp(up);
    await runChecks(s.deps);
    s.advance(30);
    s.setHttp(down);
    expect((await runChecks(s.deps)).alertTransitions).toEqual([]);
    s.advance(30);
    expect((await runChecks(s.deps)).alertTransitions).toEqual([]);
    s.advance(30);
    expect((await runChecks(s.deps)).alertTransitions.map((t) => t.kind)).toEqual(['fired']);
  });
});
