import type { DoraDay, DoraUpdate } from '../dora/model';

/**
 * The DORA aggregates: one item per service and UTC day, holding the day's deployment, change and
 * incident entries as a set. Kept at ingest by the store consumer, so a report reads only the days
 * of its window, never the event history.
 */
export interface DoraStore {
  /**
   * Adds `update.entry` to the day item of `update.service` / `update.day`, creating the item when
   * absent. Idempotent: adding the same entry again (a redelivered or replayed event) changes
   * nothing, and concurrent adds to one day never lose each other (no read-modify-write).
   */
  add(update: DoraUpdate): Promise<void>;
  /**
   * Batch form of `add`, with the same guarantees; updates of one service and day may be written
   * together. Optional: the store consumer falls back to `add` per update.
   */
  addMany?(updates: DoraUpdate[]): Promise<void>;
  /**
   * Day items in `[fromDay, toDay]` (inclusive, `YYYY-MM-DD`), oldest first: of one service when
   * `service` is given, else of every service. Reads one Query per service (or per month for all
   * services); the cost grows with the range and the number of active services, not with history.
   */
  listDays(query: { service?: string; fromDay: string; toDay: string }): Promise<DoraDay[]>;
}
