import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DynamoDeadLetterStore, DynamoEventStore, DynamoInventoryStore } from '../../functions/src/adapters/aws/dynamo-stores';
import { DynamoDoraStore } from '../../functions/src/adapters/aws/dynamo-dora-store';
import type { Deps } from '../../functions/src/core/deps';
import { DependencyError } from '../../functions/src/core/errors';
import type { BusEvent, DeliveredEvent } from '../../functions/src/core/ports/event-bus';
import type { Logger } from '../../functions/src/core/ports/logger';
import { ingestEvents } from '../../functions/src/core/use-cases/ingest-events';
import { createStoreQueueHandler } from '../../functions/src/handlers/events/store';
import { serviceEvent } from '../helpers/fixtures';
import { useDynaliteTables } from '../helpers/dynalite';

/**
 * The store function as AWS runs it: the store rule's SQS queue hands it a batch of EventBridge
 * events (JSON bodies), recorded on dynalite with the real stores; the answer is the partial batch
 * response.
 */
const newTables = useDynaliteTables('store-queue');

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:Signalbox-StoreQueue';
const ctx = {} as never;

interface Logged {
  level: 'info' | 'warn' | 'error';
  message: string;
  data?: Record<string, unknown>;
}

async function freshDeps(): Promise<{ deps: Deps; published: DeliveredEvent[]; logged: Logged[]; getManyCalls: string[][] }> {
  const { doc, table } = await newTables();
  const published: DeliveredEvent[] = [];
  const logged: Logged[] = [];
  const getManyCalls: string[][] = [];
  const logger: Logger = {
    info: (message, data) => void logged.push({ level: 'info', message, data }),
    warn: (message, data) => void logged.push({ level: 'warn', message, data }),
    error: (message, data) => void logged.push({ level: 'error', message, data }),
  };
  const events = new DynamoEventStore(doc, table);
  const getMany = events.getMany.bind(events);
  events.getMany = async (keys) => {
    getManyCalls.push(keys);
    return getMany(keys);
  };
  let n = 0;
  const deps: Deps = {
    events,
    inventory: new DynamoInventoryStore(doc, table),
    deadLetters: new DynamoDeadLetterStore(doc, table),
    dora: new DynamoDoraStore(doc, table),
    bus: {
      async publish(batch: BusEvent[]) {
        return batch.map((e) => {
          const id = `bus-${n++}`;
          published.push({ version: '0', id, 'detail-type': e.detailType, source: e.source, account: '123456789012', time: e.time ?? '', region: 'eu-west-1', resources: [], detail: e.detail });
          return { eventId: id };
        });
      },
    },
    producerTokens: { verify: async () => true },
    clock: { now: () => '2026-11-23T12:00:00.000Z' },
    logger,
    newId: () => `id-${n++}`,
  };
  // Three events through ingest (stored, then on the bus, as producers send them).
  const body = JSON.stringify(
    ['pay', 'cart', 'web'].map((service, i) =>
      serviceEvent({ id: `ingested-${i}`, service, environment: 'prod', timestamp: new Date(T0 + i * 60_000).toISOString() }),
    ),
  );
  const ingest = await ingestEvents(deps, { headers: { 'content-type': 'application/json' }, body });
  expect(ingest.results.map((r) => r.status)).toEqual(['stored', 'stored', 'stored']);
  expect(published).toHaveLength(3);
  return { deps, published, logged, getManyCalls };
}

function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(T0),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(T0),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'eu-west-1',
  };
}

/**
 * The batch: the three ingested events (the first one delivered twice), one CDEvent put straight
 * on the bus by another account (and put twice, so two bus events carry it), one bus event without
 * a usable CDEvent and one message that is not JSON at all.
 */
function batchOf(published: DeliveredEvent[]): SQSEvent {
  const foreignDetail = serviceEvent({ id: 'from-eventbridge', service: 'pay', environment: 'dr', timestamp: new Date(T0 + 3_600_000).toISOString() });
  const foreign: DeliveredEvent = { ...published[0]!, id: 'foreign-1', source: 'other.account', account: '210987654321', detail: foreignDetail };
  const unusable: DeliveredEvent = { ...published[0]!, id: 'broken-1', detail: { context: { id: 'x' } } };
  const bodies: Array<[string, string]> = [
    ['m-0', JSON.stringify(published[0])],
    ['m-1', JSON.stringify(published[1])],
    ['m-2', JSON.stringify(published[0])],
    ['m-3', JSON.stringify(foreign)],
    ['m-4', JSON.stringify(unusable)],
    ['m-5', JSON.stringify(published[2])],
    ['m-6', JSON.stringify({ ...foreign, id: 'foreign-2' })],
    ['m-7', '{"not json'],
  ];
  return { Records: bodies.map(([id, body]) => sqsRecord(id, body)) };
}

/**
 * Wraps the stores so every call is tracked; `settled()` waits until none is in flight. `mapLimit`
 * rejects at the first failure while its other workers still run, and those must finish before
 * the test's dynalite stops.
 */
function trackCalls(deps: Deps): { settled: () => Promise<void> } {
  const pending = new Set<Promise<unknown>>();
  for (const name of ['events', 'inventory', 'deadLetters', 'dora'] as const) {
    const store = deps[name] as unknown as Record<string, unknown>;
    deps[name] = new Proxy(store, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (result instanceof Promise) {
            const tracked = result.finally(() => pending.delete(tracked));
            tracked.catch(() => undefined);
            pending.add(tracked);
          }
          return result;
        };
      },
    }) as never;
  }
  return {
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

async function listed(deps: Deps): Promise<string[]> {
  return (await deps.events.list({ limit: 100 })).items.map((e) => `${e.key}:${e.projected}`).sort();
}

describe('createStoreQueueHandler (SQS batches from the store rule)', () => {
  it('stores and projects every event once in one batch, dead-letters the unusable ones and reports no failure', async () => {
    const { deps, published, logged, getManyCalls } = await freshDeps();
    const handler = createStoreQueueHandler(deps);
    const event = batchOf(published);

    expect(await handler(event, ctx)).toEqual({ batchItemFailures: [] });

    // One batched read for the whole batch (the 4 distinct usable events), not one call per record.
    expect(getManyCalls).toHaveLength(1);
    expect(getManyCalls[0]).toHaveLength(4);
    const events = await listed(deps);
    expect(events).toHaveLength(4);
    expect(events.every((e) => e.endsWith(':true'))).toBe(true);
    const cells = await deps.inventory.listCells();
    expect(cells.map((c) => `${c.service}/${c.environment}`).sort()).toEqual(['cart/prod', 'pay/dr', 'pay/prod', 'web/prod']);
    const dr = cells.find((c) => c.environment === 'dr')!;
    expect(dr.lastEventAt).toBe(new Date(T0 + 3_600_000).toISOString());
    expect(events).toContain(`${dr.lastEventKey}:true`);
    expect((await deps.inventory.listHistory('pay', 50)).items).toHaveLength(2);

    const deadLetters = (await deps.deadLetters.list(100)).items;
    expect(deadLetters.map((d) => d.id).sort()).toEqual(['store-broken-1', 'store-sqs-m-7']);
    expect(deadLetters.every((d) => d.consumer === 'store' && d.state === 'pending' && d.attempts === 1)).toBe(true);
    const junk = deadLetters.find((d) => d.id === 'store-sqs-m-7')!;
    expect(junk.eventKey).toBeNull();
    expect(junk.payload).toMatchObject({ id: 'sqs-m-7', source: QUEUE_ARN, detail: '{"not json' });
    expect(logged).toContainEqual({
      level: 'error',
      message: 'store queue message is not an EventBridge event; dead-lettered',
      data: { messageId: 'm-7', problem: 'the body is not JSON' },
    });

    // SQS delivers at least once: the same batch again changes nothing but the dead letters' attempts.
    expect(await handler(event, ctx)).toEqual({ batchItemFailures: [] });
    expect(await listed(deps)).toEqual(events);
    expect(await deps.inventory.listCells()).toEqual(cells);
    const again = (await deps.deadLetters.list(100)).items;
    expect(again.map((d) => `${d.id}:${d.attempts}`).sort()).toEqual(['store-broken-1:2', 'store-sqs-m-7:2']);
  }, 60_000);

  it('dead-letters bodies that are JSON but no EventBridge event, naming the problem', async () => {
    const { deps, logged } = await freshDeps();
    const handler = createStoreQueueHandler(deps);
    const event: SQSEvent = { Records: [sqsRecord('a-0', '[1,2]'), sqsRecord('a-1', '{"detail":{}}')] };
    expect(await handler(event, ctx)).toEqual({ batchItemFailures: [] });
    expect((await deps.deadLetters.list(100)).items.map((d) => d.id).sort()).toEqual(['store-sqs-a-0', 'store-sqs-a-1']);
    expect(logged.filter((l) => l.level === 'error' && l.message.startsWith('store queue message')).map((l) => l.data?.problem)).toEqual([
      'the body is not a JSON object',
      'the body has no EventBridge event id',
    ]);
  }, 60_000);

  it('reports every record of the batch as failed when a dead letter cannot be written', async () => {
    const { deps, published, logged } = await freshDeps();
    deps.deadLetters.record = async () => {
      throw new DependencyError('dead-letter store unreachable (test)');
    };
    const calls = trackCalls(deps);
    const handler = createStoreQueueHandler(deps);
    const event = batchOf(published);

    const response = await handler(event, ctx);
    await calls.settled();

    expect(response.batchItemFailures).toEqual(event.Records.map((r) => ({ itemIdentifier: r.messageId })));
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'store batch failed; every record goes back to the queue' }),
    );
  }, 60_000);

  it('answers an empty batch with no failure', async () => {
    const { deps } = await freshDeps();
    expect(await createStoreQueueHandler(deps)({ Records: [] }, ctx)).toEqual({ batchItemFailures: [] });
  }, 60_000);
});
