import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwksTokenVerifier, type Jwks } from '../../functions/src/adapters/http/jwks-token-verifier';
import { UnauthorizedError } from '../../functions/src/core/errors';
import { userPrincipal } from '../../functions/src/core/auth/principal';

const ISS = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TEST';
const CLIENT = 'portal-client';
const NOW = Date.parse('2026-06-01T12:00:00Z');
const nowSec = NOW / 1000;

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

const jwkOf = (key: KeyObject, kid: string, alg: string) => ({ ...key.export({ format: 'jwk' }), kid, alg, use: 'sig' });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function jwt(claims: Record<string, unknown>, opts: { kid?: string; alg?: string; key?: KeyObject; header?: Record<string, unknown> } = {}): string {
  const alg = opts.alg ?? 'RS256';
  const header = { alg, kid: opts.kid ?? 'rsa-1', typ: 'JWT', ...opts.header };
  const input = `${b64(header)}.${b64(claims)}`;
  const key = opts.key ?? rsa.privateKey;
  const signature = alg === 'ES256' ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }) : sign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

const access = (over: Record<string, unknown> = {}) => ({
  iss: ISS,
  sub: 'user-1',
  client_id: CLIENT,
  token_use: 'access',
  username: 'olu',
  'cognito:groups': ['operator'],
  iat: nowSec - 10,
  exp: nowSec + 3600,
  ...over,
});

let jwks: Jwks = { keys: [jwkOf(rsa.publicKey, 'rsa-1', 'RS256'), jwkOf(ec.publicKey, 'ec-1', 'ES256')] };
let fetches = 0;
let server: Server;
let url: string;
let clock = NOW;

beforeAll(async () => {
  server = createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const verifier = (opts: Partial<ConstructorParameters<typeof JwksTokenVerifier>[0]> = {}) =>
  new JwksTokenVerifier({ jwks: url, issuer: ISS, audiences: [CLIENT], tokenUse: ['access', 'id'], now: () => clock, ...opts });

async function refusal(v: JwksTokenVerifier, token: string): Promise<string> {
  const err = await v.verify(token).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'the token must be refused').toBeInstanceOf(UnauthorizedError);
  return (err as Error).message;
}

describe('JwksTokenVerifier (keys fetched over HTTP)', () => {
  it('accepts a good RS256 access token and an ES256 one, and builds the principal per role', async () => {
    const v = verifier();
    for (const role of ['viewer', 'operator', 'admin']) {
      const claims = await v.verify(jwt(access({ 'cognito:groups': [role], sub: `u-${role}` })));
      expect(userPrincipal(claims, '10.0.0.1')).toEqual({ kind: 'user', subject: `u-${role}`, name: 'olu', role, sourceIp: '10.0.0.1' });
    }
    const es = await v.verify(jwt(access(), { alg: 'ES256', kid: 'ec-1', key: ec.privateKey }));
    expect(es.sub).toBe('user-1');
    expect(userPrincipal(await v.verify(jwt(access({ 'cognito:groups': ['other'] }))), null).role).toBeNull();
  });

  it('accepts an id token by its aud', async () => {
    const claims = await verifier().verify(jwt(access({ token_use: 'id', client_id: undefined, aud: CLIENT, email: 'olu@example.com' })));
    expect(userPrincipal(claims, null).name).toBe('olu@example.com');
  });

  it('refuses a tampered payload', async () => {
    const good = jwt(access({ 'cognito:groups': ['viewer'] }));
    const [h, , s] = good.split('.');
    expect(await refusal(verifier(), `${h}.${b64(access({ 'cognito:groups': ['admin'] }))}.${s}`)).toMatch(/signature/);
  });

  it('refuses alg none, with or without a signature', async () => {
    const none = `${b64({ alg: 'none', typ: 'JWT', kid: 'rsa-1' })}.${b64(access())}.`;
    expect(await refusal(verifier(), none)).toMatch(/algorithm "none"/);
    expect(await refusal(verifier(), `${b64({ alg: 'NONE', kid: 'rsa-1' })}.${b64(access())}.xx`)).toMatch(/algorithm/);
  });

  it('refuses HS256 signed with the public key as the secret (key confusion)', async () => {
    const header = b64({ alg: 'HS256', kid: 'rsa-1', typ: 'JWT' });
    const body = b64(access());
    const secret = rsa.publicKey.export({ format: 'pem', type: 'spki' });
    const mac = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
    expect(await refusal(verifier(), `${header}.${body}.${mac}`)).toMatch(/HS256/);
  });

  it('refuses an RS256 header on the EC key', async () => {
    expect(await refusal(verifier(), jwt(access(), { alg: 'RS256', kid: 'ec-1', key: rsa.privateKey }))).toMatch(/does not fit/);
  });

  it('refuses expired and not-yet-valid tokens, allowing a small clock skew', async () => {
    const v = verifier({ clockSkewSeconds: 60 });
    expect(await refusal(v, jwt(access({ exp: nowSec - 61 })))).toMatch(/expired/);
    await expect(v.verify(jwt(access({ exp: nowSec - 30 })))).resolves.toBeDefined();
    expect(await refusal(v, jwt(access({ nbf: nowSec + 120 })))).toMatch(/not valid yet/);
    expect(await refusal(v, jwt(access({ exp: undefined })))).toMatch(/no expiry/);
  });

  it('refuses another issuer, another client, and another token use', async () => {
    expect(await refusal(verifier(), jwt(access({ iss: 'https://evil.example' })))).toMatch(/issuer/);
    expect(await refusal(verifier(), jwt(access({ client_id: 'someone-else' })))).toMatch(/audience/);
    expect(await refusal(verifier(), jwt(access({ token_use: 'id', aud: 'someone-else' })))).toMatch(/audience/);
    expect(await refusal(verifier({ tokenUse: ['access'] }), jwt(access({ token_use: 'id', aud: CLIENT })))).toMatch(/use/);
    expect(await refusal(verifier(), jwt(access({ token_use: 'refresh' })))).toMatch(/use/);
  });

  it('refuses an unknown kid and a key not in the set, refetching the set at most once per interval', async () => {
    const v = verifier({ minRefreshMs: 60_000 });
    await v.verify(jwt(access()));
    const before = fetches;
    expect(await refusal(v, jwt(access(), { kid: 'nope' }))).toMatch(/unknown key/);
    expect(await refusal(v, jwt(access(), { kid: 'nope-2' }))).toMatch(/unknown key/);
    expect(fetches - before).toBe(0);
    expect(await refusal(v, jwt(access(), { kid: 'rsa-1', key: other.privateKey }))).toMatch(/signature/);
  });

  it('picks up a rotated key on an unknown kid once the interval has passed', async () => {
    const v = verifier({ minRefreshMs: 60_000 });
    await v.verify(jwt(access()));
    const before = fetches;
    jwks = { keys: [...jwks.keys, jwkOf(other.publicKey, 'rsa-2', 'RS256')] };
    const rotated = jwt(access(), { kid: 'rsa-2', key: other.privateKey });
    expect(await refusal(v, rotated)).toMatch(/unknown key/);
    expect(fetches).toBe(before);
    clock += 61_000;
    await expect(v.verify(rotated)).resolves.toMatchObject({ sub: 'user-1' });
    expect(fetches).toBe(before + 1);
    clock = NOW;
  });

  it('refuses what is not a JWT', async () => {
    expect(await refusal(verifier(), 'sbt.abc.def.ghi')).toMatch(/not a JWT/);
    expect(await refusal(verifier(), 'a.b.c')).toMatch(/not a JSON object|base64url/);
  });
});
