import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLocalMonitor } from '../../functions/src/wiring/local';
import { emptyMonitoringConfig, type MonitoringDeps } from '../../functions/src/core/monitoring/deps';
import { silentLogger } from '../../functions/src/core/ports/logger';
import { openApiDocument } from '../../functions/src/handlers/http/openapi';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { authHeaders } from '../helpers/auth';

type Status = 'ok' | 'warning' | 'critical' | 'unknown';
interface Node {
  kind: 'system' | 'service';
  name: string;
  status: Status;
  reason: string;
  checks: { name: string; status: Status; message: string }[];
  children: Node[];
}
interface CheckSummary {
  name: string;
  status: Status;
  message: string;
  strip: { status: string }[];
  flapping: { flapping: boolean };
}
interface Health {
  configErrors: string[];
  roots: Node[];
  checks: CheckSummary[];
}

const doc = openApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>; components: unknown };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'signalbox', components: doc.components });

/** The body matches the documented response schema of that route and status. */
function documented(path: string, status: number, body: unknown) {
  const schema = doc.paths[path]?.get?.responses[String(status)]?.content?.['application/json']?.schema;
  expect(schema, `GET ${path} ${status} is documented`).toBeDefined();
  const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"signalbox#/components/')));
  expect(validate(body) ? [] : validate.errors, `GET ${path} ${status}`).toEqual([]);
}

async function get<T>(rt: LocalRuntime, path: string, docPath: string, status = 200): Promise<T> {
  const res = await fetch(`${rt.url}${path}`, { headers: authHeaders(rt, 'viewer') });
  const body = (await res.json()) as T;
  expect(res.status, `${path}: ${JSON.stringify(body).slice(0, 300)}`).toBe(status);
  documented(docPath, status, body);
  return body;
}

function find(nodes: readonly Node[], name: string): Node | undefined {
  for (const n of nodes) {
    if (n.name === name) return n;
    const inner = find(n.children, name);
    if (inner) return inner;
  }
  return undefined;
}

describe('monitoring API over the local runtime (demo on, real probes, real Ganache)', () => {
  let rt: LocalRuntime;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sbx-monitoring-'));
    rt = await startLocalRuntime({ port: 0, dataDir: dir, quiet: true, webDir: join(dir, 'none'), demo: { ratePerSecond: 0 }, monitoring: { loopMs: 0, ccipLane: { intervalMs: 0 } } });
  }, 60_000);
  afterAll(async () => {
    await rt?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the systems tree with every layer, unknown before the first run', async () => {
    expect(rt.monitoringConfigErrors).toEqual([]);
    const health = await get<Health>(rt, '/api/health', '/api/health');
    expect(health.configErrors).toEqual([]);
    expect(health.roots.map((r) => r.name)).toEqual(expect.arrayContaining(['payments-platform', 'ledger-network', 'dc1-storage', 'onprem-ledgers']));
    const edge = find(health.roots, 'edge')!;
    expect(edge.kind).toBe('system');
    const demoApi = edge.children.find((c) => c.name === 'demo-api')!;
    expect(demoApi).toMatchObject({ kind: 'service', status: 'unknown' });
    expect(demoApi.checks).toEqual([{ name: 'demo-api-health', status: 'unknown', message: 'no result yet' }]);
    // settlement is a subsystem of two systems and appears under both.
    expect(find([health.roots.find((r) => r.name === 'payments-platform')!], 'settlement')).toBeDefined();
    expect(find([health.roots.find((r) => r.name === 'ledger-network')!], 'settlement')).toBeDefined();
  });

  it('runs the checks: demo-api and the EVM node turn ok, and the roll-up follows', async () => {
    const run = await rt.monitor.runNow();
    const status = Object.fromEntries(run.ran.map((r) => [r.checkId, r.result]));
    expect(status['demo-api-health']).toMatchObject({ status: 'ok', metrics: { status_code: 200 } });
    expect(status['evm-node']!.status).toBe('ok');
    expect(status['evm-node']!.metrics.chain_id).toBe(1337);
    expect(status['evm-listening']!.status).toBe('ok');

    const health = await get<Health>(rt, '/api/health', '/api/health');
    const check = health.checks.find((c) => c.name === 'demo-api-health')!;
    expect(check.status).toBe('ok');
    expect(check.strip).toHaveLength(60);
    expect(check.strip.at(-1)!.status).toBe('ok');
    expect(check.flapping.flapping).toBe(false);
    expect(find(health.roots, 'demo-api')!.status).toBe('ok');
    expect(find(health.roots, 'besu-rpc')!.status).toBe('ok');

    const system = await get<{ system: Node; checks: CheckSummary[] }>(rt, '/api/systems/edge', '/api/systems/{id}');
    expect(system.system).toMatchObject({ name: 'edge', kind: 'system', status: 'ok' });
    expect(system.checks.map((c) => c.name)).toEqual(['demo-api-health']);
  });

  it('turns the demo-api check critical on the next run after its server stops', async () => {
    // The proxy sends all traffic to the stable version; stop that server.
    await rt.demo!.services[0]!.stop();
    const run = await rt.monitor.runNow();
    const result = run.ran.find((r) => r.checkId === 'demo-api-health')!.result;
    expect(result.status).toBe('critical');
    expect(result.message).toContain('HTTP 502');

    const health = await get<Health>(rt, '/api/health', '/api/health');
    expect(health.checks.find((c) => c.name === 'demo-api-health')!.status).toBe('critical');
    const edge = find(health.roots, 'edge')!;
    expect(edge.status).toBe('critical');
    expect(edge.reason).toContain('demo-api-health');
    expect(find(health.roots, 'payments-platform')!.status).toBe('critical');
  });

  it('returns history buckets with uptime, and errors in the error shape', async () => {
    const history = await get<{ items: { status: Status; count: number; minutes: number }[]; uptime: { up: number; down: number } }>(
      rt,
      '/api/checks/demo-api-health/history',
      '/api/checks/{id}/history',
    );
    expect(history.items.length).toBeGreaterThanOrEqual(1);
    expect(history.items.every((b) => b.minutes === 1)).toBe(true);
    expect(history.items.reduce((n, b) => n + b.count, 0)).toBe(2);
    expect(history.items[0]!.status).toBe('critical');
    expect(history.uptime).toMatchObject({ up: 1, down: 1 });

    const hourly = await get<{ minutes: number; items: unknown[] }>(rt, '/api/checks/demo-api-health/history?minutes=60', '/api/checks/{id}/history');
    expect(hourly.minutes).toBe(60);
    expect(hourly.items.length).toBeGreaterThanOrEqual(1);

    const bad = await get<{ error: { field: string } }>(rt, '/api/checks/demo-api-health/history?limit=0', '/api/checks/{id}/history', 400);
    expect(bad.error.field).toBe('limit');
    await get(rt, '/api/checks/nope/history', '/api/checks/{id}/history', 404);
    await get(rt, '/api/systems/nope', '/api/systems/{id}', 404);
  });

  it('publishes results on the bus as observations, not as CDEvents in the timeline', async () => {
    await rt.idle();
    const events = (await (await fetch(`${rt.url}/api/events?limit=50`, { headers: authHeaders(rt, 'viewer') })).json()) as { items: { type: string }[] };
    expect(events.items.some((e) => /monitor|observation/i.test(e.type))).toBe(false);
  });

  it('reads the mock CCIP lane the runtime deployed on its EVM node; a failed message fires and resolves its alert', async () => {
    const lane = rt.ccipLane!;
    expect(lane.placeholders.CCIP_ONRAMP).toMatch(/^0x[0-9a-fA-F]{40}$/);
    for (let i = 0; i < 4; i++) await lane.tick();
    // Two runs: the second continues from the first's blocks and counts nothing twice.
    await rt.monitor.runNow();
    const run = await rt.monitor.runNow();
    const result = run.ran.find((r) => r.checkId === 'ccip-lane')!.result;
    expect(['ok', 'warning']).toContain(result.status);
    expect(result.metrics).toMatchObject({ messages_sent: 4, messages_success: 3, messages_failed: 0, messages_pending: 1, router_executed: 3 });

    const health = await get<Health>(rt, '/api/health', '/api/health');
    const router = find([find(health.roots, 'interop')!], 'ccip-router')!;
    expect(router.checks).toEqual([expect.objectContaining({ name: 'ccip-lane', status: result.status })]);

    // The schedule fails message 30 on tick 31 and re-executes it on tick 45: the config's
    // ccip-message-failed rule fires, then resolves.
    const laneAlerts = async () =>
      (await get<{ items: { alert: { labels: Record<string, string>; state: string } }[] }>(rt, '/api/alerts', '/api/alerts')).items
        .filter((i) => i.alert.labels.alertname === 'ccip-message-failed')
        .map((i) => i.alert.state);
    expect(await laneAlerts()).toEqual([]);
    while (lane.messages().length < 31) await lane.tick();
    const failing = (await rt.monitor.runNow()).ran.find((r) => r.checkId === 'ccip-lane')!.result;
    expect(failing.status).toBe('warning');
    expect(failing.message).toContain('1 failed message (seq 30) waiting for manual execution');
    expect(failing.metrics).toMatchObject({ messages_sent: 31, messages_failed: 1, execution_failures: 1 });
    expect(await laneAlerts()).toEqual(['firing']);
    while (lane.messages().length < 45) await lane.tick();
    const fixed = (await rt.monitor.runNow()).ran.find((r) => r.checkId === 'ccip-lane')!.result;
    expect(fixed.metrics).toMatchObject({ messages_sent: 45, messages_failed: 0, execution_failures: 1 });
    expect(await laneAlerts()).toEqual(['resolved']);
  });
});

describe('a bad or missing config folder', () => {
  it('prints every problem with file:line and still serves the portal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbx-monitoring-bad-'));
    const config = join(dir, 'config');
    mkdirSync(config);
    writeFileSync(join(config, 'checks.yaml'), 'checks:\n  - name: a\n    type: http\n    url: ${NOPE}/x\n  - name: b\n    type: carrier-pigeon\n');
    const lines: string[] = [];
    const rt = await startLocalRuntime({ port: 0, dataDir: join(dir, 'data'), quiet: true, webDir: join(dir, 'none'), log: (l) => lines.push(l), monitoring: { configDir: config, evmNode: false, loopMs: 0 } });
    try {
      expect(rt.monitoringConfigErrors).toEqual([expect.stringMatching(/^checks\.yaml:6:\d+ .*type/)]);
      expect(lines.join('\n')).toContain('checks.yaml:6:');
      const run = await rt.monitor.runNow();
      expect(run.ran).toHaveLength(1);
      expect(run.ran[0]!.result).toMatchObject({ status: 'unknown' });
      expect(run.ran[0]!.result.message).toContain('${NOPE}');
      const health = await get<Health>(rt, '/api/health', '/api/health');
      expect(health.configErrors).toEqual(rt.monitoringConfigErrors);
    } finally {
      await rt.stop();
    }
    const missing = await startLocalRuntime({ port: 0, dataDir: join(dir, 'data2'), quiet: true, webDir: join(dir, 'none'), log: (l) => lines.push(l), monitoring: { configDir: join(dir, 'nowhere'), evmNode: false, loopMs: 0 } });
    try {
      expect(missing.monitoringConfigErrors).toEqual([expect.stringContaining('folder not found')]);
      const health = await get<Health>(missing, '/api/health', '/api/health');
      expect(health).toMatchObject({ roots: [], checks: [] });
    } finally {
      await missing.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('alerts of check rules over the API', () => {
  let rt: LocalRuntime;
  let dir: string;
  let server: Server;
  let answer = 200;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(answer, { 'content-type': 'text/plain' });
      res.end(answer === 200 ? 'fine' : 'broken');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    dir = mkdtempSync(join(tmpdir(), 'sbx-alerts-'));
    const config = join(dir, 'config');
    mkdirSync(config);
    writeFileSync(
      join(config, 'all.yaml'),
      [
        'environments:',
        '  - { name: lab, provider: local, kind: local }',
        'systems:',
        '  - { name: shop, services: [web] }',
        'checks:',
        '  - { name: web-http, type: http, service: web, environment: lab, url: "${TARGET_URL}/", interval: 30s }',
        'alerts:',
        '  - { name: web-down, severity: critical, system: shop, condition: { check: web-http, status: critical }, summary: web is down }',
        '',
      ].join('\n'),
    );
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    rt = await startLocalRuntime({ port: 0, dataDir: join(dir, 'data'), quiet: true, webDir: join(dir, 'none'), monitoring: { configDir: config, evmNode: false, loopMs: 0, placeholders: { TARGET_URL: target } } });
  }, 60_000);
  afterAll(async () => {
    await rt?.stop();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('fires when the check fails, shows in the list and the timeline, acknowledges, resolves', async () => {
    expect(rt.monitoringConfigErrors).toEqual([]);
    expect((await rt.monitor.runNow()).alertTransitions).toEqual([]);
    const none = await get<{ items: unknown[] }>(rt, '/api/alerts', '/api/alerts');
    expect(none.items).toEqual([]);

    answer = 500;
    const fired = await rt.monitor.runNow();
    expect(fired.alertTransitions.map((t) => t.kind)).toEqual(['fired']);
    const list = await get<{ items: { status: string; alert: { fingerprint: string; labels: Record<string, string>; state: string } }[] }>(rt, '/api/alerts', '/api/alerts');
    expect(list.items).toHaveLength(1);
    const { alert } = list.items[0]!;
    expect(list.items[0]!.status).toBe('firing');
    expect(alert.labels).toEqual({ alertname: 'web-down', check: 'web-http', service: 'web', environment: 'lab', system: 'shop' });

    await rt.idle();
    const timeline = (await (await fetch(`${rt.url}/api/events?limit=20`, { headers: authHeaders(rt, 'viewer') })).json()) as { items: { type: string }[] };
    expect(timeline.items.map((e) => e.type)).toContain('dev.cdevents.incident.detected.0.3.0');

    const ack = await fetch(`${rt.url}/api/alerts/${alert.fingerprint}/ack`, {
      method: 'POST',
      headers: authHeaders(rt, 'operator'),
      body: JSON.stringify({ comment: 'looking' }),
    });
    expect(ack.status).toBe(200);
    const acked = (await ack.json()) as { state: string; ackedBy: string; ackComment: string };
    documentedPost('/api/alerts/{fingerprint}/ack', 200, acked);
    expect(acked).toMatchObject({ state: 'acknowledged', ackedBy: 'olu.operator@example.com', ackComment: 'looking' });
    const again = await fetch(`${rt.url}/api/alerts/${alert.fingerprint}/ack`, { method: 'POST', headers: authHeaders(rt, 'operator') });
    expect(again.status).toBe(200);
    expect((await get<{ items: unknown[] }>(rt, '/api/alerts?state=acknowledged', '/api/alerts')).items).toHaveLength(1);

    const missing = await fetch(`${rt.url}/api/alerts/nope/ack`, { method: 'POST', headers: authHeaders(rt, 'operator') });
    expect(missing.status).toBe(404);
    documentedPost('/api/alerts/{fingerprint}/ack', 404, await missing.json());
    expect((await get<{ error: { field: string } }>(rt, '/api/alerts?state=bogus', '/api/alerts', 400)).error.field).toBe('state');

    answer = 200;
    expect((await rt.monitor.runNow()).alertTransitions.map((t) => t.kind)).toEqual(['resolved']);
    const resolved = await get<{ items: { alert: { state: string } }[] }>(rt, '/api/alerts', '/api/alerts');
    expect(resolved.items.map((v) => v.alert.state)).toEqual(['resolved']);
    const gone = await fetch(`${rt.url}/api/alerts/${alert.fingerprint}/ack`, { method: 'POST', headers: authHeaders(rt, 'operator') });
    expect(gone.status).toBe(409);
  });

  it('silences: create, see the alert silenced, list, expire, delete', async () => {
    answer = 500;
    expect((await rt.monitor.runNow()).alertTransitions.map((t) => t.kind)).toEqual(['fired']);
    const send = (method: string, path: string, body?: unknown) =>
      fetch(`${rt.url}${path}`, { method, headers: authHeaders(rt, 'operator'), ...(body ? { body: JSON.stringify(body) } : {}) });
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();

    const bad = await send('POST', '/api/silences', { matchers: [{ name: 'alertname', op: '=~', value: '.*' }], endsAt, comment: 'x' });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as { error: { field: string } };
    documentedPost('/api/silences', 400, badBody);
    expect(badBody.error.field).toBe('matchers');

    const created = await send('POST', '/api/silences', { matchers: [{ name: 'alertname', op: '=', value: 'web-down' }], endsAt, comment: 'maintenance' });
    expect(created.status).toBe(201);
    const silence = (await created.json()) as { id: string; state: string; createdBy: string };
    documentedPost('/api/silences', 201, silence);
    expect(silence).toMatchObject({ state: 'active', createdBy: 'olu.operator@example.com' });

    const alerts = await get<{ items: { status: string; silencedBy: string[] }[] }>(rt, '/api/alerts?state=firing', '/api/alerts');
    expect(alerts.items).toEqual([expect.objectContaining({ status: 'silenced', silencedBy: [silence.id] })]);
    expect((await get<{ items: { id: string }[] }>(rt, '/api/silences', '/api/silences')).items.map((x) => x.id)).toEqual([silence.id]);

    const expired = await send('POST', `/api/silences/${silence.id}/expire`);
    expect(expired.status).toBe(200);
    const expiredBody = (await expired.json()) as { state: string };
    documentedPost('/api/silences/{id}/expire', 200, expiredBody);
    expect(expiredBody.state).toBe('expired');
    expect((await get<{ items: unknown[] }>(rt, '/api/silences', '/api/silences')).items).toEqual([]);
    expect((await get<{ items: unknown[] }>(rt, '/api/silences?scope=all', '/api/silences')).items).toHaveLength(1);
    expect((await get<{ items: { status: string }[] }>(rt, '/api/alerts?state=firing', '/api/alerts')).items.map((v) => v.status)).toEqual(['firing']);

    expect((await send('DELETE', `/api/silences/${silence.id}`)).status).toBe(200);
    const again = await send('DELETE', `/api/silences/${silence.id}`);
    expect(again.status).toBe(404);
    expect((await send('POST', '/api/silences/nope/expire')).status).toBe(404);

    await rt.idle();
    const timeline = (await (await fetch(`${rt.url}/api/events?limit=50`, { headers: authHeaders(rt, 'viewer') })).json()) as { items: { type: string }[] };
    const types = timeline.items.map((e) => e.type);
    for (const t of ['silenceCreated', 'silenceExpired', 'silenceDeleted', 'acknowledged']) expect(types).toContain(`dev.cdeventsx.signalbox-alert.${t}.0.1.0`);
  });
});

function documentedPost(path: string, status: number, body: unknown) {
  const schema = doc.paths[path]?.post?.responses[String(status)]?.content?.['application/json']?.schema;
  expect(schema, `POST ${path} ${status} is documented`).toBeDefined();
  const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"signalbox#/components/')));
  expect(validate(body) ? [] : validate.errors, `POST ${path} ${status}`).toEqual([]);
}

describe('the local check loop', () => {
  it('runs on its timer, never two runs at once, and stops', async () => {
    let runs = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const deps = {
      monitoringConfig: {
        current: async () => {
          runs++;
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((r) => setTimeout(r, 20));
          inFlight--;
          return emptyMonitoringConfig([]);
        },
      },
      clock: { now: () => new Date().toISOString() },
      logger: silentLogger,
    } as unknown as MonitoringDeps;
    const monitor = createLocalMonitor(deps);
    monitor.start(5);
    await vi.waitFor(() => expect(runs).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 10 });
    const forced = monitor.runNow();
    await monitor.stop();
    await forced;
    const after = runs;
    await new Promise((r) => setTimeout(r, 50));
    expect(runs).toBe(after);
    expect(maxInFlight).toBe(1);
  });
});
