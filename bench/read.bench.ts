/**
 * Read: the matrix (`GET /api/inventory`), a service page (`GET /api/services/{name}`) and a
 * timeline page (`GET /api/events?limit=50`, and 20 per service) at 10 k, 100 k and 1 M
 * stored events over 500 services × 20 environments (--quick: 1 k and 10 k). Goal: flat, i.e. the
 * largest size's p50 within 1.5× of the smallest's (the baseline measured in the same run).
 *
 * Loading is fast and bypasses HTTP: events are generated, run through the real preparation
 * (`extractEvent`/`prepareEvent`) and the real inventory projection (`projectEvent`, here against an
 * in-memory inventory), and the resulting items — built by the DynamoDB adapters' own item
 * functions (`projectedEventItem`, `historyItem`, `inventoryCellItem`, `environmentItem`,
 * `dayItem`) — are written with `BatchWriteItem` into the dynalite of a local runtime running in a
 * child process. The reads then go through that runtime's HTTP API, one request at a time.
 * DORA counters are not loaded (no page read here uses them).
 *
 * `BENCH_READ_SIZES=10000,100000` overrides the sizes (loading runs at dynalite's batch-write rate,
 * about a thousand items a second on a busy 2-core machine, and every event also has a history
 * row: 1 M events take well over half an hour to load).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { BatchWriteCommand, type BatchWriteCommandInput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  dayItem,
  documentClient,
  environmentItem,
  historyItem,
  inventoryCellItem,
  projectedEventItem,
} from '../functions/src/adapters/aws/dynamo-stores';
import { dayOf } from '../functions/src/core/cdevents/time';
import { extractEvent } from '../functions/src/core/cdevents/envelope';
import { prepareEvent } from '../functions/src/core/cdevents/prepare';
import { projectEvent } from '../functions/src/core/inventory/project';
import type { Deps } from '../functions/src/core/deps';
import type { StoredEvent } from '../functions/src/core/ports/event-store';
import type { EnvironmentState, InventoryCellState, InventoryStore } from '../functions/src/core/ports/inventory-store';
import type { DeploymentRecord } from '../functions/src/core/read-models';
import { percentile, ratioOf, type BenchContext, type BenchResult, type BenchRow } from './harness';
import { deployedEvent, nameOf } from './support/cdevents';
import { HttpClient } from './support/http-client';
import { dynamoClient, startServerProcess } from './support/servers';

const SERVICES = 500;
const ENVIRONMENTS = 20;
const SPREAD_DAYS = 30;
const WRITE_BATCH = 25;
const WRITE_CONCURRENCY = 16;
const CHUNK = 2000;
const FLAT_GOAL = 1.5;

type Requests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];

/** Inventory projection target in memory: records what the DynamoDB adapter would be asked to write. */
class CapturingInventory {
  readonly cells = new Map<string, InventoryCellState>();
  readonly envs = new Map<string, EnvironmentState & { revision: number }>();
  history: Array<{ service: string; record: DeploymentRecord & { sortTime: string } }> = [];

  async getCell(service: string, environment: string): Promise<InventoryCellState | null> {
    return this.cells.get(`${service}\u001f${environment}`) ?? null;
  }
  async putCellIf(next: InventoryCellState, expected: string | null): Promise<boolean> {
    const k = `${next.service}\u001f${next.environment}`;
    if ((this.cells.get(k)?.orderKey ?? null) !== expected) return false;
    this.cells.set(k, next);
    return true;
  }
  async addHistory(service: string, record: DeploymentRecord & { sortTime: string }): Promise<void> {
    this.history.push({ service, record });
  }
  async getEnvironment(name: string): Promise<(EnvironmentState & { revision: number }) | null> {
    return this.envs.get(name) ?? null;
  }
  async putEnvironmentIf(next: EnvironmentState, expectedRevision: number): Promise<boolean> {
    if ((this.envs.get(next.name)?.revision ?? 0) !== expectedRevision) return false;
    this.envs.set(next.name, { ...next, revision: expectedRevision + 1 });
    return true;
  }
}

async function writeAll(doc: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      let requests: Requests = items.slice(next, next + WRITE_BATCH).map((Item) => ({ PutRequest: { Item } }));
      next += WRITE_BATCH;
      while (requests.length > 0) {
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
        requests = out.UnprocessedItems?.[table] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
}

/** Loads `total` events (and what projecting them stores) into the runtime's table. */
async function load(ctx: BenchContext, doc: DynamoDBDocumentClient, table: string, total: number): Promise<{ items: number; seconds: number }> {
  const run = randomUUID().slice(0, 8);
  const inventory = new CapturingInventory();
  const deps = { inventory: inventory as unknown as InventoryStore } as Pick<Deps, 'inventory'>;
  const end = Date.now();
  const start = end - SPREAD_DAYS * 86_400_000;
  const step = (end - start) / total;
  const days = new Set<string>();
  let items = 0;
  const t0 = performance.now();
  let lastLog = t0;
  for (let from = 0; from < total; from += CHUNK) {
    const chunk: Record<string, unknown>[] = [];
    for (let n = from; n < Math.min(total, from + CHUNK); n++) {
      const timestamp = new Date(Math.floor(start + n * step)).toISOString();
      const cell = n % (SERVICES * ENVIRONMENTS);
      const raw = deployedEvent({
        id: `read-${run}-${n}`,
        source: '/bench/read',
        service: nameOf('svc-', cell % SERVICES, 3),
        environment: nameOf('env-', Math.floor(cell / SERVICES), 2),
        timestamp,
        version: `1.${Math.floor(n / (SERVICES * ENVIRONMENTS))}.0`,
      });
      const prepared = prepareEvent(extractEvent(raw), timestamp);
      if ('error' in prepared) throw new Error(`bench event is not usable: ${prepared.error.message}`);
      const stored: StoredEvent = { ...prepared, ingestedAt: timestamp, projected: false };
      await projectEvent(deps, stored);
      chunk.push(projectedEventItem(stored));
      const day = dayOf(stored.sortTime);
      if (!days.has(day)) {
        days.add(day);
        chunk.push(dayItem(day));
      }
    }
    for (const h of inventory.history) chunk.push(historyItem(h.service, h.record));
    inventory.history = [];
    await writeAll(doc, table, chunk);
    items += chunk.length;
    const t = performance.now();
    if (t - lastLog > 10_000) {
      lastLog = t;
      const done = Math.min(total, from + CHUNK);
      const rate = items / ((t - t0) / 1000);
      ctx.log(`loading ${total}: ${done} events (${items} items, ${rate.toFixed(0)} items/s, ~${(((total - done) * (items / done)) / rate).toFixed(0)} s left)`);
    }
  }
  const tail = [...inventory.cells.values()].map(inventoryCellItem);
  tail.push(...[...inventory.envs.values()].map(({ revision, ...env }) => environmentItem(env, revision)));
  await writeAll(doc, table, tail);
  items += tail.length;
  return { items, seconds: (performance.now() - t0) / 1000 };
}

interface Probe {
  name: string;
  path: (i: number) => string;
  requests: number;
}

function probes(quick: boolean): Probe[] {
  const svc = (i: number) => nameOf('svc-', (i * 37) % SERVICES, 3);
  return [
    { name: 'matrix GET /api/inventory', path: () => '/api/inventory', requests: quick ? 10 : 30 },
    // Per-service pages hold 20 entries: at 10 k events a service has 20, so the page is full at
    // every size and the sizes compare the same work (a 50-entry page at 1 M against a 20-entry
    // page at 10 k measured the page size, not the history).
    { name: 'service page GET /api/services/{name}?limit=20', path: (i) => `/api/services/${svc(i)}?limit=20`, requests: quick ? 50 : 200 },
    { name: 'timeline GET /api/events?limit=50', path: () => '/api/events?limit=50', requests: quick ? 50 : 200 },
    { name: 'timeline by service ?service=…&limit=20', path: (i) => `/api/events?limit=20&service=${svc(i)}`, requests: quick ? 50 : 200 },
  ];
}

interface Measured {
  p50: number;
  p99: number;
  bytes: number;
  /** Entries in the last answer (`items` of a page, `cells` of the matrix, `history` of a service page). */
  entries: number | null;
}

function entriesOf(body: string): number | null {
  const v = JSON.parse(body) as { items?: unknown[]; cells?: unknown[]; history?: unknown[] };
  return v.items?.length ?? v.cells?.length ?? v.history?.length ?? null;
}

async function measure(http: HttpClient, headers: Record<string, string>, probe: Probe): Promise<Measured> {
  const times: number[] = [];
  let bytes = 0;
  let entries: number | null = null;
  // Two warm-up requests (first-use costs: JIT, connection), not counted.
  for (let i = -2; i < probe.requests; i++) {
    const t = performance.now();
    const reply = await http.send('GET', probe.path(i + 2), headers);
    const ms = performance.now() - t;
    if (reply.status !== 200) throw new Error(`GET ${probe.path(i + 2)} answered ${reply.status}: ${reply.body.slice(0, 300)}`);
    if (i >= 0) {
      times.push(ms);
      bytes = reply.body.length;
      entries = entriesOf(reply.body);
    }
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99), bytes, entries };
}

function sizesFor(quick: boolean): number[] {
  const fromEnv = process.env.BENCH_READ_SIZES;
  if (fromEnv) {
    const sizes = fromEnv.split(',').map((s) => Number(s.trim()));
    if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`BENCH_READ_SIZES must be positive whole numbers, got ${fromEnv}`);
    return sizes;
  }
  return quick ? [1_000, 10_000] : [10_000, 100_000, 1_000_000];
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const sizes = sizesFor(ctx.quick);
  const figures: Array<{ size: number; load: { items: number; seconds: number }; results: Record<string, Measured> }> = [];
  for (const size of sizes) {
    const server = await startServerProcess('runtime', join(ctx.tmpDir, `runtime-${size}`), ctx.log);
    try {
      const client = dynamoClient(server.info.dynamoEndpoint);
      ctx.log(`loading ${size} events with BatchWriteItem`);
      const loaded = await load(ctx, documentClient(client), server.info.tableName, size);
      client.destroy();
      ctx.log(`loaded ${size} events: ${loaded.items} items in ${loaded.seconds.toFixed(1)} s`);
      const http = new HttpClient(server.info.url!, 4);
      const headers = { authorization: `Bearer ${server.info.userToken}` };
      const results: Record<string, Measured> = {};
      for (const probe of probes(ctx.quick)) {
        results[probe.name] = await measure(http, headers, probe);
        ctx.log(`${size}: ${probe.name} p50 ${results[probe.name]!.p50.toFixed(1)} ms, p99 ${results[probe.name]!.p99.toFixed(1)} ms`);
      }
      http.close();
      figures.push({ size, load: loaded, results });
    } finally {
      await server.stop();
    }
  }
  const base = figures[0]!;
  const rows: BenchRow[] = [];
  for (const probe of probes(ctx.quick)) {
    for (const f of figures) {
      const r = f.results[probe.name]!;
      const b = base.results[probe.name]!;
      const isBase = f === base;
      const ratio = isBase ? undefined : ratioOf(r.p50, b.p50);
      rows.push({
        name: `${probe.name} @${f.size} p50`,
        value: r.p50,
        unit: 'ms',
        baseline: isBase ? undefined : b.p50,
        ratio,
        goal: isBase ? 'baseline' : `<= ${FLAT_GOAL}x @${base.size}`,
        met: ratio === undefined ? undefined : ratio <= FLAT_GOAL,
        note: `p99 ${r.p99.toFixed(1)} ms${isBase ? '' : ` (${ratioOf(r.p99, b.p99)}x)`}; ${r.bytes} bytes${r.entries === null ? '' : `, ${r.entries} entries`}`,
      });
    }
  }
  return {
    name: 'read',
    rows,
    meta: {
      sizes,
      services: SERVICES,
      environments: ENVIRONMENTS,
      spreadDays: SPREAD_DAYS,
      figures,
      note: ctx.quick ? 'quick: at 1 k events only 1 000 of the 10 000 cells exist, so the matrix grows with the data by design' : undefined,
    },
  };
}
