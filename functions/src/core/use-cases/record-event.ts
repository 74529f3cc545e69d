import { extractEvent } from '../cdevents/envelope';
import { prepareEvent } from '../cdevents/prepare';
import type { Deps } from '../deps';
import { ValidationError } from '../errors';
import { projectDora, projectDoraMany } from '../dora/project';
import { projectEvent, projectEvents } from '../inventory/project';
import type { DeliveredEvent } from '../ports/event-bus';
import type { StoredEvent } from '../ports/event-store';
import { mapLimit } from './map-limit';

/**
 * The store consumer: makes one CDEvent from the bus durable and visible. Events put on the bus by
 * Signalbox's own ingest are already stored and only get their projections; events published
 * straight to the bus (other accounts' PutEvents, agents) are stored here first, deduplicated by
 * `source` + `id`. Idempotent: a redelivery changes nothing. Throws on store failures (the caller
 * dead-letters) and `ValidationError` for a bus event that holds no usable CDEvent.
 */
export async function recordEvent(deps: Deps, delivered: DeliveredEvent): Promise<{ key: string; projected: boolean }> {
  const extracted = extractEvent(delivered.detail);
  const now = deps.clock.now();
  // Prepared (and size-checked) from the CDEvent alone, as ingest measured it: measuring the bus
  // envelope too would refuse here an event that ingest accepted just under the limit.
  const prepared = prepareEvent(extracted, now);
  if ('error' in prepared) throw new ValidationError(prepared.error.message, prepared.error.field, prepared.error.code);

  let stored = await deps.events.get(prepared.key);
  if (!stored) {
    // Not stored yet, i.e. it reached the bus without Signalbox's ingest: keep the envelope as raw.
    const record: StoredEvent = { ...prepared, raw: delivered, receivedAs: 'eventbridge', ingestedAt: now, projected: false };
    await deps.events.putIfAbsent(record);
    stored = (await deps.events.get(prepared.key)) ?? record;
  }
  if (stored.projected) return { key: stored.key, projected: false };
  await projectEvent(deps, stored);
  // Before markProjected: a failure here dead-letters, and the replay runs both idempotent projections again.
  await projectDora(deps, stored);
  await deps.events.markProjected(stored);
  return { key: stored.key, projected: true };
}

/**
 * Runs `recordEvent` and turns a failure into a dead letter (idempotent per bus event and
 * consumer), so a poison event never blocks the bus and can be replayed once fixed. Rethrows only
 * when the dead letter itself cannot be written, so the platform's own retry/DLQ takes over.
 */
export async function recordEventOrDeadLetter(deps: Deps, delivered: DeliveredEvent): Promise<void> {
  try {
    await recordEvent(deps, delivered);
  } catch (err) {
    const now = deps.clock.now();
    const id = `store-${delivered.id}`;
    const existing = await deps.deadLetters.get(id);
    let eventKey: string | null = null;
    const extracted = extractEvent(delivered.detail);
    if (extracted.ok) {
      const p = prepareEvent(extracted, now);
      if (!('error' in p)) eventKey = p.key;
    }
    deps.logger.error('store consumer failed; dead-lettered', { id, eventKey, error: (err as Error).message });
    await deps.deadLetters.record({
      id,
      eventKey,
      consumer: 'store',
      error: `${(err as Error).name}: ${(err as Error).message}`,
      attempts: (existing?.attempts ?? 0) + 1,
      firstFailedAt: existing?.firstFailedAt ?? now,
      lastFailedAt: now,
      payload: delivered,
      state: 'pending',
    });
  }
}

/**
 * The store consumer for many bus events at once (what the local bus's store rule hands over, the
 * way an SQS-fed Lambda receives a batch): the same outcome as {@link recordEventOrDeadLetter} per
 * event, with fewer store requests — the events read in one batch, projections folded per cell and
 * environment (see `projectEvents`), history, DORA and "projected" written in batches. Events that
 * are not usable or not stored yet, and the whole batch when a batched step fails, go through
 * `recordEventOrDeadLetter` one at a time (every step is idempotent, so a partial batch is safe).
 * Rejects only when a dead letter cannot be written.
 */
export async function recordEventsOrDeadLetter(deps: Deps, delivered: DeliveredEvent[]): Promise<void> {
  if (delivered.length === 1) return recordEventOrDeadLetter(deps, delivered[0]!);
  const now = deps.clock.now();
  const keys = delivered.map((d) => {
    const prepared = prepareEvent(extractEvent(d.detail), now);
    return 'error' in prepared ? null : prepared.key;
  });
  let oneByOne = delivered.filter((_, i) => keys[i] === null);
  try {
    const wanted = [...new Set(keys.filter((k): k is string => k !== null))];
    const stored = deps.events.getMany
      ? await deps.events.getMany(wanted)
      : new Map((await mapLimit(wanted, 8, async (k) => [k, await deps.events.get(k)] as const)).filter((e): e is readonly [string, StoredEvent] => e[1] !== null));
    const toProject = new Map<string, StoredEvent>();
    delivered.forEach((d, i) => {
      const key = keys[i];
      if (key === null || key === undefined) return;
      const event = stored.get(key);
      // Not stored yet: it reached the bus without Signalbox's ingest; the single path stores it.
      if (!event) oneByOne.push(d);
      else if (!event.projected) toProject.set(key, event);
    });
    const events = [...toProject.values()];
    if (events.length > 0) {
      await projectEvents(deps, events);
      // Before markProjected, as in recordEvent: a failure leaves the events unprojected for the retry.
      await projectDoraMany(deps, events);
      if (deps.events.markProjectedMany) await deps.events.markProjectedMany(events);
      else await mapLimit(events, 8, (e) => deps.events.markProjected(e));
    }
  } catch (err) {
    deps.logger.warn('batched store consumer failed; recording the batch one event at a time', { events: delivered.length, error: (err as Error).message });
    oneByOne = delivered;
  }
  await mapLimit(oneByOne, 8, (d) => recordEventOrDeadLetter(deps, d));
}
