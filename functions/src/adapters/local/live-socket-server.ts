import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { LivePusher } from '../../core/ports/live-connections';
import type { Logger } from '../../core/ports/logger';

/** What the socket server reports, in order per connection (the wiring binds the live use cases). */
export interface LiveSocketHandlers {
  onConnect(connectionId: string): Promise<void>;
  onMessage(connectionId: string, body: string): Promise<void>;
  onDisconnect(connectionId: string): Promise<void>;
}

export interface LocalLiveSocketServerOptions {
  handlers: LiveSocketHandlers;
  logger: Logger;
  /** URL path of the socket; default `/ws`. */
  path?: string;
  /**
   * A client whose unsent data exceeds this is dropped and closed instead of queueing more
   * (the bus never waits for a slow client). Default 1 MiB.
   */
  maxBufferedBytes?: number;
  /** Frames larger than this close the connection (1009); smaller bad frames get an error frame. Default 64 KiB. */
  maxPayloadBytes?: number;
  /** Sockets that miss a ping for this long are terminated (dead peers). Default 30 s; 0 = never. */
  heartbeatMs?: number;
  /**
   * Checks the `token` query parameter before the upgrade (issue 5); a rejection's status (401,
   * 403) is the HTTP answer and no socket is opened. Absent: every upgrade is accepted.
   */
  authorize?: (input: { token: string | null; sourceIp: string | null }) => Promise<void>;
}

/**
 * The local runtime's live-update WebSocket endpoint: API Gateway WebSocket semantics on the
 * portal's own HTTP server (`upgrade` on `/ws`, the `token` query parameter checked by
 * `authorize` before the upgrade). Each socket gets a connection id; `$connect`/`$default`/`$disconnect` become the
 * handlers' calls, strictly in order per connection. Also the pusher the broadcaster sends with:
 * `send` never waits for the client (see `maxBufferedBytes`).
 */
export class LocalLiveSocketServer implements LivePusher {
  private readonly wss: WebSocketServer;
  private readonly sockets = new Map<string, WebSocket>();
  private readonly alive = new WeakSet<WebSocket>();
  private readonly path: string;
  private readonly maxBufferedBytes: number;
  private readonly handlers: LiveSocketHandlers;
  private readonly logger: Logger;
  private readonly heartbeat: NodeJS.Timeout | null;
  private readonly pending = new Set<Promise<void>>();
  private readonly authorize: LocalLiveSocketServerOptions['authorize'];
  private closed = false;

  constructor(opts: LocalLiveSocketServerOptions) {
    this.path = opts.path ?? '/ws';
    this.maxBufferedBytes = opts.maxBufferedBytes ?? 1024 * 1024;
    this.handlers = opts.handlers;
    this.authorize = opts.authorize;
    this.logger = opts.logger;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayloadBytes ?? 64 * 1024 });
    const heartbeatMs = opts.heartbeatMs ?? 30_000;
    this.heartbeat =
      heartbeatMs > 0
        ? setInterval(() => {
            for (const ws of this.sockets.values()) {
              if (!this.alive.has(ws)) {
                ws.terminate();
                continue;
              }
              this.alive.delete(ws);
              ws.ping();
            }
          }, heartbeatMs)
        : null;
    this.heartbeat?.unref();
  }

  /** Connections currently open. */
  get connectionCount(): number {
    return this.sockets.size;
  }

  /**
   * For the HTTP server's `upgrade` event: takes the request when it is for the socket path
   * (returns true); otherwise answers 404 (503 after `close`) and ends the socket (returns false).
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = (req.url ?? '/').split('?')[0];
    if (this.closed || path !== this.path) {
      socket.end(`HTTP/1.1 ${this.closed ? 503 : 404} ${this.closed ? 'Service Unavailable' : 'Not Found'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return false;
    }
    if (!this.authorize) {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
      return true;
    }
    const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
    this.authorize({ token, sourceIp: req.socket.remoteAddress ?? null }).then(
      () => {
        if (this.closed) socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        else this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
      },
      (error: { code?: string; message?: string }) => {
        const [status, text] = error.code === 'forbidden' ? [403, 'Forbidden'] : error.code === 'unauthorized' ? [401, 'Unauthorized'] : [500, 'Internal Server Error'];
        if (status === 500) this.logger.error('live socket authorization failed', { error: error.message });
        socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      },
    );
    return true;
  }

  private accept(ws: WebSocket): void {
    const connectionId = randomUUID();
    this.sockets.set(connectionId, ws);
    this.alive.add(ws);
    // One chain per connection keeps $connect → frames → $disconnect in order.
    let chain: Promise<void> = Promise.resolve();
    const run = (what: string, step: () => Promise<void>) => {
      const next = chain.then(step).catch((error: Error) => this.logger.error(`live socket ${what} failed`, { connectionId, error: error.message }));
      chain = next;
      this.pending.add(next);
      void next.finally(() => this.pending.delete(next));
    };
    run('connect', () => this.handlers.onConnect(connectionId));
    ws.on('pong', () => this.alive.add(ws));
    ws.on('message', (data, isBinary) => {
      const body = isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data);
      run('message', () => this.handlers.onMessage(connectionId, body));
    });
    ws.on('error', (error) => this.logger.warn('live socket error', { connectionId, error: error.message }));
    ws.on('close', () => {
      this.sockets.delete(connectionId);
      run('disconnect', () => this.handlers.onDisconnect(connectionId));
    });
  }

  async send(connectionId: string, frame: string): Promise<'sent' | 'gone'> {
    const ws = this.sockets.get(connectionId);
    if (!ws || ws.readyState !== WebSocket.OPEN) return 'gone';
    if (ws.bufferedAmount + Buffer.byteLength(frame) > this.maxBufferedBytes) {
      this.logger.warn('live client too slow; dropping it', { connectionId, bufferedBytes: ws.bufferedAmount });
      this.sockets.delete(connectionId);
      ws.terminate();
      return 'gone';
    }
    ws.send(frame);
    return 'sent';
  }

  /** Closes every socket (1001 going away), refuses new ones, and waits for their handlers. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const ws of this.sockets.values()) ws.close(1001, 'server shutting down');
    // Sockets that do not answer the close handshake promptly are cut.
    const deadline = setTimeout(() => {
      for (const ws of this.wss.clients) ws.terminate();
    }, 1000);
    deadline.unref();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    while (this.sockets.size > 0 || this.pending.size > 0) {
      if (this.pending.size > 0) await Promise.allSettled([...this.pending]);
      else await new Promise((r) => setTimeout(r, 10));
    }
    clearTimeout(deadline);
  }
}
