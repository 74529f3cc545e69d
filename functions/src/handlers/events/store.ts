import middy from '@middy/core';
import type { Deps } from '../../core/deps';
import type { DeliveredEvent } from '../../core/ports/event-bus';
import { recordEventOrDeadLetter, recordEventsOrDeadLetter } from '../../core/use-cases/record-event';

/**
 * Target of the `StoreCdEvents` bus rule: stores the CDEvent and updates the current-state view.
 * A failure becomes a dead letter (listed by `GET /api/dead-letters`, replayable); only a failure to
 * write the dead letter escapes, so the platform retries and finally uses the target's DLQ.
 */
export function createStoreHandler(deps: Deps) {
  return middy<DeliveredEvent, void>().handler(async (event) => {
    await recordEventOrDeadLetter(deps, event);
  });
}

/**
 * The same consumer for a batch of bus events (the local bus's store rule, through
 * `batchingTarget`): one store round per batch instead of one per event; see
 * `recordEventsOrDeadLetter`.
 */
export function createStoreBatchHandler(deps: Deps): (events: DeliveredEvent[]) => Promise<void> {
  return (events) => recordEventsOrDeadLetter(deps, events);
}
