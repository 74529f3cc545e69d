import { describe, expect, it } from 'vitest';
import { extractEvent } from '../../functions/src/core/cdevents/envelope';
import { prepareEvent } from '../../functions/src/core/cdevents/prepare';
import type { DeadLetterStore } from '../../functions/src/core/ports/dead-letter-store';
import type { EventStore, StoredEvent } from '../../functions/src/core/ports/event-store';
import type { InventoryCellState, InventoryStore } from '../../functions/src/core/ports/inventory-store';
import { serviceEvent } from '../helpers/fixtures';

export interface StorePorts {
  events: EventStore;
  inventory: InventoryStore;
  deadLetters: DeadLetterStore;
}

function stored(opts: Parameters<typeof serviceEvent>[0]): StoredEvent {
  const p = prepareEvent(extractEvent(serviceEvent(opts)), '2026-11-23T00:00:00.000Z');
  if ('error' in p) throw new Error(p.error.message);
  return { ...p, ingestedAt: '2026-11-23T00:00:00.000Z', projected: false };
}

function cell(over: Partial<InventoryCellState>): InventoryCellState {
  return {
    service: 'svc',
    environment: 'prod',
    artifactId: 'a',
    version: '1',
    since: '2026-01-01T00:00:00Z',
    state: 'running',
    lastEventKey: 'k',
    lastEventType: 't',
    lastEventAt: '2026-01-01T00:00:00Z',
    orderKey: '2026-01-01',
    ...over,
  };
}

/**
 * The semantics every adapter of the store ports must keep. `make` gives fresh, empty stores.
 */
export function storeContract(name: string, make: () => Promise<StorePorts>) {
  describe(`${name}: EventStore`, () => {
    it('stores concurrent duplicates of one source + id exactly once', async () => {
      const { events } = await make();
      const event = stored({ id: 'same', service: 'dup' });
      const outcomes = await Promise.all(Array.from({ length: 12 }, () => events.putIfAbsent(event)));
      expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
      expect((await events.get(event.key))?.raw).toEqual(event.raw);
    });

    it('keeps an event out of the timeline until projected, and projecting twice changes nothing', async () => {
      const { events } = await make();
      const event = stored({ id: 'p1', service: 'proj', environment: 'e1' });
      await events.putIfAbsent(event);
      expect((await events.list({ limit: 10 })).items).toHaveLength(0);
      await events.markProjected(event);
      await events.markProjected(event);
      const page = await events.list({ limit: 10, service: 'proj' });
      expect(page.items.map((e) => e.key)).toEqual([event.key]);
      expect((await events.get(event.key))?.projected).toBe(true);
    });

    it('pages newest first without gaps or repeats, whatever the page size', async () => {
      const { events } = await make();
      const all = Array.from({ length: 23 }, (_, i) =>
        stored({ id: `pg-${i}`, service: i % 2 ? 'odd' : 'even', timestamp: new Date(Date.UTC(2026, 0, 1 + (i % 5), i)).toISOString() }),
      );
      for (const e of all) {
        await events.putIfAbsent(e);
        await events.markProjected(e);
      }
      const expected = [...all].sort((a, b) => (a.sortTime < b.sortTime ? 1 : -1)).map((e) => e.key);
      for (const limit of [1, 4, 7, 50]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await events.list({ limit, cursor });
          seen.push(...page.items.map((e) => e.key));
          cursor = page.next ?? undefined;
        } while (cursor);
        expect(seen, `limit ${limit}`).toEqual(expected);
      }
      const odd = await events.list({ limit: 50, service: 'odd' });
      expect(odd.items).toHaveLength(11);
    });

    it('refuses a forged cursor with a ValidationError naming the cursor', async () => {
      const { events } = await make();
      await expect(events.list({ limit: 5, cursor: 'bm90LWpzb24' })).rejects.toMatchObject({ field: 'cursor' });
    });
  });

  describe(`${name}: InventoryStore`, () => {
    it('writes a cell only if it still has the expected order key', async () => {
      const { inventory } = await make();
      expect(await inventory.putCellIf(cell({ orderKey: 'b' }), null)).toBe(true);
      expect(await inventory.putCellIf(cell({ orderKey: 'c' }), null)).toBe(false);
      expect(await inventory.putCellIf(cell({ orderKey: 'c' }), 'a')).toBe(false);
      expect(await inventory.putCellIf(cell({ orderKey: 'c', version: '2' }), 'b')).toBe(true);
      expect((await inventory.getCell('svc', 'prod'))?.version).toBe('2');
      await inventory.putCellIf(cell({ service: 'svc2', orderKey: 'x' }), null);
      expect((await inventory.listCells()).map((c) => c.service).sort()).toEqual(['svc', 'svc2']);
      expect(await inventory.listServiceCells('svc')).toHaveLength(1);
    });

    it('keeps history rows once per event key, newest first, paged', async () => {
      const { inventory } = await make();
      for (let i = 0; i < 5; i++) {
        const row = { key: `k${i}`, environment: 'prod', artifactId: null, version: `${i}`, action: 'upgraded', timestamp: `t${i}`, source: '/s', sortTime: `2026-01-0${i + 1}` };
        await inventory.addHistory('h', row);
        await inventory.addHistory('h', row);
      }
      const first = await inventory.listHistory('h', 3);
      expect(first.items.map((r) => r.version)).toEqual(['4', '3', '2']);
      const second = await inventory.listHistory('h', 3, first.next!);
      expect(second.items.map((r) => r.version)).toEqual(['1', '0']);
    });

    it('updates an environment only at the expected revision', async () => {
      const { inventory } = await make();
      const env = { name: 'e', provider: 'aws', kind: 'cloud', region: null, url: null, firstSeen: 't', lastEventAt: 't', deleted: false, metaOrderKey: null };
      expect(await inventory.putEnvironmentIf(env, 0)).toBe(true);
      expect(await inventory.putEnvironmentIf(env, 0)).toBe(false);
      expect(await inventory.putEnvironmentIf({ ...env, provider: 'gcp' }, 1)).toBe(true);
      expect(await inventory.getEnvironment('e')).toMatchObject({ provider: 'gcp', revision: 2 });
      expect(await inventory.listEnvironments()).toHaveLength(1);
    });
  });

  describe(`${name}: DeadLetterStore`, () => {
    it('lists newest failure first and updates in place', async () => {
      const { deadLetters } = await make();
      const base = { eventKey: null, consumer: 'store', error: 'x', attempts: 1, firstFailedAt: 't', payload: { a: 1 }, state: 'pending' as const };
      await deadLetters.record({ ...base, id: 'old', lastFailedAt: '2026-01-01' });
      await deadLetters.record({ ...base, id: 'new', lastFailedAt: '2026-01-02' });
      await deadLetters.update({ ...base, id: 'old', lastFailedAt: '2026-01-01', state: 'replayed' });
      const page = await deadLetters.list(10);
      expect(page.items.map((d) => [d.id, d.state])).toEqual([
        ['new', 'pending'],
        ['old', 'replayed'],
      ]);
      expect((await deadLetters.get('new'))?.payload).toEqual({ a: 1 });
    });
  });
}
