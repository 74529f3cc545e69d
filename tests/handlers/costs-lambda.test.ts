import { CostExplorerClient, GetAnomaliesCommand, GetCostAndUsageCommand, GetCostForecastCommand } from '@aws-sdk/client-cost-explorer';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsCostExplorer } from '../../functions/src/adapters/aws/cost-explorer';
import { S3FocusObjects } from '../../functions/src/adapters/aws/s3-focus-objects';
import { InMemoryCostStore } from '../../functions/src/adapters/local/in-memory-cost-store';
import { allocationFromEnvironments } from '../../functions/src/core/costs/allocation';
import type { InventoryStore } from '../../functions/src/core/ports/inventory-store';
import { createCostsHandler, type CostsEvent } from '../../functions/src/handlers/scheduled/costs';
import { generateFocusFiles } from '../../local/seed/focus';

const s3 = mockClient(S3Client);
const ce = mockClient(CostExplorerClient);
/** The part of the SDK's streaming body the adapter uses. */
const body = (bytes: Buffer) => ({ transformToByteArray: async () => new Uint8Array(bytes), destroy: () => undefined }) as never;

function handler() {
  const costs = new InMemoryCostStore();
  let n = 0;
  const run = createCostsHandler({
    costs,
    costAllocation: async () => allocationFromEnvironments([]),
    costExplorer: new AwsCostExplorer(new CostExplorerClient({ region: 'us-east-1' })),
    focusObjects: new S3FocusObjects(new S3Client({ region: 'eu-west-1' })),
    inventory: {} as InventoryStore,
    clock: { now: () => '2026-11-23T06:00:00.000Z' },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    newId: () => `id-${++n}`,
  });
  return { costs, run: (event: CostsEvent) => run(event, {} as never) };
}

const created = (key: string, size = 100): CostsEvent => ({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'focus-bkt' }, object: { key, size } } });

beforeEach(() => {
  s3.reset();
  ce.reset();
});

describe('costs Lambda handler', () => {
  it('imports a gzip FOCUS object named by an S3 "Object Created" event (exact GetObject)', async () => {
    const file = generateFocusFiles('2026-11-23').find((f) => f.name.startsWith('oci'))!;
    const gz = gzipSync(file.csv);
    s3.on(GetObjectCommand, { Bucket: 'focus-bkt', Key: 'incoming/2026/oci-focus.csv.gz' }).resolves({ ContentLength: gz.length, Body: body(gz) });
    const { costs, run } = handler();
    const out = await run(created('incoming/2026/oci-focus.csv.gz'));
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'focus-bkt', Key: 'incoming/2026/oci-focus.csv.gz' }]);
    expect(out).toMatchObject({ kind: 'focus', record: { status: 'imported', origin: 's3://focus-bkt/incoming/2026/oci-focus.csv.gz', name: 'oci-focus.csv.gz' } });
    expect(await costs.listMarkers('2026-08-01', '2026-11-30')).toHaveLength(90);
    expect(ce.calls()).toHaveLength(0);
  });

  it('refuses an object over the cap by its Content-Length, and a bad file name, before importing anything', async () => {
    s3.on(GetObjectCommand).resolves({ ContentLength: 200 * 1024 * 1024, Body: body(Buffer.from('x')) });
    const { costs, run } = handler();
    await expect(run(created('incoming/huge.csv'))).rejects.toMatchObject({ code: 'payload_too_large' });
    s3.on(GetObjectCommand).resolves({ ContentLength: 1, Body: body(Buffer.from('x')) });
    await expect(run(created('incoming/notes.txt'))).rejects.toMatchObject({ field: 'name' });
    expect(await costs.listDays('2026-01-01', '2026-12-31')).toEqual([]);
  });

  it('runs the Cost Explorer pull on the scheduled tick', async () => {
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [] });
    ce.on(GetCostForecastCommand).resolves({ Total: { Amount: '1', Unit: 'USD' }, ForecastResultsByTime: [] });
    ce.on(GetAnomaliesCommand).resolves({ Anomalies: [] });
    const { run } = handler();
    const out = await run({ source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2026-11-23T06:00:00Z' });
    expect(out).toMatchObject({ kind: 'cost-explorer', record: { status: 'imported', apiCalls: 3 } });
    expect(s3.calls()).toHaveLength(0);
  });
});
