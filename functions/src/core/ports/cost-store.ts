import type { AwsCostInsights, CostDay, CostDayMarker, CostImportRecord } from '../costs/model';
import type { Page } from '../read-models';

/**
 * Where cost records live: one versioned unit per source × UTC day, the import history and AWS's
 * own forecast and anomalies.
 */
export interface CostStore {
  /**
   * Replaces every row of `day.source` on `day.date` by `day.rows`. Idempotent (the same day twice
   * leaves the same rows) and never half-visible: a reader sees either the whole previous version of
   * that day or the whole new one, never a mix and never a partial new one, also when the write fails
   * midway (then the previous version stays). Two imports of the same day racing: the last to finish
   * wins, whole.
   */
  replaceDay(day: CostDay): Promise<void>;
  /** Every source's current version of each day in `[fromDate, toDate]` (inclusive), oldest first. */
  listDays(fromDate: string, toDate: string): Promise<CostDay[]>;
  /** Which days exist, without their rows (cheap): of one source when given, else of all. */
  listMarkers(fromDate: string, toDate: string, source?: string): Promise<CostDayMarker[]>;
  /** Appends one entry to the import history. */
  recordImport(record: CostImportRecord): Promise<void>;
  /** The import history, newest first. */
  listImports(limit: number, cursor?: string): Promise<Page<CostImportRecord>>;
  /** Replaces AWS's forecast and anomalies as last fetched. */
  putAwsInsights(insights: AwsCostInsights): Promise<void>;
  getAwsInsights(): Promise<AwsCostInsights | null>;
}
