import { describe, expect, it } from 'vitest';
import type { DoraEntry, DoraUpdate } from '../../functions/src/core/dora/model';
import type { DoraStore } from '../../functions/src/core/ports/dora-store';

const deployment = (key: string, at: string, over: Partial<Extract<DoraEntry, { type: 'deployment' }>> = {}): DoraEntry => ({
  type: 'deployment',
  key,
  environment: 'prod',
  at,
  rollback: false,
  artifactId: null,
  ...over,
});

const update = (service: string, entry: DoraEntry): DoraUpdate => ({ service, day: entry.at.slice(0, 10), entry });

/**
 * The semantics every `DoraStore` adapter must keep. `make` gives a fresh, empty store.
 */
export function doraStoreContract(name: string, make: () => Promise<DoraStore>) {
  describe(`${name}: DoraStore`, () => {
    it('round-trips every kind of entry exactly', async () => {
      const store = await make();
      const entries: DoraEntry[] = [
        deployment('k1', '2026-03-01T10:00:00.000000000Z', { rollback: true, artifactId: 'pkg:oci/a@sha256%3Aab?tag=1' }),
        { type: 'change', key: 'k2', at: '2026-03-01T11:00:00.000000000Z', ref: 'acme/pay/pull/1' },
        { type: 'incident', key: 'k3', environment: 'prod', at: '2026-03-01T12:00:00.000000000Z', incident: 'INC-1', phase: 'detected' },
      ];
      for (const e of entries) await store.add(update('pay', e));
      expect(await store.listDays({ service: 'pay', fromDay: '2026-03-01', toDay: '2026-03-01' })).toEqual([{ service: 'pay', day: '2026-03-01', entries }]);
    });

    it('keeps an entry added twice once (a redelivered event)', async () => {
      const store = await make();
      const e = deployment('dup', '2026-03-02T10:00:00.000000000Z');
      await store.add(update('pay', e));
      await store.add(update('pay', structuredClone(e)));
      const days = await store.listDays({ service: 'pay', fromDay: '2026-03-02', toDay: '2026-03-02' });
      expect(days.flatMap((d) => d.entries)).toEqual([e]);
    });

    it('loses none of many concurrent adds to one day', async () => {
      const store = await make();
      const adds = Array.from({ length: 24 }, (_, i) => deployment(`c${String(i).padStart(2, '0')}`, `2026-03-03T10:${String(i).padStart(2, '0')}:00.000000000Z`));
      await Promise.all(adds.map((e) => store.add(update('busy', e))));
      const [day] = await store.listDays({ service: 'busy', fromDay: '2026-03-03', toDay: '2026-03-03' });
      expect(day!.entries.map((e) => e.key).sort()).toEqual(adds.map((e) => e.key));
    });

    it("lists one service's days in an inclusive range, oldest first, and no other service's", async () => {
      const store = await make();
      for (const day of ['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-05']) {
        await store.add(update('pay', deployment(`pay-${day}`, `${day}T09:00:00.000000000Z`)));
        await store.add(update('pay#2', deployment(`other-${day}`, `${day}T09:00:00.000000000Z`)));
      }
      const days = await store.listDays({ service: 'pay', fromDay: '2026-02-28', toDay: '2026-03-05' });
      expect(days.map((d) => [d.service, d.day])).toEqual([
        ['pay', '2026-02-28'],
        ['pay', '2026-03-01'],
        ['pay', '2026-03-05'],
      ]);
      expect(await store.listDays({ service: 'nobody', fromDay: '2026-01-01', toDay: '2026-12-31' })).toEqual([]);
    });

    it("lists every service's days across month and year boundaries", async () => {
      const store = await make();
      const at = ['2025-12-31', '2026-01-01', '2026-01-31', '2026-02-01', '2026-02-02'];
      for (const [i, day] of at.entries()) await store.add(update(i % 2 ? 'a' : 'b', deployment(`all-${day}`, `${day}T23:59:59.999999999Z`)));
      const days = await store.listDays({ fromDay: '2025-12-31', toDay: '2026-02-01' });
      expect(days.map((d) => `${d.day} ${d.service}`).sort()).toEqual(['2025-12-31 b', '2026-01-01 a', '2026-01-31 b', '2026-02-01 a']);
    });

    it('reads a long history in full when asked for it (many days, paged internally)', async () => {
      const store = await make();
      const days = Array.from({ length: 120 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10));
      for (const day of days) await store.add(update('long', deployment(`long-${day}`, `${day}T12:00:00.000000000Z`)));
      const read = await store.listDays({ service: 'long', fromDay: days[0]!, toDay: days.at(-1)! });
      expect(read.map((d) => d.day)).toEqual(days);
      const window = await store.listDays({ service: 'long', fromDay: days[30]!, toDay: days[59]! });
      expect(window).toHaveLength(30);
    });
  });
}
