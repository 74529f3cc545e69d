import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DynamoDeadLetterStore, DynamoEventStore, DynamoInventoryStore } from '../../functions/src/adapters/aws/dynamo-stores';
import { DynamoDoraStore } from '../../functions/src/adapters/aws/dynamo-dora-store';
import { batchingTarget } from '../../functions/src/adapters/local/batching-target';
import type { Deps } from '../../functions/src/core/deps';
import type { BusEvent, DeliveredEvent } from '../../functions/src/core/ports/event-bus';
import type { Logger } from '../../functions/src/core/ports/logger';
import { ingestEvents } from '../../functions/src/core/use-cases/ingest-events';
import { recordEventOrDeadLetter, recordEventsOrDeadLetter } from '../../functions/src/core/use-cases/record-event';
import { conformanceExamples, serviceEvent } from '../helpers/fixtures';
import { useDynaliteTables } from '../helpers/dynalite';

/**
 * The batched store consumer (`recordEventsOrDeadLetter`, what the local bus's store rule runs)
 * must leave exactly the state the one-event-at-a-time consumer leaves: the same cells,
 * environments, deployment history, DORA days and listed events, whatever the order of the events,
 * how they are cut into batches, duplicates and late events included — on dynalite, with the real
 * stores and their batch operations.
 */
const newTables = useDynaliteTables('record-events');

const T0 = Date.parse('2026-11-20T10:00:00.000Z');

/** Service events over 3 services × 2 environments with out-of-order timestamps, plus every conformance example. */
function history(): Record<string, unknown>[] {
  const predicates = ['deployed', 'upgraded', 'rolledback', 'removed', 'published', 'deployed'] as const;
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < 36; i++) {
    const predicate = predicates[i % predicates.length]!;
    events.push(
      serviceEvent({
        id: `svc-${i}`,
        predicate,
        service: ['pay', 'cart', 'web'][i % 3]!,
        environment: ['prod', 'stage'][(i >> 1) % 2]!,
        artifactId: `pkg:oci/app@sha256%3A${i}?tag=1.${i}.0`,
        // Scrambled times: many events arrive after newer ones (late events).
        timestamp: new Date(T0 + ((i * 37) % 36) * 60_000).toISOString(),
      }),
    );
  }
  // The newest spec version's examples: every subject (environments, changes, incidents, …).
  return [...events, ...conformanceExamples().filter((f) => f.version === '0.5.1').map((f) => f.event)];
}

const quietLogger = (warnings: string[] = []): Logger => ({ info() {}, warn: (m) => void warnings.push(m), error() {} });

async function freshDeps(warnings?: string[]): Promise<{ deps: Deps; published: DeliveredEvent[] }> {
  const { doc, table } = await newTables();
  const published: DeliveredEvent[] = [];
  let n = 0;
  const deps: Deps = {
    events: new DynamoEventStore(doc, table),
    inventory: new DynamoInventoryStore(doc, table),
    deadLetters: new DynamoDeadLetterStore(doc, table),
    dora: new DynamoDoraStore(doc, table),
    bus: {
      async publish(events: BusEvent[]) {
        return events.map((e) => {
          const id = `bus-${n++}`;
          published.push({ version: '0', id, 'detail-type': e.detailType, source: e.source, account: '0', time: e.time ?? '', region: 'local', resources: [], detail: e.detail });
          return { eventId: id };
        });
      },
    },
    producerTokens: { verify: async () => true },
    clock: { now: () => '2026-11-23T12:00:00.000Z' },
    logger: quietLogger(warnings),
    newId: () => `id-${n++}`,
  };
  // Ingest as producers do (stored, then on the bus): the consumers below get what the bus got.
  const body = JSON.stringify(history());
  const ingest = await ingestEvents(deps, { headers: { 'content-type': 'application/json' }, body });
  expect(ingest.results.filter((r) => r.status === 'stored').length).toBeGreaterThan(36);
  return { deps, published };
}

/**
 * Everything the store consumer writes, in a comparable form. `arrivalOrderFree` leaves out what
 * depends on the order events arrive in, for the one-at-a-time consumer too: a cell's `since`
 * (whether the release changed is judged against the cell as it was), and the artifact of a
 * removed cell (the one running when the removal arrived).
 */
async function snapshot(deps: Deps, arrivalOrderFree = false) {
  const cells = (await deps.inventory.listCells())
    .map((c) => (arrivalOrderFree ? { ...c, since: '', ...(c.state === 'removed' ? { artifactId: '', version: '' } : {}) } : c))
    .sort((a, b) => `${a.service}/${a.environment}`.localeCompare(`${b.service}/${b.environment}`));
  const environments = (await deps.inventory.listEnvironments()).sort((a, b) => a.name.localeCompare(b.name));
  const services = [...new Set(cells.map((c) => c.service)), 'pay', 'cart', 'web'].sort();
  const histories: Record<string, unknown> = {};
  for (const s of services) histories[s] = (await deps.inventory.listHistory(s, 500)).items;
  const dora = await deps.dora.listDays({ fromDay: '2000-01-01', toDay: '2100-01-01' });
  const listed: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.events.list({ limit: 100, cursor });
    listed.push(...page.items.map((e) => `${e.key}:${e.projected}`));
    cursor = page.next ?? undefined;
  } while (cursor);
  const deadLetters = (await deps.deadLetters.list(100)).items.map((d) => d.consumer);
  return { cells, environments, histories, dora, listed, deadLetters };
}

/** The one-event-at-a-time consumer, fed in event-time (order-key) order: the state of record. */
let reference: DeliveredEvent[] | undefined;
const truths = new Map<boolean, Awaited<ReturnType<typeof snapshot>>>();
async function oneByOne(arrivalOrderFree: boolean) {
  const known = truths.get(arrivalOrderFree);
  if (known) return known;
  const { deps, published } = await freshDeps();
  reference = inEventOrder(published);
  for (const d of reference) await recordEventOrDeadLetter(deps, d);
  truths.set(false, await snapshot(deps, false));
  truths.set(true, await snapshot(deps, true));
  return truths.get(arrivalOrderFree)!;
}

function orderKeyOf(d: DeliveredEvent): string {
  const context = (d.detail as { context: { timestamp: string; source: string; id: string } }).context;
  return `${new Date(context.timestamp).toISOString()}\u001f${context.source}\u001f${context.id}`;
}

function inEventOrder(deliveries: DeliveredEvent[]): DeliveredEvent[] {
  return [...deliveries].sort((a, b) => (orderKeyOf(a) < orderKeyOf(b) ? -1 : orderKeyOf(a) > orderKeyOf(b) ? 1 : 0));
}

function cut(deliveries: DeliveredEvent[], sizes: Iterable<number>): DeliveredEvent[][] {
  const batches: DeliveredEvent[][] = [];
  const it = sizes[Symbol.iterator]();
  for (let i = 0; i < deliveries.length; ) {
    const size = it.next().value as number;
    batches.push(deliveries.slice(i, i + size));
    i += size;
  }
  return batches;
}

describe('the batched store consumer', () => {
  it('leaves exactly the state of one event at a time when events arrive in order, however they are cut into batches', async () => {
    const expected = await oneByOne(false);
    expect(expected.cells.length).toBeGreaterThanOrEqual(6);
    expect(expected.listed.every((l) => l.endsWith(':true'))).toBe(true);
    await fc.assert(
      fc.asyncProperty(fc.infiniteStream(fc.integer({ min: 1, max: 50 })), async (sizes) => {
        const { deps, published } = await freshDeps();
        for (const b of cut(inEventOrder(published), sizes)) await recordEventsOrDeadLetter(deps, b);
        expect(await snapshot(deps)).toEqual(expected);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 3), seed: Number(process.env.FUZZ_SEED ?? 20261123) },
    );
  }, 180_000);

  it('ends in the same state, out of order, with duplicates and concurrent batches: the newest event wins every cell', async () => {
    const expected = await oneByOne(true);
    await fc.assert(
      fc.asyncProperty(fc.infiniteStream(fc.integer({ min: 1, max: 30 })), fc.integer({ min: 0, max: 1_000_000 }), fc.boolean(), async (sizes, seed, concurrent) => {
        const { deps, published } = await freshDeps();
        // A seeded shuffle, with some deliveries twice (at-least-once delivery).
        let x = seed + 1;
        const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        const deliveries = [...published, ...published.filter(() => rand() < 0.15)].sort(() => rand() - 0.5);
        const batches = cut(deliveries, sizes);
        if (concurrent) await Promise.all(batches.map((b) => recordEventsOrDeadLetter(deps, b)));
        else for (const b of batches) await recordEventsOrDeadLetter(deps, b);
        expect(await snapshot(deps, true)).toEqual(expected);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 3), seed: Number(process.env.FUZZ_SEED ?? 20261123) },
    );
  }, 180_000);

  it('falls back to one event at a time when a batched step fails, with one warning, and ends in the same state', async () => {
    const expected = await oneByOne(false);
    const warnings: string[] = [];
    const { deps, published } = await freshDeps(warnings);
    const inventory = deps.inventory as DynamoInventoryStore;
    let failures = 1;
    const getMany = inventory.getMany.bind(inventory);
    inventory.getMany = async (q) => {
      if (failures-- > 0) throw new Error('ProvisionedThroughputExceededException (test)');
      return getMany(q);
    };
    await recordEventsOrDeadLetter(deps, inEventOrder(published));
    expect(warnings).toEqual(['batched store consumer failed; recording the batch one event at a time']);
    expect(await snapshot(deps)).toEqual(expected);
  }, 60_000);

  it('dead-letters an unusable bus event and stores an event that reached the bus without ingest, in the same batch', async () => {
    const { deps, published } = await freshDeps();
    const foreign: DeliveredEvent = {
      ...published[0]!,
      id: 'foreign-1',
      source: 'other.account',
      detail: serviceEvent({ id: 'from-eventbridge', service: 'pay', environment: 'dr', timestamp: new Date(T0 + 3_600_000).toISOString() }),
    };
    const broken: DeliveredEvent = { ...published[0]!, id: 'broken-1', detail: { context: { id: 'x' } } };
    await recordEventsOrDeadLetter(deps, [...published.slice(0, 10), foreign, broken]);
    const state = await snapshot(deps);
    expect(state.deadLetters).toEqual(['store']);
    expect((await deps.deadLetters.get('store-broken-1'))?.state).toBe('pending');
    const dr = state.cells.find((c) => c.service === 'pay' && c.environment === 'dr');
    expect(dr?.lastEventAt).toBe(new Date(T0 + 3_600_000).toISOString());
    expect(dr && state.listed).toContain(`${dr?.lastEventKey}:true`);
    expect(state.listed.filter((l) => l.endsWith(':true')).length).toBe(11);
  }, 60_000);
});

describe('batchingTarget', () => {
  it('hands what arrives in one turn to one call, bounds the calls in flight, and settles each item with its batch', async () => {
    const calls: number[][] = [];
    let inFlight = 0;
    let most = 0;
    const release: Array<() => void> = [];
    const target = batchingTarget<number>(
      async (items) => {
        calls.push(items);
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise<void>((r) => release.push(r));
        inFlight -= 1;
        if (items.includes(13)) throw new Error('thirteen');
      },
      { maxBatch: 4, maxConcurrency: 2 },
    );
    const settled = Array.from({ length: 14 }, (_, i) => target(i).then(() => 'ok', (e: Error) => e.message));
    // Queued or in a running batch: what backpressure reads.
    expect(target.pending()).toBe(14);
    await new Promise((r) => setImmediate(r));
    expect(target.pending()).toBe(14);
    expect(calls).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    while (calls.length < 4 || release.length > 0) {
      release.shift()?.();
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
    }
    expect(calls).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10, 11],
      [12, 13],
    ]);
    expect(most).toBe(2);
    expect(target.pending()).toBe(0);
    expect(await Promise.all(settled)).toEqual([...Array(12).fill('ok'), 'thirteen', 'thirteen']);
  });
});
