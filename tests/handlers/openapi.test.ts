import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../functions/src/handlers/http/api';
import { openApiDocument } from '../../functions/src/handlers/http/openapi';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../helpers/runtime';
import { serviceEvent } from '../helpers/fixtures';
import { authHeaders } from '../helpers/auth';

type Operation = { responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

let rt: LocalRuntime;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'signalbox', components: doc.components });

function check(path: string, method: string, status: number, body: unknown) {
  const schema = doc.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;
  expect(schema, `${method} ${path} ${status} is documented`).toBeDefined();
  const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"signalbox#/components/'));
  const validate = ajv.compile(rewritten);
  expect(validate(body) ? [] : validate.errors, `${method} ${path} ${status}`).toEqual([]);
}

beforeAll(async () => {
  rt = await startTestRuntime('sbx-openapi-');
});
afterAll(async () => {
  await rt?.stop();
});

describe('GET /api/openapi.json', () => {
  it('is OpenAPI 3.1 and describes exactly the routes served (api function + ingest)', async () => {
    const served = await (await fetch(`${rt.url}/api/openapi.json`)).json();
    expect(served).toEqual(doc);
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    const routes = [...API_ROUTES.map((r) => `${r.method} ${r.path}`), 'POST /api/events'].sort();
    expect(documented).toEqual(routes);
  });

  it('matches real responses of every route, success and error', async () => {
    const auth = { authorization: `Bearer ${rt.token}`, 'content-type': 'application/json' };
    const ingest = await fetch(`${rt.url}/api/events`, { method: 'POST', headers: auth, body: JSON.stringify([serviceEvent({ service: 'oa', id: 'oa-1' }), { context: {} }]) });
    const ingestBody = (await ingest.json()) as { results: { key: string }[] };
    check('/api/events', 'post', 202, ingestBody);
    check('/api/events', 'post', 400, await (await fetch(`${rt.url}/api/events`, { method: 'POST', headers: auth, body: '{' })).json());
    check('/api/events', 'post', 401, await (await fetch(`${rt.url}/api/events`, { method: 'POST', body: '{}' })).json());
    await rt.idle();
    const get = async (path: string, docPath: string, status = 200) => {
      const res = await fetch(`${rt.url}${path}`, { headers: authHeaders(rt, 'viewer') });
      expect(res.status, path).toBe(status);
      check(docPath, 'get', status, await res.json());
    };
    await get('/api/events?limit=5', '/api/events');
    await get('/api/events?limit=0', '/api/events', 400);
    await get(`/api/events/${ingestBody.results[0]!.key}`, '/api/events/{key}');
    await get('/api/events/enope', '/api/events/{key}', 404);
    await get('/api/inventory', '/api/inventory');
    await get('/api/services/oa', '/api/services/{name}');
    await get('/api/services/none', '/api/services/{name}', 404);
    await get('/api/environments', '/api/environments');
    await get('/api/dead-letters', '/api/dead-letters');
    const replay = await fetch(`${rt.url}/api/dead-letters/none/replay`, { method: 'POST', headers: authHeaders(rt, 'operator') });
    check('/api/dead-letters/{id}/replay', 'post', 404, await replay.json());
  });

  it('answers unknown routes with 404 and wrong methods with 405, in the error shape', async () => {
    const unknown = await fetch(`${rt.url}/api/nothing-here`, { headers: authHeaders(rt, 'viewer') });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const wrong = await fetch(`${rt.url}/api/inventory`, { method: 'POST' });
    expect(wrong.status).toBe(405);
  });
});
