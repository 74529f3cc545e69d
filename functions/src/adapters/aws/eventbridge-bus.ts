import {
  PutEventsCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { DependencyError } from '../../core/errors';
import type { BusEvent, EventBus, PublishResult } from '../../core/ports/event-bus';
import { checkBusEvent, PUT_EVENTS_MAX_BYTES, PUT_EVENTS_MAX_ENTRIES } from '../../shared/put-events';

export { checkBusEvent, putEventsEntrySize, PUT_EVENTS_MAX_BYTES, PUT_EVENTS_MAX_ENTRIES } from '../../shared/put-events';

function toResult(entry: PutEventsResultEntry | undefined): PublishResult {
  if (entry?.EventId) return { eventId: entry.EventId };
  return {
    errorCode: entry?.ErrorCode ?? 'InternalFailure',
    errorMessage: entry?.ErrorMessage ?? 'EventBridge returned no result for this entry.',
  };
}

/**
 * The Signalbox bus on Amazon EventBridge (PutEvents on one named bus).
 *
 * Guarantees: one result per event, in the caller's order. Entries are checked first (see
 * {@link checkBusEvent}) so a bad or oversized entry fails alone instead of failing its request;
 * the rest are sent in requests of at most 10 entries and 256 KB, one request at a time, in order.
 * Per-entry errors from EventBridge (including retryable ones such as `ThrottlingException`) are
 * returned, not retried; the SDK client retries whole failed requests itself.
 *
 * @throws DependencyError when the first request fails (EventBridge unreachable or refusing);
 *   nothing was put then. If a later request fails, its entries and all after it get that error's
 *   name as `errorCode` and are not sent, so the accepted entries stay a prefix of the input.
 */
export class EventBridgeBus implements EventBus {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: BusEvent[]): Promise<PublishResult[]> {
    const results: PublishResult[] = new Array<PublishResult>(events.length);
    const chunks: Array<Array<{ index: number; entry: PutEventsRequestEntry }>> = [];
    let chunk: Array<{ index: number; entry: PutEventsRequestEntry }> = [];
    let chunkBytes = 0;

    events.forEach((event, index) => {
      const checked = checkBusEvent(event);
      if (!checked.ok) {
        results[index] = { errorCode: checked.errorCode, errorMessage: checked.errorMessage };
        return;
      }
      if (chunk.length === PUT_EVENTS_MAX_ENTRIES || chunkBytes + checked.size > PUT_EVENTS_MAX_BYTES) {
        chunks.push(chunk);
        chunk = [];
        chunkBytes = 0;
      }
      chunk.push({
        index,
        entry: {
          EventBusName: this.busName,
          Source: checked.source,
          DetailType: checked.detailType,
          Detail: checked.detail,
          ...(checked.time !== undefined ? { Time: checked.time } : {}),
          ...(checked.resources !== undefined ? { Resources: checked.resources } : {}),
        },
      });
      chunkBytes += checked.size;
    });
    if (chunk.length > 0) chunks.push(chunk);

    for (const [n, current] of chunks.entries()) {
      let response;
      try {
        response = await this.client.send(new PutEventsCommand({ Entries: current.map((c) => c.entry) }));
      } catch (error) {
        if (n === 0) {
          throw new DependencyError(`EventBridge PutEvents to bus ${this.busName} failed`, null, { cause: error });
        }
        const errorCode = error instanceof Error ? error.name : 'InternalFailure';
        const errorMessage = error instanceof Error ? error.message : String(error);
        for (const rest of chunks.slice(n)) {
          for (const { index } of rest) results[index] = { errorCode, errorMessage };
        }
        break;
      }
      current.forEach(({ index }, i) => {
        results[index] = toResult(response.Entries?.[i]);
      });
    }
    return results;
  }
}
