import { ValidationError } from '../../core/errors';
import type { MetricProviders, MetricQueryContext, MetricValue } from '../../core/ports/metric-providers';
import type { MetricProviderSpec } from '../../core/rollouts/model';
import { findProxy, type ProxyLookup } from './local-proxy-target';
import { percentile } from './weighted-proxy';

/**
 * The `signalbox` metric provider of the local runtime: reads the weighted proxy named by the
 * rollout's `local-proxy` target.
 *
 * Deltas: the proxy keeps per-second request/error counts (an hour) and time-stamped latency
 * samples, so every measurement sums what happened since `ctx.since` (the analysis start). Nothing
 * is remembered between calls: a repeated or retried measurement gives the same answer for the same
 * traffic, and traffic before the first measurement (initialDelay) counts. Counts have one-second
 * resolution: requests in the second that contains `since` are included.
 *
 * Values: `error-rate` and `success-rate` are fractions (0–1), `request-count` a count,
 * `latency-p95-ms` the nearest-rank p95; each with `samples` = live requests (latency: samples kept)
 * of the `version` role (default canary). With no traffic the value is 0 (success-rate 1) with
 * `samples: 0`, so the minimum-sample rule makes it Inconclusive rather than an error.
 *
 * @throws ValidationError for another provider type; Error when the target is not a local proxy,
 *   the proxy is unknown or `since` is not a date (the analysis records an Error measurement).
 */
export class ProxyMetricProvider implements MetricProviders {
  constructor(private readonly proxies: ProxyLookup) {}

  async measure(provider: MetricProviderSpec, ctx: MetricQueryContext): Promise<MetricValue> {
    if (provider.type !== 'signalbox') {
      throw new ValidationError(`The proxy metric provider serves type signalbox, not ${provider.type}`, 'provider.type');
    }
    if (ctx.target.type !== 'local-proxy') {
      throw new Error(`signalbox metrics need a local-proxy target here, the rollout targets ${ctx.target.type}`);
    }
    const proxy = findProxy(this.proxies, ctx.target.proxy);
    if (!proxy) throw new Error(`No local proxy named ${ctx.target.proxy}`);
    const sinceMs = Date.parse(ctx.since);
    if (Number.isNaN(sinceMs)) throw new Error(`since is not a date: ${ctx.since}`);

    const window = proxy.window(provider.version ?? 'canary', sinceMs);
    switch (provider.query) {
      case 'request-count':
        return { value: window.requests, samples: window.requests };
      case 'error-rate':
        return { value: window.requests === 0 ? 0 : window.errors / window.requests, samples: window.requests };
      case 'success-rate':
        return { value: window.requests === 0 ? 1 : 1 - window.errors / window.requests, samples: window.requests };
      case 'latency-p95-ms':
        return { value: percentile(window.latenciesMs, 0.95) ?? 0, samples: window.latenciesMs.length };
    }
  }
}
