import { DependencyError, ValidationError } from '../../core/errors';
import type { MetricProviders, MetricQueryContext, MetricValue } from '../../core/ports/metric-providers';
import { readJsonPath, toMetricNumber } from '../../core/rollouts/json-path';
import type { MetricProviderSpec } from '../../core/rollouts/model';

/** Default and largest response a metric endpoint may send; metrics are small documents. */
export const MAX_METRIC_RESPONSE_BYTES = 1024 * 1024;
export const DEFAULT_METRIC_TIMEOUT_SECONDS = 10;

const unavailable = (message: string, cause?: unknown) =>
  new DependencyError(message, 'provider', { code: 'metric_unavailable', ...(cause === undefined ? {} : { cause }) });

/** What {@link getJson} gives back: the status and the parsed body (undefined when it was not JSON). */
export interface JsonResponse {
  status: number;
  ok: boolean;
  body: unknown;
}

/**
 * GETs a URL and parses a JSON body, with a timeout (AbortSignal) and a size limit.
 * @throws DependencyError (`metric_unavailable`) when the request fails, times out, or the body is
 *   too large. A non-JSON body is returned as `body: undefined`, a non-2xx status as `ok: false`.
 */
export async function getJson(
  url: string,
  options: { headers?: Record<string, string>; timeoutSeconds?: number; maxBytes?: number } = {},
): Promise<JsonResponse> {
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_METRIC_TIMEOUT_SECONDS;
  const maxBytes = options.maxBytes ?? MAX_METRIC_RESPONSE_BYTES;
  const signal = AbortSignal.timeout(timeoutSeconds * 1_000);
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json', ...options.headers }, signal, redirect: 'follow' });
  } catch (error) {
    const why = signal.aborted ? `timed out after ${timeoutSeconds} s` : `failed: ${describeFetchError(error)}`;
    throw unavailable(`GET ${safeUrl(url)} ${why}`, error);
  }
  let text: string;
  try {
    text = await readLimited(response, maxBytes);
  } catch (error) {
    if (error instanceof DependencyError) throw error;
    const why = signal.aborted ? `timed out after ${timeoutSeconds} s` : `failed while reading: ${describeFetchError(error)}`;
    throw unavailable(`GET ${safeUrl(url)} ${why}`, error);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, ok: response.ok, body };
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw unavailable(`the response is ${declared} bytes, more than the ${maxBytes} allowed`);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw unavailable(`the response is more than the ${maxBytes} bytes allowed`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  if (cause?.code) return cause.code;
  return error instanceof Error ? error.message : String(error);
}

/** The URL without credentials or query string, for messages (queries may carry tokens). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * The `http` metric provider: GETs `url` (with `headers`, within `timeoutSeconds`, default 10) and
 * reads a finite number at `jsonPath` (numeric strings accepted). No samples are reported.
 *
 * @throws DependencyError (`metric_unavailable`) on a network error, timeout, a non-2xx status
 *   (named in the message), a body that is not JSON, no value at the path, or a value that is not
 *   a finite number; ValidationError for another provider type.
 */
export class HttpJsonMetrics implements MetricProviders {
  async measure(provider: MetricProviderSpec, _ctx: MetricQueryContext): Promise<MetricValue> {
    if (provider.type !== 'http') throw new ValidationError(`HttpJsonMetrics serves type http, not ${provider.type}`, 'provider.type');
    const where = safeUrl(provider.url);
    const response = await getJson(provider.url, {
      ...(provider.headers ? { headers: provider.headers } : {}),
      ...(provider.timeoutSeconds ? { timeoutSeconds: provider.timeoutSeconds } : {}),
    });
    if (!response.ok) throw unavailable(`GET ${where} answered ${response.status}`);
    if (response.body === undefined) throw unavailable(`GET ${where} did not answer JSON`);
    try {
      return { value: toMetricNumber(readJsonPath(response.body, provider.jsonPath), `the value at ${provider.jsonPath}`) };
    } catch (error) {
      throw unavailable(`GET ${where}: ${(error as Error).message}`, error);
    }
  }
}
