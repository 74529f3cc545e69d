import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DoraDay, DoraEntry, DoraUpdate } from '../../core/dora/model';
import type { DoraStore } from '../../core/ports/dora-store';
import { DORA_KEYS } from '../../shared/table-design';

/*
 * DORA per-day aggregates in the single table (key helpers in shared/table-design.ts):
 *
 *   dora day   pk DORA#<service>   sk DAY#<YYYY-MM-DD>   (+ gsi1 DORA#M#<YYYY-MM> / <YYYY-MM-DD>#<service>)
 *              entries: a String Set of JSON-encoded entries, one per event
 *
 * `add` is one UpdateItem with `ADD entries :one`: set semantics make a redelivered event a no-op
 * and concurrent adds never lose each other, with no read and no condition (dynalite has no
 * transactions, and none are needed). One service's days are one Query on its partition; all
 * services' days are one Query per month on gsi1. An item grows by ~250 bytes per event of that
 * service that day, far below the 400 KB item limit at any realistic deployment rate.
 */

const SERVICE_DAYS_PAGE = 100;

function encode(entry: DoraEntry): string {
  // Fixed key order, so the same event always encodes to the same set member.
  switch (entry.type) {
    case 'deployment':
      return JSON.stringify({ type: entry.type, key: entry.key, environment: entry.environment, at: entry.at, rollback: entry.rollback, artifactId: entry.artifactId });
    case 'change':
      return JSON.stringify({ type: entry.type, key: entry.key, at: entry.at, ref: entry.ref });
    case 'incident':
      return JSON.stringify({ type: entry.type, key: entry.key, environment: entry.environment, at: entry.at, incident: entry.incident, phase: entry.phase });
  }
}

function toDay(item: Record<string, unknown>): DoraDay {
  const members = item.entries instanceof Set ? [...(item.entries as Set<string>)] : [];
  const entries = members.map((m) => JSON.parse(m) as DoraEntry).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.key < b.key ? -1 : 1));
  return { service: item.service as string, day: item.day as string, entries };
}

function monthsBetween(fromDay: string, toDay: string): string[] {
  const months: string[] = [];
  let [y, m] = fromDay.slice(0, 7).split('-').map(Number) as [number, number];
  const last = toDay.slice(0, 7);
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month > last) return months;
    months.push(month);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
}

/** `DoraStore` on DynamoDB: string-set day items, queried by service or by month. */
export class DynamoDoraStore implements DoraStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(update: DoraUpdate): Promise<void> {
    await this.addEntries(update, [update.entry]);
  }

  /** One UpdateItem per service and day (up to 8 at once), each adding all of that day's entries. */
  async addMany(updates: DoraUpdate[]): Promise<void> {
    const groups = new Map<string, { first: DoraUpdate; entries: DoraEntry[] }>();
    for (const u of updates) {
      const id = `${u.service}\u001f${u.day}`;
      const group = groups.get(id);
      if (group) group.entries.push(u.entry);
      else groups.set(id, { first: u, entries: [u.entry] });
    }
    const all = [...groups.values()];
    for (let i = 0; i < all.length; i += 8) await Promise.all(all.slice(i, i + 8).map((g) => this.addEntries(g.first, g.entries)));
  }

  private async addEntries(update: DoraUpdate, entries: DoraEntry[]): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: DORA_KEYS.servicePk(update.service), sk: DORA_KEYS.daySk(update.day) },
        UpdateExpression: 'ADD #entries :one SET #service = :service, #day = :day, gsi1pk = :g1pk, gsi1sk = :g1sk',
        ExpressionAttributeNames: { '#entries': 'entries', '#service': 'service', '#day': 'day' },
        ExpressionAttributeValues: {
          ':one': new Set(entries.map(encode)),
          ':service': update.service,
          ':day': update.day,
          ':g1pk': DORA_KEYS.monthGsi1pk(update.day.slice(0, 7)),
          ':g1sk': DORA_KEYS.dayGsi1sk(update.day, update.service),
        },
      }),
    );
  }

  async listDays(query: { service?: string; fromDay: string; toDay: string }): Promise<DoraDay[]> {
    if (query.fromDay > query.toDay) return [];
    if (query.service !== undefined) {
      const items = await this.queryAll({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: {
          ':pk': DORA_KEYS.servicePk(query.service),
          ':lo': DORA_KEYS.daySk(query.fromDay),
          ':hi': DORA_KEYS.daySk(query.toDay),
        },
        Limit: SERVICE_DAYS_PAGE,
      });
      return items.map(toDay);
    }
    const perMonth = await Promise.all(
      monthsBetween(query.fromDay, query.toDay).map((month) =>
        this.queryAll({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :lo AND :hi',
          ExpressionAttributeValues: {
            ':pk': DORA_KEYS.monthGsi1pk(month),
            ':lo': query.fromDay,
            // `~` sorts after `#`, so every service of the last day is inside the range.
            ':hi': `${query.toDay}~`,
          },
        }),
      ),
    );
    return perMonth.flat().map(toDay);
  }

  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...((out.Items ?? []) as Record<string, unknown>[]));
      start = out.LastEvaluatedKey as Record<string, unknown> | undefined;
    } while (start);
    return items;
  }
}
