import type { PreparedEvent } from '../cdevents/prepare';
import type { Page } from '../read-models';

/** An event as kept: everything prepared at ingest, when it arrived, and whether its projections ran. */
export interface StoredEvent extends PreparedEvent {
  ingestedAt: string;
  /** True once the store consumer made it visible (timeline, inventory, history). */
  projected: boolean;
}

export interface EventQuery {
  limit: number;
  cursor?: string;
  service?: string;
  environment?: string;
  /** Exact type, or a prefix when it ends with `.` (e.g. `dev.cdevents.service.`). */
  type?: string;
  /** Sortable UTC bounds (inclusive). */
  since?: string;
  until?: string;
}

/**
 * Durable event storage, deduplicated by key (`source` + `id`). Implementations must make
 * `putIfAbsent` atomic (a conditional write), so concurrent duplicates store once.
 */
export interface EventStore {
  /** Stores the event unless its key exists. Idempotent. Returns whether it was created. */
  putIfAbsent(event: StoredEvent): Promise<'created' | 'exists'>;
  get(key: string): Promise<StoredEvent | null>;
  /** Makes a stored event visible in the timeline indexes and flags it projected. Idempotent. */
  markProjected(event: StoredEvent): Promise<void>;
  /**
   * Batch form of `get` (strongly consistent): the stored events among `keys`, by key; absent keys
   * are missing from the map. Optional: the store consumer falls back to `get` per key.
   */
  getMany?(keys: string[]): Promise<Map<string, StoredEvent>>;
  /**
   * Batch form of `markProjected` for events as read from this store (the whole stored record).
   * Optional: the store consumer falls back to `markProjected` per event.
   */
  markProjectedMany?(events: StoredEvent[]): Promise<void>;
  /**
   * Timeline newest first (by event time, then key). Reads only the requested page, whatever the
   * history size. Throws `ValidationError` on a malformed cursor.
   */
  list(query: EventQuery): Promise<Page<StoredEvent>>;
}
