import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { dayOf } from '../../core/cdevents/time';
import { ValidationError } from '../../core/errors';
import type { DeadLetterStore } from '../../core/ports/dead-letter-store';
import type { EventQuery, EventStore, StoredEvent } from '../../core/ports/event-store';
import type { EnvironmentState, InventoryCellState, InventoryStore } from '../../core/ports/inventory-store';
import type { DeadLetter, DeploymentRecord, Page } from '../../core/read-models';

/*
 * Single-table layout (keys `pk`/`sk`, indexes gsi1..gsi3 from shared/table-design.ts):
 *
 *   event            pk EVT#<key>          sk EVT           (+ gsi1 DAY#<day>, gsi2 SVC#<service>,
 *                                                              gsi3 ENV#<env>; sk <sortTime>#<key>,
 *                                                              set once projected)
 *   days with events pk DAYS               sk <YYYY-MM-DD>   (lets the timeline skip empty days)
 *   inventory cell   pk INV                sk <service>␟<environment>
 *   history row      pk HIST#<service>     sk <sortTime>#<key>
 *   environment      pk ENVS               sk <name>
 *   dead letter      pk DLQ                sk <id>          (+ gsi1 DLQ / <lastFailedAt>#<id>)
 *
 * Every list is a Query on one partition, newest first, paged by ExclusiveStartKey.
 */

const SEP = '\u001f';
const MAX_EVALUATED_PER_PAGE = 2000;

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function encodeCursor(key: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return Buffer.from(JSON.stringify({ ...extra, k: key })).toString('base64url');
}

export function decodeCursor(cursor: string): { k: Record<string, unknown>; d?: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown; d?: unknown };
    if (typeof value !== 'object' || value === null || typeof value.k !== 'object' || value.k === null) throw new Error('shape');
    for (const v of Object.values(value.k)) if (typeof v !== 'string') throw new Error('shape');
    return { k: value.k as Record<string, unknown>, d: typeof value.d === 'string' ? value.d : undefined };
  } catch {
    throw new ValidationError('cursor is not a cursor this API returned', 'cursor', 'invalid_cursor');
  }
}

export async function putIf(doc: DynamoDBDocumentClient, input: ConstructorParameters<typeof PutCommand>[0]): Promise<boolean> {
  try {
    await doc.send(new PutCommand(input));
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}

/**
 * Writes `items` with BatchWriteItem (25 per request, up to 4 requests at once), putting what
 * DynamoDB leaves unprocessed again with backoff; throws when it keeps refusing. Puts only: for
 * items whose last writer wins (idempotent rewrites of the same content).
 */
export async function batchPutAll(doc: DynamoDBDocumentClient, tableName: string, items: Record<string, unknown>[]): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  const writeChunk = async (chunk: Record<string, unknown>[]) => {
    let pending: Record<string, unknown>[] | undefined = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`DynamoDB kept ${pending.length} batch writes unprocessed`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }));
      pending = out.UnprocessedItems?.[tableName] as Record<string, unknown>[] | undefined;
    }
  };
  for (let i = 0; i < chunks.length; i += 4) await Promise.all(chunks.slice(i, i + 4).map(writeChunk));
}

/**
 * Reads `keys` with strongly consistent BatchGetItem (100 per request), asking again for what
 * DynamoDB leaves unprocessed; returns the items found (in no particular order).
 */
export async function batchGetAll(doc: DynamoDBDocumentClient, tableName: string, keys: Array<{ pk: string; sk: string }>): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const unique = keys.filter((k) => {
    const id = `${k.pk}${SEP}${k.sk}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  for (let i = 0; i < unique.length; i += 100) {
    let pending: Record<string, unknown>[] | undefined = unique.slice(i, i + 100);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`DynamoDB kept ${pending.length} batch reads unprocessed`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      const out = await doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
      found.push(...((out.Responses?.[tableName] ?? []) as Record<string, unknown>[]));
      pending = out.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined;
    }
  }
  return found;
}

async function queryAll(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
    start = out.LastEvaluatedKey as Record<string, unknown> | undefined;
  } while (start);
  return items;
}

// ---------------------------------------------------------------------------------------------

type EventItem = Omit<StoredEvent, 'raw' | 'cdevent' | 'violations' | 'customData'> & {
  pk: string;
  sk: string;
  rawJson: string;
  cdeventJson?: string;
  violationsJson: string;
};

/** The item `DynamoEventStore.putIfAbsent` writes for an event (not yet projected). Exported for bench loaders. */
export function eventItem(event: StoredEvent): EventItem {
  const { raw, cdevent, violations, customData: _customData, ...rest } = event;
  const rawJson = JSON.stringify(raw);
  const cdeventJson = JSON.stringify(cdevent);
  return {
    ...rest,
    pk: `EVT#${event.key}`,
    sk: 'EVT',
    rawJson,
    cdeventJson: cdeventJson === rawJson ? undefined : cdeventJson,
    violationsJson: JSON.stringify(violations),
  };
}

/** The attributes `markProjected` sets on an event's item (`projected` and its timeline index keys). */
export function projectionAttributes(event: StoredEvent): Record<string, string | true> {
  const sortKey = `${event.sortTime}#${event.key}`;
  const attrs: Record<string, string | true> = { projected: true, gsi1pk: `DAY#${dayOf(event.sortTime)}`, gsi1sk: sortKey };
  if (event.service) Object.assign(attrs, { gsi2pk: `SVC#${event.service}`, gsi2sk: sortKey });
  if (event.environment) Object.assign(attrs, { gsi3pk: `ENV#${event.environment}`, gsi3sk: sortKey });
  return attrs;
}

/** An event's item as it is once projected (`eventItem` + `projectionAttributes`). Exported for bench loaders. */
export function projectedEventItem(event: StoredEvent): Record<string, unknown> {
  return { ...eventItem({ ...event, projected: true }), ...projectionAttributes(event) };
}

/** The "days with events" row `markProjected` writes once per day. */
export function dayItem(day: string): { pk: string; sk: string } {
  return { pk: 'DAYS', sk: day };
}

/** `EventStore` on DynamoDB: conditional put for dedupe, GSIs for the timeline. */
export class DynamoEventStore implements EventStore {
  private readonly knownDays = new Set<string>();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private toItem(event: StoredEvent): EventItem {
    return eventItem(event);
  }

  private fromItem(item: Record<string, unknown>): StoredEvent {
    const { pk: _pk, sk: _sk, rawJson, cdeventJson, violationsJson, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, gsi3pk: _e, gsi3sk: _f, ...rest } =
      item as EventItem & Record<string, unknown>;
    const raw = JSON.parse(rawJson) as unknown;
    const cdevent = (cdeventJson ? JSON.parse(cdeventJson) : raw) as Record<string, unknown>;
    return {
      ...(rest as unknown as Omit<StoredEvent, 'raw' | 'cdevent' | 'violations' | 'customData'>),
      raw,
      cdevent,
      customData: cdevent.customData,
      violations: JSON.parse(violationsJson),
    };
  }

  async putIfAbsent(event: StoredEvent): Promise<'created' | 'exists'> {
    const created = await putIf(this.doc, {
      TableName: this.tableName,
      Item: this.toItem(event),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    return created ? 'created' : 'exists';
  }

  async get(key: string): Promise<StoredEvent | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: `EVT#${key}`, sk: 'EVT' }, ConsistentRead: true }));
    return out.Item ? this.fromItem(out.Item) : null;
  }

  async markProjected(event: StoredEvent): Promise<void> {
    const day = dayOf(event.sortTime);
    if (!this.knownDays.has(day)) {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: dayItem(day) }));
      this.knownDays.add(day);
    }
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    Object.entries(projectionAttributes(event)).forEach(([name, value], i) => {
      names[`#a${i}`] = name;
      values[`:v${i}`] = value;
      sets.push(`#a${i} = :v${i}`);
    });
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `EVT#${event.key}`, sk: 'EVT' },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async getMany(keys: string[]): Promise<Map<string, StoredEvent>> {
    const items = await batchGetAll(this.doc, this.tableName, keys.map((key) => ({ pk: `EVT#${key}`, sk: 'EVT' })));
    const out = new Map<string, StoredEvent>();
    for (const item of items) {
      const event = this.fromItem(item);
      out.set(event.key, event);
    }
    return out;
  }

  /** One BatchWriteItem per 25 events (whole items rewritten with their timeline keys) plus new days. */
  async markProjectedMany(events: StoredEvent[]): Promise<void> {
    const days = [...new Set(events.map((e) => dayOf(e.sortTime)))].filter((d) => !this.knownDays.has(d));
    await batchPutAll(this.doc, this.tableName, [...days.map(dayItem), ...events.map(projectedEventItem)]);
    for (const d of days) this.knownDays.add(d);
  }

  async list(query: EventQuery): Promise<Page<StoredEvent>> {
    const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    let index: 'gsi1' | 'gsi2' | 'gsi3';
    let partition: string | undefined;
    if (query.service) {
      index = 'gsi2';
      partition = `SVC#${query.service}`;
      if (query.environment) {
        filters.push('#env = :env');
        names['#env'] = 'environment';
        values[':env'] = query.environment;
      }
    } else if (query.environment) {
      index = 'gsi3';
      partition = `ENV#${query.environment}`;
    } else {
      index = 'gsi1';
    }
    if (query.type) {
      names['#type'] = 'type';
      values[':type'] = query.type;
      filters.push(query.type.endsWith('.') ? 'begins_with(#type, :type)' : '#type = :type');
    }
    const lo = query.since ?? '0000';
    const hi = `${query.until ?? '9999'}#~`;
    const base = (pk: string): QueryCommandInput => ({
      TableName: this.tableName,
      IndexName: index,
      KeyConditionExpression: `${index}pk = :pk AND ${index}sk BETWEEN :lo AND :hi`,
      ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
      ExpressionAttributeValues: { ...values, ':pk': pk, ':lo': lo, ':hi': hi },
      FilterExpression: filters.length ? filters.join(' AND ') : undefined,
      ScanIndexForward: false,
    });

    const items: StoredEvent[] = [];
    let evaluated = 0;
    const cursorFor = (item: StoredEvent, day?: string) => {
      const key: Record<string, string> = { pk: `EVT#${item.key}`, sk: 'EVT', [`${index}sk`]: `${item.sortTime}#${item.key}` };
      key[`${index}pk`] = partition ?? `DAY#${day}`;
      return encodeCursor(key, day ? { d: day } : {});
    };

    const drain = async (pk: string, start: Record<string, unknown> | undefined, day?: string): Promise<string | null | 'more'> => {
      let exclusive = start;
      for (;;) {
        const out = await this.doc.send(
          new QueryCommand({ ...base(pk), ExclusiveStartKey: exclusive, Limit: Math.max(25, (query.limit - items.length) * 2) }),
        );
        evaluated += out.ScannedCount ?? 0;
        for (const raw of out.Items ?? []) {
          const event = this.fromItem(raw);
          items.push(event);
          if (items.length === query.limit) return cursorFor(event, day);
        }
        exclusive = out.LastEvaluatedKey as Record<string, unknown> | undefined;
        if (!exclusive) return 'more';
        if (evaluated >= MAX_EVALUATED_PER_PAGE) return encodeCursor(exclusive, day ? { d: day } : {});
      }
    };

    if (partition) {
      const result = await drain(partition, cursor?.k);
      return { items, next: result === 'more' ? null : result };
    }

    // All events: walk the days that have events, newest first, from the cursor's day.
    const sinceDay = query.since ? dayOf(query.since) : '0000-00-00';
    let untilDay = query.until ? dayOf(query.until) : '9999-99-99';
    let start = cursor?.k;
    if (cursor?.d) untilDay = cursor.d;
    let dayStart: Record<string, unknown> | undefined;
    for (;;) {
      const days = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
          ExpressionAttributeValues: { ':pk': 'DAYS', ':lo': sinceDay, ':hi': untilDay },
          ScanIndexForward: false,
          Limit: 31,
          ExclusiveStartKey: dayStart,
        }),
      );
      for (const d of days.Items ?? []) {
        const day = d.sk as string;
        const result = await drain(`DAY#${day}`, day === cursor?.d ? start : undefined, day);
        start = undefined;
        if (result !== 'more') return { items, next: result };
      }
      dayStart = days.LastEvaluatedKey as Record<string, unknown> | undefined;
      if (!dayStart) return { items, next: null };
    }
  }
}

// ---------------------------------------------------------------------------------------------

function inventoryCellKey(service: string, environment: string): { pk: string; sk: string } {
  return { pk: 'INV', sk: `${service}${SEP}${environment}` };
}

/** The item of one inventory cell, as `putCellIf` writes it. Exported for bench loaders. */
export function inventoryCellItem(cell: InventoryCellState): Record<string, unknown> {
  return { ...inventoryCellKey(cell.service, cell.environment), ...cell };
}

/** The item of one deployment-history row, as `addHistory` writes it. Exported for bench loaders. */
export function historyItem(service: string, record: DeploymentRecord & { sortTime: string }): Record<string, unknown> {
  const { sortTime, ...row } = record;
  return { pk: `HIST#${service}`, sk: `${sortTime}#${record.key}`, ...row };
}

/** The item of one environment, as `putEnvironmentIf` writes it at `revision`. Exported for bench loaders. */
export function environmentItem(env: EnvironmentState, revision: number): Record<string, unknown> {
  return { pk: 'ENVS', sk: env.name, ...env, revision };
}

/** `InventoryStore` on DynamoDB: one partition for cells, one per service for history. */
export class DynamoInventoryStore implements InventoryStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private cellKey(service: string, environment: string) {
    return inventoryCellKey(service, environment);
  }

  private static toCell(item: Record<string, unknown>): InventoryCellState {
    const { pk: _pk, sk: _sk, ...rest } = item;
    return rest as unknown as InventoryCellState;
  }

  async getCell(service: string, environment: string): Promise<InventoryCellState | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: this.cellKey(service, environment), ConsistentRead: true }));
    return out.Item ? DynamoInventoryStore.toCell(out.Item) : null;
  }

  async putCellIf(next: InventoryCellState, expectedOrderKey: string | null): Promise<boolean> {
    return putIf(this.doc, {
      TableName: this.tableName,
      Item: inventoryCellItem(next),
      ConditionExpression: expectedOrderKey === null ? 'attribute_not_exists(pk)' : 'orderKey = :expected',
      ExpressionAttributeValues: expectedOrderKey === null ? undefined : { ':expected': expectedOrderKey },
    });
  }

  async listCells(): Promise<InventoryCellState[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'INV' },
    });
    return items.map(DynamoInventoryStore.toCell);
  }

  async listServiceCells(service: string): Promise<InventoryCellState[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'INV', ':prefix': `${service}${SEP}` },
    });
    return items.map(DynamoInventoryStore.toCell);
  }

  async addHistory(service: string, record: DeploymentRecord & { sortTime: string }): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: historyItem(service, record) }));
  }

  async addHistoryMany(rows: Array<{ service: string; record: DeploymentRecord & { sortTime: string } }>): Promise<void> {
    await batchPutAll(this.doc, this.tableName, rows.map((r) => historyItem(r.service, r.record)));
  }

  async getMany(query: { cells: Array<{ service: string; environment: string }>; environments: string[] }): Promise<{
    cells: InventoryCellState[];
    environments: Array<EnvironmentState & { revision: number }>;
  }> {
    const items = await batchGetAll(this.doc, this.tableName, [
      ...query.cells.map((c) => this.cellKey(c.service, c.environment)),
      ...query.environments.map((name) => ({ pk: 'ENVS', sk: name })),
    ]);
    const cells: InventoryCellState[] = [];
    const environments: Array<EnvironmentState & { revision: number }> = [];
    for (const item of items) {
      if (item.pk === 'INV') cells.push(DynamoInventoryStore.toCell(item));
      else {
        const { pk: _pk, sk: _sk, ...rest } = item;
        environments.push(rest as unknown as EnvironmentState & { revision: number });
      }
    }
    return { cells, environments };
  }

  async listHistory(service: string, limit: number, cursor?: string): Promise<Page<DeploymentRecord>> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `HIST#${service}` },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: cursor ? decodeCursor(cursor).k : undefined,
      }),
    );
    const items = (out.Items ?? []).map((i) => {
      const { pk: _pk, sk: _sk, ...row } = i;
      return row as DeploymentRecord;
    });
    return { items, next: out.LastEvaluatedKey ? encodeCursor(out.LastEvaluatedKey) : null };
  }

  async getEnvironment(name: string): Promise<(EnvironmentState & { revision: number }) | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'ENVS', sk: name }, ConsistentRead: true }));
    if (!out.Item) return null;
    const { pk: _pk, sk: _sk, ...rest } = out.Item;
    return rest as EnvironmentState & { revision: number };
  }

  async putEnvironmentIf(next: EnvironmentState, expectedRevision: number): Promise<boolean> {
    return putIf(this.doc, {
      TableName: this.tableName,
      Item: environmentItem(next, expectedRevision + 1),
      ConditionExpression: expectedRevision === 0 ? 'attribute_not_exists(pk)' : 'revision = :rev',
      ExpressionAttributeValues: expectedRevision === 0 ? undefined : { ':rev': expectedRevision },
    });
  }

  async listEnvironments(): Promise<EnvironmentState[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'ENVS' },
    });
    return items.map((i) => {
      const { pk: _pk, sk: _sk, revision: _rev, ...rest } = i;
      return rest as unknown as EnvironmentState;
    });
  }
}

// ---------------------------------------------------------------------------------------------

/** `DeadLetterStore` on DynamoDB; listed newest failure first through gsi1. */
export class DynamoDeadLetterStore implements DeadLetterStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private toItem(entry: DeadLetter) {
    const { payload, ...rest } = entry;
    return {
      pk: 'DLQ',
      sk: entry.id,
      gsi1pk: 'DLQ',
      gsi1sk: `${entry.lastFailedAt}#${entry.id}`,
      ...rest,
      payloadJson: JSON.stringify(payload),
    };
  }

  private static fromItem(item: Record<string, unknown>): DeadLetter {
    const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, payloadJson, ...rest } = item;
    return { ...(rest as Omit<DeadLetter, 'payload'>), payload: JSON.parse(payloadJson as string) };
  }

  async record(entry: DeadLetter): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: this.toItem(entry) }));
  }

  async update(entry: DeadLetter): Promise<void> {
    await this.record(entry);
  }

  async get(id: string): Promise<DeadLetter | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'DLQ', sk: id }, ConsistentRead: true }));
    return out.Item ? DynamoDeadLetterStore.fromItem(out.Item) : null;
  }

  async list(limit: number, cursor?: string): Promise<Page<DeadLetter>> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': 'DLQ' },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: cursor ? decodeCursor(cursor).k : undefined,
      }),
    );
    return {
      items: (out.Items ?? []).map(DynamoDeadLetterStore.fromItem),
      next: out.LastEvaluatedKey ? encodeCursor(out.LastEvaluatedKey) : null,
    };
  }
}
