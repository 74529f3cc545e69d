import { DeleteCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Alert, GroupNotificationLog, Silence } from '../../core/alerts/model';
import { ConflictError, ValidationError } from '../../core/errors';
import type { AlertFilter, AlertStore, SilenceFilter } from '../../core/ports/alert-store';
import type { Page } from '../../core/read-models';
import { decodeCursor, encodeCursor, putIf } from './dynamo-stores';

/*
 * Alerts, silences and group notification logs in the single table:
 *
 *   alert      pk ALERT#<fingerprint>  sk ALERT
 *              gsi1 ALERTS                               / <stateSince>#<fingerprint>  (all, newest first)
 *              gsi2 ALERTS#STATE#<state>                 / <stateSince>#<fingerprint>  (by state)
 *              gsi3 ALERTS#ENV#<environment>#STATE#<state> / <stateSince>#<fingerprint> (by environment
 *                   and state; absent without an environment label)
 *   silence    pk SILENCE#<id>         sk SILENCE
 *              gsi1 SILENCES       / <createdAt>#<id>   (all, newest first)
 *              gsi2 SILENCES#END   / <endsAt>#<id>      (current: sort key > now)
 *   group log  pk ALERTGROUPS          sk <groupId>    (one small partition, read whole by the planner)
 *
 * An environment without a state is served by the three state partitions of gsi3, merged. Alert
 * lists page by sort-key position (`sk < cursor`), so the merged list pages the same way. Times
 * are ISO 8601 UTC with milliseconds (the Clock's format), so string order is time order.
 */

const ALERT_STATES_ALL = ['firing', 'acknowledged', 'resolved'] as const;

interface AlertItem {
  pk: string;
  sk: 'ALERT';
  doc: string;
  revision: number;
  gsi1pk: string;
  gsi1sk: string;
  gsi2pk: string;
  gsi2sk: string;
  gsi3pk?: string;
  gsi3sk?: string;
}

function orderOf(alert: Alert): string {
  return `${alert.stateSince}#${alert.fingerprint}`;
}

function encodePosition(position: string): string {
  return Buffer.from(JSON.stringify({ p: position })).toString('base64url');
}

function decodePosition(cursor: string): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { p?: unknown };
    if (typeof value.p !== 'string' || !value.p.includes('#')) throw new Error('shape');
    return value.p;
  } catch {
    throw new ValidationError('cursor is not a cursor this API returned', 'cursor', 'invalid_cursor');
  }
}

export class DynamoAlertStore implements AlertStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private alertItem(alert: Alert): AlertItem {
    const order = orderOf(alert);
    const env = alert.labels.environment;
    return {
      pk: `ALERT#${alert.fingerprint}`,
      sk: 'ALERT',
      doc: JSON.stringify(alert),
      revision: alert.revision,
      gsi1pk: 'ALERTS',
      gsi1sk: order,
      gsi2pk: `ALERTS#STATE#${alert.state}`,
      gsi2sk: order,
      ...(env !== undefined ? { gsi3pk: `ALERTS#ENV#${env}#STATE#${alert.state}`, gsi3sk: order } : {}),
    };
  }

  async createAlert(alert: Alert): Promise<void> {
    const created = await putIf(this.doc, {
      TableName: this.tableName,
      Item: this.alertItem({ ...alert, revision: 0 }),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    if (!created) throw new ConflictError(`alert ${alert.fingerprint} exists`, 'fingerprint');
  }

  async getAlert(fingerprint: string): Promise<Alert | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `ALERT#${fingerprint}`, sk: 'ALERT' }, ConsistentRead: true }),
    );
    return out.Item ? (JSON.parse((out.Item as AlertItem).doc) as Alert) : null;
  }

  async saveAlert(alert: Alert, expectedRevision: number): Promise<void> {
    const saved = await putIf(this.doc, {
      TableName: this.tableName,
      Item: this.alertItem({ ...alert, revision: expectedRevision + 1 }),
      ConditionExpression: 'revision = :expected',
      ExpressionAttributeValues: { ':expected': expectedRevision },
    });
    if (!saved) throw new ConflictError(`alert ${alert.fingerprint} changed meanwhile (expected revision ${expectedRevision})`, 'revision');
  }

  private async queryAlerts(index: 'gsi1' | 'gsi2' | 'gsi3', pk: string, before: string | null, limit: number): Promise<{ order: string; alert: Alert }[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: before ? `${index}pk = :pk AND ${index}sk < :before` : `${index}pk = :pk`,
        ExpressionAttributeValues: before ? { ':pk': pk, ':before': before } : { ':pk': pk },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return ((out.Items ?? []) as AlertItem[]).map((item) => ({ order: item[`${index}sk`]!, alert: JSON.parse(item.doc) as Alert }));
  }

  async listAlerts(filter: AlertFilter): Promise<Page<Alert>> {
    const before = filter.cursor ? decodePosition(filter.cursor) : null;
    // One more than asked tells whether another page exists without an empty last page.
    const want = filter.limit + 1;
    let rows: { order: string; alert: Alert }[];
    if (filter.environment !== undefined) {
      const states = filter.state ? [filter.state] : ALERT_STATES_ALL;
      const parts = await Promise.all(states.map((s) => this.queryAlerts('gsi3', `ALERTS#ENV#${filter.environment}#STATE#${s}`, before, want)));
      rows = parts.flat().sort((a, b) => (a.order < b.order ? 1 : a.order > b.order ? -1 : 0));
    } else if (filter.state) {
      rows = await this.queryAlerts('gsi2', `ALERTS#STATE#${filter.state}`, before, want);
    } else {
      rows = await this.queryAlerts('gsi1', 'ALERTS', before, want);
    }
    const items = rows.slice(0, filter.limit);
    const more = rows.length > filter.limit;
    return { items: items.map((r) => r.alert), next: more ? encodePosition(items[items.length - 1]!.order) : null };
  }

  private silenceItem(silence: Silence): Record<string, unknown> {
    return {
      pk: `SILENCE#${silence.id}`,
      sk: 'SILENCE',
      doc: JSON.stringify(silence),
      revision: silence.revision,
      gsi1pk: 'SILENCES',
      gsi1sk: `${silence.createdAt}#${silence.id}`,
      gsi2pk: 'SILENCES#END',
      gsi2sk: `${silence.endsAt}#${silence.id}`,
    };
  }

  async createSilence(silence: Silence): Promise<void> {
    const created = await putIf(this.doc, {
      TableName: this.tableName,
      Item: this.silenceItem({ ...silence, revision: 0 }),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    if (!created) throw new ConflictError(`silence ${silence.id} exists`, 'id');
  }

  async getSilence(id: string): Promise<Silence | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: `SILENCE#${id}`, sk: 'SILENCE' }, ConsistentRead: true }));
    return out.Item ? (JSON.parse(out.Item.doc as string) as Silence) : null;
  }

  async saveSilence(silence: Silence, expectedRevision: number): Promise<void> {
    const saved = await putIf(this.doc, {
      TableName: this.tableName,
      Item: this.silenceItem({ ...silence, revision: expectedRevision + 1 }),
      ConditionExpression: 'revision = :expected',
      ExpressionAttributeValues: { ':expected': expectedRevision },
    });
    if (!saved) throw new ConflictError(`silence ${silence.id} changed meanwhile (expected revision ${expectedRevision})`, 'revision');
  }

  async deleteSilence(id: string): Promise<boolean> {
    const out = await this.doc.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: `SILENCE#${id}`, sk: 'SILENCE' }, ReturnValues: 'ALL_OLD' }),
    );
    return out.Attributes !== undefined;
  }

  async listSilences(filter: SilenceFilter): Promise<Page<Silence>> {
    if (filter.scope === 'current' && !filter.now) throw new ValidationError('now is required for current silences', 'now');
    const current = filter.scope === 'current';
    const index = current ? 'gsi2' : 'gsi1';
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: index,
      // '\uffff' sorts after every id, so `endsAt == now` (already expired) is excluded.
      KeyConditionExpression: current ? 'gsi2pk = :pk AND gsi2sk > :now' : 'gsi1pk = :pk',
      ExpressionAttributeValues: current ? { ':pk': 'SILENCES#END', ':now': `${filter.now}#\uffff` } : { ':pk': 'SILENCES' },
      ScanIndexForward: false,
      Limit: filter.limit,
      ExclusiveStartKey: filter.cursor ? decodeCursor(filter.cursor).k : undefined,
    };
    const out = await this.doc.send(new QueryCommand(input));
    const items = (out.Items ?? []) as Record<string, string>[];
    let next: string | null = null;
    if (out.LastEvaluatedKey && items.length > 0) {
      // Only page on when something follows (DynamoDB may return a key for an exactly-full page).
      const last = items[items.length - 1]!;
      const probe = await this.doc.send(new QueryCommand({ ...input, Limit: 1, ExclusiveStartKey: out.LastEvaluatedKey }));
      if ((probe.Items ?? []).length > 0) {
        next = encodeCursor({ pk: last.pk!, sk: last.sk!, [`${index}pk`]: last[`${index}pk`]!, [`${index}sk`]: last[`${index}sk`]! });
      }
    }
    return { items: items.map((item) => JSON.parse(item.doc!) as Silence), next };
  }

  async getGroupLog(groupId: string): Promise<GroupNotificationLog | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'ALERTGROUPS', sk: groupId }, ConsistentRead: true }));
    return out.Item ? (JSON.parse(out.Item.doc as string) as GroupNotificationLog) : null;
  }

  async listGroupLogs(): Promise<GroupNotificationLog[]> {
    const logs: GroupNotificationLog[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'ALERTGROUPS' },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) logs.push(JSON.parse(item.doc as string) as GroupNotificationLog);
      start = out.LastEvaluatedKey;
    } while (start);
    return logs;
  }

  async recordNotification(log: GroupNotificationLog, previousSentAt: string | null): Promise<boolean> {
    return putIf(this.doc, {
      TableName: this.tableName,
      Item: { pk: 'ALERTGROUPS', sk: log.groupId, doc: JSON.stringify(log), sentAt: log.sentAt },
      ...(previousSentAt === null
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'sentAt = :prev', ExpressionAttributeValues: { ':prev': previousSentAt } }),
    });
  }
}
