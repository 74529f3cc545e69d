import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CompositeTrafficTargets } from '../../functions/src/adapters/composite-traffic-targets';
import { startDemoService, startDemoTraffic, type DemoService } from '../../functions/src/adapters/local/demo-service';
import { LocalProxyTarget, localProxyTargets } from '../../functions/src/adapters/local/local-proxy-target';
import { ProxyMetricProvider } from '../../functions/src/adapters/local/proxy-metrics';
import { WeightedProxy, type WeightedProxyOptions } from '../../functions/src/adapters/local/weighted-proxy';
import { ValidationError } from '../../functions/src/core/errors';
import type { MetricQueryContext } from '../../functions/src/core/ports/metric-providers';
import type { TargetContext } from '../../functions/src/core/ports/traffic-target';

/** A small seeded PRNG (mulberry32) so a weighted split gives exact, repeatable counts. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const toClose: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of toClose.splice(0).reverse()) await close();
});

async function demoPair(options: { stableErrorRate?: number; canaryErrorRate?: number } = {}) {
  const stable = await startDemoService({ version: '1.0.0', errorRate: options.stableErrorRate ?? 0 });
  toClose.push(() => stable.stop());
  const canary = await startDemoService({ version: '2.0.0', errorRate: options.canaryErrorRate ?? 0 });
  toClose.push(() => canary.stop());
  return { stable, canary };
}

async function proxyFor(stable: DemoService, canary: DemoService, extra: Partial<WeightedProxyOptions> = {}) {
  const proxy = new WeightedProxy({
    name: 'demo',
    stable: { version: stable.version, url: stable.url },
    canary: { version: canary.version, url: canary.url },
    ...extra,
  });
  const { url } = await proxy.start();
  toClose.push(() => proxy.stop());
  return { proxy, url };
}

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  const body = (await res.json()) as { version?: string; ok?: boolean };
  return { status: res.status, version: res.headers.get('x-signalbox-version'), body };
}

async function hit(url: string, times: number) {
  const versions: string[] = [];
  for (let i = 0; i < times; i++) versions.push((await get(url)).version ?? 'none');
  return versions;
}

const count = (versions: string[], v: string) => versions.filter((x) => x === v).length;

describe('WeightedProxy', () => {
  it('moves real traffic with the weights, exactly as the seeded random source decides', async () => {
    const { stable, canary } = await demoPair();
    const { proxy, url } = await proxyFor(stable, canary, { random: seeded(42) });

    expect(proxy.weights()).toEqual({ stable: 100, canary: 0 });
    expect(count(await hit(url, 40), '1.0.0')).toBe(40);

    proxy.setWeights({ stable: 80, canary: 20 });
    const replay = seeded(42);
    const expectedCanary = Array.from({ length: 100 }, () => replay() * 100 < 20).filter(Boolean).length;
    expect(expectedCanary).toBeGreaterThan(5);
    expect(expectedCanary).toBeLessThan(40);
    const split = await hit(url, 100);
    expect(count(split, '2.0.0')).toBe(expectedCanary);
    expect(count(split, '1.0.0')).toBe(100 - expectedCanary);

    proxy.setWeights({ stable: 0, canary: 100 });
    expect(count(await hit(url, 30), '2.0.0')).toBe(30);

    expect(proxy.stats('stable')).toMatchObject({ version: '1.0.0', requests: 140 - expectedCanary, errors: 0 });
    expect(proxy.stats('canary')).toMatchObject({ version: '2.0.0', requests: expectedCanary + 30, errors: 0 });
    expect(proxy.stats('canary').latencySamples).toBe(expectedCanary + 30);
    expect(proxy.stats('canary').latencyP95Ms).toBeGreaterThan(0);
    expect(stable.served() + canary.served()).toBe(170);
    expect(() => proxy.setWeights({ stable: 50, canary: 60 })).toThrow(RangeError);
  });

  it('counts 5xx answers and failed upstream connections as errors of that version', async () => {
    const { stable, canary } = await demoPair({ canaryErrorRate: 1 });
    const { proxy, url } = await proxyFor(stable, canary, { weights: { stable: 0, canary: 100 } });

    const answers = await Promise.all([get(url), get(url), get(url)]);
    expect(answers.map((a) => a.status)).toEqual([500, 500, 500]);
    expect(answers[0]!.body).toEqual({ service: 'demo', version: '2.0.0', ok: false });

    await canary.stop();
    const refused = await get(url);
    expect(refused.status).toBe(502);
    expect(refused.version).toBe('2.0.0');

    expect(proxy.stats('canary')).toMatchObject({ requests: 4, errors: 4 });
    expect(proxy.stats('stable')).toMatchObject({ requests: 0, errors: 0 });
  });

  it('sends the preview route and header to the canary without counting live traffic', async () => {
    const { stable, canary } = await demoPair();
    const { proxy, url } = await proxyFor(stable, canary);

    const byPath = await get(`${url}/__preview/`);
    const byPathNoSlash = await get(`${url}/__preview`);
    const byHeader = await get(url, { 'x-signalbox-preview': '1' });
    const health = await get(`${url}/__preview/health`);
    expect([byPath, byPathNoSlash, byHeader].map((a) => a.body.version)).toEqual(['2.0.0', '2.0.0', '2.0.0']);
    expect(health.body).toEqual({ status: 'ok', service: 'demo', version: '2.0.0' });
    expect((await get(url)).body.version).toBe('1.0.0');

    expect(proxy.stats('canary')).toMatchObject({ requests: 0, previewRequests: 4, latencySamples: 0 });
    expect(proxy.stats('stable')).toMatchObject({ requests: 1, previewRequests: 0 });
  });

  it('forwards method, path, query, headers and body', async () => {
    const seen: Array<{ method?: string; url?: string; headers: Record<string, unknown>; body: string }> = [];
    const echo: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(201, { 'content-type': 'text/plain', 'x-upstream': 'echo' });
        res.end('created');
      });
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    toClose.push(async () => {
      echo.closeAllConnections();
      await new Promise((resolve) => echo.close(resolve));
    });
    const echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
    const proxy = new WeightedProxy({ stable: { version: 'a', url: echoUrl }, canary: { version: 'b', url: echoUrl } });
    const { url } = await proxy.start();
    toClose.push(() => proxy.stop());

    const res = await fetch(`${url}/orders/7?expand=lines`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-1' },
      body: '{"qty":3}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-upstream')).toBe('echo');
    expect(res.headers.get('x-signalbox-version')).toBe('a');
    expect(await res.text()).toBe('created');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/orders/7?expand=lines', body: '{"qty":3}' });
    expect(seen[0]!.headers).toMatchObject({ 'content-type': 'application/json', 'x-request-id': 'req-1' });
    expect(seen[0]!.headers['x-forwarded-for']).toContain('127.0.0.1');

    await fetch(`${url}//elsewhere.example/x`);
    expect(seen[1]!.url).toBe('//elsewhere.example/x');
  });
});

describe('ProxyMetricProvider', () => {
  const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

  it('reads counters as deltas since the analysis start, with sample counts', async () => {
    let clock = T0;
    const { stable, canary } = await demoPair();
    const { proxy, url } = await proxyFor(stable, canary, { weights: { stable: 0, canary: 100 }, now: () => clock });
    const metrics = new ProxyMetricProvider({ demo: proxy });
    const ctx = (since: number): MetricQueryContext => ({
      rolloutId: 'ro-1',
      service: 'demo',
      environment: 'local',
      target: { type: 'local-proxy', proxy: 'demo' },
      stableVersion: '1.0.0',
      canaryVersion: '2.0.0',
      since: new Date(since).toISOString(),
    });

    await hit(url, 10); // before the analysis: healthy traffic that must not dilute the error rate

    clock = T0 + 60_000;
    const since = ctx(T0 + 60_000);
    expect(await metrics.measure({ type: 'signalbox', query: 'error-rate' }, since)).toEqual({ value: 0, samples: 0 });

    canary.setErrorRate(1);
    await hit(url, 4);
    canary.setErrorRate(0);
    clock = T0 + 75_000;
    await hit(url, 6);

    expect(await metrics.measure({ type: 'signalbox', query: 'error-rate' }, since)).toEqual({ value: 0.4, samples: 10 });
    expect(await metrics.measure({ type: 'signalbox', query: 'success-rate', version: 'canary' }, since)).toEqual({
      value: 0.6,
      samples: 10,
    });
    expect(await metrics.measure({ type: 'signalbox', query: 'request-count' }, since)).toEqual({ value: 10, samples: 10 });
    const p95 = await metrics.measure({ type: 'signalbox', query: 'latency-p95-ms' }, since);
    expect(p95.samples).toBe(10);
    expect(p95.value).toBeGreaterThan(0);
    // Later analysis windows see only later traffic; earlier ones see everything.
    expect(await metrics.measure({ type: 'signalbox', query: 'request-count' }, ctx(T0 + 75_000))).toEqual({ value: 6, samples: 6 });
    expect(await metrics.measure({ type: 'signalbox', query: 'request-count' }, ctx(T0))).toEqual({ value: 20, samples: 20 });
    // The stable version had no traffic: 0 samples, so the minimum-sample rule can call it Inconclusive.
    expect(await metrics.measure({ type: 'signalbox', query: 'error-rate', version: 'stable' }, since)).toEqual({ value: 0, samples: 0 });
    expect(proxy.stats('canary')).toMatchObject({ requests: 20, errors: 4 });
  });

  it('fails the measurement for another target, an unknown proxy or another provider type', async () => {
    const { stable, canary } = await demoPair();
    const { proxy } = await proxyFor(stable, canary);
    const metrics = new ProxyMetricProvider((name) => (name === 'demo' ? proxy : undefined));
    const base: MetricQueryContext = {
      rolloutId: 'ro-1',
      service: 'demo',
      environment: 'local',
      target: { type: 'local-proxy', proxy: 'other' },
      stableVersion: null,
      canaryVersion: '2.0.0',
      since: new Date(T0).toISOString(),
    };
    await expect(metrics.measure({ type: 'signalbox', query: 'error-rate' }, base)).rejects.toThrow(/No local proxy named other/);
    await expect(
      metrics.measure({ type: 'signalbox', query: 'error-rate' }, { ...base, target: { type: 'webhook', url: 'http://x' } }),
    ).rejects.toThrow(/local-proxy target/);
    await expect(
      metrics.measure({ type: 'prometheus', address: 'http://p', query: 'up' }, { ...base, target: { type: 'local-proxy', proxy: 'demo' } }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('LocalProxyTarget', () => {
  const ctx = (stable: string | null, canary: string): TargetContext => ({
    rolloutId: 'ro-2',
    service: 'demo',
    environment: 'local',
    phase: 'Progressing',
    step: 0,
    stable: { artifactId: stable ? `pkg:generic/demo@${stable}` : null, version: stable },
    canary: { artifactId: `pkg:generic/demo@${canary}`, version: canary },
    metadata: {},
  });

  it('sets the proxy weights, and gives the roles to the rollout’s versions for the next rollout', async () => {
    const { stable, canary } = await demoPair();
    const { proxy, url } = await proxyFor(stable, canary);
    const target = new LocalProxyTarget(proxy);

    expect(await target.setWeight(ctx('1.0.0', '2.0.0'), 100)).toEqual({ stable: 0, canary: 100 });
    expect(count(await hit(url, 5), '2.0.0')).toBe(5);

    // Undo: 2.0.0 → 1.0.0. Taking the roles moves no traffic; setWeight does.
    expect(await target.getWeight(ctx('2.0.0', '1.0.0'))).toEqual({ stable: 100, canary: 0 });
    expect(proxy.upstream('canary').version).toBe('1.0.0');
    expect(count(await hit(url, 5), '2.0.0')).toBe(5);
    expect(await target.setWeight(ctx('2.0.0', '1.0.0'), 100)).toEqual({ stable: 0, canary: 100 });
    expect(count(await hit(url, 5), '1.0.0')).toBe(5);

    // Versions the proxy does not know leave the roles alone.
    expect(await target.setWeight(ctx('9.9.9', '8.8.8'), 0)).toEqual({ stable: 100, canary: 0 });
    expect(proxy.upstream('stable').version).toBe('2.0.0');
    expect(await target.hook()).toEqual({ proceed: true });
    await expect(target.setWeight(ctx('1.0.0', '2.0.0'), -1)).rejects.toBeInstanceOf(ValidationError);
  });

  it('is resolved by name through CompositeTrafficTargets', async () => {
    const { stable, canary } = await demoPair();
    const { proxy } = await proxyFor(stable, canary);
    const targets = new CompositeTrafficTargets({ 'local-proxy': localProxyTargets({ demo: proxy }) });

    expect(targets.resolve({ type: 'local-proxy', proxy: 'demo' })).toBeInstanceOf(LocalProxyTarget);
    expect(targets.types()).toEqual(['local-proxy']);
    expect(() => targets.resolve({ type: 'local-proxy', proxy: 'nope' })).toThrow(
      expect.objectContaining({ name: 'ValidationError', field: 'target.proxy' }),
    );
    expect(() => targets.resolve({ type: 'lambda-alias', functionName: 'f', alias: 'live' })).toThrow(
      expect.objectContaining({ name: 'ValidationError', field: 'target.type', message: expect.stringContaining('not available in this runtime') }),
    );
  });
});

describe('demo service and traffic', () => {
  it('answers health and 404, and the load generator keeps traffic flowing through the proxy', async () => {
    const { stable, canary } = await demoPair();
    expect(await (await fetch(`${stable.url}/health`)).json()).toEqual({ status: 'ok', service: 'demo', version: '1.0.0' });
    expect((await fetch(`${stable.url}/nope`)).status).toBe(404);
    expect(() => stable.setErrorRate(2)).toThrow(RangeError);

    const { proxy, url } = await proxyFor(stable, canary);
    const traffic = startDemoTraffic({ url, ratePerSecond: 50 });
    toClose.push(() => traffic.stop());
    await vi.waitFor(() => expect(proxy.stats('stable').requests).toBeGreaterThanOrEqual(5), { timeout: 20_000, interval: 50 });
    await traffic.stop();
    const sent = traffic.sent();
    expect(proxy.stats('stable').requests).toBe(sent);
    expect(traffic.sent()).toBe(sent);
  });
});
