import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
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

/**
 * The store function in AWS: the store rule puts every CDEvent on a queue, and the function gets
 * up to 100 of them per invocation (each SQS message body is the EventBridge event as JSON),
 * recorded with one call of `recordEventsOrDeadLetter` (one store round per batch). A failing
 * event becomes a dead letter there and is not retried, so the partial batch response lists no
 * record; it lists every record only when that call rejects (a dead letter could not be written):
 * SQS then redelivers them after the visibility timeout, and moves a message to the queue's own
 * DLQ after its maximum receives. Redelivery is safe: every step is idempotent per event.
 *
 * A body that is not an EventBridge event (not JSON, or no string `id`) was not sent by the rule
 * and will never change, so retrying cannot help: it goes the same way as an unusable CDEvent —
 * a `store` dead letter (id `store-sqs-<messageId>`, the body as the payload's `detail`, listed by
 * `GET /api/dead-letters`, its replay failing with the reason) — plus an error log line.
 */
export function createStoreQueueHandler(deps: Deps) {
  return middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
    const delivered = event.Records.map((record) => deliveredEventOf(deps, record));
    if (delivered.length === 0) return { batchItemFailures: [] };
    try {
      await recordEventsOrDeadLetter(deps, delivered);
    } catch (err) {
      deps.logger.error('store batch failed; every record goes back to the queue', { records: event.Records.length, error: (err as Error).message });
      return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
    }
    return { batchItemFailures: [] };
  });
}

/** The bus event an SQS message carries, or a stand-in that `recordEvent` refuses (and dead-letters) when the body is not one. */
function deliveredEventOf(deps: Deps, record: SQSRecord): DeliveredEvent {
  let parsed: unknown;
  let problem: string | null = null;
  try {
    parsed = JSON.parse(record.body);
  } catch {
    problem = 'the body is not JSON';
  }
  if (problem === null) {
    const envelope = parsed as Partial<DeliveredEvent> | null;
    if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) problem = 'the body is not a JSON object';
    else if (typeof envelope.id !== 'string' || envelope.id === '') problem = 'the body has no EventBridge event id';
    else return envelope as DeliveredEvent;
  }
  deps.logger.error('store queue message is not an EventBridge event; dead-lettered', { messageId: record.messageId, problem });
  return {
    version: '0',
    id: `sqs-${record.messageId}`,
    'detail-type': 'SQS message',
    source: record.eventSourceARN,
    account: '',
    time: new Date(Number(record.attributes.SentTimestamp) || 0).toISOString(),
    region: record.awsRegion,
    resources: [],
    detail: record.body,
  };
}
