import type { LiveTopic } from '../live/model';
import type { Page } from '../read-models';

/**
 * The open live-update (WebSocket) connections and their topics. Connections expire on their own
 * (`LIVE_CONNECTION_TTL_SECONDS`) when a disconnect is never seen; removing twice is harmless.
 */
export interface LiveConnectionStore {
  /** Registers a connection without topics; re-adding an existing one keeps its topics. */
  add(connectionId: string, at: string): Promise<void>;
  /**
   * Sets the connection's topics to exactly `topics` (the previous set is replaced). Also
   * registers the connection when it is not known (e.g. its `add` expired).
   */
  setTopics(connectionId: string, topics: readonly LiveTopic[], at: string): Promise<void>;
  /** The connection's topics, or null when it is not known. */
  topicsOf(connectionId: string): Promise<LiveTopic[] | null>;
  /** Forgets the connection and all its subscriptions; a no-op when unknown. */
  remove(connectionId: string): Promise<void>;
  /**
   * Connection ids subscribed to `topic`, in a stable order, `limit` per page; `next` continues.
   * Throws `ValidationError` (field `cursor`) for a cursor this store did not return.
   */
  listByTopic(topic: LiveTopic, page: { limit: number; cursor?: string }): Promise<Page<string>>;
}

/**
 * Sends one text frame to one connection. Never waits for a slow client: a connection that is
 * closed, unknown, or too far behind (its send queue is full; the adapter drops it and closes it)
 * is `'gone'`, and the caller forgets it. Throws only when the push service itself fails.
 */
export interface LivePusher {
  send(connectionId: string, frame: string): Promise<'sent' | 'gone'>;
}
