/**
 * The live-update protocol (WebSocket, API Gateway style; the same frames locally at `/ws`).
 *
 * Client → server: JSON text frames routed by `action`:
 * - `{"action":"subscribe","topics":["alerts","health"]}` sets the connection's topics to exactly
 *   this list (replaces the previous set; `[]` unsubscribes from everything). Answered by
 *   `{"type":"subscribed","topics":[...]}` (topics in canonical order).
 * - `{"action":"ping"}` → `{"type":"pong","at":"..."}`.
 * - Anything else (not JSON, unknown action, unknown topic, over {@link MAX_CLIENT_FRAME_BYTES}) →
 *   `{"type":"error","error":{"code","field","message"}}`; the connection stays open.
 *
 * Server → client messages: `{topic, type, data, at}` ({@link LiveMessage}); control frames
 * (`subscribed`, `pong`, `error`) carry no `topic`. Messages are change notifications: clients
 * reload what they show; a message missed during a reconnect only delays a refresh.
 *
 * Connecting accepts a `token` query parameter, ignored until issue 5 adds tokens.
 */

export const LIVE_TOPICS = ['alerts', 'health', 'rollouts', 'events', 'settings'] as const;
export type LiveTopic = (typeof LIVE_TOPICS)[number];

/** One server → client message. `type` says what happened within the topic (see `toLiveMessages`). */
export interface LiveMessage {
  topic: LiveTopic;
  type: string;
  data: unknown;
  /** When it happened (RFC 3339). */
  at: string;
}

export type LiveControlFrame =
  | { type: 'subscribed'; topics: LiveTopic[] }
  | { type: 'pong'; at: string }
  | { type: 'error'; error: { code: string; field: string | null; message: string } };

export type LiveClientFrame = { action: 'subscribe'; topics: LiveTopic[] } | { action: 'ping' };

/** Larger client frames are refused (subscribe frames are tiny). */
export const MAX_CLIENT_FRAME_BYTES = 4096;
/** Connections are forgotten after this long (API Gateway closes WebSocket connections after 2 h). */
export const LIVE_CONNECTION_TTL_SECONDS = 2 * 60 * 60;

export function isLiveTopic(value: unknown): value is LiveTopic {
  return typeof value === 'string' && (LIVE_TOPICS as readonly string[]).includes(value);
}

/** Topics deduplicated in canonical order. */
export function canonicalTopics(topics: readonly LiveTopic[]): LiveTopic[] {
  return LIVE_TOPICS.filter((t) => topics.includes(t));
}
