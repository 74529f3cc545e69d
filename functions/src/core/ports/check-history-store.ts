import type { BucketMinutes, HistoryBucket } from '../monitoring/history';
import type { CheckResult, CheckStatus } from '../monitoring/model';
import type { Page } from '../read-models';

/** The current status of one check (its newest recorded result). */
export interface LatestCheckStatus {
  checkId: string;
  status: CheckStatus;
  checkedAt: string;
  message: string;
  metrics: Record<string, number>;
  durationMs: number;
  /**
   * When the check entered its current status (the `checkedAt` of the first result with this
   * status since it last differed). Absent on rows written before it existed.
   */
  since?: string;
}

/** A page request over one check's buckets. */
export interface CheckHistoryRange {
  /** Buckets starting at or after this time (ISO 8601). */
  from: string;
  /** Buckets starting before this time (ISO 8601). */
  to: string;
  /** Bucket resolution to read; default 1 (minute). The store keeps 1, 15 and 60 minutes. */
  minutes?: BucketMinutes;
  limit: number;
  cursor?: string;
}

/**
 * Where check results are kept, as time buckets per check, plus the newest result per check.
 * Every read is a key lookup or one Query, independent of how long the history is. Items expire
 * after `HISTORY_RETENTION_DAYS` (TTL attribute `expiresAt`).
 */
export interface CheckHistoryStore {
  /**
   * Merges a result into the check's one-minute, 15-minute and one-hour buckets and, when newer,
   * into its latest status. Idempotent per result: the same `checkedAt` recorded again changes
   * nothing; another result of the same minute merges into that minute's bucket. Safe under
   * concurrent writers (no lost counts). Returns the one-minute bucket after the merge.
   */
  record(checkId: string, result: CheckResult): Promise<HistoryBucket>;
  /** The current status of each known check among `checkIds` (unknown ids are absent), in one batch. */
  latest(checkIds: readonly string[]): Promise<LatestCheckStatus[]>;
  /**
   * One check's buckets of one resolution starting within `[from, to)`, newest first, paged by an
   * opaque cursor; `ValidationError` (field `cursor`) for a cursor it did not return.
   */
  range(checkId: string, query: CheckHistoryRange): Promise<Page<HistoryBucket>>;
}
