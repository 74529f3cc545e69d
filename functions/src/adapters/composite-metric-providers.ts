import { DependencyError } from '../core/errors';
import type { MetricProviders, MetricQueryContext, MetricValue } from '../core/ports/metric-providers';
import type { MetricProviderSpec } from '../core/rollouts/model';

/** One provider per metric provider type this runtime can serve. */
export type MetricProviderMap = Partial<Record<MetricProviderSpec['type'], MetricProviders>>;

/**
 * Dispatches each measurement to the provider for `provider.type`, from the map the composition
 * root gives (AWS: http, prometheus, cloudwatch-*; local: http, prometheus, signalbox via the
 * weighted proxy), and checks the answer is a finite number.
 *
 * @throws DependencyError (`metric_unavailable`) for a type this runtime does not serve ("provider
 *   type X is not available in this runtime") or a value that is not a finite number; whatever the
 *   provider throws otherwise. The analysis records any of these as an Error measurement.
 */
export class CompositeMetricProviders implements MetricProviders {
  constructor(private readonly providers: MetricProviderMap) {}

  async measure(provider: MetricProviderSpec, ctx: MetricQueryContext): Promise<MetricValue> {
    const type = provider.type;
    const target = Object.hasOwn(this.providers, type) ? this.providers[type] : undefined;
    if (!target) {
      throw new DependencyError(`provider type ${String(type)} is not available in this runtime`, 'provider.type', { code: 'metric_unavailable' });
    }
    const measured = await target.measure(provider, ctx);
    if (typeof measured?.value !== 'number' || !Number.isFinite(measured.value)) {
      // With a sample count the minimum-sample rule judges it: no traffic is Inconclusive, not an error.
      if (typeof measured?.value === 'number' && typeof measured.samples === 'number') return measured;
      throw new DependencyError(`provider ${type} returned ${String(measured?.value)}, not a finite number`, 'provider', { code: 'metric_unavailable' });
    }
    return measured;
  }

  /** The types this runtime serves. */
  types(): MetricProviderSpec['type'][] {
    return (Object.keys(this.providers) as MetricProviderSpec['type'][]).filter((type) => this.providers[type] !== undefined);
  }
}
