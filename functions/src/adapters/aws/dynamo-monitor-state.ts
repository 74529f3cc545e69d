import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CheckRunState, MonitorState } from '../../core/monitoring/deps';
import { putIf } from './dynamo-stores';

/*
 * Per-check run state of `runChecks` in the single table:
 *
 *   run state   pk CHECKSTATE#<checkId>   sk STATE   (`state` JSON, `lastRunAt`, TTL `expiresAt`)
 *
 * Writes are conditional on `lastRunAt`: a run that started earlier never overwrites the state of
 * one that started later (two cycles overlapping, e.g. a slow scheduled run and the next one).
 * The state is kept as JSON text so an EVM observation round-trips exactly. It expires a week after
 * the last run, so checks removed from the config leave nothing behind.
 */

const SK = 'STATE';
/** How long the state of a check that stopped running is kept. */
export const MONITOR_STATE_TTL_DAYS = 7;

function pkOf(checkId: string): string {
  return `CHECKSTATE#${checkId}`;
}

export class DynamoMonitorState implements MonitorState {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(checkId: string): Promise<CheckRunState | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: pkOf(checkId), sk: SK }, ConsistentRead: true }));
    const text = out.Item?.state;
    return typeof text === 'string' ? (JSON.parse(text) as CheckRunState) : undefined;
  }

  async set(checkId: string, state: CheckRunState): Promise<void> {
    const ranAt = Date.parse(state.lastRunAt);
    const expiresAt = Math.floor((Number.isNaN(ranAt) ? Date.now() : ranAt) / 1000) + MONITOR_STATE_TTL_DAYS * 24 * 60 * 60;
    // A failed condition means a later run already stored its state: that one stays.
    await putIf(this.doc, {
      TableName: this.tableName,
      Item: { pk: pkOf(checkId), sk: SK, state: JSON.stringify(state), lastRunAt: state.lastRunAt, expiresAt },
      ConditionExpression: 'attribute_not_exists(pk) OR lastRunAt <= :lastRunAt',
      ExpressionAttributeValues: { ':lastRunAt': state.lastRunAt },
    });
  }
}
