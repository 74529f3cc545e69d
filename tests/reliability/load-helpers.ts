import type { EventSummary, IngestResult, Page } from '../../functions/src/core/read-models';

/** A unique, valid `service.deployed` CDEvent for `service` (ids `<run>-<n>`). */
export function loadEvent(service: string, run: string, n: number): Record<string, unknown> {
  return {
    context: {
      specversion: '0.5.1',
      id: `${run}-${n}`,
      source: '/tests/reliability',
      type: 'dev.cdevents.service.deployed.0.3.0',
      // Distinct, increasing timestamps so every event has its own place in the timeline.
      timestamp: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
    },
    subject: { id: service, content: { environment: { id: 'prod' }, artifactId: `pkg:oci/${service}@sha256%3A${n.toString(16).padStart(8, '0')}` } },
  };
}

/** What one ingest request came back with. */
export type IngestOutcome =
  | { kind: 'answered'; status: number; headers: Headers; body: unknown }
  /** No answer (connection refused or cut): the events may or may not have been accepted. */
  | { kind: 'no-answer'; error: string };

export async function postEvents(url: string, token: string, events: unknown[]): Promise<IngestOutcome> {
  try {
    const res = await fetch(`${url}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(events.length === 1 ? events[0] : events),
    });
    return { kind: 'answered', status: res.status, headers: res.headers, body: await jsonOrText(res) };
  } catch (error) {
    return { kind: 'no-answer', error: (error as Error).message };
  }
}

/** The keys a 202 answer reports as `stored` (new and accepted). */
export function storedKeys(outcome: IngestOutcome): string[] {
  if (outcome.kind !== 'answered' || outcome.status !== 202) return [];
  return ((outcome.body as { results: IngestResult[] }).results ?? []).filter((r) => r.status === 'stored').map((r) => r.key!);
}

/**
 * Why an answer is not a clean one (null when it is): a 202 with one result per event, or an
 * error status with the documented `{error: {code, field, message}}` body, and `Retry-After` on 429.
 */
export function unclean(outcome: IngestOutcome, sent: number): string | null {
  if (outcome.kind !== 'answered') return null;
  const { status, headers, body } = outcome;
  if (!(headers.get('content-type') ?? '').startsWith('application/json')) return `${status} without a JSON content type`;
  if (status === 202) {
    const results = (body as { results?: unknown[] }).results;
    return Array.isArray(results) && results.length === sent ? null : `202 without ${sent} results: ${JSON.stringify(body).slice(0, 200)}`;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } }).error;
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string' || !('field' in error)) {
    return `${status} without the error shape: ${JSON.stringify(body).slice(0, 200)}`;
  }
  if (status === 429 && !/^\d+$/.test(headers.get('retry-after') ?? '')) return '429 without Retry-After';
  if (![429, 500, 503].includes(status)) return `unexpected status ${status} (${error.code})`;
  return null;
}

/** A viewer's token from the local issuer's endpoint (works for a runtime in another process). */
export async function viewerToken(url: string): Promise<string> {
  const res = await fetch(`${url}/local/token?role=viewer`);
  return ((await res.json()) as { token: string }).token;
}

/** Every key in the service's timeline (`GET /api/events?service=`), all pages, in order. */
export async function timelineKeys(url: string, token: string, service: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ service, limit: '200', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${url}/api/events?${query}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`GET /api/events answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as Page<EventSummary>;
    keys.push(...page.items.map((e) => e.key));
    cursor = page.next;
  } while (cursor);
  return keys;
}

/** Keys that `GET /api/events/{key}` does not answer 200 for. */
export async function unreadable(url: string, token: string, keys: string[], concurrency = 16): Promise<string[]> {
  const missing: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        const res = await fetch(`${url}/api/events/${key}`, { headers: { authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
        if (res.status !== 200) missing.push(key);
      }
    }),
  );
  return missing;
}

/** Keys that occur more than once. */
export function duplicates(keys: string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const k of keys) (seen.has(k) ? twice : seen).add(k);
  return [...twice];
}

/** A response's body as JSON, or `{ notJson: <text> }` when it is not JSON. */
export async function jsonOrText(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { notJson: text };
  }
}
