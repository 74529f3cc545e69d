import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoServiceOptions {
  version: string;
  /** Probability (0–1) that `GET /` answers 500. Default 0. */
  errorRate?: number;
  /** Added before every answer to `GET /`. Default 0. */
  latencyMs?: number;
  /** Default 0: any free loopback port. */
  port?: number;
  /** Name in the answers. Default `demo`. */
  service?: string;
  /** Uniform in [0, 1); inject a seeded one in tests. */
  random?: () => number;
}

export interface DemoService {
  url: string;
  version: string;
  setErrorRate(rate: number): void;
  setLatencyMs(ms: number): void;
  settings(): { errorRate: number; latencyMs: number };
  /** Answers of `GET /` so far (including errors). */
  served(): number;
  /** Closes the server (its port is kept for `restart`). Idempotent. */
  stop(): Promise<void>;
  /** Listens again on the same port after `stop` (an operator "starts the service again"). Idempotent. */
  restart(): Promise<void>;
  /** Whether the server is listening now. */
  running(): boolean;
}

/**
 * One version of the demo HTTP service the local rollouts move traffic between: `GET /` answers
 * `{service, version, ok}` (500 with `ok: false` at the configured error rate, after the configured
 * latency), `GET /health` answers `{status: "ok", service, version}`. Settings change at runtime so
 * a demo can make the canary bad mid-rollout.
 */
export async function startDemoService(options: DemoServiceOptions): Promise<DemoService> {
  const service = options.service ?? 'demo';
  const random = options.random ?? Math.random;
  let errorRate = checkRate(options.errorRate ?? 0);
  let latencyMs = checkLatency(options.latencyMs ?? 0);
  let served = 0;
  const pending = new Set<NodeJS.Timeout>();

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://demo').pathname;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    req.resume();
    if (req.method === 'GET' && path === '/health') return send(200, { status: 'ok', service, version: options.version });
    if (req.method !== 'GET' || path !== '/') return send(404, { error: { code: 'not_found', message: `${req.method} ${path}` } });

    const answer = () => {
      served += 1;
      const failed = random() < errorRate;
      send(failed ? 500 : 200, { service, version: options.version, ok: !failed });
    };
    if (latencyMs <= 0) return answer();
    const timer = setTimeout(() => {
      pending.delete(timer);
      answer();
    }, latencyMs);
    pending.add(timer);
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  // Serialises stop/restart so concurrent calls never race on the one server.
  let transition: Promise<void> = Promise.resolve();
  const serially = (step: () => Promise<void>): Promise<void> => {
    const next = transition.then(step);
    transition = next.catch(() => undefined);
    return next;
  };

  return {
    url,
    version: options.version,
    setErrorRate: (rate) => {
      errorRate = checkRate(rate);
    },
    setLatencyMs: (ms) => {
      latencyMs = checkLatency(ms);
    },
    settings: () => ({ errorRate, latencyMs }),
    served: () => served,
    stop: () =>
      serially(async () => {
        for (const timer of pending) clearTimeout(timer);
        pending.clear();
        if (!server.listening) return;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    restart: () =>
      serially(async () => {
        if (!server.listening) await listen(port);
      }),
    running: () => server.listening,
  };
}

export interface DemoTraffic {
  /** Requests sent so far. */
  sent(): number;
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<void>;
}

/**
 * A load generator for the local demo: sends `GET url` `ratePerSecond` times a second (answers and
 * failures are ignored; the proxy counts them) so an analysis always has traffic to judge.
 */
export function startDemoTraffic(options: { url: string; ratePerSecond: number }): DemoTraffic {
  if (!(options.ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0, got ${options.ratePerSecond}`);
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let stopped = false;
  const fire = () => {
    if (stopped) return;
    sent += 1;
    const request: Promise<void> = fetch(options.url, { signal: AbortSignal.timeout(10_000) })
      .then((res) => res.arrayBuffer())
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };
  const timer = setInterval(fire, Math.max(1, Math.round(1000 / options.ratePerSecond)));
  return {
    sent: () => sent,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await Promise.all([...inFlight]);
    },
  };
}

function checkRate(rate: number): number {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`errorRate must be 0–1, got ${rate}`);
  return rate;
}

function checkLatency(ms: number): number {
  if (!(ms >= 0 && Number.isFinite(ms))) throw new RangeError(`latencyMs must be >= 0, got ${ms}`);
  return ms;
}
