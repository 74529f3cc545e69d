import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { authHeaders, tokenFor } from '../helpers/auth';
import { serviceEvent } from '../helpers/fixtures';

let rt: LocalRuntime;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sbx-auth-'));
  rt = await startLocalRuntime({
    port: 0,
    dataDir: dir,
    quiet: true,
    webDir: join(dir, 'none'),
    // Small buckets that barely refill: the fourth read of one user is refused.
    rateLimits: { reads: { capacity: 3, perSecond: 0.001 } },
  });
});
afterAll(async () => {
  await rt?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the local issuer (local mode only)', () => {
  it('serves its JWKS and demo users, signs in a demo user, and mints tokens for scripts', async () => {
    const jwks = (await (await fetch(`${rt.url}/local/jwks.json`)).json()) as { keys: { kty: string; kid: string; d?: string }[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0]!.d).toBeUndefined();
    expect(statSync(join(dir, 'local-issuer-key.json')).mode & 0o077).toBe(0);

    const users = (await (await fetch(`${rt.url}/local/users`)).json()) as { items: { email: string; role: string }[] };
    expect(users.items.map((u) => u.role)).toEqual(['viewer', 'operator', 'admin']);

    const signIn = await fetch(`${rt.url}/local/sign-in`, { method: 'POST', body: JSON.stringify({ email: 'ada.admin@example.com' }) });
    const session = (await signIn.json()) as { token: string; user: { role: string } };
    expect(session.user.role).toBe('admin');
    const claims = JSON.parse(Buffer.from(session.token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ token_use: 'access', client_id: 'signalbox-local-portal', 'cognito:groups': ['admin'], username: 'ada.admin@example.com' });
    expect(typeof claims.exp).toBe('number');

    expect((await fetch(`${rt.url}/local/sign-in`, { method: 'POST', body: JSON.stringify({ email: 'mallory@example.com' }) })).status).toBe(400);
    expect((await fetch(`${rt.url}/local/token?role=root`)).status).toBe(400);
    const { token } = (await (await fetch(`${rt.url}/local/token?role=viewer`)).json()) as { token: string };
    const config = await fetch(`${rt.url}/api/auth/config`);
    expect(await config.json()).toEqual({ mode: 'local', signInUrl: '/local/sign-in', tokenUrl: '/local/token', usersUrl: '/local/users' });
    const inv = await fetch(`${rt.url}/api/inventory`, { headers: { authorization: `Bearer ${token}` } });
    expect(inv.status).toBe(200);
  });
});

describe('producer and agent tokens (admin API)', () => {
  it('admin creates a producer token shown once; ingest accepts it, records its use; revoked, it is refused', async () => {
    const admin = authHeaders(rt, 'admin');
    expect((await fetch(`${rt.url}/api/admin/tokens`, { headers: authHeaders(rt, 'operator') })).status).toBe(403);
    const created = await fetch(`${rt.url}/api/admin/tokens`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'github actions', kind: 'producer' }) });
    expect(created.status).toBe(201);
    const { token, secret } = (await created.json()) as { token: { id: string; createdBy: string }; secret: string };
    expect(token.createdBy).toBe('ada.admin@example.com');

    const send = (bearer: string) =>
      fetch(`${rt.url}/api/events`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(serviceEvent({ service: 'tok', id: `tok-${Math.random()}` })) });
    expect((await send(secret)).status).toBe(202);

    const list = (await (await fetch(`${rt.url}/api/admin/tokens`, { headers: admin })).json()) as { items: Record<string, unknown>[] };
    const mine = list.items.find((t) => t.id === token.id)!;
    expect(mine.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list)).not.toContain(secret);
    expect(list.items.map((t) => t.name)).toEqual(expect.arrayContaining(['bootstrap producer token', 'bootstrap agent token (any agent)']));

    expect((await fetch(`${rt.url}/api/admin/tokens/${token.id}`, { method: 'DELETE', headers: admin })).status).toBe(200);
    expect((await send(secret)).status).toBe(401);
    expect((await send(rt.token)).status).toBe(202);
    expect((await fetch(`${rt.url}/api/admin/tokens/nope`, { method: 'DELETE', headers: admin })).status).toBe(404);
    const bad = await fetch(`${rt.url}/api/admin/tokens`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'x', kind: 'agent' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('agent');
  });
});

describe('rate limits (token bucket per client and route class)', () => {
  it('answers 429 with Retry-After and the error body once a user has spent the bucket; other users are unaffected', async () => {
    // A user of its own, so no other test has spent from this bucket.
    const viewer = { authorization: `Bearer ${rt.issuer.issue({ email: 'rita.reader@example.com', name: 'Rita', groups: ['viewer'] })}` };
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 4; i++) {
      last = await fetch(`${rt.url}/api/environments`, { headers: viewer });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await last!.json()).toMatchObject({ error: { code: 'rate_limited', field: null } });
    const operator = await fetch(`${rt.url}/api/environments`, { headers: { authorization: `Bearer ${tokenFor(rt, 'operator')}` } });
    expect(operator.status).toBe(200);
  });
});

describe('the live socket checks the token query parameter', () => {
  const open = (query: string) =>
    new Promise<string>((resolve) => {
      const ws = new WebSocket(`${rt.url.replace(/^http/, 'ws')}/ws${query}`);
      ws.on('open', () => {
        ws.close();
        resolve('open');
      });
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('error', () => undefined);
    });

  it('refuses a missing or bad token (401) and a user without a role (403); a viewer connects', async () => {
    expect(await open('')).toBe('401');
    expect(await open('?token=nope')).toBe('401');
    expect(await open(`?token=${rt.issuer.issue({ email: 'x@example.com', name: 'X', groups: [] })}`)).toBe('403');
    expect(await open(`?token=${tokenFor(rt, 'viewer')}`)).toBe('open');
  });
});
