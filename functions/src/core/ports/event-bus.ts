/** One event to put on the bus (EventBridge `PutEventsRequestEntry` without the bus name). */
export interface BusEvent {
  source: string;
  detailType: string;
  /** JSON-serialisable; EventBridge limits a whole entry to 256 KB. */
  detail: unknown;
  /** RFC 3339; the bus sets it when absent. */
  time?: string;
  resources?: string[];
}

export type PublishResult = { eventId: string } | { errorCode: string; errorMessage: string };

/**
 * The Signalbox event bus. `publish` returns one result per event, in order; an event is accepted
 * once it has an `eventId` (the bus then delivers it to every matching rule, retrying and
 * dead-lettering on its own). It never throws for a single bad entry, only when the bus is
 * unreachable.
 */
export interface EventBus {
  publish(events: BusEvent[]): Promise<PublishResult[]>;
}

/** An event as a rule target receives it (the EventBridge event envelope). */
export interface DeliveredEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}
