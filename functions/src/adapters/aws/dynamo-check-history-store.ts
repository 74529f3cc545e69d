import { BatchGetCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, ValidationError } from '../../core/errors';
import {
  nextLatestStatus,
  addResult,
  BUCKET_RESOLUTIONS,
  expiresAtOf,
  HISTORY_RETENTION_DAYS,
  normalizeHistoryRange,
  type BucketMinutes,
  type BucketRecord,
  type HistoryBucket,
} from '../../core/monitoring/history';
import type { CheckResult } from '../../core/monitoring/model';
import type { CheckHistoryRange, CheckHistoryStore, LatestCheckStatus } from '../../core/ports/check-history-store';
import type { Page } from '../../core/read-models';
import { decodeCursor, encodeCursor, putIf } from './dynamo-stores';

/*
 * Check history in the single table:
 *
 *   bucket   pk CHECK#<checkId>   sk H#<01|15|60>#<bucket start>   (one item per check, resolution
 *            and bucket; `bucket` map, `seen` result times, `rev`, TTL `expiresAt`)
 *   latest   pk CHECKS#LATEST     sk <checkId>                      (newest result per check)
 *
 * A range is one Query on the check's partition, `sk BETWEEN`, newest first; the three
 * resolutions keep 30 days of hourly history at 720 items. Every record read-modify-writes each
 * bucket with a conditional put on `rev` (retried on a lost race), so concurrent writers merge
 * instead of overwriting; the latest item is put only when its `checkedAt` is older.
 */

/**
 * A lost race means another writer's put succeeded, so every round makes progress; the bound only
 * stops a pathological storm. Checks write once a minute, so real contention is a handful of writers.
 */
const MAX_ATTEMPTS = 25;
const MAX_LATEST_ROUNDS = 8;
const BATCH_GET_MAX = 100;
const DAY_S = 24 * 60 * 60;

interface BucketItem {
  pk: string;
  sk: string;
  bucket: HistoryBucket;
  seen: string[];
  rev: number;
  expiresAt: number;
}

interface LatestItem {
  pk: 'CHECKS#LATEST';
  sk: string;
  latest: LatestCheckStatus;
  checkedAt: string;
  expiresAt: number;
}

function pkOf(checkId: string): string {
  return `CHECK#${checkId}`;
}

function skPrefix(minutes: BucketMinutes): string {
  return `H#${String(minutes).padStart(2, '0')}#`;
}

export class DynamoCheckHistoryStore implements CheckHistoryStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(checkId: string, result: CheckResult): Promise<HistoryBucket> {
    let minute: HistoryBucket | null = null;
    for (const minutes of BUCKET_RESOLUTIONS) {
      const bucket = await this.mergeBucket(checkId, result, minutes);
      if (minutes === 1) minute = bucket;
    }
    await this.putLatest(checkId, result);
    return minute!;
  }

  private async mergeBucket(checkId: string, result: CheckResult, minutes: BucketMinutes): Promise<HistoryBucket> {
    const start = addResult(null, result, minutes)!.bucket.start;
    const key = { pk: pkOf(checkId), sk: `${skPrefix(minutes)}${start}` };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      const item = out.Item as BucketItem | undefined;
      const current: BucketRecord | null = item ? { bucket: item.bucket, seen: item.seen } : null;
      const next = addResult(current, result, minutes);
      if (!next) return item!.bucket;
      const rev = item ? item.rev + 1 : 0;
      const stored = await putIf(this.doc, {
        TableName: this.tableName,
        Item: { ...key, bucket: next.bucket, seen: next.seen, rev, expiresAt: expiresAtOf(next.bucket) } satisfies BucketItem,
        ...(item
          ? { ConditionExpression: 'rev = :rev', ExpressionAttributeValues: { ':rev': item.rev } }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      });
      if (stored) return next.bucket;
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 5 * (attempt + 1))));
    }
    throw new ConflictError(`check ${checkId}: bucket ${start} kept changing meanwhile`, 'checkedAt');
  }

  private async putLatest(checkId: string, result: CheckResult): Promise<void> {
    // Read, compute the next row (its `since` depends on the stored status), write on the condition
    // that the stored row is still the one read; a lost race reads again. A late result is a no-op.
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'CHECKS#LATEST', sk: checkId }, ConsistentRead: true }));
      const stored = (Item as LatestItem | undefined) ?? null;
      const latest = nextLatestStatus(stored?.latest ?? null, checkId, result);
      if (!latest) return;
      const checkedAt = latest.checkedAt;
      const written = await putIf(this.doc, {
        TableName: this.tableName,
        Item: {
          pk: 'CHECKS#LATEST',
          sk: checkId,
          latest,
          checkedAt,
          expiresAt: Math.floor(Date.parse(checkedAt) / 1000) + HISTORY_RETENTION_DAYS * DAY_S,
        } satisfies LatestItem,
        ...(stored
          ? { ConditionExpression: 'checkedAt = :prev', ExpressionAttributeValues: { ':prev': stored.checkedAt } }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      });
      if (written) return;
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 5 * (attempt + 1))));
    }
    throw new ConflictError(`check ${checkId}: the latest status kept changing meanwhile`, 'checkedAt');
  }


  async latest(checkIds: readonly string[]): Promise<LatestCheckStatus[]> {
    const ids = [...new Set(checkIds)];
    const found = new Map<string, LatestCheckStatus>();
    for (let i = 0; i < ids.length; i += BATCH_GET_MAX) {
      let keys: Record<string, unknown>[] | undefined = ids.slice(i, i + BATCH_GET_MAX).map((id) => ({ pk: 'CHECKS#LATEST', sk: id }));
      for (let attempt = 0; keys && keys.length > 0; attempt++) {
        if (attempt >= MAX_LATEST_ROUNDS) throw new Error('DynamoDB kept returning unprocessed keys for the latest check statuses');
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }));
        for (const raw of out.Responses?.[this.tableName] ?? []) {
          const item = raw as LatestItem;
          found.set(item.sk, item.latest);
        }
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return ids.flatMap((id) => (found.has(id) ? [found.get(id)!] : []));
  }

  async range(checkId: string, query: CheckHistoryRange): Promise<Page<HistoryBucket>> {
    const { from, to, minutes, limit } = normalizeHistoryRange(query);
    const pk = pkOf(checkId);
    const prefix = skPrefix(minutes);
    let startKey: Record<string, unknown> | undefined;
    if (query.cursor) {
      startKey = decodeCursor(query.cursor).k;
      if (startKey.pk !== pk || typeof startKey.sk !== 'string' || !startKey.sk.startsWith(prefix) || Object.keys(startKey).length !== 2) {
        throw new ValidationError('cursor is not a cursor this API returned', 'cursor', 'invalid_cursor');
      }
    }
    // Starts within [from, to): BETWEEN is inclusive, so the upper end is one millisecond before `to`.
    const upper = new Date(Date.parse(to) - 1).toISOString();
    const items: BucketItem[] = [];
    for (;;) {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
          ExpressionAttributeValues: { ':pk': pk, ':a': `${prefix}${from}`, ':b': `${prefix}${upper}` },
          ProjectionExpression: 'pk, sk, #b',
          ExpressionAttributeNames: { '#b': 'bucket' },
          ScanIndexForward: false,
          Limit: limit + 1 - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((out.Items ?? []) as BucketItem[]));
      startKey = out.LastEvaluatedKey;
      if (items.length > limit || !startKey) break;
    }
    const page = items.slice(0, limit);
    const next = items.length > limit ? encodeCursor({ pk: page[page.length - 1]!.pk, sk: page[page.length - 1]!.sk }) : null;
    return { items: page.map((i) => i.bucket), next };
  }
}
