import { describe, expect, it } from 'vitest';
import { TokenBucketRateLimiter } from '../../functions/src/adapters/local/token-bucket-rate-limiter';

describe('TokenBucketRateLimiter', () => {
  it('lets a burst of `capacity` through, then answers with the seconds until the next token', () => {
    let now = 0;
    const limiter = new TokenBucketRateLimiter({ writes: { capacity: 3, perSecond: 0.5 } }, () => now);
    for (let i = 0; i < 3; i++) expect(limiter.take('user:a', 'writes')).toEqual({ ok: true });
    expect(limiter.take('user:a', 'writes')).toEqual({ ok: false, retryAfterSeconds: 2 });
    now += 1000;
    expect(limiter.take('user:a', 'writes')).toEqual({ ok: false, retryAfterSeconds: 1 });
    now += 1000;
    expect(limiter.take('user:a', 'writes')).toEqual({ ok: true });
    expect(limiter.take('user:a', 'writes').ok).toBe(false);
  });

  it('keeps one bucket per client and per route class', () => {
    const limiter = new TokenBucketRateLimiter({ writes: { capacity: 1, perSecond: 0.01 }, reads: { capacity: 1, perSecond: 0.01 } }, () => 0);
    expect(limiter.take('user:a', 'writes').ok).toBe(true);
    expect(limiter.take('user:a', 'writes').ok).toBe(false);
    expect(limiter.take('user:b', 'writes').ok).toBe(true);
    expect(limiter.take('user:a', 'reads').ok).toBe(true);
  });

  it('never refills past capacity', () => {
    let now = 0;
    const limiter = new TokenBucketRateLimiter({ ingest: { capacity: 2, perSecond: 10 } }, () => now);
    now += 3_600_000;
    expect(limiter.take('ip:x', 'ingest').ok).toBe(true);
    expect(limiter.take('ip:x', 'ingest').ok).toBe(true);
    expect(limiter.take('ip:x', 'ingest').ok).toBe(false);
  });
});
