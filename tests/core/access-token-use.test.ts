import { describe, expect, it } from 'vitest';
import { InMemoryAccessTokenStore } from '../../functions/src/adapters/local/in-memory-access-tokens';
import { createAccessToken, revokeAccessToken, storeProducerTokens } from '../../functions/src/core/auth/access-tokens';

/**
 * Verifying a producer token records its last use at most once a minute per process: ingest at
 * hundreds of requests a second must not write the token's item on every request, and a revoked
 * token is refused at once (the record itself is read every time).
 */
describe('producer token verification', () => {
  it('writes last use once a minute, not per request, and refuses a revoked token at once', async () => {
    let now = Date.parse('2026-11-23T12:00:00.000Z');
    const store = new InMemoryAccessTokenStore();
    const touches: string[] = [];
    const touch = store.touch.bind(store);
    store.touch = async (id, at, min) => {
      touches.push(at);
      return touch(id, at, min);
    };
    const deps = { accessTokens: store, clock: { now: () => new Date(now).toISOString() } };
    const { token, secret } = await createAccessToken(deps, { name: 'ci', kind: 'producer', createdBy: 'test' });
    const producers = storeProducerTokens(deps);
    for (let i = 0; i < 50; i++) {
      expect(await producers.verify(secret)).toBe(true);
      now += 1000;
    }
    // 50 requests over 50 s: one write; the 61st second writes again.
    expect(touches).toEqual(['2026-11-23T12:00:00.000Z']);
    now = Date.parse('2026-11-23T12:01:01.000Z');
    expect(await producers.verify(secret)).toBe(true);
    expect(touches).toEqual(['2026-11-23T12:00:00.000Z', '2026-11-23T12:01:01.000Z']);
    expect((await store.get(token.id))?.lastUsedAt).toBe('2026-11-23T12:01:01.000Z');
    await revokeAccessToken(deps, { id: token.id, by: 'test' });
    expect(await producers.verify(secret)).toBe(false);
  });
});
