/**
 * Seeds the demo history through Signalbox's public ingest path (`POST /api/events`), exactly as an
 * external producer would: batches of CDEvents as a JSON array, authenticated with a producer token.
 */
import { buildDemoEvents, type DemoEvent } from './demo-events';

/** Options of {@link seedDemo}. */
export interface SeedDemoOptions {
  /** Signalbox base URL, e.g. `http://localhost:3000` (a trailing slash is fine). */
  baseUrl: string;
  /** Producer token sent as `Authorization: Bearer <token>`. */
  token: string;
  /** End of the demo history (default: the current time). */
  now?: Date;
  /** Events per request (default 250). */
  batchSize?: number;
  /** Called after each accepted batch with the number of events sent so far and the total. */
  onProgress?: (sent: number, total: number) => void;
  /** `fetch` to use (default: the global one). */
  fetchImpl?: typeof fetch;
}

/** What the ingest said about the seeded events, summed over all batches. */
export interface SeedDemoResult {
  sent: number;
  stored: number;
  duplicate: number;
  rejected: number;
}

/** Content type of a CloudEvents JSON batch. */
export const BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json';
const DEFAULT_BATCH_SIZE = 250;
const RETRY_DELAY_MS = 250;

/**
 * Builds the demo events ({@link buildDemoEvents}) and posts them in order, one batch at a time, to
 * `${baseUrl}/api/events`. Idempotent: ingest dedupes on `source` + `id`, so seeding twice (same
 * `now`) reports the second run as duplicates. A network error is retried once per batch (safe for
 * the same reason). Throws an `Error` naming the HTTP status and body when a batch is not answered
 * 202, or when the answer does not carry one result per event.
 */
export async function seedDemo(opts: SeedDemoOptions): Promise<SeedDemoResult> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`seedDemo: batchSize must be a positive integer, got ${batchSize}`);
  const fetchImpl = opts.fetchImpl ?? fetch;
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/api/events`;
  const events = buildDemoEvents({ now: opts.now ?? new Date() });
  const total = events.length;
  const result: SeedDemoResult = { sent: 0, stored: 0, duplicate: 0, rejected: 0 };

  for (let offset = 0; offset < total; offset += batchSize) {
    const batch = events.slice(offset, offset + batchSize);
    const label = `batch ${offset / batchSize + 1} of ${Math.ceil(total / batchSize)}`;
    const statuses = await postBatch(fetchImpl, url, opts.token, batch, label);
    for (const status of statuses) {
      if (status === 'stored') result.stored++;
      else if (status === 'duplicate') result.duplicate++;
      else result.rejected++;
    }
    result.sent += batch.length;
    opts.onProgress?.(result.sent, total);
  }
  return result;
}

async function postBatch(fetchImpl: typeof fetch, url: string, token: string, batch: DemoEvent[], label: string): Promise<string[]> {
  const init: RequestInit = {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': BATCH_CONTENT_TYPE, accept: 'application/json' },
    body: JSON.stringify(batch),
  };
  let response: Response;
  try {
    response = await fetchImpl(url, init);
  } catch (first) {
    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    try {
      response = await fetchImpl(url, init);
    } catch (second) {
      throw new Error(`seedDemo: POST ${url} failed twice (${label}): ${(second as Error).message}`, { cause: first });
    }
  }
  const body = await response.text();
  if (response.status !== 202) {
    throw new Error(`seedDemo: POST ${url} answered HTTP ${response.status} (${label}): ${body.slice(0, 2000)}`);
  }
  let results: unknown;
  try {
    results = (JSON.parse(body) as { results?: unknown }).results;
  } catch {
    results = undefined;
  }
  if (!Array.isArray(results) || results.length !== batch.length) {
    throw new Error(`seedDemo: POST ${url} answered HTTP 202 without one result per event (${label}, ${batch.length} sent): ${body.slice(0, 2000)}`);
  }
  return results.map((r) => String((r as { status?: unknown } | null)?.status));
}
