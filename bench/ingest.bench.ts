/**
 * Ingest: CDEvents per second through the whole local path — HTTP `POST /api/events` → validation
 * → conditional put of the event → the in-process bus → the store consumer (inventory cell,
 * environment, history row, DORA counters, timeline index) → visible in `GET /api/events` — for
 * single events and for batches of 100, each sustained for 60 s (5 s with --quick). Baseline: raw
 * `BatchWriteItem` of the same event items (the real adapter's `eventItem`, same table design) into
 * dynalite on the same machine for the same duration. Both servers run in a child process of their
 * own (as `npm start` does), so the load generator here does not share their event loop.
 *
 * Rate of the local path = events stored / (time from the first request until the bus has
 * delivered everything), so a backlog of projections still running after the window counts
 * against it. Latency: about once a second one event is a "probe" with a service of its own; from
 * its 202 we poll `GET /api/events?service=<probe>&limit=1` until it is listed (p50/p99).
 *
 * The load generator is our own keep-alive client rather than autocannon: every request needs a
 * fresh event id (else it is a duplicate and never reaches the store), the bench must count the
 * per-event results of each 202 (stored / duplicate / rejected), and probes must be picked and
 * followed by key; autocannon's fixed request templates count only status codes.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dayItem, documentClient, eventItem, historyItem, inventoryCellItem, projectedEventItem } from '../functions/src/adapters/aws/dynamo-stores';
import { dayOf } from '../functions/src/core/cdevents/time';
import { nextCell } from '../functions/src/core/inventory/project';
import { DORA_KEYS } from '../functions/src/shared/table-design';
import { extractEvent } from '../functions/src/core/cdevents/envelope';
import { prepareEvent } from '../functions/src/core/cdevents/prepare';
import type { StoredEvent } from '../functions/src/core/ports/event-store';
import { percentile, ratioOf, type BenchContext, type BenchResult, type BenchRow } from './harness';
import { deployedEvent, nameOf } from './support/cdevents';
import { HttpClient } from './support/http-client';
import { dynamoClient, startServerProcess } from './support/servers';

const SERVICES = 50;
const ENVIRONMENTS = 10;
const SINGLE_CONCURRENCY = 32;
const BATCH_SIZE = 100;
const BATCH_CONCURRENCY = 4;
const RAW_CONCURRENCY = 16;
const RAW_BATCH = 25; // DynamoDB's BatchWriteItem limit
// Probes are few and poll gently: their reads compete with the ingest for the same process.
const PROBE_EVERY_MS = 1000;
const PROBE_POLL_MS = 50;
const PROBE_GIVE_UP_MS = 120_000;

let seq = 0;
const runId = randomUUID().slice(0, 8);

function nextEvent(probe: string | null): Record<string, unknown> {
  const n = seq++;
  return deployedEvent({
    id: `bench-${runId}-${n}`,
    service: probe ?? nameOf('svc-', n % SERVICES, 3),
    environment: nameOf('env-', Math.floor(n / SERVICES) % ENVIRONMENTS, 2),
    timestamp: new Date().toISOString(),
    version: `1.${Math.floor(n / 1000)}.${n % 1000}`,
  });
}

function storedEventOf(raw: Record<string, unknown>, now: string): StoredEvent {
  const extracted = extractEvent(raw);
  const prepared = prepareEvent(extracted, now);
  if ('error' in prepared) throw new Error(`bench event is not usable: ${prepared.error.message}`);
  return { ...prepared, ingestedAt: now, projected: false };
}

interface LocalPathFigures {
  stored: number;
  other: number;
  failedRequests: number;
  /** 503/429 answers with Retry-After (backpressure), each followed by that wait. */
  busyAnswers: number;
  acceptSeconds: number;
  drainSeconds: number;
  eventsPerSecond: number;
  acceptedPerSecond: number;
  visibleCounted: number | null;
  probeLatenciesMs: number[];
  probesReadableByKeyAt202: number;
  probesLost: number;
  /** DynamoDB operations the runtime served for the run, per stored event, by operation. */
  dynamoOpsPerEvent: Record<string, number>;
}

async function localPath(ctx: BenchContext, mode: 'single' | 'batch', seconds: number): Promise<LocalPathFigures> {
  const server = await startServerProcess('runtime', join(ctx.tmpDir, `runtime-${mode}`), ctx.log);
  const { url, producerToken, userToken } = server.info;
  const concurrency = mode === 'single' ? SINGLE_CONCURRENCY : BATCH_CONCURRENCY;
  const http = new HttpClient(url!, concurrency + 16);
  const ingestHeaders = { authorization: `Bearer ${producerToken}`, 'content-type': 'application/json' };
  const readHeaders = { authorization: `Bearer ${userToken}` };
  let stored = 0;
  let other = 0;
  let failedRequests = 0;
  let busyAnswers = 0;
  const probeLatenciesMs: number[] = [];
  let probesReadableByKeyAt202 = 0;
  let probesLost = 0;
  const probeErrors: string[] = [];
  const probeTasks: Promise<void>[] = [];
  let probeN = 0;
  let nextProbeAt = 0;

  const followProbe = async (service: string, key: string, acceptedAt: number) => {
    const byKey = await http.send('GET', `/api/events/${encodeURIComponent(key)}`, readHeaders);
    if (byKey.status === 200) probesReadableByKeyAt202 += 1;
    for (;;) {
      const page = await http.send('GET', `/api/events?service=${encodeURIComponent(service)}&limit=1`, readHeaders);
      if (page.status === 200 && (JSON.parse(page.body) as { items: unknown[] }).items.length > 0) {
        probeLatenciesMs.push(performance.now() - acceptedAt);
        return;
      }
      if (performance.now() - acceptedAt > PROBE_GIVE_UP_MS) {
        probesLost += 1;
        return;
      }
      await new Promise((r) => setTimeout(r, PROBE_POLL_MS));
    }
  };

  const opsBefore = await server.dynamoOps();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let lastProgress = started;
  const worker = async () => {
    while (performance.now() < deadline) {
      let probe: string | null = null;
      if (performance.now() >= nextProbeAt) {
        nextProbeAt = performance.now() + PROBE_EVERY_MS;
        probe = `probe-${runId}-${mode}-${probeN++}`;
      }
      const events = mode === 'single' ? [nextEvent(probe)] : Array.from({ length: BATCH_SIZE }, (_, i) => nextEvent(i === 0 ? probe : null));
      const body = JSON.stringify(mode === 'single' ? events[0] : events);
      let reply;
      try {
        reply = await http.send('POST', '/api/events', ingestHeaders, body);
      } catch (err) {
        failedRequests += 1;
        if (failedRequests <= 3) ctx.log(`${mode}: request failed: ${(err as Error).message}`);
        continue;
      }
      const acceptedAt = performance.now();
      if ((reply.status === 503 || reply.status === 429) && reply.retryAfter !== undefined) {
        // Backpressure (the runtime is behind on projections): wait as told, as a producer would.
        busyAnswers += 1;
        await new Promise((r) => setTimeout(r, reply.retryAfter! * 1000));
        continue;
      }
      if (reply.status !== 202) {
        failedRequests += 1;
        continue;
      }
      const { results } = JSON.parse(reply.body) as { results: Array<{ status: string; key?: string }> };
      for (const r of results) {
        if (r.status === 'stored') stored += 1;
        else other += 1;
      }
      if (probe && results[0]?.status === 'stored') {
        probeTasks.push(
          followProbe(probe, results[0].key!, acceptedAt).catch((err: unknown) => {
            probeErrors.push((err as Error).message);
          }),
        );
      }
      if (acceptedAt - lastProgress > 5000) {
        lastProgress = acceptedAt;
        ctx.log(`${mode}: ${((acceptedAt - started) / 1000).toFixed(0)} s, ${stored} stored, ${probeLatenciesMs.length} probes seen`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const acceptEnd = performance.now();
  ctx.log(`${mode}: window over, ${stored} stored; waiting for the bus to drain`);
  await server.idle();
  const drainEnd = performance.now();
  await Promise.all(probeTasks);
  const opsAfter = await server.dynamoOps();
  const dynamoOpsPerEvent: Record<string, number> = {};
  for (const [op, n] of Object.entries(opsAfter)) {
    const delta = n - (opsBefore[op] ?? 0);
    if (delta > 0 && stored > 0) dynamoOpsPerEvent[op] = Math.round((delta / stored) * 100) / 100;
  }

  // Every stored event must be listed: count the run's events page by page (bounded).
  let visibleCounted: number | null = null;
  if (stored <= 200_000) {
    visibleCounted = 0;
    let cursor: string | null = null;
    do {
      const q: string = `/api/events?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await http.send('GET', q, readHeaders);
      if (page.status !== 200) throw new Error(`GET ${q} answered ${page.status}: ${page.body.slice(0, 300)}`);
      const body = JSON.parse(page.body) as { items: unknown[]; next: string | null };
      visibleCounted += body.items.length;
      cursor = body.next;
    } while (cursor);
  }
  http.close();
  await server.stop();
  const acceptSeconds = (acceptEnd - started) / 1000;
  const drainSeconds = (drainEnd - started) / 1000;
  return {
    stored,
    other,
    failedRequests,
    busyAnswers,
    acceptSeconds,
    drainSeconds,
    eventsPerSecond: stored / drainSeconds,
    acceptedPerSecond: stored / acceptSeconds,
    visibleCounted,
    probeLatenciesMs,
    probesReadableByKeyAt202,
    probesLost: probesLost + probeErrors.length,
    dynamoOpsPerEvent,
  };
}

/**
 * Every item the local path ends up writing for one deployed event, built by the adapters' own item
 * builders: the event with its timeline keys, the inventory cell, the history row and a DORA day
 * entry (the environment row and the DAYS row are shared by many events and left out).
 */
function itemsOfEvent(event: StoredEvent): Record<string, unknown>[] {
  const cell = nextCell(null, event, event.service!, event.environment!);
  const day = dayOf(event.sortTime);
  return [
    projectedEventItem(event),
    inventoryCellItem(cell),
    historyItem(event.service!, { key: event.key, environment: event.environment!, artifactId: event.artifactId, version: event.version, action: event.predicate, timestamp: event.timestamp, source: event.source, sortTime: event.sortTime }),
    // The path adds the entry to a string set with UpdateItem; a put of one entry writes as much.
    { pk: DORA_KEYS.servicePk(event.service!), sk: `${DORA_KEYS.daySk(day)}#${event.key}`, entries: new Set([JSON.stringify({ type: 'deployment', key: event.key, environment: event.environment, at: event.sortTime, rollback: false, artifactId: event.artifactId })]) },
  ];
}

/**
 * Raw `BatchWriteItem` for `seconds`: `'event'` writes each event's item alone (the issue's
 * baseline), `'all'` writes every item the path writes per event (`itemsOfEvent`), so its rate in
 * events/s is what the store could take if the path added nothing but the writes it must make.
 */
async function rawBaseline(
  ctx: BenchContext,
  seconds: number,
  what: 'event' | 'all' = 'event',
): Promise<{ items: number; events: number; seconds: number; itemsPerSecond: number; eventsPerSecond: number; unprocessed: number }> {
  const server = await startServerProcess('dynalite', join(ctx.tmpDir, `raw-${what}`), ctx.log);
  const client = dynamoClient(server.info.dynamoEndpoint);
  // The adapters' own document client (same marshalling options) sends BatchWriteItem.
  const doc = documentClient(client);
  const table = server.info.tableName;
  let items = 0;
  let events = 0;
  let unprocessed = 0;
  const perEvent = what === 'all' ? 4 : 1;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let lastProgress = started;
  const worker = async () => {
    while (performance.now() < deadline) {
      const now = new Date().toISOString();
      type Requests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];
      const batchEvents = Array.from({ length: Math.floor(RAW_BATCH / perEvent) }, () => storedEventOf(nextEvent(null), now));
      let requests: Requests = batchEvents.flatMap((e) => (what === 'all' ? itemsOfEvent(e) : [eventItem(e)])).map((Item) => ({ PutRequest: { Item } }));
      if (what === 'all' && events === 0) requests.push({ PutRequest: { Item: dayItem(dayOf(batchEvents[0]!.sortTime)) } });
      while (requests.length > 0) {
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
        const left = out.UnprocessedItems?.[table] ?? [];
        items += requests.length - left.length;
        unprocessed += left.length;
        requests = left;
      }
      events += batchEvents.length;
      const t = performance.now();
      if (t - lastProgress > 5000) {
        lastProgress = t;
        ctx.log(`raw BatchWriteItem: ${((t - started) / 1000).toFixed(0)} s, ${items} items`);
      }
    }
  };
  await Promise.all(Array.from({ length: RAW_CONCURRENCY }, worker));
  const elapsed = (performance.now() - started) / 1000;
  client.destroy();
  await server.stop();
  return { items, events, seconds: elapsed, itemsPerSecond: items / elapsed, eventsPerSecond: events / elapsed, unprocessed };
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const seconds = ctx.quick ? 5 : 60;
  ctx.log(`raw dynalite BatchWriteItem baseline, ${seconds} s, ${RAW_CONCURRENCY} concurrent calls of ${RAW_BATCH} items`);
  const raw = await rawBaseline(ctx, seconds);
  ctx.log(`raw: ${raw.itemsPerSecond.toFixed(0)} items/s`);
  ctx.log(`raw dynalite BatchWriteItem of every item the path writes per event (4), ${seconds} s`);
  const rawAll = await rawBaseline(ctx, seconds, 'all');
  ctx.log(`raw, all items: ${rawAll.eventsPerSecond.toFixed(0)} events/s (${rawAll.itemsPerSecond.toFixed(0)} items/s)`);
  ctx.log(`local path, single events, ${seconds} s, ${SINGLE_CONCURRENCY} concurrent requests`);
  const single = await localPath(ctx, 'single', seconds);
  ctx.log(`local path, batches of ${BATCH_SIZE}, ${seconds} s, ${BATCH_CONCURRENCY} concurrent requests`);
  const batch = await localPath(ctx, 'batch', seconds);

  const rows: BenchRow[] = [
    { name: 'raw BatchWriteItem (baseline)', value: raw.itemsPerSecond, unit: 'items/s', note: `${raw.items} items in ${raw.seconds.toFixed(1)} s` },
    {
      name: 'raw BatchWriteItem, all items per event',
      value: rawAll.eventsPerSecond,
      unit: 'events/s',
      note: `event + cell + history + DORA items (4 per event): ${rawAll.items} items in ${rawAll.seconds.toFixed(1)} s = ${rawAll.itemsPerSecond.toFixed(0)} items/s`,
    },
  ];
  for (const [label, f] of [['single events', single], [`batches of ${BATCH_SIZE}`, batch]] as const) {
    const ratio = ratioOf(f.eventsPerSecond, raw.itemsPerSecond);
    const complete = f.visibleCounted === null || f.visibleCounted === f.stored;
    rows.push({
      name: `ingest ${label} (visible)`,
      value: f.eventsPerSecond,
      unit: 'events/s',
      baseline: raw.itemsPerSecond,
      ratio,
      goal: '>= 0.5 of raw',
      met: ratio !== undefined && ratio >= 0.5,
      note:
        `${f.stored} stored; 202s for ${f.acceptSeconds.toFixed(1)} s (${f.acceptedPerSecond.toFixed(0)}/s), all visible at ${f.drainSeconds.toFixed(1)} s` +
        `${f.visibleCounted === null ? '' : `; listed ${f.visibleCounted}${complete ? '' : ' MISMATCH'}`}` +
        `${f.failedRequests ? `; ${f.failedRequests} failed requests` : ''}${f.other ? `; ${f.other} not stored` : ''}` +
        `${f.busyAnswers ? `; ${f.busyAnswers} answers 503/429 with Retry-After (backpressure), waited as told` : ''}`,
    });
    const ratioAll = ratioOf(f.eventsPerSecond, rawAll.eventsPerSecond);
    rows.push({
      name: `ingest ${label} vs raw writes of all its items`,
      value: f.eventsPerSecond,
      unit: 'events/s',
      baseline: rawAll.eventsPerSecond,
      ratio: ratioAll,
      note: 'what the path costs beyond writing the items it must write (no goal in the issue; context for the ratio above)',
    });
    rows.push({
      name: `202 → listed p50 (${label})`,
      value: percentile(f.probeLatenciesMs, 50),
      unit: 'ms',
      note: `${f.probeLatenciesMs.length} probes; ${f.probesReadableByKeyAt202} readable by key right after the 202${f.probesLost ? `; ${f.probesLost} never listed` : ''}`,
    });
    const ops = Object.entries(f.dynamoOpsPerEvent).sort((a, b) => b[1] - a[1]);
    rows.push({
      name: `DynamoDB requests per event (${label})`,
      value: Math.round(ops.reduce((sum, [, n]) => sum + n, 0) * 100) / 100,
      unit: 'requests',
      baseline: 1 / RAW_BATCH,
      note: `${ops.map(([op, n]) => `${op} ${n}`).join(', ')} (incl. the probes' reads); raw: 1 BatchWriteItem per ${RAW_BATCH} items`,
    });
    rows.push({ name: `202 → listed p99 (${label})`, value: percentile(f.probeLatenciesMs, 99), unit: 'ms' });
  }
  return {
    name: 'ingest',
    rows,
    meta: {
      seconds,
      raw,
      rawAll,
      single: { ...single, probeLatenciesMs: undefined, probes: single.probeLatenciesMs.length },
      batch: { ...batch, probeLatenciesMs: undefined, probes: batch.probeLatenciesMs.length },
      concurrency: { single: SINGLE_CONCURRENCY, batch: BATCH_CONCURRENCY, batchSize: BATCH_SIZE, raw: RAW_CONCURRENCY, rawBatch: RAW_BATCH },
      perEventOnLocalPath: [
        'ingest: 1 conditional PutItem (the event, before the 202)',
        'store consumer, per batch of up to 100 bus events (2 batches at once): 1 BatchGetItem (the events), 1 BatchGetItem (cells + environments), 1 conditional PutItem per touched cell and per changed environment, BatchWriteItem for history rows and for the events with their timeline keys (3 GSIs) and new days, 1 UpdateItem per service and day for DORA',
        'plus the LiveUpdates and AlertOnEvents rules (no store writes without subscribers / alert rules)',
      ],
      writesPerEvent: { localPath: '4 item writes (+ the event written twice: at ingest, then with its timeline keys) per deployed event', raw: 1, rawAll: 4 },
      client: 'own keep-alive node:http client (fresh event id per request, per-event result accounting, probes); see file header',
    },
  };
}
