/**
 * Check status history, pure: time buckets of check results (worst status, counts, numeric metric
 * statistics), their downsampling for old periods, fixed-width "history strips" and uptime.
 *
 * Times are ISO 8601 UTC; bucket starts are written with milliseconds (`toISOString()`), so string
 * order is time order. A bucket covers `[start, start + minutes)`.
 */
import { ValidationError } from '../errors';
import { worstStatus } from './evaluate';
import { CHECK_STATUSES, type CheckResult, type CheckStatus } from './model';
import type { LatestCheckStatus } from '../ports/check-history-store';

/** Resolutions a bucket may have, in minutes. */
export type BucketMinutes = 1 | 15 | 60;
export const BUCKET_RESOLUTIONS: readonly BucketMinutes[] = [1, 15, 60];

/** Statistics of one numeric metric over the results of a bucket. */
export interface MetricStats {
  min: number;
  max: number;
  sum: number;
  count: number;
}

/** The results of one check within one time bucket. */
export interface HistoryBucket {
  /** Bucket start, ISO 8601 UTC with milliseconds, aligned to `minutes`. */
  start: string;
  minutes: BucketMinutes;
  /** Worst status seen in the bucket (critical > warning > unknown > ok). */
  status: CheckStatus;
  /** Results merged into the bucket. */
  count: number;
  /** Results per status; their sum is `count`. */
  statusCounts: Record<CheckStatus, number>;
  /** Every numeric metric the results carried (`latency_ms`, ...). */
  metrics: Record<string, MetricStats>;
  /** The newest result merged in: its time, status and message. */
  lastCheckedAt: string;
  lastStatus: CheckStatus;
  lastMessage: string;
}

/** A bucket as a store keeps it: the bucket plus the result times it has merged (for idempotence). */
export interface BucketRecord {
  bucket: HistoryBucket;
  /** `checkedAt` of every result merged in (bounded by `MAX_SEEN`, oldest dropped first). */
  seen: string[];
}

/** How many result times a bucket record remembers for deduplication (one per minute for an hour, twice over). */
export const MAX_SEEN = 120;

/** Full days of retention for history items (`expiresAt` TTL). */
export const HISTORY_RETENTION_DAYS = 30;

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

function parseTime(value: string, field: string): number {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new ValidationError(`${field} is not an ISO 8601 time: ${JSON.stringify(value)}`, field, 'invalid_time');
  return t;
}

/** Start of the `minutes`-long bucket that holds `time` (UTC, aligned on the epoch), ISO with ms. */
export function bucketStart(time: string, minutes: BucketMinutes): string {
  const t = parseTime(time, 'checkedAt');
  const size = minutes * MINUTE_MS;
  return new Date(Math.floor(t / size) * size).toISOString();
}

/** Epoch milliseconds of a bucket's end (exclusive). */
export function bucketEndMs(bucket: Pick<HistoryBucket, 'start' | 'minutes'>): number {
  return Date.parse(bucket.start) + bucket.minutes * MINUTE_MS;
}

/** TTL value (epoch seconds) for a bucket: its end plus the retention. */
export function expiresAtOf(bucket: Pick<HistoryBucket, 'start' | 'minutes'>): number {
  return Math.floor((bucketEndMs(bucket) + HISTORY_RETENTION_DAYS * DAY_MS) / 1000);
}

function emptyCounts(): Record<CheckStatus, number> {
  return { ok: 0, warning: 0, critical: 0, unknown: 0 };
}

/** The bucket of one result alone, at the given resolution (default one minute). */
export function bucketOfResult(result: CheckResult, minutes: BucketMinutes = 1): HistoryBucket {
  const statusCounts = emptyCounts();
  statusCounts[result.status] = 1;
  const metrics: Record<string, MetricStats> = {};
  for (const [name, value] of Object.entries(result.metrics)) {
    if (typeof value === 'number' && Number.isFinite(value)) metrics[name] = { min: value, max: value, sum: value, count: 1 };
  }
  return {
    start: bucketStart(result.checkedAt, minutes),
    minutes,
    status: result.status,
    count: 1,
    statusCounts,
    metrics,
    lastCheckedAt: new Date(parseTime(result.checkedAt, 'checkedAt')).toISOString(),
    lastStatus: result.status,
    lastMessage: result.message,
  };
}

function mergeStats(a: MetricStats | undefined, b: MetricStats): MetricStats {
  if (!a) return { ...b };
  return { min: Math.min(a.min, b.min), max: Math.max(a.max, b.max), sum: a.sum + b.sum, count: a.count + b.count };
}

/**
 * Merges the contents of `b` into a bucket spanning `start`/`minutes` (which must contain both):
 * worst status, counts and metric statistics added, the newer "last" result kept.
 */
function mergeInto(start: string, minutes: BucketMinutes, a: HistoryBucket, b: HistoryBucket): HistoryBucket {
  const statusCounts = emptyCounts();
  for (const s of CHECK_STATUSES) statusCounts[s] = a.statusCounts[s] + b.statusCounts[s];
  const metrics: Record<string, MetricStats> = {};
  for (const [name, stats] of Object.entries(a.metrics)) metrics[name] = { ...stats };
  for (const [name, stats] of Object.entries(b.metrics)) metrics[name] = mergeStats(metrics[name], stats);
  const newer = b.lastCheckedAt > a.lastCheckedAt ? b : a;
  return {
    start,
    minutes,
    status: worstStatus([a.status, b.status]),
    count: a.count + b.count,
    statusCounts,
    metrics,
    lastCheckedAt: newer.lastCheckedAt,
    lastStatus: newer.lastStatus,
    lastMessage: newer.lastMessage,
  };
}

/** Merges two buckets of the same start and resolution; throws `ValidationError` otherwise. */
export function mergeBuckets(a: HistoryBucket, b: HistoryBucket): HistoryBucket {
  if (a.start !== b.start || a.minutes !== b.minutes) {
    throw new ValidationError(`cannot merge bucket ${b.start}/${b.minutes}m into ${a.start}/${a.minutes}m`, 'start', 'bucket_mismatch');
  }
  return mergeInto(a.start, a.minutes, a, b);
}

/**
 * Adds one result to a stored bucket record (null: none yet) at the given resolution. Returns the
 * new record, or null when the record has already merged a result with the same `checkedAt`
 * (recording the same result twice changes nothing).
 */
export function addResult(record: BucketRecord | null, result: CheckResult, minutes: BucketMinutes = 1): BucketRecord | null {
  const single = bucketOfResult(result, minutes);
  if (!record) return { bucket: single, seen: [single.lastCheckedAt] };
  if (record.seen.includes(single.lastCheckedAt)) return null;
  const seen = [...record.seen, single.lastCheckedAt].sort();
  return { bucket: mergeBuckets(record.bucket, single), seen: seen.slice(Math.max(0, seen.length - MAX_SEEN)) };
}

/** Latest `minutes` resolution that a bucket starting at `startMs` should have, given `now`. */
function targetMinutes(startMs: number, nowMs: number): BucketMinutes {
  const hourCutoff = Math.floor((nowMs - 7 * DAY_MS) / (60 * MINUTE_MS)) * 60 * MINUTE_MS;
  const quarterCutoff = Math.floor((nowMs - DAY_MS) / (15 * MINUTE_MS)) * 15 * MINUTE_MS;
  if (startMs < hourCutoff) return 60;
  if (startMs < quarterCutoff) return 15;
  return 1;
}

/**
 * Downsamples buckets by age relative to `now`: buckets starting more than 24 hours ago become
 * 15-minute buckets, more than 7 days ago one-hour buckets (the cut-offs are rounded down to the
 * coarser grid, so no coarse bucket overlaps a finer one). Merging keeps the worst status, adds
 * counts and metric statistics. A bucket is never made finer. Input in any order (buckets of the
 * same span must not repeat); output oldest first.
 */
export function downsample(buckets: readonly HistoryBucket[], now: string): HistoryBucket[] {
  const nowMs = parseTime(now, 'now');
  const groups = new Map<string, HistoryBucket>();
  for (const b of buckets) {
    const startMs = Date.parse(b.start);
    const target = Math.max(targetMinutes(startMs, nowMs), b.minutes) as BucketMinutes;
    const size = target * MINUTE_MS;
    const start = new Date(Math.floor(startMs / size) * size).toISOString();
    const key = `${start}#${target}`;
    const existing = groups.get(key);
    groups.set(key, existing ? mergeInto(start, target, existing, b) : { ...b, start, minutes: target });
  }
  return [...groups.values()].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.minutes - b.minutes));
}

/** One slot of a history strip. `none` when no bucket touches it. */
export interface StripSlot {
  start: string;
  end: string;
  status: CheckStatus | 'none';
}

/** Upper bound on strip slots, so a request cannot ask for a huge array. */
export const MAX_STRIP_SLOTS = 2000;

/**
 * Splits `[from, to)` into `slots` equal slots (oldest first); each takes the worst status of the
 * buckets overlapping it, or `none`. Throws `ValidationError` for an empty window or a bad slot count.
 */
export function historyStrip(buckets: readonly HistoryBucket[], from: string, to: string, slots: number): StripSlot[] {
  const fromMs = parseTime(from, 'from');
  const toMs = parseTime(to, 'to');
  if (!(toMs > fromMs)) throw new ValidationError('to must be after from', 'to', 'invalid_window');
  if (!Number.isInteger(slots) || slots < 1 || slots > MAX_STRIP_SLOTS) {
    throw new ValidationError(`slots must be an integer from 1 to ${MAX_STRIP_SLOTS}`, 'slots', 'invalid_slots');
  }
  const width = (toMs - fromMs) / slots;
  const boundary = (i: number) => (i === slots ? toMs : fromMs + Math.round(i * width));
  const statuses: CheckStatus[][] = Array.from({ length: slots }, () => []);
  for (const b of buckets) {
    const bStart = Date.parse(b.start);
    const bEnd = bucketEndMs(b);
    if (bEnd <= fromMs || bStart >= toMs) continue;
    const first = Math.max(0, Math.floor((bStart - fromMs) / width));
    for (let i = first; i < slots; i++) {
      const sStart = boundary(i);
      const sEnd = boundary(i + 1);
      if (sStart >= bEnd) break;
      if (sEnd > bStart) statuses[i]!.push(b.status);
    }
  }
  return statuses.map((s, i) => ({
    start: new Date(boundary(i)).toISOString(),
    end: new Date(boundary(i + 1)).toISOString(),
    status: s.length === 0 ? 'none' : worstStatus(s),
  }));
}

/** Uptime over a window. */
export interface Uptime {
  /** Percentage of evaluated results that were up, 0–100; null without any. */
  percent: number | null;
  /** Results that were `ok` or `warning` (the target answered acceptably). */
  up: number;
  /** Results that were `critical`. */
  down: number;
  /** Results that were `unknown` (the check could not judge); left out of the percentage. */
  unknown: number;
}

/**
 * Uptime from the buckets starting within `[from, to)`: up (ok or warning) results over up plus
 * down (critical) results, in percent; `unknown` results count for neither side.
 */
export function uptime(buckets: readonly HistoryBucket[], from: string, to: string): Uptime {
  const fromMs = parseTime(from, 'from');
  const toMs = parseTime(to, 'to');
  if (!(toMs > fromMs)) throw new ValidationError('to must be after from', 'to', 'invalid_window');
  let up = 0;
  let down = 0;
  let unknown = 0;
  for (const b of buckets) {
    const startMs = Date.parse(b.start);
    if (startMs < fromMs || startMs >= toMs) continue;
    up += b.statusCounts.ok + b.statusCounts.warning;
    down += b.statusCounts.critical;
    unknown += b.statusCounts.unknown;
  }
  return { percent: up + down === 0 ? null : (up * 100) / (up + down), up, down, unknown };
}

/** Mean of a metric in a bucket, null when the bucket has none of it. */
export function metricAverage(bucket: HistoryBucket, metric: string): number | null {
  const stats = bucket.metrics[metric];
  return stats && stats.count > 0 ? stats.sum / stats.count : null;
}

/**
 * The resolution to read for a window ending at `now`: one minute up to 24 hours back, 15 minutes
 * up to 7 days, one hour beyond (what a store keeps for each, see `CheckHistoryStore.range`).
 */
export function resolutionFor(from: string, now: string): BucketMinutes {
  return targetMinutes(parseTime(from, 'from'), parseTime(now, 'now'));
}

/** Largest page a history range may ask for. */
export const MAX_HISTORY_PAGE = 1000;

/**
 * Checks and normalises a range query: times to ISO with milliseconds, `from < to`, a resolution
 * the store keeps, a limit from 1 to `MAX_HISTORY_PAGE`. Throws `ValidationError` with the field.
 */
export function normalizeHistoryRange(query: { from: string; to: string; minutes?: number; limit: number }): {
  from: string;
  to: string;
  minutes: BucketMinutes;
  limit: number;
} {
  const fromMs = parseTime(query.from, 'from');
  const toMs = parseTime(query.to, 'to');
  if (!(toMs > fromMs)) throw new ValidationError('to must be after from', 'to', 'invalid_window');
  const minutes = query.minutes ?? 1;
  if (!(BUCKET_RESOLUTIONS as readonly number[]).includes(minutes)) {
    throw new ValidationError(`minutes must be one of ${BUCKET_RESOLUTIONS.join(', ')}`, 'minutes', 'invalid_resolution');
  }
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_HISTORY_PAGE) {
    throw new ValidationError(`limit must be an integer from 1 to ${MAX_HISTORY_PAGE}`, 'limit', 'invalid_limit');
  }
  return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), minutes: minutes as BucketMinutes, limit: query.limit };
}

/** The "current status" row of a check, from its newest result (time normalised to ISO UTC ms). */
export function latestStatusOf(checkId: string, result: CheckResult): LatestCheckStatus {
  const checkedAt = new Date(Date.parse(result.checkedAt)).toISOString();
  return {
    checkId,
    status: result.status,
    checkedAt,
    message: result.message,
    metrics: { ...result.metrics },
    durationMs: result.durationMs,
    since: checkedAt,
  };
}

/**
 * The latest-status row after `result`, given the stored one: null when the stored row is newer
 * or as new (a late or repeated result changes nothing); otherwise the new row, whose `since`
 * carries over while the status stays the same and restarts at this result when it changes. Pure.
 */
export function nextLatestStatus(previous: LatestCheckStatus | null, checkId: string, result: CheckResult): LatestCheckStatus | null {
  const next = latestStatusOf(checkId, result);
  if (previous && previous.checkedAt >= next.checkedAt) return null;
  if (previous && previous.status === next.status) next.since = previous.since ?? previous.checkedAt;
  return next;
}
