import { parseIngestRequest, type Headers } from '../cdevents/envelope';
import { prepareEvent, type PreparedEvent } from '../cdevents/prepare';
import type { Deps } from '../deps';
import { DependencyError, PayloadTooLargeError, UnauthorizedError, ValidationError } from '../errors';
import type { StoredEvent } from '../ports/event-store';
import type { IngestResult } from '../read-models';
import { CDEVENT_DETAIL_TYPE, INGEST_BUS_SOURCE } from '../../shared/bus-rules';
import { mapLimit } from './map-limit';

export const MAX_BATCH = 500;
/** Whole request; API Gateway takes 10 MB and Lambda 6 MB synchronous payloads. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface IngestInput {
  headers: Headers;
  body: string;
}

/**
 * Checks a producer bearer token. Throws `UnauthorizedError` when it is missing, malformed or not
 * a valid producer token.
 */
export async function authorizeProducer(deps: Pick<Deps, 'producerTokens'>, authorization: string | undefined): Promise<void> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) throw new UnauthorizedError('Authorization: Bearer <producer token> is required');
  if (!(await deps.producerTokens.verify(match[1]!))) throw new UnauthorizedError('the producer token is not valid');
}

/**
 * Accepts CDEvents from a producer: parses the request, validates each event, stores each new one
 * durably (deduplicated by `source` + `id`) and puts it on the bus, where the store consumer makes
 * it visible. Returns one result per event, in request order. Lenient: an event with schema
 * violations is stored with them; only unusable events are rejected.
 *
 * Throws `PayloadTooLargeError` over `MAX_BODY_BYTES`, and `ValidationError` when nothing in the
 * request can be used (not JSON, not a batch, or a single event that is unusable). Safe to retry:
 * a retried event answers `duplicate`. An event stored but not accepted by the bus is dead-lettered
 * (replay puts it through), so nothing accepted is lost.
 */
export async function ingestEvents(deps: Deps, input: IngestInput): Promise<{ results: IngestResult[] }> {
  const bytes = Buffer.byteLength(input.body);
  if (bytes > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`request body is ${bytes} bytes; the limit is ${MAX_BODY_BYTES}`, MAX_BODY_BYTES);
  }
  const parsed = parseIngestRequest(input.headers, input.body, MAX_BATCH);
  if ('error' in parsed) throw new ValidationError(parsed.error.message, parsed.error.field, parsed.error.code);
  // Refused before anything is stored, so the producer's resend after Retry-After is a clean retry.
  const waitSeconds = deps.ingestBackpressure?.() ?? null;
  if (waitSeconds !== null) {
    throw new DependencyError(`Signalbox is behind on making accepted events visible; resend in ${waitSeconds} s`, null, {
      code: 'ingest_busy',
      retryAfterSeconds: waitSeconds,
    });
  }

  const ingestedAt = deps.clock.now();
  const prepared = parsed.items.map((item) => prepareEvent(item, ingestedAt));
  const usable = prepared.filter((p): p is PreparedEvent => !('error' in p));
  if (usable.length === 0) {
    const first = prepared[0] as { error: { code: string; field: string | null; message: string } };
    const field = parsed.batch ? `[0].${first.error.field ?? ''}`.replace(/\.$/, '') : first.error.field;
    throw new ValidationError(first.error.message, field, first.error.code);
  }

  // The same event twice in one request is stored once: the second answers duplicate.
  const firstIndexOfKey = new Map<string, number>();
  prepared.forEach((p, i) => {
    if (!('error' in p) && !firstIndexOfKey.has(p.key)) firstIndexOfKey.set(p.key, i);
  });

  // A duplicate that is stored but not projected yet is published again: an earlier request may
  // have stored it and then failed before the bus took it (answered 503), and the producer's retry
  // must not leave it invisible. The store consumer is idempotent, so an event that is merely on
  // its way through the bus is projected once all the same.
  const republish = new Set<number>();
  const outcomes = await mapLimit(prepared, 16, async (p, i): Promise<IngestResult> => {
    if ('error' in p) return { status: 'rejected', violations: [], error: p.error };
    if (firstIndexOfKey.get(p.key) !== i) return { status: 'duplicate', key: p.key, violations: p.violations };
    const record: StoredEvent = { ...p, ingestedAt, projected: false };
    const created = await deps.events.putIfAbsent(record);
    if (created === 'exists' && (await deps.events.get(p.key))?.projected === false) republish.add(i);
    return { status: created === 'created' ? 'stored' : 'duplicate', key: p.key, violations: p.violations };
  });

  const toPublish = outcomes
    .map((o, i) => ({ o, p: prepared[i] as PreparedEvent, i }))
    .filter(({ o, i }) => o.status === 'stored' || republish.has(i));
  if (toPublish.length > 0) await publishStored(deps, toPublish.map(({ p }) => p));
  return { results: outcomes };
}

/** Puts stored events on the bus; what the bus refuses becomes a dead letter, never a silent loss. */
async function publishStored(deps: Deps, events: PreparedEvent[]): Promise<void> {
  let results;
  try {
    results = await deps.bus.publish(
      events.map((e) => ({ source: INGEST_BUS_SOURCE, detailType: CDEVENT_DETAIL_TYPE, detail: e.cdevent, time: deps.clock.now() })),
    );
  } catch (err) {
    results = events.map(() => ({ errorCode: 'BusUnavailable', errorMessage: (err as Error).message }));
  }
  const now = deps.clock.now();
  await Promise.all(
    results.map(async (result, i) => {
      if ('eventId' in result) return;
      const event = events[i]!;
      deps.logger.error('bus refused a stored event; dead-lettered', { key: event.key, code: result.errorCode });
      await deps.deadLetters.record({
        id: `publish-${event.key}`,
        eventKey: event.key,
        consumer: 'publish',
        error: `${result.errorCode}: ${result.errorMessage}`,
        attempts: 1,
        firstFailedAt: now,
        lastFailedAt: now,
        payload: event.cdevent,
        state: 'pending',
      });
    }),
  );
}
