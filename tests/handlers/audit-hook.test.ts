import { describe, expect, it } from 'vitest';
import { InMemoryAuditStore } from '../../functions/src/adapters/local/in-memory-audit-store';
import type { Principal } from '../../functions/src/core/auth/model';
import type { Deps } from '../../functions/src/core/deps';
import { ForbiddenError } from '../../functions/src/core/errors';
import type { Route } from '../../functions/src/handlers/http/api';
import { isAuditedRoute, resourceOf, runAudited } from '../../functions/src/handlers/http/audit-hook';
import { json, type HttpEvent } from '../../functions/src/handlers/middleware/http';

const errors: unknown[] = [];
const logger = { info: () => {}, warn: () => {}, error: (_m: string, d?: unknown) => void errors.push(d) };
const admin: Principal = { kind: 'user', subject: 's-ada', name: 'ada', role: 'admin', sourceIp: '198.51.100.4' };

function deps(audit: InMemoryAuditStore | { [k: string]: unknown }): Deps {
  return { audit, clock: { now: () => '2026-11-23T12:00:00.000Z' }, logger } as unknown as Deps;
}

const event = (body: unknown): HttpEvent => ({ body: JSON.stringify(body), requestContext: { http: { sourceIp: '198.51.100.4', method: 'PUT' } } }) as unknown as HttpEvent;
const route = (method: Route['method'], path: string, action: Route['action']): Route => ({ method, path, action, run: async () => ({ status: 200, body: null }) });

const broken = {
  head: async () => null,
  get: async () => null,
  append: async () => {
    throw new Error('table unavailable');
  },
  advanceHead: async () => {},
  range: async () => [],
};

describe('runAudited', () => {
  it('records a successful call and answers it unchanged', async () => {
    const store = new InMemoryAuditStore();
    const r = route('PUT', '/api/admin/settings/{kind}/{name}', 'settings:write');
    const out = await runAudited(deps(store), { event: event({ revision: 0, password: 'p' }), route: r, params: { kind: 'service', name: 'a' } }, async () => ({ principal: admin, response: json(200, { ok: true }) }));
    expect(out.statusCode).toBe(200);
    const [stored] = await store.range({ order: 'asc', limit: 5 });
    expect(stored!.entry).toMatchObject({
      seq: 1,
      actor: { subject: 's-ada', name: 'ada', kind: 'user', role: 'admin' },
      sourceIp: '198.51.100.4',
      action: 'settings:write',
      resource: 'setting/service/a',
      parameters: { path: { kind: 'service', name: 'a' }, body: { revision: 0, password: '[redacted]' } },
      outcome: { status: 200, error: null },
    });
  });

  it('records a thrown error with the status and code the edge mapper answers', async () => {
    const store = new InMemoryAuditStore();
    const r = route('POST', '/api/silences', 'silences:write');
    const out = await runAudited(deps(store), { event: event({}), route: r, params: {} }, async () => {
      throw new ForbiddenError('no', 'silences:write', 'operator');
    });
    expect(out.statusCode).toBe(403);
    expect((await store.range({ order: 'asc', limit: 5 }))[0]!.entry!.outcome).toEqual({ status: 403, error: 'forbidden' });
  });

  it('fails an admin action with 500 when its audit entry cannot be written', async () => {
    const r = route('PUT', '/api/admin/settings/{kind}/{name}', 'settings:write');
    const out = await runAudited(deps(broken), { event: event({}), route: r, params: { kind: 'service', name: 'a' } }, async () => ({ principal: admin, response: json(200, {}) }));
    expect(out.statusCode).toBe(500);
    expect(JSON.parse(String(out.body)).error.code).toBe('audit_failed');
  });

  it('keeps an operator action answered (it happened), marked and logged, when the audit write fails', async () => {
    errors.length = 0;
    const r = route('POST', '/api/alerts/{fingerprint}/ack', 'alerts:ack');
    const out = await runAudited(deps(broken), { event: event({}), route: r, params: { fingerprint: 'fp1' } }, async () => ({ principal: { ...admin, role: 'operator' }, response: json(200, { acked: true }) }));
    expect(out.statusCode).toBe(200);
    expect(out.headers?.['x-signalbox-audit']).toBe('failed');
    expect(errors).toEqual([expect.objectContaining({ entry: expect.objectContaining({ action: 'alerts:ack', resource: 'alert/fp1' }) })]);
  });

  it('does not audit reads and token pushes', async () => {
    expect(isAuditedRoute(route('GET', '/api/audit', 'audit:read'))).toBe(false);
    expect(isAuditedRoute(route('POST', '/api/observations', 'observations:push'))).toBe(false);
    expect(isAuditedRoute(route('DELETE', '/api/silences/{id}', 'silences:write'))).toBe(true);
    const store = new InMemoryAuditStore();
    await runAudited(deps(store), { event: event({}), route: route('GET', '/api/inventory', 'events:read'), params: {} }, async () => ({ principal: admin, response: json(200, {}) }));
    expect(await store.head()).toBeNull();
  });
});

describe('resourceOf', () => {
  it.each([
    ['/api/rollouts/{id}/{verb}', { id: 'r-1', verb: 'abort' }, null, 'rollout/r-1'],
    ['/api/rollouts/{id}/gates/{gate}/{decision}', { id: 'r-1', gate: 'g', decision: 'approve' }, null, 'rollout/r-1'],
    ['/api/alerts/{fingerprint}/ack', { fingerprint: 'abc' }, null, 'alert/abc'],
    ['/api/silences/{id}/expire', { id: 's1' }, null, 'silence/s1'],
    ['/api/admin/settings/{kind}/{name}', { kind: 'environment', name: 'prod' }, null, 'setting/environment/prod'],
    ['/api/admin/tokens/{id}', { id: 't1' }, null, 'token/t1'],
    ['/api/dead-letters/{id}/replay', { id: 'd1' }, null, 'dead-letter/d1'],
    ['/api/silences', {}, { id: 's2' }, 'silence/s2'],
    ['/api/admin/tokens', {}, { token: { id: 't2' }, secret: 'x' }, 'token/t2'],
    ['/api/rollouts', {}, null, 'rollout'],
  ] as const)('%s → %s', (path, params, body, expected) => {
    expect(resourceOf(path, { ...params }, body)).toBe(expected);
  });
});
