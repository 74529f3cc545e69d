import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../core/errors';
import type { Page } from '../../core/read-models';
import type { Rollout, RolloutSummary } from '../../core/rollouts/model';
import { isFinished, matchesRolloutFilter, summarizeRollout } from '../../core/rollouts/summary';
import type { RolloutFilter, RolloutStore } from '../../core/ports/rollout-store';
import { decodeCursor, encodeCursor, putIf } from './dynamo-stores';

/*
 * Rollouts in the single table:
 *
 *   rollout        pk ROLLOUT#<id>     sk ROLLOUT
 *                  gsi1 ROLLOUTS                  / <createdAt>#<id>   (all, newest first)
 *                  gsi2 ROLLOUTS#SVC#<service>    / <createdAt>#<id>   (per service)
 *                  gsi3 ROLLOUTS#ENV#<environment> / <createdAt>#<id>  (per environment)
 *   active marker  pk ROLLOUTS#ACTIVE  sk <createdAt>#<id>            (while not finished)
 *
 * The active list is served from its own small partition, so "what is moving now" stays one cheap
 * Query however many finished rollouts pile up. The marker is written after the document on every
 * save (no transactions in dynalite); a lost marker write is repaired by the next save.
 *
 * The document is one JSON string (`doc`), the list row a map (`summary`) so lists read only what
 * they show. Filters beyond the chosen index (a phase, a second dimension) are applied while paging,
 * with a bound on how many items one page may evaluate.
 */

const MAX_EVALUATED_PER_PAGE = 1000;

interface RolloutItem {
  pk: string;
  sk: 'ROLLOUT';
  doc: string;
  summary: RolloutSummary;
  revision: number;
  gsi1pk: string;
  gsi1sk: string;
  gsi2pk: string;
  gsi2sk: string;
  gsi3pk: string;
  gsi3sk: string;
}

export class DynamoRolloutStore implements RolloutStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private toItem(rollout: Rollout): RolloutItem {
    const order = `${rollout.createdAt}#${rollout.id}`;
    return {
      pk: `ROLLOUT#${rollout.id}`,
      sk: 'ROLLOUT',
      doc: JSON.stringify(rollout),
      summary: summarizeRollout(rollout),
      revision: rollout.revision,
      gsi1pk: 'ROLLOUTS',
      gsi1sk: order,
      gsi2pk: `ROLLOUTS#SVC#${rollout.spec.service}`,
      gsi2sk: order,
      gsi3pk: `ROLLOUTS#ENV#${rollout.spec.environment}`,
      gsi3sk: order,
    };
  }

  async create(rollout: Rollout): Promise<void> {
    const created = await putIf(this.doc, {
      TableName: this.tableName,
      Item: this.toItem({ ...rollout, revision: 0 }),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    if (!created) throw new ConflictError(`rollout ${rollout.id} exists`, 'id');
    await this.syncActiveMarker({ ...rollout, revision: 0 });
  }

  private async syncActiveMarker(rollout: Rollout): Promise<void> {
    const key = { pk: 'ROLLOUTS#ACTIVE', sk: `${rollout.createdAt}#${rollout.id}` };
    if (isFinished(rollout.phase)) {
      await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: key }));
    } else {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...key, summary: summarizeRollout(rollout) } }));
    }
  }

  async get(id: string): Promise<Rollout | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `ROLLOUT#${id}`, sk: 'ROLLOUT' }, ConsistentRead: true }),
    );
    return out.Item ? (JSON.parse((out.Item as RolloutItem).doc) as Rollout) : null;
  }

  async save(rollout: Rollout, expectedRevision: number): Promise<void> {
    const saved = await putIf(this.doc, {
      TableName: this.tableName,
      Item: this.toItem({ ...rollout, revision: expectedRevision + 1 }),
      ConditionExpression: 'revision = :expected',
      ExpressionAttributeValues: { ':expected': expectedRevision },
    });
    if (!saved) throw new ConflictError(`rollout ${rollout.id} changed meanwhile (expected revision ${expectedRevision})`, 'revision');
    await this.syncActiveMarker({ ...rollout, revision: expectedRevision + 1 });
  }

  async list(filter: RolloutFilter): Promise<Page<RolloutSummary>> {
    const [index, pk] = this.indexFor(filter);
    const items: RolloutSummary[] = [];
    let startKey = filter.cursor ? decodeCursor(filter.cursor).k : undefined;
    let evaluated = 0;
    for (;;) {
      const input: QueryCommandInput = {
        TableName: this.tableName,
        ...(index ? { IndexName: index } : {}),
        KeyConditionExpression: index ? `${index}pk = :pk` : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ProjectionExpression: index ? `#s, pk, sk, ${index}pk, ${index}sk` : '#s, pk, sk',
        ExpressionAttributeNames: { '#s': 'summary' },
        ScanIndexForward: false,
        Limit: filter.limit - items.length,
        ExclusiveStartKey: startKey,
      };
      const out = await this.doc.send(new QueryCommand(input));
      for (const raw of out.Items ?? []) {
        const item = raw as RolloutItem;
        evaluated += 1;
        if (this.matches(item.summary, filter)) items.push(item.summary);
        if (items.length === filter.limit) {
          const more = Boolean(out.LastEvaluatedKey) || raw !== out.Items![out.Items!.length - 1];
          return { items, next: more ? encodeCursor(keyOf(item, index)) : null };
        }
      }
      startKey = out.LastEvaluatedKey;
      if (!startKey) return { items, next: null };
      if (evaluated >= MAX_EVALUATED_PER_PAGE) return { items, next: encodeCursor(startKey) };
    }
  }

  private indexFor(filter: RolloutFilter): ['gsi1' | 'gsi2' | 'gsi3' | null, string] {
    const activeOnly = filter.status !== undefined && filter.status !== 'finished' && (filter.status === 'active' || !isFinished(filter.status));
    if (activeOnly) return [null, 'ROLLOUTS#ACTIVE'];
    if (filter.service) return ['gsi2', `ROLLOUTS#SVC#${filter.service}`];
    if (filter.environment) return ['gsi3', `ROLLOUTS#ENV#${filter.environment}`];
    return ['gsi1', 'ROLLOUTS'];
  }

  private matches(summary: RolloutSummary, filter: RolloutFilter): boolean {
    return matchesRolloutFilter(
      { id: summary.id, phase: summary.phase, spec: { service: summary.service, environment: summary.environment } } as Rollout,
      filter,
    );
  }
}

function keyOf(item: RolloutItem, index: 'gsi1' | 'gsi2' | 'gsi3' | null): Record<string, unknown> {
  if (!index) return { pk: item.pk, sk: item.sk };
  return { pk: item.pk, sk: item.sk, [`${index}pk`]: item[`${index}pk`], [`${index}sk`]: item[`${index}sk`] };
}
