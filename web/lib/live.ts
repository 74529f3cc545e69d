'use client';
/**
 * Live updates for the portal: one WebSocket per tab, shared by every `useLive` caller.
 *
 * Protocol (API Gateway WebSocket style, the same locally at `ws://<portal host>/ws` and in AWS):
 * - The portal learns the socket URL from `GET /api/live` → `{ url }` (falls back to `/ws` on the
 *   page's host when that fails).
 * - Client → server, JSON text frames routed by `action`:
 *   `{"action":"subscribe","topics":["alerts","health"]}` replaces the connection's topic set
 *   (an empty list unsubscribes from everything); `{"action":"ping"}`.
 * - Server → client: messages `{topic, type, data, at}` (see `LiveMessage`), and control frames
 *   without a `topic`: `{"type":"subscribed","topics":[...]}`, `{"type":"pong"}`,
 *   `{"type":"error","error":{"code","message"}}`.
 * - The signed-in user's access token goes in the `token` query parameter (browsers cannot set
 *   headers on a WebSocket); the server refuses the upgrade (401/403) without a valid one.
 *
 * Messages are hints that something changed, not a replicated store: pages reload what they show
 * when a message concerns them, so a missed message (reconnect gap) only delays a refresh.
 */
import { useEffect, useRef, useState } from 'react';
import { sessionToken } from './auth';

export type LiveTopic = 'alerts' | 'health' | 'rollouts' | 'events' | 'settings';
export type LiveStatus = 'connecting' | 'live' | 'offline';
export type LiveMessage = { topic: LiveTopic; type: string; data: unknown; at: string };

const TOPICS: readonly LiveTopic[] = ['alerts', 'health', 'rollouts', 'events', 'settings'];
const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;
/** API Gateway closes idle sockets after 10 minutes; a ping every 5 keeps the socket open. */
const PING_MS = 5 * 60_000;

type Listener = { topics: ReadonlySet<LiveTopic>; onMessage: (m: LiveMessage) => void };
type StatusListener = (s: LiveStatus) => void;

/** Full-jitter capped exponential backoff: uniform in [0, min(cap, base·2^attempt)], at least 250 ms. */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(attempt, 16));
  return Math.max(250, Math.round(random() * ceiling));
}

function isLiveMessage(value: unknown): value is LiveMessage {
  if (!value || typeof value !== 'object') return false;
  const m = value as Record<string, unknown>;
  return TOPICS.includes(m.topic as LiveTopic) && typeof m.type === 'string' && typeof m.at === 'string';
}

async function socketUrl(): Promise<string> {
  const fallback = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
  try {
    const token = sessionToken();
    const response = await fetch('/api/live', { headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, cache: 'no-store' });
    if (!response.ok) return fallback;
    const body = (await response.json()) as { url?: unknown };
    return typeof body.url === 'string' && body.url ? body.url : fallback;
  } catch {
    return fallback;
  }
}

/** The tab's single connection; opened on the first listener, closed when the last one leaves. */
class LiveConnection {
  private readonly listeners = new Set<Listener>();
  private readonly statusListeners = new Set<StatusListener>();
  private status: LiveStatus = 'connecting';
  private socket: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private sentTopics = '';
  private active = false;

  add(listener: Listener, onStatus: StatusListener): () => void {
    this.listeners.add(listener);
    this.statusListeners.add(onStatus);
    onStatus(this.status);
    if (!this.active) this.start();
    else this.sendTopics();
    return () => {
      this.listeners.delete(listener);
      this.statusListeners.delete(onStatus);
      if (this.listeners.size === 0) this.stop();
      else this.sendTopics();
    };
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.status) return;
    this.status = status;
    for (const l of this.statusListeners) l(status);
  }

  private topics(): LiveTopic[] {
    const all = new Set<LiveTopic>();
    for (const l of this.listeners) for (const t of l.topics) all.add(t);
    return TOPICS.filter((t) => all.has(t));
  }

  private sendTopics(force = false): void {
    const topics = this.topics();
    const key = topics.join(',');
    if (!force && key === this.sentTopics) return;
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    this.sentTopics = key;
    this.socket.send(JSON.stringify({ action: 'subscribe', topics }));
  }

  private start(): void {
    this.active = true;
    void this.connect();
  }

  private stop(): void {
    this.active = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'no listeners');
    this.status = 'connecting';
  }

  private async connect(): Promise<void> {
    const url = await socketUrl();
    if (!this.active || this.socket) return;
    let socket: WebSocket;
    try {
      const token = sessionToken();
      socket = new WebSocket(token ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.sendTopics(true);
      this.pingTimer = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ action: 'ping' }));
      }, PING_MS);
    };
    socket.onmessage = (event) => {
      let frame: unknown;
      try {
        frame = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (isLiveMessage(frame)) {
        for (const l of [...this.listeners]) if (l.topics.has(frame.topic)) l.onMessage(frame);
        return;
      }
      if ((frame as { type?: unknown } | null)?.type === 'subscribed') {
        this.attempt = 0;
        this.setStatus('live');
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.sentTopics = '';
      if (this.pingTimer) clearInterval(this.pingTimer);
      this.pingTimer = null;
      if (this.active) this.scheduleRetry();
    };
    socket.onerror = () => {
      // `onclose` follows and schedules the retry.
    };
  }

  private scheduleRetry(): void {
    this.setStatus(this.attempt === 0 ? 'connecting' : 'offline');
    const delay = reconnectDelay(this.attempt);
    this.attempt += 1;
    if (this.attempt >= 2) this.setStatus('offline');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.active) void this.connect();
    }, delay);
  }
}

let shared: LiveConnection | null = null;

/**
 * Subscribes the calling component to live `topics` for as long as it is mounted and calls
 * `onMessage` for every message on them (always the latest callback; no need to memoise it).
 * Reconnects with capped exponential backoff and jitter. Returns the connection status:
 * `connecting` until the server confirmed the subscription, `live` while it holds,
 * `offline` after repeated failures (retries continue in the background).
 */
export function useLive(topics: readonly LiveTopic[], onMessage: (m: LiveMessage) => void): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const callback = useRef(onMessage);
  callback.current = onMessage;
  const key = [...new Set(topics)].sort().join(',');

  useEffect(() => {
    if (typeof WebSocket === 'undefined') {
      setStatus('offline');
      return;
    }
    shared ??= new LiveConnection();
    const wanted = new Set(key ? (key.split(',') as LiveTopic[]) : []);
    return shared.add({ topics: wanted, onMessage: (m) => callback.current(m) }, setStatus);
  }, [key]);

  return status;
}
