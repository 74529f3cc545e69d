import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/src/core/errors';
import type { HistoryBucket } from '../../functions/src/core/monitoring/history';
import type { CheckResult, CheckStatus } from '../../functions/src/core/monitoring/model';
import type { CheckHistoryStore } from '../../functions/src/core/ports/check-history-store';

export function result(checkedAt: string, status: CheckStatus, latency?: number, message = `${status} at ${checkedAt}`): CheckResult {
  return { status, metrics: latency === undefined ? {} : { latency_ms: latency }, message, durationMs: latency ?? 1, checkedAt };
}

const starts = (buckets: HistoryBucket[]) => buckets.map((b) => b.start);

/** The CheckHistoryStore contract, run against every adapter. */
export function checkHistoryStoreContract(name: string, make: () => Promise<CheckHistoryStore>): void {
  describe(`CheckHistoryStore contract: ${name}`, () => {
    it('merges results of the same minute into one bucket: worst status, counts, metric statistics', async () => {
      const store = await make();
      await store.record('api', result('2026-11-23T10:00:05.000Z', 'ok', 100));
      await store.record('api', result('2026-11-23T10:00:35.000Z', 'critical', 300));
      const last = await store.record('api', result('2026-11-23T10:00:50.000Z', 'ok', 200));
      expect(last).toEqual({
        start: '2026-11-23T10:00:00.000Z',
        minutes: 1,
        status: 'critical',
        count: 3,
        statusCounts: { ok: 2, warning: 0, critical: 1, unknown: 0 },
        metrics: { latency_ms: { min: 100, max: 300, sum: 600, count: 3 } },
        lastCheckedAt: '2026-11-23T10:00:50.000Z',
        lastStatus: 'ok',
        lastMessage: 'ok at 2026-11-23T10:00:50.000Z',
      });
      const page = await store.range('api', { from: '2026-11-23T09:00:00Z', to: '2026-11-23T11:00:00Z', limit: 10 });
      expect(page.items).toEqual([last]);
      expect(page.next).toBeNull();
    });

    it('records the same result twice only once', async () => {
      const store = await make();
      await store.record('api', result('2026-11-23T10:00:05.000Z', 'warning', 100));
      const again = await store.record('api', result('2026-11-23T10:00:05.000Z', 'warning', 100));
      expect(again.count).toBe(1);
      const hour = await store.range('api', { from: '2026-11-23T10:00:00Z', to: '2026-11-23T11:00:00Z', minutes: 60, limit: 10 });
      expect(hour.items.map((b) => b.count)).toEqual([1]);
    });

    it('keeps 15-minute and hourly buckets alongside the minutes', async () => {
      const store = await make();
      await store.record('api', result('2026-11-23T10:01:00.000Z', 'ok', 10));
      await store.record('api', result('2026-11-23T10:14:00.000Z', 'warning', 30));
      await store.record('api', result('2026-11-23T10:16:00.000Z', 'unknown'));
      await store.record('api', result('2026-11-23T11:05:00.000Z', 'ok', 20));
      const window = { from: '2026-11-23T10:00:00Z', to: '2026-11-23T12:00:00Z', limit: 10 };
      const quarter = await store.range('api', { ...window, minutes: 15 });
      expect(quarter.items.map((b) => [b.start, b.status, b.count])).toEqual([
        ['2026-11-23T11:00:00.000Z', 'ok', 1],
        ['2026-11-23T10:15:00.000Z', 'unknown', 1],
        ['2026-11-23T10:00:00.000Z', 'warning', 2],
      ]);
      expect(quarter.items[2]!.metrics.latency_ms).toEqual({ min: 10, max: 30, sum: 40, count: 2 });
      const hourly = await store.range('api', { ...window, minutes: 60 });
      expect(hourly.items.map((b) => [b.start, b.status, b.count])).toEqual([
        ['2026-11-23T11:00:00.000Z', 'ok', 1],
        ['2026-11-23T10:00:00.000Z', 'warning', 3],
      ]);
      const minutes = await store.range('api', { ...window, minutes: 1 });
      expect(minutes.items).toHaveLength(4);
    });

    it('pages a range newest first, bounded by [from, to), without gaps or repeats', async () => {
      const store = await make();
      for (let m = 0; m < 7; m++) await store.record('api', result(`2026-11-23T10:0${m}:10.000Z`, 'ok', m));
      await store.record('other', result('2026-11-23T10:03:10.000Z', 'critical'));
      const query = { from: '2026-11-23T10:01:00.000Z', to: '2026-11-23T10:06:00.000Z', limit: 2 };
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.range('api', { ...query, cursor });
        seen.push(...starts(page.items));
        cursor = page.next ?? undefined;
        pages++;
      } while (cursor);
      expect(seen).toEqual([
        '2026-11-23T10:05:00.000Z',
        '2026-11-23T10:04:00.000Z',
        '2026-11-23T10:03:00.000Z',
        '2026-11-23T10:02:00.000Z',
        '2026-11-23T10:01:00.000Z',
      ]);
      expect(pages).toBe(3);
      const exact = await store.range('api', { ...query, limit: 5 });
      expect(exact.items).toHaveLength(5);
      expect(exact.next).toBeNull();
      expect((await store.range('api', { ...query, from: '2026-11-23T11:00:00Z', to: '2026-11-23T12:00:00Z' })).items).toEqual([]);
      expect((await store.range('missing', query)).items).toEqual([]);
    });

    it('rejects a cursor it did not return and a bad window', async () => {
      const store = await make();
      const query = { from: '2026-11-23T10:00:00Z', to: '2026-11-23T11:00:00Z', limit: 5 };
      await expect(store.range('api', { ...query, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(ValidationError);
      await expect(store.range('api', { ...query, to: query.from })).rejects.toMatchObject({ field: 'to' });
      await expect(store.range('api', { ...query, limit: 0 })).rejects.toMatchObject({ field: 'limit' });
    });

    it('returns the latest status of many checks in one call, ignoring late results', async () => {
      const store = await make();
      await store.record('a', result('2026-11-23T10:05:00.000Z', 'ok', 5));
      await store.record('a', result('2026-11-23T10:06:00.000Z', 'critical', 9, 'down'));
      await store.record('a', result('2026-11-23T10:04:00.000Z', 'warning', 7));
      await store.record('b', result('2026-11-23T10:01:00.000Z', 'unknown'));
      const latest = await store.latest(['b', 'missing', 'a', 'b']);
      expect(latest).toEqual([
        { checkId: 'b', status: 'unknown', checkedAt: '2026-11-23T10:01:00.000Z', message: 'unknown at 2026-11-23T10:01:00.000Z', metrics: {}, durationMs: 1, since: '2026-11-23T10:01:00.000Z' },
        { checkId: 'a', status: 'critical', checkedAt: '2026-11-23T10:06:00.000Z', message: 'down', metrics: { latency_ms: 9 }, durationMs: 9, since: '2026-11-23T10:06:00.000Z' },
      ]);
      expect(await store.latest([])).toEqual([]);
    });

    it('keeps since while the status holds and moves it when the status changes; late results leave it', async () => {
      const store = await make();
      const sinceOf = async () => (await store.latest(['s']))[0]!.since;
      await store.record('s', result('2026-11-23T10:00:00.000Z', 'ok'));
      await store.record('s', result('2026-11-23T10:01:00.000Z', 'ok'));
      expect(await sinceOf()).toBe('2026-11-23T10:00:00.000Z');
      await store.record('s', result('2026-11-23T10:02:00.000Z', 'critical'));
      await store.record('s', result('2026-11-23T10:03:00.000Z', 'critical'));
      expect(await sinceOf()).toBe('2026-11-23T10:02:00.000Z');
      await store.record('s', result('2026-11-23T10:01:30.000Z', 'ok'));
      expect(await sinceOf()).toBe('2026-11-23T10:02:00.000Z');
      await store.record('s', result('2026-11-23T10:04:00.000Z', 'ok'));
      expect(await sinceOf()).toBe('2026-11-23T10:04:00.000Z');
    });

    it('returns the latest of more checks than one batch holds', async () => {
      const store = await make();
      const ids = Array.from({ length: 130 }, (_, i) => `c${i}`);
      for (const id of ids) await store.record(id, result('2026-11-23T10:00:00.000Z', 'ok'));
      const latest = await store.latest(ids);
      expect(latest.map((l) => l.checkId)).toEqual(ids);
    });

    it('loses no count when writers race on the same minute', async () => {
      const store = await make();
      const results = Array.from({ length: 12 }, (_, i) => result(`2026-11-23T10:00:${String(i * 4).padStart(2, '0')}.000Z`, i === 5 ? 'critical' : 'ok', i));
      await Promise.all(results.map((r) => store.record('api', r)));
      const [minute] = (await store.range('api', { from: '2026-11-23T10:00:00Z', to: '2026-11-23T10:01:00Z', limit: 5 })).items;
      expect(minute).toMatchObject({ count: 12, status: 'critical', statusCounts: { ok: 11, critical: 1, warning: 0, unknown: 0 } });
      expect(minute!.metrics.latency_ms).toEqual({ min: 0, max: 11, sum: 66, count: 12 });
      const [hour] = (await store.range('api', { from: '2026-11-23T10:00:00Z', to: '2026-11-23T11:00:00Z', minutes: 60, limit: 5 })).items;
      expect(hour!.count).toBe(12);
    });
  });
}
