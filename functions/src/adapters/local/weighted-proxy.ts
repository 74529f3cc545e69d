import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TrafficSplit } from '../../core/ports/traffic-target';

export type ProxyRole = 'stable' | 'canary';

export interface ProxyUpstream {
  /** The version label (what a rollout's artifact version says, e.g. `1.0.0`). */
  version: string;
  /** Base URL of that version's server, e.g. `http://127.0.0.1:4101`. */
  url: string;
}

export interface WeightedProxyOptions {
  name?: string;
  stable: ProxyUpstream;
  canary: ProxyUpstream;
  /** Further versions the proxy may be pointed at later (see {@link WeightedProxy.assign}). */
  others?: ProxyUpstream[];
  /** Starting split; default all traffic to stable. */
  weights?: TrafficSplit;
  /** Uniform in [0, 1); inject a seeded one in tests so the split is exact. */
  random?: () => number;
  /** Epoch milliseconds used to time-stamp counts; inject in tests to place requests before/after a `since`. */
  now?: () => number;
  /** Latency samples kept per version (bounded, newest win). Default 2048. */
  latencyWindow?: number;
  /** How long per-second request/error counts are kept. Default 3600 s. */
  historySeconds?: number;
  /** Per upstream request. Default 30 000 ms. */
  upstreamTimeoutMs?: number;
}

/** Cumulative counters of one version since the proxy started. */
export interface ProxyStats {
  role: ProxyRole;
  version: string;
  url: string;
  /** Live requests (preview requests excluded). */
  requests: number;
  /** Live requests answered 5xx or that failed to connect/complete. */
  errors: number;
  /** Requests on the preview route; never counted as live traffic. */
  previewRequests: number;
  /** p95 of the kept latency window, null without samples. */
  latencyP95Ms: number | null;
  latencySamples: number;
}

export interface ProxySnapshot {
  at: string;
  weights: TrafficSplit;
  stable: ProxyStats;
  canary: ProxyStats;
}

/** Live traffic of one version since a moment. */
export interface ProxyWindow {
  version: string;
  requests: number;
  errors: number;
  latenciesMs: number[];
}

interface VersionCounters {
  url: string;
  requests: number;
  errors: number;
  previewRequests: number;
  /** Per-second live counts, keyed by epoch second; insertion order = time order. */
  buckets: Map<number, { requests: number; errors: number }>;
  /** Ring buffer of latency samples. */
  latency: Array<{ at: number; ms: number }>;
  latencyNext: number;
}

const PREVIEW_PREFIX = '/__preview';
const PREVIEW_HEADER = 'x-signalbox-preview';
export const VERSION_HEADER = 'x-signalbox-version';
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  PREVIEW_HEADER,
]);

/**
 * A real HTTP reverse proxy on loopback in front of two versions of a service (stable and canary).
 *
 * Each live request goes to one upstream picked by weight; method, path, headers and body are
 * forwarded and the answer streamed back with an `x-signalbox-version` header. Per version it counts
 * requests, errors (5xx or a failed upstream connection, answered 502 here) and latency (a bounded
 * window for p95), and keeps per-second counts for an hour so an analysis can read deltas since it
 * started ({@link window}). `/__preview/...` or the header `x-signalbox-preview: 1` always reaches
 * the canary and is not live traffic. Controlled in-process (no control API).
 */
export class WeightedProxy {
  readonly name: string;
  private readonly counters = new Map<string, VersionCounters>();
  private readonly roles: Record<ProxyRole, string>;
  private split: TrafficSplit;
  private server: Server | null = null;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly latencyWindow: number;
  private readonly historySeconds: number;
  private readonly upstreamTimeoutMs: number;

  constructor(options: WeightedProxyOptions) {
    this.name = options.name ?? 'demo';
    for (const upstream of [options.stable, options.canary, ...(options.others ?? [])]) this.addVersion(upstream);
    this.roles = { stable: options.stable.version, canary: options.canary.version };
    this.split = { stable: 100, canary: 0 };
    if (options.weights) this.setWeights(options.weights);
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.latencyWindow = Math.max(1, options.latencyWindow ?? 2048);
    this.historySeconds = Math.max(1, options.historySeconds ?? 3600);
    this.upstreamTimeoutMs = options.upstreamTimeoutMs ?? 30_000;
  }

  async start(port = 0): Promise<{ url: string }> {
    if (this.server) return { url: this.url() };
    const server = createServer((req, res) => this.forward(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return { url: this.url() };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.agent.destroy();
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  url(): string {
    if (!this.server) throw new Error(`Proxy ${this.name} is not started`);
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Sets the split (percent, stable + canary = 100). */
  setWeights(split: TrafficSplit): void {
    const ok = [split.stable, split.canary].every((n) => Number.isFinite(n) && n >= 0 && n <= 100);
    if (!ok || Math.abs(split.stable + split.canary - 100) > 1e-9) {
      throw new RangeError(`weights must be 0–100 and add up to 100, got ${split.stable}/${split.canary}`);
    }
    this.split = { stable: split.stable, canary: split.canary };
  }

  weights(): TrafficSplit {
    return { ...this.split };
  }

  /** Which version plays a role now. */
  upstream(role: ProxyRole): ProxyUpstream {
    const version = this.roles[role];
    return { version, url: this.counters.get(version)!.url };
  }

  hasVersion(version: string): boolean {
    return this.counters.has(version);
  }

  /** Makes a version known (or moves it to another URL); its counters are kept. */
  addVersion(upstream: ProxyUpstream): void {
    const existing = this.counters.get(upstream.version);
    if (existing) {
      existing.url = upstream.url;
      return;
    }
    this.counters.set(upstream.version, {
      url: upstream.url,
      requests: 0,
      errors: 0,
      previewRequests: 0,
      buckets: new Map(),
      latency: [],
      latencyNext: 0,
    });
  }

  /**
   * Gives the roles to known versions (a new rollout: the promoted canary becomes stable). Each
   * version keeps the traffic share it had, so reassigning moves no traffic: a version that had no
   * role starts at 0 %. Returns false (and changes nothing) when a version is unknown.
   */
  assign(roles: { stable?: string; canary: string }): boolean {
    const stable = roles.stable ?? this.roles.stable;
    if (!this.counters.has(stable) || !this.counters.has(roles.canary) || stable === roles.canary) return false;
    const shareOf = (version: string) =>
      version === this.roles.canary ? this.split.canary : version === this.roles.stable ? this.split.stable : 0;
    const canaryShare = shareOf(roles.canary);
    this.roles.stable = stable;
    this.roles.canary = roles.canary;
    this.split = { stable: 100 - canaryShare, canary: canaryShare };
    return true;
  }

  /** Cumulative counters of the version in a role. */
  stats(role: ProxyRole): ProxyStats {
    const version = this.roles[role];
    const c = this.counters.get(version)!;
    const latencies = c.latency.map((s) => s.ms);
    return {
      role,
      version,
      url: c.url,
      requests: c.requests,
      errors: c.errors,
      previewRequests: c.previewRequests,
      latencyP95Ms: percentile(latencies, 0.95),
      latencySamples: latencies.length,
    };
  }

  snapshot(): ProxySnapshot {
    return { at: new Date(this.now()).toISOString(), weights: this.weights(), stable: this.stats('stable'), canary: this.stats('canary') };
  }

  /**
   * Live traffic of the version in `role` since `sinceMs` (epoch ms). Counts have one-second
   * resolution (the second containing `sinceMs` is included) and reach back `historySeconds`;
   * latencies are exact in time but limited to the kept window.
   */
  window(role: ProxyRole, sinceMs: number): ProxyWindow {
    const version = this.roles[role];
    const c = this.counters.get(version)!;
    const fromSecond = Math.floor(sinceMs / 1000);
    let requests = 0;
    let errors = 0;
    for (const [second, bucket] of c.buckets) {
      if (second < fromSecond) continue;
      requests += bucket.requests;
      errors += bucket.errors;
    }
    return { version, requests, errors, latenciesMs: c.latency.filter((s) => s.at >= sinceMs).map((s) => s.ms) };
  }

  private pick(): ProxyRole {
    if (this.split.canary <= 0) return 'stable';
    if (this.split.canary >= 100) return 'canary';
    return this.random() * 100 < this.split.canary ? 'canary' : 'stable';
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const rawUrl = req.url ?? '/';
    const previewPath = rawUrl === PREVIEW_PREFIX || rawUrl.startsWith(`${PREVIEW_PREFIX}/`) || rawUrl.startsWith(`${PREVIEW_PREFIX}?`);
    const preview = previewPath || req.headers[PREVIEW_HEADER] === '1';
    const role = preview ? 'canary' : this.pick();
    const version = this.roles[role];
    const counters = this.counters.get(version)!;
    const path = previewPath ? rawUrl.slice(PREVIEW_PREFIX.length).replace(/^(?=\?|$)/, '/') : rawUrl;
    // Origin + path, never URL resolution: a path like `//elsewhere/` must stay on the upstream.
    const base = new URL(counters.url);
    const target = new URL(`${base.origin}${base.pathname.replace(/\/$/, '')}${path.startsWith('/') ? path : `/${path}`}`);
    const started = performance.now();

    let recorded = false;
    const record = (failed: boolean) => {
      if (recorded) return;
      recorded = true;
      if (preview) counters.previewRequests += 1;
      else this.record(counters, failed, performance.now() - started);
    };

    const upstreamReq = httpRequest(
      target,
      { method: req.method, headers: forwardHeaders(req.headers, req.socket.remoteAddress), agent: this.agent, timeout: this.upstreamTimeoutMs },
      (upstreamRes) => {
        const status = upstreamRes.statusCode ?? 502;
        res.writeHead(status, { ...responseHeaders(upstreamRes.headers), [VERSION_HEADER]: version });
        upstreamRes.pipe(res);
        upstreamRes.on('end', () => record(status >= 500));
        upstreamRes.on('error', () => {
          record(true);
          res.destroy();
        });
      },
    );
    upstreamReq.on('timeout', () => upstreamReq.destroy(new Error('upstream timeout')));
    upstreamReq.on('error', (error) => {
      record(true);
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json', [VERSION_HEADER]: version });
        res.end(JSON.stringify({ error: { code: 'bad_gateway', message: `upstream ${version} failed: ${error.message}` } }));
      } else {
        res.destroy();
      }
    });
    res.on('close', () => {
      if (res.writableFinished) return;
      // The client left: not the version's fault, so it is not counted.
      recorded = true;
      upstreamReq.destroy();
    });
    req.pipe(upstreamReq);
  }

  private record(c: VersionCounters, failed: boolean, latencyMs: number): void {
    const at = this.now();
    c.requests += 1;
    if (failed) c.errors += 1;
    const second = Math.floor(at / 1000);
    let bucket = c.buckets.get(second);
    if (!bucket) {
      bucket = { requests: 0, errors: 0 };
      c.buckets.set(second, bucket);
      const oldest = second - this.historySeconds;
      for (const key of c.buckets.keys()) {
        if (key >= oldest) break;
        c.buckets.delete(key);
      }
    }
    bucket.requests += 1;
    if (failed) bucket.errors += 1;
    const sample = { at, ms: latencyMs };
    if (c.latency.length < this.latencyWindow) c.latency.push(sample);
    else c.latency[c.latencyNext] = sample;
    c.latencyNext = (c.latencyNext + 1) % this.latencyWindow;
  }
}

/** Nearest-rank percentile; null for no samples. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function forwardHeaders(headers: IncomingHttpHeaders, remote: string | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  const prior = headers['x-forwarded-for'];
  out['x-forwarded-for'] = [prior, remote].filter(Boolean).join(', ');
  return out;
}

function responseHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}
