import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoraReport } from '../../functions/src/core/dora/model';
import type { DoraStore } from '../../functions/src/core/ports/dora-store';
import type { DeadLetter, Page } from '../../functions/src/core/read-models';
import { openApiDocument } from '../../functions/src/handlers/http/openapi';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../helpers/runtime';
import { serviceEvent } from '../helpers/fixtures';
import { authHeaders } from '../helpers/auth';

let rt: LocalRuntime;

beforeAll(async () => {
  rt = await startTestRuntime('sbx-dora-', { seed: false, retry: { attempts: 2, baseDelayMs: 1 } });
});

afterAll(async () => {
  await rt?.stop();
});

async function post(body: unknown) {
  const res = await fetch(`${rt.url}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rt.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
  await rt.idle();
}

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${rt.url}${path}`, { headers: authHeaders(rt, 'viewer') });
  return { status: res.status, body: (await res.json()) as T };
}

const doc = openApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>; components: unknown };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'signalbox', components: doc.components });

function matchesOpenApi(status: number, body: unknown) {
  const schema = doc.paths['/api/dora']?.get?.responses[String(status)]?.content?.['application/json']?.schema;
  expect(schema, `GET /api/dora ${status} is documented`).toBeDefined();
  const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"signalbox#/components/')));
  expect(validate(body) ? [] : validate.errors).toEqual([]);
}

const merged = (repo: string, id: string, timestamp: string) => ({
  context: { specversion: '0.5.1', id, source: '/dora-api', type: 'dev.cdevents.change.merged.0.3.0', timestamp },
  subject: { id: `${repo}/pull/${id}`, content: { repository: { id: repo, source: `https://github.com/${repo}` } } },
});

describe('GET /api/dora', () => {
  it('reports what the store consumer aggregated at ingest, once per event', async () => {
    // api: merged 04-01 00:00; deployed to prod 04-01 06:00 (6 h) and rolled back 04-01 07:00; deployed
    // again 04-02 12:00 (good). Staging does not count.
    await post([
      merged('acme/api', 'm1', '2026-04-01T00:00:00Z'),
      serviceEvent({ service: 'api', environment: 'prod-eu', id: 'a1', source: '/dora-api', timestamp: '2026-04-01T06:00:00Z', predicate: 'deployed' }),
      serviceEvent({ service: 'api', environment: 'staging', id: 'a0', source: '/dora-api', timestamp: '2026-04-01T05:00:00Z', predicate: 'deployed' }),
      serviceEvent({ service: 'api', environment: 'prod-eu', id: 'a2', source: '/dora-api', timestamp: '2026-04-01T07:00:00Z', predicate: 'rolledback' }),
      serviceEvent({ service: 'api', environment: 'prod-eu', id: 'a3', source: '/dora-api', timestamp: '2026-04-02T12:00:00Z', predicate: 'upgraded' }),
    ]);
    // The same events again (a producer retry): stored once, counted once.
    await post([serviceEvent({ service: 'api', environment: 'prod-eu', id: 'a1', source: '/dora-api', timestamp: '2026-04-01T06:00:00Z', predicate: 'deployed' })]);

    const res = await get<DoraReport>('/api/dora?service=api&windowDays=7&until=2026-04-03');
    expect(res.status).toBe(200);
    matchesOpenApi(200, res.body);
    // 2 production deployments on 2 days → 2 per week; 1 of 2 failed (rollback);
    // lead time 6 h (m1 → a1); recovery = rollback 04-01 07:00 → next good deployment 04-02 12:00 = 29 h.
    expect(res.body.metrics.deploymentFrequency).toMatchObject({ value: 2, deployments: 2, perWeek: 2, level: { level: 'high', table: 'DORA 2023' } });
    expect(res.body.metrics.changeFailureRate).toMatchObject({ value: 0.5, failed: 1 });
    expect(res.body.metrics.leadTime).toMatchObject({ value: 6, changes: 1, level: { level: 'elite' } });
    expect(res.body.metrics.recoveryTime).toMatchObject({ value: 29, recoveries: 1 });
    expect(res.body.series.map((p) => p.date)).toEqual(['2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31', '2026-04-01', '2026-04-02', '2026-04-03']);
    expect(res.body.scope.environments).toEqual(['prod-eu']);
  });

  it('dead-letters a failed DORA projection and counts the event once replayed', async () => {
    const real = rt.deps.dora;
    const failing: DoraStore = { add: async () => Promise.reject(new Error('dora table unavailable')), listDays: (q) => real.listDays(q) };
    rt.deps.dora = failing;
    try {
      await post([serviceEvent({ service: 'late', environment: 'prod-us', id: 'l1', source: '/dora-api', timestamp: '2026-04-02T10:00:00Z' })]);
    } finally {
      rt.deps.dora = real;
    }
    const before = await get<DoraReport>('/api/dora?service=late&windowDays=7&until=2026-04-03');
    expect(before.body.metrics.deploymentFrequency.deployments).toBe(0);
    const letters = await get<Page<DeadLetter>>('/api/dead-letters');
    const letter = letters.body.items.find((d) => d.error.includes('dora table unavailable'));
    expect(letter).toBeDefined();
    const replay = await fetch(`${rt.url}/api/dead-letters/${encodeURIComponent(letter!.id)}/replay`, { method: 'POST', headers: authHeaders(rt, 'operator') });
    expect(replay.status).toBe(200);
    const after = await get<DoraReport>('/api/dora?service=late&windowDays=7&until=2026-04-03');
    expect(after.body.metrics.deploymentFrequency).toMatchObject({ deployments: 1, value: 1 });
  });

  it('answers a bad parameter with 400 naming it', async () => {
    for (const [query, field] of [
      ['windowDays=0', 'windowDays'],
      ['windowDays=365', 'windowDays'],
      ['until=soon', 'until'],
      ['thresholds=nope', 'thresholds'],
    ] as const) {
      const res = await get<{ error: { code: string; field: string } }>(`/api/dora?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.field).toBe(field);
      matchesOpenApi(400, res.body);
    }
  });
});
