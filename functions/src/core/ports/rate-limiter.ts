/** Which budget a request spends: reads (GET), writes (other methods), ingest (producer and agent pushes). */
export type RouteClass = 'reads' | 'writes' | 'ingest';

/**
 * Per-client request budgets (locally a token bucket per client and route class; in AWS API
 * Gateway throttles and no limiter is wired).
 */
export interface RateLimiter {
  /** Spends one request of `client`'s budget for `routeClass`; `retryAfterSeconds` (≥ 1) when none is left. */
  take(client: string, routeClass: RouteClass): { ok: true } | { ok: false; retryAfterSeconds: number };
}
