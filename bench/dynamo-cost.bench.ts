/**
 * DynamoDB cost model: read and write capacity units per 1 000 ingested events (single events and
 * batches of 100) and per page view (matrix, service page, timeline page), measured on the local
 * backend (the same adapters as Lambda, against dynalite) with a middleware on its shared DynamoDB
 * client that asks every data-plane call for `ReturnConsumedCapacity: TOTAL` and sums the answers.
 * Then turned into dollars per million events at on-demand prices, beside EventBridge's and
 * Lambda's per-million prices.
 *
 * Dynalite counts table units only: on DynamoDB a write also costs one WRU per GSI the item is
 * projected into. The bench adds that from the request (Put/BatchWrite items carrying a GSI key;
 * UpdateItem setting a GSI key); the row notes show table units and the GSI estimate apart.
 * Baseline: the raw store write of the same events (one BatchWriteItem put per event, 1 WRU each).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalBackend } from '../functions/src/wiring/local';
import { STORE_QUEUE } from '../infra/constructs/signalbox-api';
import { silentLogger } from '../functions/src/core/ports/logger';
import { TABLE_DESIGN } from '../functions/src/shared/table-design';
import { percentile, ratioOf, type BenchContext, type BenchResult, type BenchRow } from './harness';

/** us-east-1 list prices (on-demand), USD; checked against the AWS pricing pages, 2025. */
export const PRICES = {
  dynamoWriteRequestUnitPerMillion: 0.625,
  dynamoReadRequestUnitPerMillion: 0.125,
  eventBridgeCustomEventPerMillion: 1.0,
  lambdaRequestPerMillion: 0.2,
  /** Standard queue, per request (64 KB chunk). */
  sqsRequestPerMillion: 0.4,
  /** arm64 */
  lambdaGbSecond: 0.0000133334,
} as const;
/** The stack's memory size for the ingest and store functions (SignalboxFunction's default). */
const LAMBDA_MEMORY_MB = 512;

const CAPACITY_COMMANDS = new Set(['GetItemCommand', 'PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'BatchWriteItemCommand']);
const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);
const GSI_KEYS = TABLE_DESIGN.globalSecondaryIndexes.map((g) => g.partitionKey);

export interface CapacityCounter {
  read: number;
  write: number;
  /** Estimated GSI write units DynamoDB would add (dynalite does not count them). */
  gsiWrite: number;
  calls: number;
  reset(): void;
}

function gsiWritesOf(command: string, input: Record<string, unknown>): number {
  const count = (item: unknown) => (item && typeof item === 'object' ? GSI_KEYS.filter((k) => k in (item as object)).length : 0);
  if (command === 'PutItemCommand') return count(input.Item);
  if (command === 'UpdateItemCommand') return GSI_KEYS.filter((k) => String(input.UpdateExpression ?? '').includes(k) || JSON.stringify(input.ExpressionAttributeNames ?? {}).includes(`"${k}"`)).length;
  if (command === 'BatchWriteItemCommand') {
    let n = 0;
    for (const reqs of Object.values((input.RequestItems ?? {}) as Record<string, Array<{ PutRequest?: { Item?: unknown } }>>)) for (const r of reqs) n += count(r.PutRequest?.Item);
    return n;
  }
  return 0;
}

/** Adds a middleware to `client` that requests and sums consumed capacity. */
export function countCapacity(client: DynamoDBClient): CapacityCounter {
  const counter: CapacityCounter = { read: 0, write: 0, gsiWrite: 0, calls: 0, reset() { this.read = 0; this.write = 0; this.gsiWrite = 0; this.calls = 0; } };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String((context as { commandName?: string }).commandName ?? '');
      if (!CAPACITY_COMMANDS.has(command)) return next(args);
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      counter.gsiWrite += gsiWritesOf(command, input);
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((s: number, c: { CapacityUnits?: number }) => s + (c.CapacityUnits ?? 0), 0);
      counter.calls++;
      if (READS.has(command)) counter.read += units;
      else counter.write += units;
      return out;
    },
    { step: 'initialize', name: 'benchConsumedCapacity' },
  );
  return counter;
}

function cdevent(n: number, run: string): Record<string, unknown> {
  return {
    context: { specversion: '0.5.1', id: `${run}-${n}`, source: '/bench/cost', type: 'dev.cdevents.service.deployed.0.3.0', timestamp: new Date(Date.UTC(2026, 10, 1) + n * 1000).toISOString() },
    subject: { id: `svc-${n % 50}`, content: { environment: { id: `env-${n % 5}` }, artifactId: `pkg:oci/svc-${n % 50}@sha256%3Aabc?tag=1.0.${n}` } },
  };
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const events = ctx.quick ? 200 : 1000;
  const views = ctx.quick ? 5 : 20;
  const backend = await startLocalBackend({ dataDir: null, tableName: 'signalbox', logger: silentLogger, rateLimits: false });
  const counter = countCapacity(backend.dynamoClient);
  const server = createServer((req, res) => {
    backend.handle(req, res).then(
      (handled) => {
        if (!handled) res.writeHead(404).end();
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const viewerToken = backend.issuer.issue(backend.issuer.userFor('viewer'));
  const rows: BenchRow[] = [];
  const per1000 = (x: number) => Math.round((x / events) * 1000 * 10) / 10;
  const measured: Record<string, { rru: number; wru: number; gsi: number; ms: number; requests: number }> = {};
  try {
    for (const mode of ['single', 'batch100'] as const) {
      counter.reset();
      const durations: number[] = [];
      const bodies = mode === 'single' ? Array.from({ length: events }, (_, i) => cdevent(i, `${mode}`)) : Array.from({ length: events / 100 }, (_, b) => Array.from({ length: 100 }, (_, i) => cdevent(b * 100 + i, mode)));
      let next = 0;
      const worker = async () => {
        while (next < bodies.length) {
          const body = bodies[next++];
          const t = performance.now();
          const res = await fetch(`${url}/api/events`, { method: 'POST', headers: { authorization: `Bearer ${backend.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
          await res.arrayBuffer();
          if (res.status !== 202 && res.status !== 207) throw new Error(`ingest answered ${res.status}`);
          durations.push(performance.now() - t);
        }
      };
      await Promise.all(Array.from({ length: 4 }, worker));
      await backend.bus.idle();
      measured[mode] = { rru: counter.read, wru: counter.write, gsi: counter.gsiWrite, ms: percentile(durations, 50), requests: bodies.length };
      ctx.log(`${mode}: ${counter.calls} DynamoDB calls, ${counter.read} RCU, ${counter.write} WCU (+${counter.gsiWrite} GSI est.)`);
    }
    for (const mode of ['single', 'batch100'] as const) {
      const m = measured[mode]!;
      const wru = m.wru + m.gsi;
      const ratio = ratioOf(per1000(wru), 1000);
      rows.push({ name: `ingest ${mode}: WRU per 1000 events`, value: per1000(wru), unit: 'WRU', baseline: 1000, ...(ratio !== undefined ? { ratio } : {}), note: `table ${per1000(m.wru)} + GSI est. ${per1000(m.gsi)}; baseline: raw BatchWriteItem, 1 WRU/event` });
      rows.push({ name: `ingest ${mode}: RRU per 1000 events`, value: per1000(m.rru), unit: 'RRU' });
      const dynamoUsd = (wru / events) * PRICES.dynamoWriteRequestUnitPerMillion + (m.rru / events) * PRICES.dynamoReadRequestUnitPerMillion;
      // Lambda: one ingest invocation per request (its measured p50). The store rule feeds an SQS
      // queue that the store function drains in batches: one store invocation per full batch
      // (STORE_QUEUE.batchSize, i.e. sustained load; a trickle gives smaller batches), billed as
      // long as a single-event ingest request per event it holds (an upper bound: the store's work
      // is not timed apart, and a batch does one store round). SQS: EventBridge's SendMessage per
      // event, plus the poller's ReceiveMessage per batch and DeleteMessageBatch per 10 messages
      // (idle long polls are a fixed monthly cost, not per event).
      const ingestInvocations = m.requests / events;
      const storeInvocations = 1 / STORE_QUEUE.batchSize;
      const singleMs = measured.single!.ms;
      const gbs = ((ingestInvocations * m.ms + singleMs) / 1000) * (LAMBDA_MEMORY_MB / 1024);
      const lambdaUsd = (ingestInvocations + storeInvocations) * PRICES.lambdaRequestPerMillion + gbs * PRICES.lambdaGbSecond * 1e6;
      const sqsRequests = 1 + 1 / STORE_QUEUE.batchSize + 1 / 10;
      const sqsUsd = sqsRequests * PRICES.sqsRequestPerMillion;
      rows.push({
        name: `ingest ${mode}: $ per million events`,
        value: Math.round((dynamoUsd + PRICES.eventBridgeCustomEventPerMillion + lambdaUsd + sqsUsd) * 100) / 100,
        unit: 'USD',
        note: `DynamoDB $${dynamoUsd.toFixed(2)} | EventBridge $${PRICES.eventBridgeCustomEventPerMillion.toFixed(2)} | SQS $${sqsUsd.toFixed(2)} (${sqsRequests.toFixed(2)} req/event) | Lambda $${lambdaUsd.toFixed(2)} (${(ingestInvocations + storeInvocations).toFixed(2)} inv/event, store in batches of ${STORE_QUEUE.batchSize}; ingest p50 ${m.ms.toFixed(0)} ms/request, store ≤ ${singleMs.toFixed(0)} ms/event, ${LAMBDA_MEMORY_MB} MB)`,
      });
    }

    const pages: Array<[string, string]> = [
      ['matrix', '/api/inventory'],
      ['service page', '/api/services/svc-7'],
      ['timeline page', '/api/events?service=svc-7'],
    ];
    for (const [label, path] of pages) {
      counter.reset();
      for (let i = 0; i < views; i++) {
        const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${viewerToken}` } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
      }
      const rru = counter.read / views;
      const wru = (counter.write + counter.gsiWrite) / views;
      rows.push({
        name: `${label}: RRU per view`,
        value: Math.round(rru * 100) / 100,
        unit: 'RRU',
        note: `${wru ? `${wru} WRU; ` : ''}$${((rru * PRICES.dynamoReadRequestUnitPerMillion + wru * PRICES.dynamoWriteRequestUnitPerMillion)).toFixed(3)} per million views (DynamoDB); ${events * 2} events stored`,
      });
    }
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
    await backend.stop();
  }
  return { name: 'dynamo-cost', rows, meta: { prices: PRICES, region: 'us-east-1', lambdaMemoryMb: LAMBDA_MEMORY_MB, events, views, measured } };
}
