import { describe, expect, it } from 'vitest';
import { DynamoDeadLetterStore, DynamoEventStore, DynamoInventoryStore } from '../../functions/src/adapters/aws/dynamo-stores';
import { DynamoDoraStore } from '../../functions/src/adapters/aws/dynamo-dora-store';
import type { Deps } from '../../functions/src/core/deps';
import { DependencyError } from '../../functions/src/core/errors';
import type { BusEvent } from '../../functions/src/core/ports/event-bus';
import { silentLogger } from '../../functions/src/core/ports/logger';
import { ingestEvents } from '../../functions/src/core/use-cases/ingest-events';
import { serviceEvent } from '../helpers/fixtures';
import { useDynaliteTables } from '../helpers/dynalite';

const newTables = useDynaliteTables('ingest-retry');

/**
 * A request can fail after its events were stored (the bus refused them and the dead letter could
 * not be written either: answered 503). The producer resends, as the 503 tells it to: the events
 * answer `duplicate`, and — not projected yet — they are put on the bus again, so they do not stay
 * readable by key but absent from the timeline and inventory.
 */
describe('ingest retried after a failure that followed the store write', () => {
  it('publishes stored-but-unprojected duplicates again, and only those', async () => {
    const { doc, table } = await newTables();
    const published: BusEvent[] = [];
    let busDown = true;
    const deadLetters = new DynamoDeadLetterStore(doc, table);
    const deps: Deps = {
      events: new DynamoEventStore(doc, table),
      inventory: new DynamoInventoryStore(doc, table),
      deadLetters: {
        ...deadLetters,
        record: async (entry) => {
          if (busDown) throw new DependencyError('the data store is unavailable (unreachable)');
          return deadLetters.record(entry);
        },
      } as DynamoDeadLetterStore,
      dora: new DynamoDoraStore(doc, table),
      bus: {
        async publish(events) {
          if (busDown) throw new Error('bus unreachable');
          published.push(...events);
          return events.map((_, i) => ({ eventId: `e${published.length + i}` }));
        },
      },
      producerTokens: { verify: async () => true },
      clock: { now: () => '2026-11-23T12:00:00.000Z' },
      logger: silentLogger,
      newId: () => 'id',
    };
    const body = JSON.stringify([serviceEvent({ id: 'r-1', service: 'pay' }), serviceEvent({ id: 'r-2', service: 'pay' })]);
    await expect(ingestEvents(deps, { headers: { 'content-type': 'application/json' }, body })).rejects.toBeInstanceOf(DependencyError);
    busDown = false;

    const retry = await ingestEvents(deps, { headers: { 'content-type': 'application/json' }, body });
    expect(retry.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(published.map((e) => (e.detail as { context: { id: string } }).context.id)).toEqual(['r-1', 'r-2']);

    // Once projected, a duplicate is not published again.
    const first = retry.results[0] as { key: string };
    const stored = (await deps.events.get(first.key))!;
    await deps.events.markProjected(stored);
    published.length = 0;
    const third = await ingestEvents(deps, { headers: { 'content-type': 'application/json' }, body });
    expect(third.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(published.map((e) => (e.detail as { context: { id: string } }).context.id)).toEqual(['r-2']);
  });
});

describe('ingest backpressure', () => {
  it('refuses with 503 ingest_busy and the wait, before storing anything, while the pipeline is behind', async () => {
    const { doc, table } = await newTables();
    let behind: number | null = 3;
    const published: BusEvent[] = [];
    const deps: Deps = {
      events: new DynamoEventStore(doc, table),
      inventory: new DynamoInventoryStore(doc, table),
      deadLetters: new DynamoDeadLetterStore(doc, table),
      dora: new DynamoDoraStore(doc, table),
      bus: { publish: async (events) => (published.push(...events), events.map(() => ({ eventId: 'e' }))) },
      producerTokens: { verify: async () => true },
      clock: { now: () => '2026-11-23T12:00:00.000Z' },
      logger: silentLogger,
      newId: () => 'id',
      ingestBackpressure: () => behind,
    };
    const body = JSON.stringify(serviceEvent({ id: 'bp-1', service: 'pay' }));
    const refused = await ingestEvents(deps, { headers: { 'content-type': 'application/json' }, body }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DependencyError);
    expect(refused).toMatchObject({ code: 'ingest_busy', retryAfterSeconds: 3 });
    expect(published).toEqual([]);
    expect((await deps.events.list({ limit: 10 })).items).toEqual([]);
    behind = null;
    const accepted = await ingestEvents(deps, { headers: { 'content-type': 'application/json' }, body });
    expect(accepted.results.map((r) => r.status)).toEqual(['stored']);
  });
});
