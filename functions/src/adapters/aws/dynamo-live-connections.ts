import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../core/errors';
import { canonicalTopics, LIVE_CONNECTION_TTL_SECONDS, LIVE_TOPICS, type LiveTopic } from '../../core/live/model';
import type { LiveConnectionStore } from '../../core/ports/live-connections';
import type { Page } from '../../core/read-models';
import { decodeCursor, encodeCursor, putIf } from './dynamo-stores';

/*
 * Live (WebSocket) connections in the single table, no index needed:
 *
 *   connection    pk LIVECONN#<connectionId>  sk CONN           topics (list), connectedAt, expiresAt
 *   subscription  pk LIVE#<topic>             sk <connectionId> expiresAt
 *
 * The broadcaster queries one topic's partition. Both items expire (TTL `expiresAt`, 2 h after the
 * last subscribe: API Gateway's connection limit); as TTL deletion lags, reads skip expired items.
 */

interface ConnectionItem {
  pk: string;
  sk: 'CONN';
  topics: LiveTopic[];
  connectedAt: string;
  expiresAt: number;
}

const connKey = (id: string) => ({ pk: `LIVECONN#${id}`, sk: 'CONN' as const });
const subKey = (topic: LiveTopic, id: string) => ({ pk: `LIVE#${topic}`, sk: id });
const BATCH = 25;

export class DynamoLiveConnections implements LiveConnectionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Now in epoch seconds (tests move it). */
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** TTL is real time (DynamoDB deletes by the wall clock), not the event clock `at`. */
  private expiresAt(): number {
    return this.nowSeconds() + LIVE_CONNECTION_TTL_SECONDS;
  }

  async add(connectionId: string, at: string): Promise<void> {
    const item: ConnectionItem = { ...connKey(connectionId), topics: [], connectedAt: at, expiresAt: this.expiresAt() };
    await putIf(this.doc, { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' });
  }

  private async connection(connectionId: string): Promise<ConnectionItem | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: connKey(connectionId), ConsistentRead: true }));
    const item = out.Item as ConnectionItem | undefined;
    return item && item.expiresAt > this.nowSeconds() ? item : null;
  }

  async topicsOf(connectionId: string): Promise<LiveTopic[] | null> {
    const item = await this.connection(connectionId);
    return item ? canonicalTopics(item.topics) : null;
  }

  async setTopics(connectionId: string, topics: readonly LiveTopic[], at: string): Promise<void> {
    const previous = await this.connection(connectionId);
    const wanted = canonicalTopics(topics);
    const expiresAt = this.expiresAt();
    const dropped = (previous?.topics ?? []).filter((t) => !wanted.includes(t));
    await this.batchWrite([
      ...dropped.map((t) => ({ DeleteRequest: { Key: subKey(t, connectionId) } })),
      ...wanted.map((t) => ({ PutRequest: { Item: { ...subKey(t, connectionId), expiresAt } } })),
    ]);
    const item: ConnectionItem = { ...connKey(connectionId), topics: wanted, connectedAt: previous?.connectedAt ?? at, expiresAt };
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  async remove(connectionId: string): Promise<void> {
    // Every topic, not only the recorded ones: a half-written setTopics leaves nothing behind.
    await this.batchWrite([
      ...LIVE_TOPICS.map((t) => ({ DeleteRequest: { Key: subKey(t, connectionId) } })),
      { DeleteRequest: { Key: connKey(connectionId) } },
    ]);
  }

  async listByTopic(topic: LiveTopic, page: { limit: number; cursor?: string }): Promise<Page<string>> {
    let start: Record<string, unknown> | undefined;
    if (page.cursor) {
      start = decodeCursor(page.cursor).k;
      if (start.pk !== `LIVE#${topic}` || typeof start.sk !== 'string') {
        throw new ValidationError('cursor is not a cursor this store returned', 'cursor', 'invalid_cursor');
      }
    }
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'expiresAt > :now',
        ExpressionAttributeValues: { ':pk': `LIVE#${topic}`, ':now': this.nowSeconds() },
        ProjectionExpression: 'pk, sk',
        Limit: page.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const items = (out.Items ?? []).map((i) => i.sk as string);
    return { items, next: out.LastEvaluatedKey ? encodeCursor(out.LastEvaluatedKey) : null };
  }

  private async batchWrite(requests: Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < requests.length; i += BATCH) {
      let pending: Record<string, unknown>[] = requests.slice(i, i + BATCH);
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        if (attempt > 6) throw new Error(`DynamoDB left ${pending.length} live-connection writes unprocessed`);
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending as never } }));
        pending = (out.UnprocessedItems?.[this.tableName] ?? []) as Record<string, unknown>[];
      }
    }
  }
}
