import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/src/handlers/http/openapi';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../helpers/runtime';
import { generateFocusFiles } from '../../local/seed/focus';
import { fetchAs } from '../helpers/auth';

type Operation = { responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
const doc = openApiDocument() as { paths: Record<string, Record<string, Operation>>; components: unknown };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'signalbox', components: doc.components });
function check(path: string, method: string, status: number, body: unknown) {
  const schema = doc.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;
  expect(schema, `${method} ${path} ${status} is documented`).toBeDefined();
  const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"signalbox#/components/')));
  expect(validate(body) ? [] : validate.errors, `${method} ${path} ${status}`).toEqual([]);
}

let rt: LocalRuntime;
const today = new Date().toISOString().slice(0, 10);
const files = generateFocusFiles(today);

beforeAll(async () => {
  rt = await startTestRuntime('sbx-costs-', { rateLimits: false });
});
afterAll(async () => {
  await rt?.stop();
});

const upload = (name: string, body: Uint8Array | string, role: 'admin' | 'operator' = 'admin', type = 'application/gzip') =>
  fetchAs(rt, role)(`${rt.url}/api/costs/imports?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'content-type': type }, body });

describe('cost API', () => {
  it('imports gzip and plain FOCUS uploads (admin) and serves the report, forecast, anomalies and history', async () => {
    for (const f of files) {
      const gz = f.name.endsWith('.gz');
      const res = await upload(f.name, gz ? gzipSync(f.csv) : f.csv);
      const body = await res.json();
      expect(res.status, JSON.stringify(body)).toBe(201);
      check('/api/costs/imports', 'post', 201, body);
    }
    const viewer = fetchAs(rt, 'viewer');
    const report = await viewer(`${rt.url}/api/costs?days=90&groupBy=provider`);
    const body = (await report.json()) as { keys: string[]; daily: unknown[] };
    expect(report.status).toBe(200);
    check('/api/costs', 'get', 200, body);
    expect(body.keys.sort()).toEqual(['aws', 'azure', 'gcp', 'ibm', 'oci']);
    expect(body.daily).toHaveLength(90);
    const byService = await (await viewer(`${rt.url}/api/costs?days=30&groupBy=service&provider=azure&metric=effective`)).json();
    check('/api/costs', 'get', 200, byService);
    const forecast = await viewer(`${rt.url}/api/costs/forecast`);
    check('/api/costs/forecast', 'get', 200, await forecast.json());
    const anomalies = (await (await viewer(`${rt.url}/api/costs/anomalies`)).json()) as { items: { provider: string }[] };
    check('/api/costs/anomalies', 'get', 200, anomalies);
    expect(anomalies.items.map((a) => a.provider)).toEqual(['azure']);
    check('/api/costs/deployments', 'get', 200, await (await viewer(`${rt.url}/api/costs/deployments?days=90`)).json());
    const history = await (await viewer(`${rt.url}/api/costs/imports?limit=2`)).json();
    check('/api/costs/imports', 'get', 200, history);
    const bad = await viewer(`${rt.url}/api/costs?days=7`);
    expect(bad.status).toBe(400);
    check('/api/costs', 'get', 400, await bad.json());
  });

  it('rejects a file with a malformed row whole (422, line and field) and keeps the stored days', async () => {
    const before = await (await fetchAs(rt, 'viewer')(`${rt.url}/api/costs?days=30&provider=ibm`)).json();
    // Every other row is valid and 100 times dearer: had any of them been imported, the report would change.
    const lines = files
      .find((f) => f.name.startsWith('ibm'))!
      .csv.split('\r\n')
      .map((line, i) => (i === 0 || line === '' ? line : line.replace(/^[^,]+/, (v) => (i === 5 ? 'lots' : (Number(v) * 100).toFixed(4)))));
    const res = await upload('ibm-broken.csv', lines.join('\r\n'), 'admin', 'text/csv');
    const body = (await res.json()) as { status: string; problems: { line: number; field: string }[] };
    expect(res.status).toBe(422);
    check('/api/costs/imports', 'post', 422, body);
    expect(body.problems).toEqual([{ file: 'ibm-broken.csv', line: 6, field: 'BilledCost', message: 'BilledCost is not a decimal number: "lots"' }]);
    expect(await (await fetchAs(rt, 'viewer')(`${rt.url}/api/costs?days=30&provider=ibm`)).json()).toEqual(before);
  });

  it('refuses a gzip bomb and a body over 4 MiB (413), path traversal in the name (400), and uploads by a non-admin (403)', async () => {
    const bomb = gzipSync(Buffer.alloc(80 * 1024 * 1024, 0x61));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const res = await upload('bomb.csv.gz', bomb);
    expect(res.status).toBe(413);
    check('/api/costs/imports', 'post', 413, await res.json());
    const big = await upload('big.csv', 'x'.repeat(4 * 1024 * 1024 + 1), 'admin', 'text/csv');
    expect(big.status).toBe(413);
    const traversal = await upload('../../etc/passwd.csv', 'a');
    expect(traversal.status).toBe(400);
    expect(((await traversal.json()) as { error: { field: string } }).error.field).toBe('name');
    expect((await upload('ok.csv', 'a', 'operator', 'text/csv')).status).toBe(403);
  });
});
