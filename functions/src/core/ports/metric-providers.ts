import type { MetricProviderSpec, TargetSpec } from '../rollouts/model';

/** What a provider may use to scope its query. */
export interface MetricQueryContext {
  rolloutId: string;
  service: string;
  environment: string;
  target: TargetSpec;
  stableVersion: string | null;
  canaryVersion: string | null;
  /** When the analysis run started (ISO 8601): counters are read as deltas since then. */
  since: string;
}

export interface MetricValue {
  value: number;
  /** Requests or other samples behind the value, when the provider knows (minimum-sample rule). */
  samples?: number;
}

/**
 * Takes one measurement of a metric. Throws (any error) when the measurement cannot be taken: the
 * analysis records it as an Error measurement, subject to `consecutiveErrorLimit`. A value that is
 * not a finite number is an error too.
 */
export interface MetricProviders {
  measure(provider: MetricProviderSpec, ctx: MetricQueryContext): Promise<MetricValue>;
}
