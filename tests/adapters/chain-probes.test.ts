import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeProbes } from '../../functions/src/adapters/probes/node-probes';
import { runCheck } from '../../functions/src/core/monitoring/run-check';
import { systemClock } from '../../functions/src/core/ports/clock';

const deps = { probes: new NodeProbes(systemClock), clock: systemClock };

/** A loopback server answering GETs from a table of path → [status, JSON body]; the table can change between requests. */
async function fakeApi(routes: Record<string, [number, unknown]>) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const hit = routes[req.url ?? ''];
    if (!hit) return void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `FF10109: not found ${req.url}` }));
    res.writeHead(hit[0], { 'content-type': 'application/json' }).end(JSON.stringify(hit[1]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return { url, routes, seen, close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) };
}

// Shaped after FireFly's documented status answer: namespace, node, org, plugins by kind, multiparty.
function fireflyStatus(ns: string, registered = { node: true, org: true }) {
  return {
    namespace: { name: ns, networkName: ns, description: 'test network', created: '2026-01-05T10:00:00.000Z' },
    node: { name: 'node-alpha', registered: registered.node, id: '5b0e9a62-0000-4000-8000-000000000001' },
    org: { name: 'org-alpha', registered: registered.org, did: 'did:firefly:org/org-alpha', id: '5b0e9a62-0000-4000-8000-000000000002', verifiers: [{ type: 'ethereum_address', value: '0x00000000000000000000000000000000000000aa' }] },
    plugins: {
      blockchain: [{ name: 'chain0', pluginType: 'ethereum' }],
      database: [{ name: 'db0', pluginType: 'postgres' }],
      dataExchange: [{ name: 'dx0', pluginType: 'ffdx' }],
      events: [{ pluginType: 'websockets' }, { pluginType: 'webhooks' }],
      identity: [{ pluginType: 'onchain' }],
      sharedStorage: [{ name: 'ipfs0', pluginType: 'ipfs' }],
      tokens: [],
    },
    multiparty: { enabled: true, contract: { active: { index: 0, location: { address: '0x00000000000000000000000000000000000000bb' } }, terminated: [] } },
  };
}

describe('FireFly probe against a loopback FireFly API', () => {
  let api: Awaited<ReturnType<typeof fakeApi>>;
  beforeAll(async () => {
    api = await fakeApi({
      '/api/v1/status': [200, fireflyStatus('default')],
      '/api/v1/namespaces': [200, [{ name: 'default', networkName: 'default', created: '2026-01-05T10:00:00.000Z' }, { name: 'payments', networkName: 'payments', created: '2026-01-06T10:00:00.000Z' }]],
      '/api/v1/namespaces/default/status': [200, fireflyStatus('default')],
      '/api/v1/namespaces/payments/status': [200, fireflyStatus('payments')],
    });
  });
  afterAll(() => api.close());

  it('is ok with the node and org registered, required plugins present and every namespace answering', async () => {
    const r = await runCheck(deps, { spec: { type: 'firefly', url: `${api.url}/`, namespaces: ['default'], plugins: ['blockchain', 'database', 'sharedStorage'] } });
    expect(r.result.status).toBe('ok');
    expect(r.result.message).toBe('node node-alpha: 2 namespaces answering, 7 plugins, multiparty');
    expect(r.result.metrics).toMatchObject({ namespaces: 2, namespaces_ok: 2, namespaces_failing: 0, plugins: 7, multiparty: 1, node_registered: 1, org_registered: 1 });
    expect(api.seen).toEqual(expect.arrayContaining(['GET /api/v1/status', 'GET /api/v1/namespaces', 'GET /api/v1/namespaces/default/status', 'GET /api/v1/namespaces/payments/status']));
  });

  it('is critical for a missing plugin kind or required namespace, warning for an unregistered node or a failing optional namespace', async () => {
    const missing = await runCheck(deps, { spec: { type: 'firefly', url: api.url, namespaces: ['default', 'trade'], plugins: ['tokens'] } });
    expect(missing.result.status).toBe('critical');
    expect(missing.result.message).toBe('plugins missing: tokens; namespaces missing: trade');

    api.routes['/api/v1/namespaces/payments/status'] = [500, { error: 'FF10225: Unable to resolve the local node' }];
    api.routes['/api/v1/status'] = [200, fireflyStatus('default', { node: false, org: true })];
    try {
      const degraded = await runCheck(deps, { spec: { type: 'firefly', url: api.url } });
      expect(degraded.result.status).toBe('warning');
      expect(degraded.result.message).toBe('namespace default: node node-alpha not registered; namespace payments not answering: HTTP 500: FF10225: Unable to resolve the local node');
      expect(degraded.result.metrics).toMatchObject({ namespaces_ok: 1, namespaces_failing: 1, node_registered: 0 });
      const required = await runCheck(deps, { spec: { type: 'firefly', url: api.url, namespaces: ['payments'] } });
      expect(required.result.status).toBe('critical');
    } finally {
      api.routes['/api/v1/namespaces/payments/status'] = [200, fireflyStatus('payments')];
      api.routes['/api/v1/status'] = [200, fireflyStatus('default')];
    }
  });

  it('is critical when the status API answers an error or nothing listens', async () => {
    api.routes['/api/v1/status'] = [503, { error: 'FF10108: server busy' }];
    try {
      const r = await runCheck(deps, { spec: { type: 'firefly', url: api.url } });
      expect(r.result).toMatchObject({ status: 'critical', message: 'status API: HTTP 503: FF10108: server busy' });
    } finally {
      api.routes['/api/v1/status'] = [200, fireflyStatus('default')];
    }
    const down = await runCheck(deps, { spec: { type: 'firefly', url: 'http://127.0.0.1:1', timeoutMs: 2_000 } });
    expect(down.result.status).toBe('critical');
    expect(down.result.message).toMatch(/^http:\/\/127\.0\.0\.1:1 unreachable: /);
  });
});

const BESU = '@hyperledger/cactus-plugin-ledger-connector-besu';
const FABRIC = '@hyperledger/cactus-plugin-ledger-connector-fabric';
const MIB = 1024 * 1024;

// Shaped after the Cacti API server's HealthCheckResponse (success, createdAt, memoryUsage).
const health = (success: boolean, heapUsedMb: number) => ({
  success,
  createdAt: '2026-02-01T08:00:00.000Z',
  memoryUsage: { rss: 310 * MIB, heapTotal: 180 * MIB, heapUsed: heapUsedMb * MIB, external: 12 * MIB, arrayBuffers: 2 * MIB },
});
const pluginSpec = { openapi: '3.0.3', info: { title: 'besu connector', version: '2.0.0' }, paths: { [`/api/v1/plugins/${BESU}/run-transaction`]: { post: {} }, [`/api/v1/plugins/${BESU}/get-block`]: { post: {} } } };

describe('Cacti probe against a loopback API server', () => {
  let api: Awaited<ReturnType<typeof fakeApi>>;
  beforeAll(async () => {
    api = await fakeApi({ '/api/v1/api-server/healthcheck': [200, health(true, 120)], [`/api/v1/plugins/${BESU}/get-open-api-spec`]: [200, pluginSpec] });
  });
  afterAll(() => api.close());

  it('reports health, memory and the expected connectors', async () => {
    const r = await runCheck(deps, { spec: { type: 'cacti', url: api.url, connectors: [BESU], heapUsedMb: { warning: 512, critical: 1024 } } });
    expect(r.result).toMatchObject({ status: 'ok', message: 'API server healthy, heap 120 MiB, 1/1 connectors up' });
    expect(r.result.metrics).toMatchObject({ health_success: 1, heap_used_mb: 120, heap_total_mb: 180, rss_mb: 310, external_mb: 12, connectors_expected: 1, connectors_up: 1 });
  });

  it('is critical for a missing connector or success: false, warning for memory above its limit', async () => {
    const missing = await runCheck(deps, { spec: { type: 'cacti', url: api.url, connectors: [BESU, FABRIC] } });
    expect(missing.result.status).toBe('critical');
    expect(missing.result.message).toBe(`connector ${FABRIC} not available: HTTP 404: FF10109: not found /api/v1/plugins/${FABRIC}/get-open-api-spec`);
    expect(missing.result.metrics).toMatchObject({ connectors_expected: 2, connectors_up: 1 });

    api.routes['/api/v1/api-server/healthcheck'] = [200, health(true, 700)];
    const heavy = await runCheck(deps, { spec: { type: 'cacti', url: api.url, heapUsedMb: { warning: 512, critical: 1024 } } });
    expect(heavy.result).toMatchObject({ status: 'warning', message: 'heap used 700 MiB above 512 MiB' });

    api.routes['/api/v1/api-server/healthcheck'] = [200, health(false, 100)];
    const sick = await runCheck(deps, { spec: { type: 'cacti', url: api.url } });
    expect(sick.result).toMatchObject({ status: 'critical', message: 'healthcheck reports success: false', metrics: { health_success: 0 } });

    api.routes['/api/v1/api-server/healthcheck'] = [200, { hello: 'not cacti' }];
    const other = await runCheck(deps, { spec: { type: 'cacti', url: api.url } });
    expect(other.result).toMatchObject({ status: 'critical', message: 'healthcheck: not a healthcheck answer' });
    api.routes['/api/v1/api-server/healthcheck'] = [200, health(true, 120)];
  });
});
