import { describe, expect, it } from 'vitest';
import {
  culpritCheck,
  historyWords,
  matchersFor,
  metricSeries,
  nodeMatches,
  sinceOf,
  uptimeOf,
  type CheckStatus,
  type HealthNode,
  type HistoryBucket,
  type StripSlot,
} from '../../web/lib/monitoring-view';

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const iso = (minute: number) => new Date(T0 + minute * 60_000).toISOString();

/** A 60-slot strip from statuses given newest last; `-` is a slot without data. */
function strip(statuses: (CheckStatus | '-')[]): StripSlot[] {
  const padded = [...Array<'-'>(60 - statuses.length).fill('-'), ...statuses];
  return padded.map((s, i) => ({ start: iso(i), end: iso(i + 1), status: s === '-' ? 'none' : s }));
}

function node(name: string, status: CheckStatus, extra: Partial<HealthNode> = {}): HealthNode {
  return { kind: 'system', name, status, reason: '', observed: true, checks: [], children: [], ...extra };
}

function bucket(minute: number, status: CheckStatus, metrics: Record<string, [number, number, number, number]> = {}): HistoryBucket {
  const counts = { ok: 0, warning: 0, critical: 0, unknown: 0 };
  counts[status] = 2;
  return {
    start: iso(minute),
    minutes: 1,
    status,
    count: 2,
    statusCounts: counts,
    metrics: Object.fromEntries(Object.entries(metrics).map(([k, [min, max, sum, count]]) => [k, { min, max, sum, count }])),
    lastCheckedAt: iso(minute),
    lastStatus: status,
    lastMessage: '',
  };
}

describe('since when a check has its status', () => {
  it('starts at the first minute of the current run', () => {
    const s = strip(['ok', 'ok', 'critical', '-', 'critical']);
    expect(sinceOf({ status: 'critical', checkedAt: iso(59), strip: s, since: null })).toEqual({ iso: iso(57), atLeast: false });
  });

  it('says "at least" only when the whole window has the status', () => {
    const all = strip(Array<CheckStatus>(60).fill('ok'));
    expect(sinceOf({ status: 'ok', checkedAt: iso(59), strip: all, since: null })).toEqual({ iso: iso(0), atLeast: true });
    const young = strip(['ok', 'ok']);
    expect(sinceOf({ status: 'ok', checkedAt: iso(59), strip: young, since: null })).toEqual({ iso: iso(58), atLeast: false });
    expect(historyWords({ status: 'ok', checkedAt: iso(59), strip: young, flapping: { flapping: false, changes: 0, samples: 2 } })).toBe(
      'ok in every minute with results (2 of 60)',
    );
  });

  it("prefers the server's since over the strip's estimate", () => {
    const all = strip(Array<CheckStatus>(60).fill('ok'));
    expect(sinceOf({ status: 'ok', checkedAt: iso(59), strip: all, since: '2026-11-20T08:00:00.000Z' })).toEqual({ iso: '2026-11-20T08:00:00.000Z', atLeast: false });
    expect(sinceOf({ status: 'ok', checkedAt: iso(59), strip: all, since: null })).toEqual({ iso: iso(0), atLeast: true });
  });

  it('knows nothing before the first result', () => {
    expect(sinceOf({ status: 'unknown', checkedAt: null, strip: strip([]), since: null })).toEqual({ iso: null, atLeast: false });
  });
});

describe('the health tree', () => {
  const check = node('web', 'critical', { kind: 'service', checks: [{ name: 'web-http', status: 'critical', message: 'HTTP 500' }], culprit: { kind: 'check', name: 'web-http', status: 'critical' } });
  const idle = node('batch', 'unknown', { kind: 'service', observed: false });
  const edge = node('edge', 'critical', { children: [check, idle], culprit: { kind: 'service', name: 'web', status: 'critical' } });
  const root = node('shop', 'critical', { children: [edge], culprit: { kind: 'system', name: 'edge', status: 'critical' } });

  it('follows the culprits down to the check', () => {
    expect(culpritCheck(root)).toBe('web-http');
    expect(culpritCheck(idle)).toBeNull();
  });

  it('filters by text anywhere below and by status, leaving out unobserved nodes for status filters', () => {
    expect(nodeMatches(root, null, 'web-h')).toBe(true);
    expect(nodeMatches(root, null, 'nothing')).toBe(false);
    expect(nodeMatches(root, 'problems', null)).toBe(true);
    expect(nodeMatches(idle, 'problems', null)).toBe(false);
    expect(nodeMatches(idle, 'unknown', null)).toBe(false);
    expect(nodeMatches(idle, null, null)).toBe(true);
    expect(nodeMatches(root, 'ok', null)).toBe(false);
    // Below a matching name every node matches the text.
    expect(nodeMatches(edge, null, 'edge')).toBe(true);
  });
});

describe('history for the check page', () => {
  it('turns bucket statistics into min/avg/max series, latency first', () => {
    const series = metricSeries([
      bucket(1, 'ok', { latency_ms: [10, 30, 40, 2], body_bytes: [5, 5, 10, 2] }),
      bucket(0, 'ok', { latency_ms: [20, 20, 20, 1] }),
    ]);
    expect(series.map((s) => s.metric)).toEqual(['latency_ms', 'body_bytes']);
    expect(series[0]!.points).toEqual([
      { t: T0, min: 20, avg: 20, max: 20 },
      { t: T0 + 60_000, min: 10, avg: 20, max: 30 },
    ]);
  });

  it('counts uptime over every bucket read', () => {
    expect(uptimeOf([bucket(0, 'ok'), bucket(1, 'critical'), bucket(2, 'warning'), bucket(3, 'unknown')])).toEqual({ percent: (4 * 100) / 6, up: 4, down: 2, unknown: 2 });
    expect(uptimeOf([]).percent).toBeNull();
  });
});

it('prefills a silence with one equality matcher per label, alertname first', () => {
  expect(matchersFor({ team: 'x', alertname: 'down', env: '<b>' })).toEqual([
    { name: 'alertname', op: '=', value: 'down' },
    { name: 'env', op: '=', value: '<b>' },
    { name: 'team', op: '=', value: 'x' },
  ]);
});
