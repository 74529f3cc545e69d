import { DependencyError, ValidationError } from '../../core/errors';
import type { MetricProviders, MetricQueryContext, MetricValue } from '../../core/ports/metric-providers';
import { toMetricNumber } from '../../core/rollouts/json-path';
import type { MetricProviderSpec } from '../../core/rollouts/model';
import { getJson, safeUrl } from './http-json-metrics';

const unavailable = (message: string, cause?: unknown) =>
  new DependencyError(message, 'provider', { code: 'metric_unavailable', ...(cause === undefined ? {} : { cause }) });

interface PrometheusAnswer {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

/** The instant-query URL: `${address}/api/v1/query?query=…`, keeping a path prefix in the address. */
export function prometheusQueryUrl(address: string, query: string): string {
  const url = new URL(address.endsWith('/') ? address : `${address}/`);
  url.pathname = `${url.pathname}api/v1/query`;
  url.search = '';
  url.searchParams.set('query', query);
  return url.toString();
}

/**
 * The `prometheus` metric provider: an instant query (`GET /api/v1/query`). The value is the first
 * sample of a vector result, or the scalar; numbers arrive as strings and must be finite. No
 * samples are reported (Prometheus does not say how many requests are behind a rate).
 *
 * @throws DependencyError (`metric_unavailable`) on a network error or timeout, a non-2xx status or
 *   `status: error` (with Prometheus's error text), an empty vector ("no data"), a matrix or string
 *   result, or a value that is not finite (`NaN`, `+Inf`); ValidationError for another provider type.
 */
export class PrometheusMetrics implements MetricProviders {
  async measure(provider: MetricProviderSpec, _ctx: MetricQueryContext): Promise<MetricValue> {
    if (provider.type !== 'prometheus') throw new ValidationError(`PrometheusMetrics serves type prometheus, not ${provider.type}`, 'provider.type');
    const url = prometheusQueryUrl(provider.address, provider.query);
    const where = `Prometheus ${safeUrl(url)}`;
    const response = await getJson(url, provider.timeoutSeconds ? { timeoutSeconds: provider.timeoutSeconds } : {});
    const answer = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as PrometheusAnswer;
    if (!response.ok || answer.status === 'error') {
      const detail = answer.error ? `: ${answer.errorType ?? 'error'}: ${answer.error}` : '';
      throw unavailable(`${where} answered ${response.status}${detail}`);
    }
    if (answer.status !== 'success' || typeof answer.data !== 'object' || answer.data === null) {
      throw unavailable(`${where} did not answer a Prometheus query result`);
    }
    const { resultType, result } = answer.data;
    let raw: unknown;
    switch (resultType) {
      case 'vector': {
        if (!Array.isArray(result)) throw unavailable(`${where} answered a vector without samples`);
        if (result.length === 0) throw unavailable(`${where}: no data for ${provider.query}`);
        raw = (result[0] as { value?: unknown[] } | null)?.value?.[1];
        break;
      }
      case 'scalar':
        raw = Array.isArray(result) ? result[1] : undefined;
        break;
      default:
        throw unavailable(`${where} answered a ${String(resultType)} result; use a query that returns an instant vector or a scalar`);
    }
    try {
      return { value: toMetricNumber(raw, `the value of ${provider.query}`) };
    } catch (error) {
      throw unavailable(`${where}: ${(error as Error).message}`, error);
    }
  }
}
