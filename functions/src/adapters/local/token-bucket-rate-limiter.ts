import type { RateLimiter, RouteClass } from '../../core/ports/rate-limiter';

/** One bucket's size (burst) and refill rate (requests per second). */
export interface BucketLimit {
  capacity: number;
  perSecond: number;
}

/** Generous defaults for one person's portal plus scripts; the seed's ingest bursts fit. */
export const DEFAULT_RATE_LIMITS: Readonly<Record<RouteClass, BucketLimit>> = {
  reads: { capacity: 600, perSecond: 100 },
  writes: { capacity: 120, perSecond: 20 },
  ingest: { capacity: 2000, perSecond: 500 },
};

/**
 * A token bucket per client and route class, in memory (the local runtime is one process). A
 * bucket starts full, refills continuously, and is forgotten once full again (so idle clients cost
 * nothing). `now` is milliseconds (injected so tests need no timers).
 */
export class TokenBucketRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly limits: Record<RouteClass, BucketLimit>;

  constructor(
    limits: Partial<Record<RouteClass, BucketLimit>> = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.limits = { ...DEFAULT_RATE_LIMITS, ...limits };
  }

  take(client: string, routeClass: RouteClass): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const limit = this.limits[routeClass];
    const key = `${routeClass}\u0000${client}`;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: limit.capacity, at: now };
    const tokens = Math.min(limit.capacity, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / limit.perSecond)) };
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > 10_000) this.sweep(now);
    return { ok: true };
  }

  private sweep(now: number): void {
    for (const [key, b] of this.buckets) {
      const cls = key.slice(0, key.indexOf('\u0000')) as RouteClass;
      const limit = this.limits[cls];
      if (b.tokens + ((now - b.at) / 1000) * limit.perSecond >= limit.capacity) this.buckets.delete(key);
    }
  }
}
