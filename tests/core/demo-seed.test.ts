import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { AnySchema, ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoEvents, DEMO_ENVIRONMENTS, DEMO_SERVICES, type DemoEvent } from '../../local/seed/demo-events';
import { seedDemo } from '../../local/seed/seed-demo';

const SHARED = resolve(import.meta.dirname, '../../../shared/cdevents');
const NOW = new Date('2026-05-01T12:00:00.000Z');
const DAY_MS = 86_400_000;

// ajv-formats is CommonJS; its default export arrives wrapped depending on the loader.
const addFormats = ((addFormatsPlugin as unknown as { default?: typeof addFormatsPlugin }).default ??
  addFormatsPlugin) as typeof addFormatsPlugin;

interface Ctx {
  id: string;
  source: string;
  type: string;
  timestamp: string;
  specversion?: string;
  version?: string;
}
interface Content {
  environment?: { id: string };
  artifactId?: string;
  service?: { id: string };
  outcome?: string;
}
const ctx = (e: DemoEvent) => e.context as Ctx;
const subject = (e: DemoEvent) => e.subject as { id: string; type?: string; content: Content };
const predicateOf = (e: DemoEvent) => ctx(e).type.split('.').slice(2, 4).join('.');

/** Official CDEvents schemas (0.4.1 and 0.5.1), selected by the full `context.type`. */
function officialValidators(): Map<string, ValidateFunction> {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  ajv.addKeyword('example');
  const byType = new Map<string, ValidateFunction>();
  for (const release of ['0.4.1', '0.5.1']) {
    const dir = join(SHARED, release, 'schemas');
    for (const f of readdirSync(join(dir, 'links')).filter((n) => n.endsWith('.json'))) {
      ajv.addSchema(JSON.parse(readFileSync(join(dir, 'links', f), 'utf8')) as AnySchema);
    }
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const schema = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { properties: { context: { properties: { type: { enum: string[] } } } } };
      const [type] = schema.properties.context.properties.type.enum;
      byType.set(type!, ajv.compile(schema as AnySchema));
    }
  }
  return byType;
}

describe('buildDemoEvents', () => {
  let events: DemoEvent[];
  beforeAll(() => {
    events = buildDemoEvents({ now: NOW });
  });

  it('is deterministic for the same now and seed, and varies with the seed', () => {
    expect(buildDemoEvents({ now: NOW })).toEqual(events);
    expect(buildDemoEvents({ now: NOW, rng: 7 })).toEqual(buildDemoEvents({ now: NOW, rng: 7 }));
    expect(buildDemoEvents({ now: NOW, rng: 7 })).not.toEqual(events);
  });

  it('produces a realistic volume sorted by strictly increasing timestamps, all at or before now, spanning 30 days', () => {
    expect(events.length).toBeGreaterThanOrEqual(1500);
    expect(events.length).toBeLessThanOrEqual(3000);
    const times = events.map((e) => Date.parse(ctx(e).timestamp));
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
    expect(times.at(-1)!).toBeLessThanOrEqual(NOW.getTime());
    expect(times[0]!).toBeGreaterThanOrEqual(NOW.getTime() - 30 * DAY_MS);
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(29 * DAY_MS);
    for (const e of events) expect(ctx(e).timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.(\d{3}|\d{6})Z$/);
  });

  it('gives every event a unique UUID-like context.id', () => {
    const ids = events.map((e) => ctx(e).id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('is valid against the official CDEvents schemas, in both 0.5.x and legacy 0.4.1 form', () => {
    const validators = officialValidators();
    const failures: string[] = [];
    for (const e of events) {
      const validate = validators.get(ctx(e).type);
      if (!validate) failures.push(`no schema for ${ctx(e).type}`);
      else if (!validate(e)) failures.push(`${ctx(e).type} ${ctx(e).id}: ${JSON.stringify(validate.errors)}`);
    }
    expect(failures).toEqual([]);
    const legacy = events.filter((e) => ctx(e).version === '0.4.1');
    expect(legacy.length).toBeGreaterThan(0);
    expect(legacy.some((e) => ctx(e).type === 'dev.cdevents.service.deployed.0.2.0')).toBe(true);
    expect(legacy.every((e) => typeof subject(e).type === 'string')).toBe(true);
    expect(events.filter((e) => ctx(e).specversion?.startsWith('0.5.')).length).toBeGreaterThan(legacy.length);
  });

  it('announces at least 6 environments across the 6 providers and both kinds before anything else mentions them', () => {
    expect(DEMO_ENVIRONMENTS.length).toBeGreaterThanOrEqual(6);
    expect(new Set(DEMO_ENVIRONMENTS.map((e) => e.provider))).toEqual(new Set(['aws', 'azure', 'gcp', 'ibm', 'oci', 'onprem']));
    expect(new Set(DEMO_ENVIRONMENTS.map((e) => e.kind))).toEqual(new Set(['cloud', 'hci']));
    const created = events.filter((e) => ctx(e).type === 'dev.cdevents.environment.created.0.3.0');
    expect(created.map((e) => subject(e).id).sort()).toEqual(DEMO_ENVIRONMENTS.map((e) => e.name).sort());
    for (const env of DEMO_ENVIRONMENTS) {
      const event = created.find((e) => subject(e).id === env.name)!;
      expect(subject(event).content).toEqual({ name: env.name, uri: env.uri });
      expect(event.customData).toEqual({ signalbox: { environment: { provider: env.provider, kind: env.kind, region: env.region } } });
      expect(event.customDataContentType).toBe('application/json');
      const firstMention = events.findIndex((e) => subject(e).content.environment?.id === env.name);
      expect(events.indexOf(event)).toBeLessThan(firstMention);
    }
  });

  it('deploys at least 15 services, including the blockchain nodes, with realistic placement', () => {
    const names = DEMO_SERVICES.map((s) => s.name);
    expect(names.length).toBeGreaterThanOrEqual(15);
    expect(names).toEqual(expect.arrayContaining(['besu-validator', 'besu-rpc', 'firefly-core', 'cacti-connector', 'ccip-router', 'api-gateway', 'payments', 'orders']));
    const deploying = events.filter((e) => /^service\.(deployed|upgraded|rolledback)$/.test(predicateOf(e)));
    const cells = new Set(deploying.map((e) => `${subject(e).id}|${subject(e).content.environment!.id}`));
    expect(new Set(deploying.map((e) => subject(e).id))).toEqual(new Set(names));
    // Not every service everywhere; blockchain nodes on on-prem HCI.
    expect(cells.size).toBeLessThan(names.length * DEMO_ENVIRONMENTS.length);
    expect(cells.has('besu-validator|onprem-dc1-hci')).toBe(true);
    expect(cells.has('besu-validator|dev-aws-eu-central-1')).toBe(false);
    for (const s of DEMO_SERVICES) for (const env of s.environments) expect(cells.has(`${s.name}|${env}`)).toBe(true);
  });

  it('starts each cell with service.deployed, then upgrades with increasing semver tagged purls', () => {
    const byCell = new Map<string, DemoEvent[]>();
    for (const e of events.filter((x) => /^service\.(deployed|upgraded|rolledback)$/.test(predicateOf(x)))) {
      const key = `${subject(e).id}|${subject(e).content.environment!.id}`;
      byCell.set(key, [...(byCell.get(key) ?? []), e]);
    }
    const semver = (v: string) => v.split('.').map(Number) as [number, number, number];
    const newer = (a: string, b: string) => {
      const [x, y] = [semver(a), semver(b)];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    };
    for (const [key, list] of byCell) {
      expect(predicateOf(list[0]!), key).toBe('service.deployed');
      expect(list.slice(1).every((e) => predicateOf(e) !== 'service.deployed'), key).toBe(true);
      let running: string[] = [];
      for (const e of list) {
        const artifactId = subject(e).content.artifactId!;
        expect(artifactId).toMatch(/^pkg:oci\/[a-z-]+@sha256%3A[0-9a-f]{64}\?repository_url=registry\.example\.com\/acme\/[a-z-]+&tag=\d+\.\d+\.\d+$/);
        expect(artifactId.startsWith(`pkg:oci/${subject(e).id}@`)).toBe(true);
        const version = artifactId.split('tag=')[1]!;
        if (predicateOf(e) === 'service.upgraded') expect(newer(version, running.at(-1)!.split('tag=')[1]!), key).toBeGreaterThan(0);
        if (predicateOf(e) === 'service.rolledback') {
          expect(artifactId, `${key} rolls back to the previous artifact`).toBe(running.at(-2));
          running = running.slice(0, -1);
        } else running.push(artifactId);
      }
    }
  });

  it('brackets each rollback with an incident about the failed artifact', () => {
    const rollbacks = events.filter((e) => predicateOf(e) === 'service.rolledback');
    expect(rollbacks.length).toBeGreaterThanOrEqual(2);
    for (const rb of rollbacks) {
      const at = events.indexOf(rb);
      const service = subject(rb).id;
      const env = subject(rb).content.environment!.id;
      const detected = events.slice(0, at).reverse().find((e) => predicateOf(e) === 'incident.detected' && subject(e).content.service?.id === service && subject(e).content.environment?.id === env);
      expect(detected, `${service} ${env}`).toBeDefined();
      const resolved = events.slice(at).find((e) => predicateOf(e) === 'incident.resolved' && subject(e).id === subject(detected!).id);
      expect(resolved).toBeDefined();
      expect(subject(resolved!).content.artifactId).toBe(subject(detected!).content.artifactId);
      expect(subject(detected!).content.artifactId).not.toBe(subject(rb).content.artifactId);
    }
  });

  it('surrounds deployments with CI and test events', () => {
    const types = new Set(events.map(predicateOf));
    for (const t of ['change.merged', 'pipelinerun.started', 'pipelinerun.finished', 'build.finished', 'artifact.published', 'testsuiterun.finished']) {
      expect(types.has(t), t).toBe(true);
    }
    const outcomes = new Set(events.filter((e) => predicateOf(e) === 'pipelinerun.finished').map((e) => subject(e).content.outcome));
    expect(outcomes).toEqual(new Set(['success', 'failure']));
    const builds = events.filter((e) => predicateOf(e) === 'build.finished');
    expect(builds.every((e) => subject(e).content.artifactId?.startsWith('pkg:oci/'))).toBe(true);
    expect(events.filter((e) => predicateOf(e) === 'testsuiterun.finished').every((e) => subject(e).content.environment?.id)).toBe(true);
    expect(new Set(events.map((e) => ctx(e).source)).size).toBeGreaterThan(20);
  });

  it('changes a few, not all, environments in the last 24 hours', () => {
    const recent = new Set(
      events
        .filter((e) => /^service\./.test(predicateOf(e)) && Date.parse(ctx(e).timestamp) > NOW.getTime() - DAY_MS)
        .map((e) => subject(e).content.environment!.id),
    );
    expect(recent.size).toBeGreaterThanOrEqual(2);
    expect(recent.size).toBeLessThan(DEMO_ENVIRONMENTS.length);
  });

  it('honours days and rejects nonsense', () => {
    const week = buildDemoEvents({ now: NOW, days: 7 });
    expect(Date.parse(ctx(week[0]!).timestamp)).toBeGreaterThanOrEqual(NOW.getTime() - 7 * DAY_MS);
    expect(week.length).toBeLessThan(events.length);
    expect(() => buildDemoEvents({ now: NOW, days: 0 })).toThrow(RangeError);
    expect(() => buildDemoEvents({ now: new Date('nope') })).toThrow(RangeError);
  });
});

interface Recorded {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: DemoEvent[];
}

describe('seedDemo', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    server = undefined;
  });

  async function listen(answer: (req: Recorded, n: number) => { status: number; body: string }): Promise<{ baseUrl: string; requests: Recorded[] }> {
    const requests: Recorded[] = [];
    server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const recorded: Recorded = {
          method: req.method ?? '',
          url: req.url ?? '',
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'],
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as DemoEvent[],
        };
        requests.push(recorded);
        const { status, body } = answer(recorded, requests.length);
        res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      });
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', () => done()));
    const { port } = server.address() as AddressInfo;
    return { baseUrl: `http://127.0.0.1:${port}/`, requests };
  }

  const storeAll = (req: Recorded) => ({
    status: 202,
    body: JSON.stringify({ results: req.body.map((_, i) => (i === 0 ? { status: 'duplicate', violations: [] } : i === 1 ? { status: 'rejected', violations: [], error: 'bad' } : { status: 'stored', key: `k${i}`, violations: [] })) }),
  });

  it('posts every demo event in order, in batches, with the bearer token and the batch content type', async () => {
    const { baseUrl, requests } = await listen(storeAll);
    const progress: Array<[number, number]> = [];
    const result = await seedDemo({ baseUrl, token: 'demo-token', now: NOW, batchSize: 400, onProgress: (s, t) => progress.push([s, t]) });

    const expected = buildDemoEvents({ now: NOW });
    expect(requests.map((r) => r.body).flat()).toEqual(expected);
    expect(requests.every((r) => r.method === 'POST' && r.url === '/api/events')).toBe(true);
    expect(requests.every((r) => r.authorization === 'Bearer demo-token')).toBe(true);
    expect(requests.every((r) => r.contentType === 'application/cloudevents-batch+json')).toBe(true);
    const sizes = requests.map((r) => r.body.length);
    expect(sizes.slice(0, -1).every((n) => n === 400)).toBe(true);
    expect(sizes.at(-1)!).toBeGreaterThan(0);
    expect(sizes.at(-1)!).toBeLessThanOrEqual(400);
    expect(progress.at(-1)).toEqual([expected.length, expected.length]);
    expect(progress.map(([s]) => s)).toEqual(sizes.map((_, i) => sizes.slice(0, i + 1).reduce((a, b) => a + b, 0)));
    expect(result).toEqual({ sent: expected.length, stored: expected.length - 2 * requests.length, duplicate: requests.length, rejected: requests.length });
  });

  it('uses batches of 250 by default', async () => {
    const { baseUrl, requests } = await listen(storeAll);
    await seedDemo({ baseUrl, token: 't', now: NOW });
    expect(requests[0]!.body).toHaveLength(250);
  });

  it('throws with the HTTP status and body on a non-202 answer, and stops', async () => {
    const { baseUrl, requests } = await listen((req, n) => (n === 2 ? { status: 401, body: '{"error":{"code":"Unauthorized","message":"bad token"}}' } : storeAll(req)));
    await expect(seedDemo({ baseUrl, token: 'wrong', now: NOW })).rejects.toThrow(/HTTP 401.*bad token/);
    expect(requests).toHaveLength(2);
  });

  it('throws when a 202 answer does not carry one result per event', async () => {
    const { baseUrl } = await listen(() => ({ status: 202, body: '{"results":[]}' }));
    await expect(seedDemo({ baseUrl, token: 't', now: NOW })).rejects.toThrow(/one result per event/);
  });

  it('retries a batch once after a network error, and gives up after the second', async () => {
    const { baseUrl, requests } = await listen(storeAll);
    let calls = 0;
    const flaky: typeof fetch = (input, init) => {
      calls++;
      if (calls === 1) return Promise.reject(new TypeError('fetch failed: ECONNRESET'));
      return fetch(input, init);
    };
    const result = await seedDemo({ baseUrl, token: 't', now: NOW, batchSize: 1000, fetchImpl: flaky });
    expect(result.sent).toBe(buildDemoEvents({ now: NOW }).length);
    expect(requests.length).toBe(calls - 1);

    const down: typeof fetch = () => Promise.reject(new TypeError('fetch failed: ECONNREFUSED'));
    await expect(seedDemo({ baseUrl, token: 't', now: NOW, fetchImpl: down })).rejects.toThrow(/failed twice.*ECONNREFUSED/);
  });
});
