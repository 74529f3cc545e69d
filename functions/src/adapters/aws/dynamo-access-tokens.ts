import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../core/errors';
import type { AccessTokenRecord, AccessTokenStore } from '../../core/ports/access-tokens';
import { putIf } from './dynamo-stores';

/*
 * Producer and agent tokens in the single table (hash only, never the secret):
 *
 *   token   pk ACCESSTOKEN#<id>   sk TOKEN   gsi1pk ACCESSTOKENS   gsi1sk <createdAt>#<id>
 *
 * Verification is one GetItem by the id carried in the secret; the list is one Query on gsi1,
 * newest first (a handful of tokens per deployment). Revocation and last use are conditional
 * updates: the first revocation wins, and last use is written at most once per interval.
 */

const SK = 'TOKEN';
const LIST = 'ACCESSTOKENS';
const pkOf = (id: string) => `ACCESSTOKEN#${id}`;

function recordOf(item: Record<string, unknown>): AccessTokenRecord {
  return {
    id: item.id as string,
    name: item.name as string,
    kind: item.kind as AccessTokenRecord['kind'],
    agent: (item.agent as string | null | undefined) ?? null,
    hash: item.hash as string,
    createdBy: item.createdBy as string,
    createdAt: item.createdAt as string,
    lastUsedAt: (item.lastUsedAt as string | null | undefined) ?? null,
    revokedAt: (item.revokedAt as string | null | undefined) ?? null,
    revokedBy: (item.revokedBy as string | null | undefined) ?? null,
  };
}

export class DynamoAccessTokenStore implements AccessTokenStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: AccessTokenRecord): Promise<boolean> {
    const created = await putIf(this.doc, {
      TableName: this.tableName,
      Item: { pk: pkOf(record.id), sk: SK, gsi1pk: LIST, gsi1sk: `${record.createdAt}#${record.id}`, ...record, revokedBy: record.revokedBy ?? null },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    if (created) return true;
    const existing = await this.get(record.id);
    if (existing && existing.hash !== record.hash) throw new ConflictError(`token id ${record.id} exists`, 'id');
    return false;
  }

  async get(id: string): Promise<AccessTokenRecord | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: pkOf(id), sk: SK }, ConsistentRead: true }));
    return out.Item ? recordOf(out.Item) : null;
  }

  async list(): Promise<AccessTokenRecord[]> {
    const items: AccessTokenRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': LIST },
          ScanIndexForward: false,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []).map((i) => recordOf(i)));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async revoke(id: string, at: string, by: string): Promise<AccessTokenRecord | null> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: pkOf(id), sk: SK },
          UpdateExpression: 'SET revokedAt = :at, revokedBy = :by',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(revokedAt) OR revokedAt = :null)',
          ExpressionAttributeValues: { ':at': at, ':by': by, ':null': null },
        }),
      );
    } catch (err) {
      if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
    }
    return this.get(id);
  }

  async touch(id: string, at: string, minIntervalMs: number): Promise<void> {
    const before = new Date(Date.parse(at) - minIntervalMs).toISOString();
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: pkOf(id), sk: SK },
          UpdateExpression: 'SET lastUsedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt = :null OR lastUsedAt <= :before)',
          ExpressionAttributeValues: { ':at': at, ':before': before, ':null': null },
        }),
      );
    } catch (err) {
      if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
    }
  }
}
