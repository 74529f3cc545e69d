import { extractEvent } from '../cdevents/envelope';
import { prepareEvent } from '../cdevents/prepare';
import type { Deps } from '../deps';
import { ValidationError } from '../errors';
import { projectDora } from '../dora/project';
import { projectEvent } from '../inventory/project';
import type { DeliveredEvent } from '../ports/event-bus';
import type { StoredEvent } from '../ports/event-store';

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
