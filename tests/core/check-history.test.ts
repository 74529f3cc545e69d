import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/src/core/errors';
import {
  addResult,
  bucketOfResult,
  bucketStart,
  downsample,
  historyStrip,
  mergeBuckets,
  metricAverage,
  normalizeHistoryRange,
  resolutionFor,
  uptime,
  type BucketMinutes,
  type HistoryBucket,
} from '../../functions/src/core/monitoring/history';
import type { CheckResult, CheckStatus } from '../../functions/src/core/monitoring/model';

function result(checkedAt: string, status: CheckStatus, latency?: number): CheckResult {
  return { status, metrics: latency === undefined ? {} : { latency_ms: latency }, message: status, durationMs: 1, checkedAt };
}

/** A bucket with the given status counts (status = worst of them). */
function bucket(start: string, minutes: BucketMinutes, counts: Partial<Record<CheckStatus, number>>): HistoryBucket {
  let b: HistoryBucket | null = null;
  let second = 0;
  for (const status of ['ok', 'unknown', 'warning', 'critical'] as const) {
    for (let i = 0; i < (counts[status] ?? 0); i++) {
      const at = new Date(Date.parse(start) + second++ * 1000).toISOString();
      const one = { ...bucketOfResult(result(at, status)), start, minutes };
      b = b ? mergeBuckets(b, one) : one;
    }
  }
  return b!;
}

describe('buckets', () => {
  it('aligns bucket starts to the minute, quarter hour and hour (UTC)', () => {
    expect(bucketStart('2026-11-23T10:07:59.999Z', 1)).toBe('2026-11-23T10:07:00.000Z');
    expect(bucketStart('2026-11-23T10:29:00Z', 15)).toBe('2026-11-23T10:15:00.000Z');
    expect(bucketStart('2026-11-23T12:59:00+02:00', 60)).toBe('2026-11-23T10:00:00.000Z');
    expect(() => bucketStart('yesterday', 1)).toThrow(ValidationError);
  });

  it('merges results: worst status, counts per status, min/avg/max of each metric, newest last result', () => {
    let rec = addResult(null, result('2026-11-23T10:00:40Z', 'warning', 120))!;
    rec = addResult(rec, result('2026-11-23T10:00:10Z', 'ok', 80))!;
    rec = addResult(rec, result('2026-11-23T10:00:20Z', 'unknown'))!;
    expect(rec.bucket).toEqual({
      start: '2026-11-23T10:00:00.000Z',
      minutes: 1,
      status: 'warning',
      count: 3,
      statusCounts: { ok: 1, warning: 1, critical: 0, unknown: 1 },
      metrics: { latency_ms: { min: 80, max: 120, sum: 200, count: 2 } },
      lastCheckedAt: '2026-11-23T10:00:40.000Z',
      lastStatus: 'warning',
      lastMessage: 'warning',
    });
    expect(metricAverage(rec.bucket, 'latency_ms')).toBe(100);
    expect(metricAverage(rec.bucket, 'peers')).toBeNull();
    expect(rec.seen).toEqual(['2026-11-23T10:00:10.000Z', '2026-11-23T10:00:20.000Z', '2026-11-23T10:00:40.000Z']);
  });

  it('ignores a result it has already merged (same checkedAt)', () => {
    const rec = addResult(null, result('2026-11-23T10:00:40Z', 'ok', 1))!;
    expect(addResult(rec, result('2026-11-23T10:00:40.000Z', 'critical', 9))).toBeNull();
  });

  it('refuses to merge buckets of different spans', () => {
    const a = bucketOfResult(result('2026-11-23T10:00:00Z', 'ok'));
    const b = bucketOfResult(result('2026-11-23T10:01:00Z', 'ok'));
    expect(() => mergeBuckets(a, b)).toThrow(ValidationError);
    expect(() => mergeBuckets(a, { ...a, minutes: 15 })).toThrow(ValidationError);
  });
});

describe('downsample', () => {
  const now = '2026-11-23T12:07:00.000Z';

  it('keeps the last 24 hours at one minute and makes older minutes 15-minute buckets with the worst status', () => {
    const input = [
      // recent: untouched
      bucket('2026-11-23T12:00:00.000Z', 1, { ok: 1 }),
      // 24 h cut-off is 2026-11-22T12:07 rounded down to the quarter: 12:00. 12:03 is after it: stays.
      bucket('2026-11-22T12:03:00.000Z', 1, { critical: 1 }),
      // older than 24 h: 11:46, 11:50 and 11:59 form the 11:45 quarter, 11:44 the 11:30 one
      bucket('2026-11-22T11:46:00.000Z', 1, { ok: 2 }),
      bucket('2026-11-22T11:50:00.000Z', 1, { critical: 1, ok: 1 }),
      bucket('2026-11-22T11:59:00.000Z', 1, { warning: 1 }),
      bucket('2026-11-22T11:44:00.000Z', 1, { unknown: 1 }),
    ];
    const out = downsample(input, now);
    expect(out.map((b) => [b.start, b.minutes, b.status, b.count])).toEqual([
      ['2026-11-22T11:30:00.000Z', 15, 'unknown', 1],
      ['2026-11-22T11:45:00.000Z', 15, 'critical', 5],
      ['2026-11-22T12:03:00.000Z', 1, 'critical', 1],
      ['2026-11-23T12:00:00.000Z', 1, 'ok', 1],
    ]);
    expect(out[1]!.statusCounts).toEqual({ ok: 3, warning: 1, critical: 1, unknown: 0 });
  });

  it('makes buckets older than 7 days one-hour buckets, also from 15-minute ones, and is stable when repeated', () => {
    const input = [
      // 7-day cut-off: 2026-11-16T12:07 rounded down to the hour = 12:00
      bucket('2026-11-16T11:00:00.000Z', 15, { ok: 4 }),
      bucket('2026-11-16T11:45:00.000Z', 15, { warning: 1, ok: 3 }),
      bucket('2026-11-16T11:59:00.000Z', 1, { ok: 1 }),
      bucket('2026-11-16T12:00:00.000Z', 15, { critical: 2 }),
    ];
    const out = downsample(input, now);
    expect(out.map((b) => [b.start, b.minutes, b.status, b.count])).toEqual([
      ['2026-11-16T11:00:00.000Z', 60, 'warning', 9],
      ['2026-11-16T12:00:00.000Z', 15, 'critical', 2],
    ]);
    expect(downsample(out, now)).toEqual(out);
  });

  it('keeps metric statistics across the merge', () => {
    const a = addResult(null, result('2026-11-01T10:01:00Z', 'ok', 10))!.bucket;
    const b = addResult(null, result('2026-11-01T10:40:00Z', 'ok', 50))!.bucket;
    const [hour] = downsample([a, b], now);
    expect(hour!.metrics.latency_ms).toEqual({ min: 10, max: 50, sum: 60, count: 2 });
    expect(metricAverage(hour!, 'latency_ms')).toBe(30);
  });

  it('never makes a bucket finer', () => {
    const hourly = bucket('2026-11-23T11:00:00.000Z', 60, { ok: 1 });
    expect(downsample([hourly], now)).toEqual([hourly]);
  });
});

describe('historyStrip', () => {
  it('gives each slot the worst status of the buckets overlapping it, or none', () => {
    const buckets = [
      bucket('2026-11-23T10:00:00.000Z', 1, { ok: 1 }),
      bucket('2026-11-23T10:01:00.000Z', 1, { warning: 1 }),
      bucket('2026-11-23T10:05:00.000Z', 1, { ok: 1 }),
      // a quarter bucket covering slots 3..5 partially: 10:15–10:30 overlaps [10:10,10:20) and [10:20,10:30)
      bucket('2026-11-23T10:15:00.000Z', 15, { critical: 1 }),
      bucket('2026-11-23T10:25:00.000Z', 1, { unknown: 1 }),
      // outside the window
      bucket('2026-11-23T10:30:00.000Z', 1, { critical: 1 }),
    ];
    const strip = historyStrip(buckets, '2026-11-23T10:00:00Z', '2026-11-23T10:30:00Z', 3);
    expect(strip).toEqual([
      { start: '2026-11-23T10:00:00.000Z', end: '2026-11-23T10:10:00.000Z', status: 'warning' },
      { start: '2026-11-23T10:10:00.000Z', end: '2026-11-23T10:20:00.000Z', status: 'critical' },
      { start: '2026-11-23T10:20:00.000Z', end: '2026-11-23T10:30:00.000Z', status: 'critical' },
    ]);
    const fine = historyStrip(buckets, '2026-11-23T10:00:00Z', '2026-11-23T10:06:00Z', 6);
    expect(fine.map((s) => s.status)).toEqual(['ok', 'warning', 'none', 'none', 'none', 'ok']);
  });

  it('handles slots that do not divide the window evenly, and an empty history', () => {
    const b = bucket('2026-11-23T10:00:00.000Z', 1, { critical: 1 });
    const strip = historyStrip([b], '2026-11-23T10:00:00Z', '2026-11-23T10:01:00Z', 7);
    expect(strip).toHaveLength(7);
    expect(strip.every((s) => s.status === 'critical')).toBe(true);
    expect(strip[6]!.end).toBe('2026-11-23T10:01:00.000Z');
    expect(historyStrip([], '2026-11-23T10:00:00Z', '2026-11-23T11:00:00Z', 4).map((s) => s.status)).toEqual(['none', 'none', 'none', 'none']);
  });

  it('rejects an empty window and bad slot counts', () => {
    expect(() => historyStrip([], '2026-11-23T10:00:00Z', '2026-11-23T10:00:00Z', 3)).toThrow(expect.objectContaining({ field: 'to' }));
    expect(() => historyStrip([], '2026-11-23T10:00:00Z', '2026-11-23T11:00:00Z', 0)).toThrow(expect.objectContaining({ field: 'slots' }));
    expect(() => historyStrip([], '2026-11-23T10:00:00Z', '2026-11-23T11:00:00Z', 2.5)).toThrow(ValidationError);
  });
});

describe('uptime', () => {
  it('is up (ok or warning) over up plus critical results, unknown left out, within [from, to)', () => {
    const buckets = [
      bucket('2026-11-23T10:00:00.000Z', 15, { ok: 10, warning: 2, critical: 3, unknown: 5 }),
      bucket('2026-11-23T10:15:00.000Z', 1, { ok: 1 }),
      bucket('2026-11-23T11:00:00.000Z', 60, { critical: 50 }), // starts at `to`: outside
      bucket('2026-11-23T09:59:00.000Z', 1, { critical: 50 }), // before `from`: outside
    ];
    // up = 10 + 2 + 1 = 13, down = 3 → 13 / 16 = 81.25 %
    expect(uptime(buckets, '2026-11-23T10:00:00Z', '2026-11-23T11:00:00Z')).toEqual({ percent: 81.25, up: 13, down: 3, unknown: 5 });
  });

  it('is null without any evaluated result', () => {
    expect(uptime([bucket('2026-11-23T10:00:00.000Z', 1, { unknown: 2 })], '2026-11-23T10:00:00Z', '2026-11-23T11:00:00Z')).toEqual({
      percent: null,
      up: 0,
      down: 0,
      unknown: 2,
    });
  });
});

describe('ranges', () => {
  it('picks the resolution a store keeps for how far back the window starts', () => {
    const now = '2026-11-23T12:00:00.000Z';
    expect(resolutionFor('2026-11-23T00:00:00Z', now)).toBe(1);
    expect(resolutionFor('2026-11-20T00:00:00Z', now)).toBe(15);
    expect(resolutionFor('2026-10-24T12:00:00Z', now)).toBe(60);
  });

  it('normalises and validates a range query', () => {
    expect(normalizeHistoryRange({ from: '2026-11-23T10:00:00+01:00', to: '2026-11-23T10:00:00Z', limit: 5 })).toEqual({
      from: '2026-11-23T09:00:00.000Z',
      to: '2026-11-23T10:00:00.000Z',
      minutes: 1,
      limit: 5,
    });
    expect(() => normalizeHistoryRange({ from: 'x', to: '2026-11-23T10:00:00Z', limit: 5 })).toThrow(expect.objectContaining({ field: 'from' }));
    expect(() => normalizeHistoryRange({ from: '2026-11-23T09:00:00Z', to: '2026-11-23T10:00:00Z', minutes: 5, limit: 5 })).toThrow(
      expect.objectContaining({ field: 'minutes' }),
    );
    expect(() => normalizeHistoryRange({ from: '2026-11-23T09:00:00Z', to: '2026-11-23T10:00:00Z', limit: 5000 })).toThrow(
      expect.objectContaining({ field: 'limit' }),
    );
  });
});
