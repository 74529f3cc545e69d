import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Action, Role } from '../../functions/src/core/auth/model';
import { requirementOf } from '../../functions/src/core/auth/policy';
import { API_ROUTES } from '../../functions/src/handlers/http/api';
import { openApiDocument } from '../../functions/src/handlers/http/openapi';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../helpers/runtime';
import { tokenFor } from '../helpers/auth';

/*
 * Walks the OpenAPI document: every operation, against the local runtime, with sample path
 * parameters. A user route refuses a missing, expired, tampered or alg-none token (401) and a role
 * below the policy's minimum (403), and lets the minimum role through (neither 401 nor 403). A
 * producer/agent route refuses user tokens and revoked tokens.
 */

const doc = openApiDocument() as { paths: Record<string, Record<string, { 'x-signalbox-action'?: Action }>> };
const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, action: op['x-signalbox-action'] })));

let rt: LocalRuntime;

beforeAll(async () => {
  rt = await startTestRuntime('sbx-authz-', { rateLimits: false });
});
afterAll(async () => {
  await rt?.stop();
});

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const payloadOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

function badTokens(): Record<string, string> {
  const good = tokenFor(rt, 'viewer');
  const [h, p, s] = good.split('.') as [string, string, string];
  return {
    missing: '',
    expired: rt.issuer.issue(rt.issuer.userFor('admin'), { lifetimeSeconds: -300 }),
    tampered: `${h}.${b64({ ...payloadOf(good), 'cognito:groups': ['admin'] })}.${s}`,
    'alg none': `${b64({ alg: 'none', typ: 'JWT', kid: JSON.parse(Buffer.from(h, 'base64url').toString()).kid })}.${b64({ ...payloadOf(good), 'cognito:groups': ['admin'] })}.`,
    'other issuer': rt.issuer.issue(rt.issuer.userFor('admin'), { overrides: { iss: 'https://elsewhere.example' } }),
    garbage: 'not-a-token',
  };
}

const BELOW: Record<Role, Role | null> = { viewer: null, operator: 'viewer', admin: 'operator' };

function tokenOf(role: Role | null): string {
  return role ? tokenFor(rt, role) : rt.issuer.issue({ email: 'nina.norole@example.com', name: 'Nina No-role', groups: [] });
}

async function call(method: string, path: string, token: string | null): Promise<Response> {
  const url = `${rt.url}${path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'verb' ? 'pause' : name === 'decision' ? 'approve' : `sample-${name}`))}`;
  return fetch(url, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(method === 'GET' ? {} : { body: '{}' }) });
}

describe('every route in the OpenAPI document', () => {
  it('declares an action, and the document covers every served route', () => {
    expect(operations.length).toBe(API_ROUTES.length + 1);
    for (const op of operations) expect(op.action, `${op.method} ${op.path}`).toBeDefined();
  });

  it('user routes: 401 for missing, expired, tampered, alg-none and foreign tokens; 403 below the minimum role; the minimum role passes', async () => {
    const failures: string[] = [];
    for (const op of operations) {
      const need = requirementOf(op.action!);
      if (need.kind !== 'role') continue;
      for (const [what, token] of Object.entries(badTokens())) {
        const res = await call(op.method, op.path, token || null);
        if (res.status !== 401) failures.push(`${op.method} ${op.path} with ${what} token: ${res.status} (want 401)`);
        else {
          const body = (await res.json()) as { error: { code: string } };
          if (body.error.code !== 'unauthorized') failures.push(`${op.method} ${op.path} ${what}: body ${JSON.stringify(body)}`);
          if (res.headers.get('www-authenticate') !== 'Bearer') failures.push(`${op.method} ${op.path} ${what}: no WWW-Authenticate`);
        }
      }
      const below = await call(op.method, op.path, tokenOf(BELOW[need.role]));
      if (below.status !== 403) failures.push(`${op.method} ${op.path} as ${BELOW[need.role] ?? 'no role'}: ${below.status} (want 403)`);
      else expect(((await below.json()) as { error: { message: string } }).error.message).toContain(`needs role ${need.role}`);
      const atMinimum = await call(op.method, op.path, tokenOf(need.role));
      if ([401, 403].includes(atMinimum.status)) failures.push(`${op.method} ${op.path} as ${need.role}: ${atMinimum.status} ${await atMinimum.text()}`);
    }
    expect(failures).toEqual([]);
  });

  it('public routes answer without a token', async () => {
    const publicOps = operations.filter((op) => requirementOf(op.action!).kind === 'public');
    expect(publicOps.map((op) => `${op.method} ${op.path}`)).toEqual(expect.arrayContaining(['GET /api/openapi.json', 'GET /api/auth/config']));
    for (const op of publicOps) expect((await call(op.method, op.path, null)).status, `${op.method} ${op.path}`).toBe(200);
  });

  it('producer and agent routes refuse user tokens (every role), bad tokens and revoked tokens', async () => {
    const tokenOps = operations.filter((op) => requirementOf(op.action!).kind === 'token');
    expect(tokenOps.map((op) => `${op.method} ${op.path}`).sort()).toEqual(['POST /api/events', 'POST /api/observations']);
    const admin = { authorization: `Bearer ${tokenFor(rt, 'admin')}`, 'content-type': 'application/json' };
    for (const op of tokenOps) {
      for (const role of ['viewer', 'operator', 'admin'] as const) expect((await call(op.method, op.path, tokenFor(rt, role))).status, `${op.path} as ${role}`).toBe(401);
      for (const [what, token] of Object.entries(badTokens())) expect((await call(op.method, op.path, token || null)).status, `${op.path} ${what}`).toBe(401);
      const kind = requirementOf(op.action!).kind === 'token' && op.path === '/api/events' ? 'producer' : 'agent';
      const created = await fetch(`${rt.url}/api/admin/tokens`, { method: 'POST', headers: admin, body: JSON.stringify({ name: `walk ${kind}`, kind, ...(kind === 'agent' ? { agent: 'walker' } : {}) }) });
      expect(created.status).toBe(201);
      const { token, secret } = (await created.json()) as { token: { id: string }; secret: string };
      expect([401, 403]).not.toContain((await call(op.method, op.path, secret)).status);
      expect((await fetch(`${rt.url}/api/admin/tokens/${token.id}`, { method: 'DELETE', headers: admin })).status).toBe(200);
      expect((await call(op.method, op.path, secret)).status, `${op.path} revoked`).toBe(401);
    }
    // A producer token is not an agent token, and the other way round.
    expect((await call('POST', '/api/observations', rt.token)).status).toBe(401);
    expect((await call('POST', '/api/events', rt.agentToken)).status).toBe(401);
  });
});
