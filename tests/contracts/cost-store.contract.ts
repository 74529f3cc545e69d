import { describe, expect, it } from 'vitest';
import type { CostDay, CostImportRecord, CostRow } from '../../functions/src/core/costs/model';
import type { CostStore } from '../../functions/src/core/ports/cost-store';

const row = (over: Partial<CostRow> = {}): CostRow => ({
  date: '2026-11-01', provider: 'azure', environment: 'prod', service: 'VM', account: 'a', region: 'westeurope', currency: 'USD', billed: 1.5, effective: 1.25, source: 'focus:azure:ba', ...over,
});
const day = (date: string, importId: string, rows: CostRow[], source = 'focus:azure:ba'): CostDay => ({ source, date, importId, importedAt: `${date}T12:00:00.000Z`, rows: rows.map((r) => ({ ...r, date, source })) });
const record = (id: string, startedAt: string): CostImportRecord => ({
  id, kind: 'focus', name: `${id}.csv`, origin: 'upload', startedAt, finishedAt: startedAt, status: 'imported', rowsRead: 1, days: [], problems: [], problemCount: 0, by: 'ops',
});

/** The `CostStore` contract: every adapter must pass it. */
export function costStoreContract(name: string, make: () => Promise<CostStore>): void {
  describe(`CostStore contract: ${name}`, () => {
    it('replaces a source × day whole, keeps other sources and days, lists oldest first', async () => {
      const store = await make();
      await store.replaceDay(day('2026-11-02', 'i1', [row(), row({ service: 'Storage' })]));
      await store.replaceDay(day('2026-11-01', 'i1', [row()]));
      await store.replaceDay(day('2026-11-01', 'i9', [row({ billed: 7 })], 'aws-cost-explorer'));
      await store.replaceDay(day('2026-11-02', 'i2', [row({ service: 'Bandwidth', billed: 3 })]));
      const days = await store.listDays('2026-11-01', '2026-11-02');
      expect(days.map((d) => [d.date, d.source, d.importId, d.rows.map((r) => `${r.service}:${r.billed}`)])).toEqual([
        ['2026-11-01', 'aws-cost-explorer', 'i9', ['VM:7']],
        ['2026-11-01', 'focus:azure:ba', 'i1', ['VM:1.5']],
        ['2026-11-02', 'focus:azure:ba', 'i2', ['Bandwidth:3']],
      ]);
      expect(days[2]!.rows[0]).toEqual(row({ date: '2026-11-02', service: 'Bandwidth', billed: 3 }));
      expect(await store.listMarkers('2026-11-01', '2026-11-30', 'focus:azure:ba')).toEqual([
        { source: 'focus:azure:ba', date: '2026-11-01', importId: 'i1', importedAt: '2026-11-01T12:00:00.000Z', rowCount: 1 },
        { source: 'focus:azure:ba', date: '2026-11-02', importId: 'i2', importedAt: '2026-11-02T12:00:00.000Z', rowCount: 1 },
      ]);
      expect(await store.listDays('2026-11-03', '2026-11-30')).toEqual([]);
    });

    it('is idempotent, keeps an empty day, and survives many replacements of one day', async () => {
      const store = await make();
      for (let i = 0; i < 5; i++) await store.replaceDay(day('2026-10-31', `v${i}`, [row({ billed: i })]));
      await store.replaceDay(day('2026-10-31', 'v4', [row({ billed: 4 })]));
      await store.replaceDay(day('2026-11-01', 'e', []));
      const days = await store.listDays('2026-10-01', '2026-11-30');
      expect(days.map((d) => [d.date, d.importId, d.rows.map((r) => r.billed)])).toEqual([
        ['2026-10-31', 'v4', [4]],
        ['2026-11-01', 'e', []],
      ]);
    });

    it('keeps a large day whole (many rows)', async () => {
      const store = await make();
      const rows = Array.from({ length: 4000 }, (_, i) => row({ service: `service-${i}-${'x'.repeat(60)}`, billed: i }));
      await store.replaceDay(day('2026-09-01', 'big', rows));
      const [got] = await store.listDays('2026-09-01', '2026-09-01');
      expect(got!.rows).toHaveLength(4000);
      expect(got!.rows.reduce((s, r) => s + r.billed, 0)).toBe((3999 * 4000) / 2);
    });

    it('pages the import history newest first', async () => {
      const store = await make();
      for (let i = 0; i < 5; i++) await store.recordImport(record(`r${i}`, `2026-11-0${i + 1}T00:00:00.000Z`));
      const first = await store.listImports(3);
      expect(first.items.map((r) => r.id)).toEqual(['r4', 'r3', 'r2']);
      const second = await store.listImports(3, first.next!);
      expect(second.items.map((r) => r.id)).toEqual(['r1', 'r0']);
      expect(second.items[0]).toEqual(record('r1', '2026-11-02T00:00:00.000Z'));
    });

    it('keeps the last AWS insights', async () => {
      const store = await make();
      expect(await store.getAwsInsights()).toBeNull();
      const insights = { fetchedAt: '2026-11-23T00:00:00.000Z', forecast: null, forecastUnavailable: 'too little data', anomalies: [] };
      await store.putAwsInsights(insights);
      expect(await store.getAwsInsights()).toEqual(insights);
    });
  });
}
