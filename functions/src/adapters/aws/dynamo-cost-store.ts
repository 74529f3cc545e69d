import { BatchGetCommand, BatchWriteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsCostInsights, CostDay, CostDayMarker, CostImportRecord, CostRow } from '../../core/costs/model';
import type { CostStore } from '../../core/ports/cost-store';
import type { Page } from '../../core/read-models';
import { decodeCursor, encodeCursor, putIf } from './dynamo-stores';

/*
 * Costs in the single table, versioned per source × day so a day is never half-visible:
 *
 *   day pointer  pk COSTDAY#<source>   sk DAY#<date>        version, previousVersion, chunks, rowCount,
 *                                                            importedAt (+ gsi1 COSTDAY#M#<YYYY-MM> / <date>#<source>)
 *   row chunk    pk COSTROWS#<source>#<date>#<version>   sk C#<nnnn>   rows (compact JSON, < ~300 KB)
 *   import       pk COSTIMPORT   sk <startedAt>#<id>       record (JSON)
 *   insights     pk COSTINSIGHTS sk aws                    insights (JSON)
 *
 * replaceDay writes the new version's chunks first (under keys nobody reads yet), then switches the
 * pointer with one conditional PutItem (DynamoDB's single-item atomicity; dynalite has no
 * transactions and none are needed). A reader resolves the pointer, then reads that version's chunks:
 * it sees the old day or the new day, whole. A crash before the switch leaves unreferenced chunks
 * and the old day. The version replaced is kept until the next switch (a reader that resolved the
 * pointer just before it still finds its chunks); the one before is deleted then. The alternative,
 * writing rows in place and deleting the rest afterwards, would show a mix of old and new rows for a
 * moment and double-count a day while it runs.
 *
 * Reads for a window: one gsi1 Query per month for the pointers, BatchGet (100 keys) for the chunks.
 */

const CHUNK_BYTES = 300_000;
type Tuple = [provider: string, environment: string, service: string, account: string, region: string, currency: string, billed: number, effective: number];

const dayPk = (source: string) => `COSTDAY#${source}`;
const daySk = (date: string) => `DAY#${date}`;
const chunkPk = (source: string, date: string, version: string) => `COSTROWS#${source}#${date}#${version}`;
const chunkSk = (i: number) => `C#${String(i).padStart(4, '0')}`;

function months(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.slice(0, 7).split('-').map(Number) as [number, number];
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month > to.slice(0, 7)) return out;
    out.push(month);
    m = m === 12 ? 1 : m + 1;
    if (m === 1) y++;
  }
}

function toChunks(rows: readonly CostRow[]): string[] {
  const chunks: string[] = [];
  let current: Tuple[] = [];
  let size = 2;
  for (const r of rows) {
    const t: Tuple = [r.provider, r.environment, r.service, r.account, r.region, r.currency, r.billed, r.effective];
    const len = JSON.stringify(t).length + 1;
    if (current.length > 0 && size + len > CHUNK_BYTES) {
      chunks.push(JSON.stringify(current));
      current = [];
      size = 2;
    }
    current.push(t);
    size += len;
  }
  if (current.length > 0 || chunks.length === 0) chunks.push(JSON.stringify(current));
  return chunks;
}

interface Pointer {
  source: string;
  date: string;
  version: string;
  previousVersion: string | null;
  chunks: number;
  rowCount: number;
  importedAt: string;
}

function toMarker(p: Pointer): CostDayMarker {
  return { source: p.source, date: p.date, importedAt: p.importedAt, importId: p.version, rowCount: p.rowCount };
}

/** `CostStore` on DynamoDB (see the layout above). */
export class DynamoCostStore implements CostStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async batchWrite(requests: Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 25) {
      let pending: Record<string, unknown>[] | undefined = requests.slice(i, i + 25);
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 8) throw new Error('DynamoDB kept returning unprocessed items');
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending as never } }));
        pending = out.UnprocessedItems?.[this.tableName] as Record<string, unknown>[] | undefined;
      }
    }
  }

  private async getPointer(source: string, date: string): Promise<Pointer | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: dayPk(source), sk: daySk(date) }, ConsistentRead: true }));
    return (out.Item as Pointer | undefined) ?? null;
  }

  private chunkKeys(source: string, date: string, version: string, chunks: number) {
    return Array.from({ length: chunks }, (_, i) => ({ pk: chunkPk(source, date, version), sk: chunkSk(i) }));
  }

  async replaceDay(day: CostDay): Promise<void> {
    const chunks = toChunks(day.rows);
    let current = await this.getPointer(day.source, day.date);
    await this.batchWrite(
      chunks.map((rows, i) => ({ PutRequest: { Item: { pk: chunkPk(day.source, day.date, day.importId), sk: chunkSk(i), rows } } })),
    );
    for (let attempt = 0; ; attempt++) {
      const sameVersion = current?.version === day.importId;
      const next: Pointer = {
        source: day.source,
        date: day.date,
        version: day.importId,
        previousVersion: sameVersion ? (current?.previousVersion ?? null) : (current?.version ?? null),
        chunks: chunks.length,
        rowCount: day.rows.length,
        importedAt: day.importedAt,
      };
      const switched = await putIf(this.doc, {
        TableName: this.tableName,
        Item: { pk: dayPk(day.source), sk: daySk(day.date), gsi1pk: `COSTDAY#M#${day.date.slice(0, 7)}`, gsi1sk: `${day.date}#${day.source}`, ...next },
        ...(current
          ? { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': current.version } }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      });
      if (switched) {
        // The version two switches back: no reader can still be on its way to it.
        const stale = sameVersion ? null : current?.previousVersion;
        if (current && stale && stale !== day.importId) {
          await this.batchWrite(this.chunkKeys(day.source, day.date, stale, await this.countChunks(day.source, day.date, stale)).map((Key) => ({ DeleteRequest: { Key } })));
        }
        return;
      }
      if (attempt >= 5) throw new Error(`replacing ${day.source}@${day.date} kept conflicting with concurrent imports`);
      // Another import switched meanwhile: the last to finish wins, so switch again over it.
      current = await this.getPointer(day.source, day.date);
    }
  }

  private async countChunks(source: string, date: string, version: string): Promise<number> {
    const out = await this.doc.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': chunkPk(source, date, version) }, ProjectionExpression: 'sk' }),
    );
    return out.Items?.length ?? 0;
  }

  private async pointers(fromDate: string, toDate: string, source?: string): Promise<Pointer[]> {
    const out: Pointer[] = [];
    const queries = source
      ? [{ KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b', ExpressionAttributeValues: { ':pk': dayPk(source), ':a': daySk(fromDate), ':b': daySk(toDate) } }]
      : months(fromDate, toDate).map((month) => ({
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :a AND :b',
          ExpressionAttributeValues: { ':pk': `COSTDAY#M#${month}`, ':a': fromDate, ':b': `${toDate}#\uffff` },
        }));
    for (const q of queries) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.doc.send(new QueryCommand({ TableName: this.tableName, ...q, ExclusiveStartKey: start }));
        out.push(...((page.Items ?? []) as Pointer[]));
        start = page.LastEvaluatedKey as Record<string, unknown> | undefined;
      } while (start);
    }
    return out.sort((a, b) => (a.date === b.date ? (a.source < b.source ? -1 : 1) : a.date < b.date ? -1 : 1));
  }

  async listMarkers(fromDate: string, toDate: string, source?: string): Promise<CostDayMarker[]> {
    return (await this.pointers(fromDate, toDate, source)).map(toMarker);
  }

  private async readChunks(keys: { pk: string; sk: string }[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + 100);
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 8) throw new Error('DynamoDB kept returning unprocessed keys');
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }));
        for (const item of (out.Responses?.[this.tableName] ?? []) as { pk: string; sk: string; rows: string }[]) found.set(`${item.pk}|${item.sk}`, item.rows);
        pending = out.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return found;
  }

  private async resolve(pointers: Pointer[], retry: boolean): Promise<CostDay[]> {
    const keys = pointers.flatMap((p) => this.chunkKeys(p.source, p.date, p.version, p.chunks));
    const found = await this.readChunks(keys);
    const days: CostDay[] = [];
    for (const p of pointers) {
      const chunkKeys = this.chunkKeys(p.source, p.date, p.version, p.chunks);
      if (chunkKeys.some((k) => !found.has(`${k.pk}|${k.sk}`))) {
        // Two imports of this day finished while we read: resolve it again.
        const fresh = await this.getPointer(p.source, p.date);
        if (!retry || !fresh) throw new Error(`cost day ${p.source}@${p.date} changed while it was read`);
        days.push(...(await this.resolve([fresh], false)));
        continue;
      }
      const rows: CostRow[] = chunkKeys.flatMap((k) =>
        (JSON.parse(found.get(`${k.pk}|${k.sk}`)!) as Tuple[]).map(([provider, environment, service, account, region, currency, billed, effective]) => ({
          date: p.date, provider, environment, service, account, region, currency, billed, effective, source: p.source,
        })),
      );
      days.push({ source: p.source, date: p.date, rows, importedAt: p.importedAt, importId: p.version });
    }
    return days;
  }

  async listDays(fromDate: string, toDate: string): Promise<CostDay[]> {
    return this.resolve(await this.pointers(fromDate, toDate), true);
  }

  async recordImport(record: CostImportRecord): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: 'COSTIMPORT', sk: `${record.startedAt}#${record.id}`, record: JSON.stringify(record) } }));
  }

  async listImports(limit: number, cursor?: string): Promise<Page<CostImportRecord>> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'COSTIMPORT' },
        ScanIndexForward: false,
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor).k } : {}),
      }),
    );
    const items = ((out.Items ?? []) as { record: string }[]).map((i) => JSON.parse(i.record) as CostImportRecord);
    return { items, next: out.LastEvaluatedKey ? encodeCursor(out.LastEvaluatedKey) : null };
  }

  async putAwsInsights(insights: AwsCostInsights): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: 'COSTINSIGHTS', sk: 'aws', insights: JSON.stringify(insights) } }));
  }

  async getAwsInsights(): Promise<AwsCostInsights | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'COSTINSIGHTS', sk: 'aws' } }));
    return out.Item ? (JSON.parse(out.Item.insights as string) as AwsCostInsights) : null;
  }
}
