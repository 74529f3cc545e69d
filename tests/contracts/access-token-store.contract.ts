import { describe, expect, it } from 'vitest';
import { createAccessToken, ensureBootstrapToken, hashSecret, listAccessTokens, revokeAccessToken, verifyAccessToken } from '../../functions/src/core/auth/access-tokens';
import { ConflictError, NotFoundError, ValidationError } from '../../functions/src/core/errors';
import type { AccessTokenStore } from '../../functions/src/core/ports/access-tokens';

/** A clock the test moves. */
function testClock(start = '2026-06-01T12:00:00.000Z') {
  let ms = Date.parse(start);
  return { now: () => new Date(ms).toISOString(), advance: (by: number) => void (ms += by) };
}

/** The semantics every `AccessTokenStore` keeps, through the use cases that use it. */
export function accessTokenStoreContract(name: string, make: () => Promise<AccessTokenStore>): void {
  describe(`AccessTokenStore: ${name}`, () => {
    it('creates a token whose secret is shown once and stored only as its hash', async () => {
      const store = await make();
      const clock = testClock();
      const { token, secret } = await createAccessToken({ accessTokens: store, clock }, { name: 'ci', kind: 'producer', createdBy: 'ada@example.com' });
      expect(secret).toMatch(/^sbt\.[a-f0-9]{12}\.[A-Za-z0-9_-]{43}$/);
      expect(token).toMatchObject({ name: 'ci', kind: 'producer', agent: null, createdBy: 'ada@example.com', createdAt: clock.now(), lastUsedAt: null, revokedAt: null });
      expect(token).not.toHaveProperty('hash');
      const stored = await store.get(token.id);
      expect(stored!.hash).toBe(hashSecret(secret));
      expect(JSON.stringify(stored)).not.toContain(secret.split('.')[2]);
    });

    it('verifies the right kind only, and for agents the right agent', async () => {
      const store = await make();
      const deps = { accessTokens: store, clock: testClock() };
      const producer = await createAccessToken(deps, { name: 'ci', kind: 'producer', createdBy: 'a' });
      const agent = await createAccessToken(deps, { name: 'dc1', kind: 'agent', agent: 'dc1-agent', createdBy: 'a' });
      expect(await verifyAccessToken(deps, { secret: producer.secret, kind: 'producer' })).toMatchObject({ id: producer.token.id });
      expect(await verifyAccessToken(deps, { secret: producer.secret, kind: 'agent' })).toBeNull();
      expect(await verifyAccessToken(deps, { secret: agent.secret, kind: 'agent', agent: 'dc1-agent' })).toMatchObject({ id: agent.token.id });
      expect(await verifyAccessToken(deps, { secret: agent.secret, kind: 'agent', agent: 'dc2-agent' })).toBeNull();
      // Same id, other random part: refused.
      const forged = `${producer.secret.slice(0, 17)}${'A'.repeat(43)}`;
      expect(await verifyAccessToken(deps, { secret: forged, kind: 'producer' })).toBeNull();
      expect(await verifyAccessToken(deps, { secret: 'sbt.000000000000.' + 'B'.repeat(43), kind: 'producer' })).toBeNull();
    });

    it('refuses a revoked token; revoking twice keeps the first revocation', async () => {
      const store = await make();
      const clock = testClock();
      const deps = { accessTokens: store, clock };
      const { token, secret } = await createAccessToken(deps, { name: 'ci', kind: 'producer', createdBy: 'a' });
      const first = await revokeAccessToken(deps, { id: token.id, by: 'ada' });
      expect(first).toMatchObject({ revokedAt: clock.now(), revokedBy: 'ada' });
      clock.advance(5000);
      expect(await revokeAccessToken(deps, { id: token.id, by: 'bob' })).toMatchObject({ revokedAt: first.revokedAt, revokedBy: 'ada' });
      expect(await verifyAccessToken(deps, { secret, kind: 'producer' })).toBeNull();
      await expect(revokeAccessToken(deps, { id: 'nope', by: 'ada' })).rejects.toThrow(NotFoundError);
    });

    it('records last use at most once a minute', async () => {
      const store = await make();
      const clock = testClock();
      const deps = { accessTokens: store, clock };
      const { token, secret } = await createAccessToken(deps, { name: 'ci', kind: 'producer', createdBy: 'a' });
      const t0 = clock.now();
      await verifyAccessToken(deps, { secret, kind: 'producer' });
      expect((await store.get(token.id))!.lastUsedAt).toBe(t0);
      clock.advance(30_000);
      await verifyAccessToken(deps, { secret, kind: 'producer' });
      expect((await store.get(token.id))!.lastUsedAt).toBe(t0);
      clock.advance(31_000);
      await verifyAccessToken(deps, { secret, kind: 'producer' });
      expect((await store.get(token.id))!.lastUsedAt).toBe(clock.now());
    });

    it('lists newest first, revoked ones too, without hashes', async () => {
      const store = await make();
      const clock = testClock();
      const deps = { accessTokens: store, clock };
      const a = await createAccessToken(deps, { name: 'first', kind: 'producer', createdBy: 'a' });
      clock.advance(1000);
      const b = await createAccessToken(deps, { name: 'second', kind: 'agent', agent: 'x', createdBy: 'a' });
      await revokeAccessToken(deps, { id: a.token.id, by: 'a' });
      const { items } = await listAccessTokens(deps);
      expect(items.map((t) => t.id)).toEqual([b.token.id, a.token.id]);
      expect(items[1]!.revokedAt).not.toBeNull();
      expect(items.some((t) => 'hash' in t)).toBe(false);
    });

    it('keeps a bootstrap token idempotently, hashed, and a revoked one stays revoked', async () => {
      const store = await make();
      const deps = { accessTokens: store, clock: testClock() };
      const secret = 'sbx_legacy-file-token-0123456789';
      const first = await ensureBootstrapToken(deps, { secret, kind: 'producer', name: 'bootstrap' });
      expect(await ensureBootstrapToken(deps, { secret, kind: 'producer', name: 'bootstrap' })).toEqual(first);
      expect(await verifyAccessToken(deps, { secret, kind: 'producer' })).not.toBeNull();
      await revokeAccessToken(deps, { id: first.id, by: 'ada' });
      await ensureBootstrapToken(deps, { secret, kind: 'producer', name: 'bootstrap' });
      expect(await verifyAccessToken(deps, { secret, kind: 'producer' })).toBeNull();
      const agent = await ensureBootstrapToken(deps, { secret: 'agent-file-token-abcdefgh', kind: 'agent', name: 'agents' });
      expect(agent.agent).toBe('*');
      expect(await verifyAccessToken(deps, { secret: 'agent-file-token-abcdefgh', kind: 'agent', agent: 'any-agent' })).not.toBeNull();
    });

    it('refuses a second record with the same id and another hash', async () => {
      const store = await make();
      const rec = { id: 'abcdefabcdef', name: 'x', kind: 'producer' as const, agent: null, hash: 'aa', createdBy: 'a', createdAt: '2026-01-01T00:00:00.000Z', lastUsedAt: null, revokedAt: null };
      expect(await store.create(rec)).toBe(true);
      expect(await store.create(rec)).toBe(false);
      await expect(store.create({ ...rec, hash: 'bb' })).rejects.toThrow(ConflictError);
    });

    it('validates the request', async () => {
      const deps = { accessTokens: await make(), clock: testClock() };
      await expect(createAccessToken(deps, { name: '', kind: 'producer', createdBy: 'a' })).rejects.toThrow(ValidationError);
      await expect(createAccessToken(deps, { name: 'x', kind: 'user', createdBy: 'a' })).rejects.toMatchObject({ field: 'kind' });
      await expect(createAccessToken(deps, { name: 'x', kind: 'agent', createdBy: 'a' })).rejects.toMatchObject({ field: 'agent' });
      await expect(createAccessToken(deps, { name: 'x', kind: 'producer', agent: 'a', createdBy: 'a' })).rejects.toMatchObject({ field: 'agent' });
    });
  });
}
