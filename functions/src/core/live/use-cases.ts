import type { Principal } from '../auth/model';
import { authorize } from '../auth/policy';
import { resolvePrincipal } from '../auth/principal';
import type { Clock } from '../ports/clock';
import type { TokenVerifier } from '../ports/token-verifier';
import type { DeliveredEvent } from '../ports/event-bus';
import type { LiveConnectionStore, LivePusher } from '../ports/live-connections';
import type { Logger } from '../ports/logger';
import { toLiveMessages } from './messages';
import {
  canonicalTopics,
  isLiveTopic,
  LIVE_TOPICS,
  MAX_CLIENT_FRAME_BYTES,
  type LiveClientFrame,
  type LiveControlFrame,
  type LiveMessage,
  type LiveTopic,
} from './model';

/** What the live-update use cases need. */
export interface LiveDeps {
  liveConnections: LiveConnectionStore;
  livePusher: LivePusher;
  clock: Clock;
  logger: Logger;
}

/** Frames API Gateway accepts are at most 32 KB; larger messages go out without `data` (clients reload anyway). */
export const MAX_PUSH_FRAME_BYTES = 32 * 1024;
const PAGE_SIZE = 100;
const SEND_CONCURRENCY = 16;

/** A new socket (`$connect`): registered without topics until it subscribes. */
export async function connectLive(deps: LiveDeps, input: { connectionId: string }): Promise<void> {
  await deps.liveConnections.add(input.connectionId, deps.clock.now());
}

/** A closed socket (`$disconnect`): forgotten with its subscriptions. Idempotent. */
export async function disconnectLive(deps: LiveDeps, input: { connectionId: string }): Promise<void> {
  await deps.liveConnections.remove(input.connectionId);
}

type Parsed = { ok: true; frame: LiveClientFrame } | { ok: false; field: string | null; code: string; message: string };

/** Parses one client frame of the protocol in `model.ts`. Pure. */
export function parseClientFrame(body: string | null | undefined): Parsed {
  const text = body ?? '';
  if (Buffer.byteLength(text) > MAX_CLIENT_FRAME_BYTES) {
    return { ok: false, field: null, code: 'frame_too_large', message: `a frame may be at most ${MAX_CLIENT_FRAME_BYTES} bytes` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, field: null, code: 'invalid_json', message: 'a frame must be a JSON object' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, field: null, code: 'invalid_json', message: 'a frame must be a JSON object' };
  }
  const v = value as Record<string, unknown>;
  if (v.action === 'ping') return { ok: true, frame: { action: 'ping' } };
  if (v.action === 'subscribe') {
    if (!Array.isArray(v.topics)) return { ok: false, field: 'topics', code: 'invalid_topics', message: 'topics must be an array of topic names' };
    const unknown = v.topics.find((t) => !isLiveTopic(t));
    if (unknown !== undefined) {
      return {
        ok: false,
        field: 'topics',
        code: 'unknown_topic',
        message: `unknown topic ${JSON.stringify(unknown)}; topics are ${LIVE_TOPICS.join(', ')}`,
      };
    }
    return { ok: true, frame: { action: 'subscribe', topics: canonicalTopics(v.topics as LiveTopic[]) } };
  }
  return { ok: false, field: 'action', code: 'unknown_action', message: 'action must be "subscribe" or "ping"' };
}

/**
 * One client frame (`$default` route): subscribe (replaces the topic set) or ping. The answer (a
 * control frame, an `error` frame for a bad frame) is pushed to the connection and returned. A bad
 * frame never closes the connection.
 */
export async function handleLiveFrame(deps: LiveDeps, input: { connectionId: string; body: string | null | undefined }): Promise<LiveControlFrame> {
  const parsed = parseClientFrame(input.body);
  let reply: LiveControlFrame;
  if (!parsed.ok) {
    reply = { type: 'error', error: { code: parsed.code, field: parsed.field, message: parsed.message } };
  } else if (parsed.frame.action === 'ping') {
    reply = { type: 'pong', at: deps.clock.now() };
  } else {
    await deps.liveConnections.setTopics(input.connectionId, parsed.frame.topics, deps.clock.now());
    reply = { type: 'subscribed', topics: parsed.frame.topics };
  }
  if ((await deps.livePusher.send(input.connectionId, JSON.stringify(reply))) === 'gone') {
    await deps.liveConnections.remove(input.connectionId);
  }
  return reply;
}

/** The wire form of a message, within {@link MAX_PUSH_FRAME_BYTES}. */
export function encodeLiveMessage(message: LiveMessage): string {
  const text = JSON.stringify(message);
  if (Buffer.byteLength(text) <= MAX_PUSH_FRAME_BYTES) return text;
  return JSON.stringify({ ...message, data: null, truncated: true });
}

export interface BroadcastOutput {
  messages: number;
  /** Frames delivered (one per message × subscribed connection). */
  sent: number;
  /** Connections found gone and removed. */
  removed: number;
  /** Sends that failed for another reason (logged; the connection is kept). */
  failed: number;
}

async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/**
 * The `LiveUpdates` bus target: turns bus events into live messages (`toLiveMessages`) and pushes
 * each to every connection subscribed to its topic, paging through the subscribers. A connection
 * the pusher reports gone is removed (once) and skipped for the remaining messages. A failing
 * push is logged, never thrown: live messages are hints, and a retried batch would duplicate the
 * ones already sent. Store failures do throw (the platform retries).
 */
export async function broadcast(deps: LiveDeps, events: readonly DeliveredEvent[]): Promise<BroadcastOutput> {
  const messages = events.flatMap((e) => toLiveMessages(e));
  const out: BroadcastOutput = { messages: messages.length, sent: 0, removed: 0, failed: 0 };
  const gone = new Set<string>();
  for (const message of messages) {
    const frame = encodeLiveMessage(message);
    let cursor: string | undefined;
    do {
      const page = await deps.liveConnections.listByTopic(message.topic, { limit: PAGE_SIZE, cursor });
      cursor = page.next ?? undefined;
      await forEachLimit(
        page.items.filter((id) => !gone.has(id)),
        SEND_CONCURRENCY,
        async (connectionId) => {
          let result: 'sent' | 'gone';
          try {
            result = await deps.livePusher.send(connectionId, frame);
          } catch (error) {
            out.failed += 1;
            deps.logger.warn('pushing a live message failed', { connectionId, topic: message.topic, error: (error as Error).message });
            return;
          }
          if (result === 'sent') {
            out.sent += 1;
            return;
          }
          if (gone.has(connectionId)) return;
          gone.add(connectionId);
          await deps.liveConnections.remove(connectionId);
          out.removed += 1;
        },
      );
    } while (cursor);
  }
  return out;
}

/** What checking a live-update connection needs: the user-token (JWT) verifier. */
export interface LiveAuthDeps {
  userTokens?: TokenVerifier;
}

/**
 * `$connect` (AWS) and the local `/ws` upgrade: the `token` query parameter must be a valid user
 * token whose role may `live:subscribe` (browsers cannot set headers on a WebSocket).
 *
 * @throws UnauthorizedError without a token or with an invalid one (or no verifier: fail closed).
 * @throws ForbiddenError for a user without a role.
 */
export async function authorizeLiveConnection(deps: LiveAuthDeps, input: { token: string | null | undefined; sourceIp: string | null }): Promise<Principal> {
  const principal = await resolvePrincipal(
    { userTokens: deps.userTokens },
    { action: 'live:subscribe', authorization: input.token ? `Bearer ${input.token}` : undefined, sourceIp: input.sourceIp },
  );
  authorize(principal, 'live:subscribe');
  return principal;
}
