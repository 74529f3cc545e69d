import { ValidationError } from '../../core/errors';
import { addResult, BUCKET_RESOLUTIONS, nextLatestStatus, normalizeHistoryRange, type BucketRecord, type HistoryBucket } from '../../core/monitoring/history';
import type { CheckResult } from '../../core/monitoring/model';
import type { CheckHistoryRange, CheckHistoryStore, LatestCheckStatus } from '../../core/ports/check-history-store';
import type { Page } from '../../core/read-models';

function encodePosition(start: string): string {
  return Buffer.from(JSON.stringify({ s: start })).toString('base64url');
}

function decodePosition(cursor: string): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown };
    if (typeof value.s !== 'string' || Number.isNaN(Date.parse(value.s))) throw new Error('shape');
    return value.s;
  } catch {
    throw new ValidationError('cursor is not a cursor this API returned', 'cursor', 'invalid_cursor');
  }
}

/**
 * CheckHistoryStore in Maps, for unit tests and the local runtime without DynamoDB; same contract
 * as the DynamoDB adapter. It does not expire items (retention is DynamoDB's TTL).
 */
export class InMemoryCheckHistoryStore implements CheckHistoryStore {
  /** key `<checkId>\u0000<minutes>\u0000<start>` → record (JSON, so callers cannot mutate it). */
  private readonly buckets = new Map<string, string>();
  private readonly latestByCheck = new Map<string, string>();

  async record(checkId: string, result: CheckResult): Promise<HistoryBucket> {
    let minute: HistoryBucket | null = null;
    for (const minutes of BUCKET_RESOLUTIONS) {
      const probe = addResult(null, result, minutes)!;
      const key = `${checkId}\u0000${minutes}\u0000${probe.bucket.start}`;
      const raw = this.buckets.get(key);
      const current = raw ? (JSON.parse(raw) as BucketRecord) : null;
      const next = addResult(current, result, minutes);
      if (next) this.buckets.set(key, JSON.stringify(next));
      if (minutes === 1) minute = (next ?? current)!.bucket;
    }
    const latestRaw = this.latestByCheck.get(checkId);
    const latest = latestRaw ? (JSON.parse(latestRaw) as LatestCheckStatus) : null;
    const value = nextLatestStatus(latest, checkId, result);
    if (value) {
      this.latestByCheck.set(checkId, JSON.stringify(value));
    }
    return JSON.parse(JSON.stringify(minute)) as HistoryBucket;
  }

  async latest(checkIds: readonly string[]): Promise<LatestCheckStatus[]> {
    const out: LatestCheckStatus[] = [];
    for (const id of new Set(checkIds)) {
      const raw = this.latestByCheck.get(id);
      if (raw) out.push(JSON.parse(raw) as LatestCheckStatus);
    }
    return out;
  }

  async range(checkId: string, query: CheckHistoryRange): Promise<Page<HistoryBucket>> {
    const { from, to, minutes, limit } = normalizeHistoryRange(query);
    const before = query.cursor ? decodePosition(query.cursor) : null;
    const prefix = `${checkId}\u0000${minutes}\u0000`;
    const all = [...this.buckets.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([, raw]) => (JSON.parse(raw) as BucketRecord).bucket)
      .filter((b) => b.start >= from && b.start < to && (before === null || b.start < before))
      .sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : 0));
    const items = all.slice(0, limit);
    const next = all.length > limit ? encodePosition(items[items.length - 1]!.start) : null;
    return { items, next };
  }
}
