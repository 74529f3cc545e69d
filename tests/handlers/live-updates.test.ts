import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { serviceEvent } from '../helpers/fixtures';
import { authHeaders, tokenFor } from '../helpers/auth';

type Frame = { topic?: string; type: string; data?: any; at?: string; topics?: string[]; error?: { code: string; field: string | null } };

/** A real `ws` client that keeps every frame and lets the test wait for one (no timers: the test timeout bounds the wait). */
class Client {
  readonly frames: Frame[] = [];
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.frames.push(frame);
      for (const w of [...this.waiters]) {
        if (w.match(frame)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(frame);
        }
      }
    });
  }

  static async open(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Client(ws);
  }

  /** The first frame (already received or coming) matching `match`, counting from frame index `from`. */
  next(match: (f: Frame) => boolean, from = 0): Promise<Frame> {
    const seen = this.frames.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  async subscribe(topics: string[]): Promise<Frame> {
    const from = this.frames.length;
    this.send({ action: 'subscribe', topics });
    return this.next((f) => f.type === 'subscribed' || f.type === 'error', from);
  }

  /** Everything the server sent before this call arrived: a ping's pong comes after it on the same ordered socket. */
  async flush(): Promise<Frame[]> {
    const from = this.frames.length;
    this.send({ action: 'ping' });
    const pong = await this.next((f) => f.type === 'pong', from);
    return this.frames.slice(0, this.frames.indexOf(pong));
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 20));
}

describe('live updates over the local runtime (real ws clients on /ws)', () => {
  let rt: LocalRuntime;
  let dir: string;
  let target: Server;
  let targetStatus = 200;
  const clients: Client[] = [];
  const client = async () => {
    const c = await Client.open(`${rt.url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(tokenFor(rt, 'viewer'))}`);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sbx-live-'));
    target = createServer((_req, res) => {
      res.writeHead(targetStatus, { 'content-type': 'text/plain' });
      res.end(targetStatus === 200 ? 'ok' : 'down');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
    const config = join(dir, 'config');
    mkdirSync(config);
    writeFileSync(
      join(config, 'checks.yaml'),
      ['checks:', '  - name: live-target', '    type: http', '    url: ${TARGET_URL}/health', '    interval: 30s', '    timeout: 2s', '    expect:', '      status: 200', ''].join('\n'),
    );
    writeFileSync(
      join(config, 'alerts.yaml'),
      ['alerts:', '  - name: live-target-down', '    severity: critical', '    condition: { check: live-target, status: critical }', '    summary: the live target is down', ''].join('\n'),
    );
    rt = await startLocalRuntime({
      port: 0,
      dataDir: join(dir, 'data'),
      quiet: true,
      webDir: join(dir, 'none'),
      monitoring: { configDir: config, evmNode: false, loopMs: 0, placeholders: { TARGET_URL: `http://127.0.0.1:${(target.address() as AddressInfo).port}` } },
    });
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) await c.close();
    await rt?.stop();
    await new Promise<void>((r) => target?.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells the portal where the socket is: GET /api/live → ws://<request host>/ws', async () => {
    const res = await fetch(`${rt.url}/api/live`, { headers: authHeaders(rt, 'viewer') });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ url: `${rt.url.replace(/^http/, 'ws')}/ws` });
    // Behind a TLS proxy, under another name (fetch cannot set Host, node:http can).
    const behindTls = await new Promise<string>((resolve, reject) => {
      get(`${rt.url}/api/live`, { headers: { 'x-forwarded-proto': 'https', host: 'portal.example:8443', authorization: authHeaders(rt, 'viewer').authorization! } }, (r) => {
        let text = '';
        r.on('data', (chunk) => (text += chunk));
        r.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(JSON.parse(behindTls)).toEqual({ url: 'wss://portal.example:8443/ws' });
  });

  it('refuses sockets on other paths', async () => {
    await expect(Client.open(`${rt.url.replace(/^http/, 'ws')}/api/ws`)).rejects.toThrow(/404/);
  });

  it('pushes stored-event summaries on `events` to subscribers only', async () => {
    const a = await client();
    const b = await client();
    expect(await a.subscribe(['events', 'alerts', 'health', 'events'])).toEqual({ type: 'subscribed', topics: ['alerts', 'health', 'events'] });
    expect(await b.subscribe(['rollouts'])).toEqual({ type: 'subscribed', topics: ['rollouts'] });

    const event = serviceEvent({ service: 'live-svc', environment: 'live-env', id: 'live-1' });
    const res = await fetch(`${rt.url}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${rt.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(res.status).toBe(202);
    const { results } = (await res.json()) as { results: { key: string }[] };

    const message = await a.next((f) => f.topic === 'events' && f.data?.id === 'live-1');
    expect(message).toEqual({
      topic: 'events',
      type: 'dev.cdevents.service.deployed.0.3.0',
      at: (event.context as { timestamp: string }).timestamp,
      data: {
        key: results[0]!.key,
        id: 'live-1',
        source: '/tests',
        type: 'dev.cdevents.service.deployed.0.3.0',
        subject: 'service',
        predicate: 'deployed',
        subjectId: 'live-svc',
        timestamp: (event.context as { timestamp: string }).timestamp,
        service: 'live-svc',
        environment: 'live-env',
        chainId: null,
      },
    });
    await rt.idle();
    // b subscribed to rollouts only: nothing arrived before its pong.
    expect((await b.flush()).filter((f) => f.topic !== undefined)).toEqual([]);
  });

  it('pushes check observations on `health` and alert transitions on `alerts` when checks run', async () => {
    const a = await client();
    const onlyEvents = await client();
    await a.subscribe(['health', 'alerts']);
    await onlyEvents.subscribe(['events']);

    targetStatus = 500;
    await rt.monitor.runNow();
    const health = await a.next((f) => f.topic === 'health' && f.data?.checkId === 'live-target');
    expect(health).toMatchObject({ topic: 'health', type: 'observation', data: { checkId: 'live-target', status: 'critical' } });
    const fired = await a.next((f) => f.topic === 'alerts' && f.type === 'fired');
    expect(fired.data).toMatchObject({ state: 'firing', severity: 'critical', labels: { alertname: 'live-target-down' } });
    expect(fired.data.fingerprint).toMatch(/\S/);

    targetStatus = 200;
    await rt.monitor.runNow();
    await a.next((f) => f.topic === 'health' && f.data?.status === 'ok');
    const resolved = await a.next((f) => f.topic === 'alerts' && f.type === 'resolved');
    expect(resolved.data.fingerprint).toBe(fired.data.fingerprint);
    await rt.idle();
    // The events-only client saw the alert CDEvents as timeline rows, but no health or alerts messages.
    const seen = (await onlyEvents.flush()).filter((f) => f.topic !== undefined);
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen.map((f) => f.topic))).toEqual(new Set(['events']));
    expect(seen.map((f) => f.data.source)).toContain('/signalbox/alerts');
    // a did not subscribe to events.
    expect((await a.flush()).filter((f) => f.topic === 'events')).toEqual([]);
  });

  it('answers bad frames with an error frame and keeps the connection', async () => {
    const c = await client();
    const error = async (frame: unknown) => {
      const from = c.frames.length;
      c.send(frame);
      return c.next((f) => f.type === 'error', from);
    };
    expect((await error('not json')).error).toMatchObject({ code: 'invalid_json' });
    expect((await error([1, 2])).error).toMatchObject({ code: 'invalid_json' });
    expect((await error({ action: 'dance' })).error).toMatchObject({ code: 'unknown_action', field: 'action' });
    expect((await error({ action: 'subscribe', topics: ['alerts', 'weather'] })).error).toMatchObject({ code: 'unknown_topic', field: 'topics' });
    expect((await error({ action: 'subscribe', topics: 'alerts' })).error).toMatchObject({ code: 'invalid_topics' });
    expect((await error(JSON.stringify({ action: 'ping', pad: 'x'.repeat(5000) }))).error).toMatchObject({ code: 'frame_too_large' });
    // Still open and usable.
    expect(await c.subscribe(['rollouts'])).toEqual({ type: 'subscribed', topics: ['rollouts'] });
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('forgets a client that disconnects', async () => {
    const c = await client();
    await c.subscribe(['rollouts']);
    const before = (await rt.liveConnections.listByTopic('rollouts', { limit: 100 })).items.length;
    expect(before).toBeGreaterThan(0);
    await c.close();
    await until(async () => (await rt.liveConnections.listByTopic('rollouts', { limit: 100 })).items.length === before - 1);
    // An empty subscription list unsubscribes from everything.
    const d = await client();
    await d.subscribe(['alerts']);
    expect(await d.subscribe([])).toEqual({ type: 'subscribed', topics: [] });
  });
});

describe('WebSocket API Lambda handlers ($connect, $default, $disconnect) on the same use cases', () => {
  it('registers, subscribes (answering through the pusher), accepts base64 frames, and forgets', async () => {
    const { InMemoryLiveConnections } = await import('../../functions/src/adapters/local/in-memory-live-connections');
    const { createLiveConnectHandler, createLiveDisconnectHandler, createLiveMessageHandler } = await import('../../functions/src/handlers/websocket/live');
    const { silentLogger } = await import('../../functions/src/core/ports/logger');
    const { JwksTokenVerifier } = await import('../../functions/src/adapters/http/jwks-token-verifier');
    const { LOCAL_CLIENT_ID, LOCAL_ISSUER, LocalIssuer } = await import('../../functions/src/adapters/local/local-issuer');
    const issuer = await LocalIssuer.open({ dataDir: null, clock: { now: () => new Date().toISOString() } });
    const store = new InMemoryLiveConnections();
    const pushed: [string, string][] = [];
    const deps = {
      liveConnections: store,
      livePusher: { send: async (id: string, frame: string) => (pushed.push([id, frame]), 'sent' as const) },
      clock: { now: () => '2026-11-23T10:00:00.000Z' },
      logger: silentLogger,
      userTokens: new JwksTokenVerifier({ jwks: async () => issuer.jwks(), issuer: LOCAL_ISSUER, audiences: [LOCAL_CLIENT_ID] }),
    };
    const event = (routeKey: string, body?: string, isBase64Encoded = false, token?: string) =>
      ({ requestContext: { connectionId: 'Abc123=', routeKey, eventType: 'MESSAGE' }, body, isBase64Encoded, ...(token ? { queryStringParameters: { token } } : {}) }) as never;
    expect(await createLiveConnectHandler(deps)(event('$connect'), {} as never)).toEqual({ statusCode: 401 });
    expect(await createLiveConnectHandler(deps)(event('$connect', undefined, false, 'forged'), {} as never)).toEqual({ statusCode: 401 });
    expect(await store.topicsOf('Abc123=')).toBeNull();
    expect(await createLiveConnectHandler(deps)(event('$connect', undefined, false, tokenFor({ issuer }, 'viewer')), {} as never)).toEqual({ statusCode: 200 });
    expect(await store.topicsOf('Abc123=')).toEqual([]);
    expect(await createLiveMessageHandler(deps)(event('$default', '{"action":"subscribe","topics":["health"]}'), {} as never)).toEqual({ statusCode: 200 });
    expect(await store.topicsOf('Abc123=')).toEqual(['health']);
    const b64 = Buffer.from('{"action":"subscribe","topics":["alerts","rollouts"]}').toString('base64');
    await createLiveMessageHandler(deps)(event('$default', b64, true), {} as never);
    await createLiveMessageHandler(deps)(event('$default', '{"action":"nope"}'), {} as never);
    expect(pushed.map(([id, f]) => [id, JSON.parse(f).type, JSON.parse(f).topics ?? JSON.parse(f).error?.code])).toEqual([
      ['Abc123=', 'subscribed', ['health']],
      ['Abc123=', 'subscribed', ['alerts', 'rollouts']],
      ['Abc123=', 'error', 'unknown_action'],
    ]);
    expect(await createLiveDisconnectHandler(deps)(event('$disconnect'), {} as never)).toEqual({ statusCode: 200 });
    expect(await store.topicsOf('Abc123=')).toBeNull();
  });

  it('refuses to start without the table and the callback URL', async () => {
    const { awsLiveDeps } = await import('../../functions/src/wiring/aws/live');
    const { awsLiveUrl } = await import('../../functions/src/wiring/aws/live-url');
    expect(() => awsLiveDeps('t', { TABLE_NAME: 'x' })).toThrow(/SIGNALBOX_LIVE_CALLBACK_URL/);
    expect(awsLiveDeps('t', { TABLE_NAME: 'x', SIGNALBOX_LIVE_CALLBACK_URL: 'https://a.execute-api.eu-west-1.amazonaws.com/live' }).livePusher).toBeDefined();
    expect(awsLiveUrl({ SIGNALBOX_LIVE_URL: 'wss://a/live' })).toEqual({ liveUrl: 'wss://a/live' });
    expect(awsLiveUrl({})).toEqual({});
  });
});
