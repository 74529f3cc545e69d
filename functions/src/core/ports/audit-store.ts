import type { AuditEntry } from '../audit/model';

/** The head marker: the highest entry appended and its hash. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** One stored entry as read back: the sequence number of its key, and the entry (null when unreadable). */
export interface StoredAuditEntry {
  seq: number;
  entry: AuditEntry | null;
}

/** A range of the log: entries after `after` (ascending) or before `before` (descending), exclusive. */
export interface AuditRange {
  order: 'asc' | 'desc';
  /** Only entries with a larger seq. */
  after?: number;
  /** Only entries with a smaller seq. */
  before?: number;
  /** At most this many (1..1000). */
  limit: number;
}

/**
 * Where the audit log lives. Append-only: an entry is written once at its `seq` and never updated;
 * there is no update or delete method. The head marker is written after the entry it names, so it
 * may lag the last entry (a crash between the two writes) but is never ahead of it unless the log
 * was truncated behind the store's back.
 */
export interface AuditStore {
  /** The head marker, or null before the first append. */
  head(): Promise<AuditHead | null>;
  /** The entry stored at `seq`, or null when there is none. */
  get(seq: number): Promise<StoredAuditEntry | null>;
  /**
   * Writes `entry` at `entry.seq` unless an entry with that seq exists (conditional write).
   * @returns false when one exists (another writer won the race); the entry was not written.
   */
  append(entry: AuditEntry): Promise<boolean>;
  /** Moves the head marker to `head` unless it already is at that seq or beyond (conditional). Idempotent. */
  advanceHead(head: AuditHead): Promise<void>;
  /** Entries of a range in seq order (ascending or descending), at most `limit`. */
  range(range: AuditRange): Promise<StoredAuditEntry[]>;
}
