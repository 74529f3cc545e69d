import middy from '@middy/core';
import type { LiveDeps } from '../../core/live/use-cases';
import { broadcast } from '../../core/live/use-cases';
import type { DeliveredEvent } from '../../core/ports/event-bus';

/**
 * Target of the `LiveUpdates` bus rule (target `live`): pushes the live messages of one bus event
 * (a CDEvent or a `SignalboxObservation`) to the subscribed portals and forgets gone connections.
 */
export function createLiveBroadcastHandler(deps: LiveDeps) {
  return middy<DeliveredEvent, void>().handler(async (event) => {
    const out = await broadcast(deps, [event]);
    if (out.removed > 0 || out.failed > 0) deps.logger.info('live broadcast', { ...out, eventId: event.id });
  });
}
