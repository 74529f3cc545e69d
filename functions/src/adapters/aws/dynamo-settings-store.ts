import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../core/errors';
import type { SettingsStore } from '../../core/ports/settings-store';
import type { SettingKind, StoredSetting } from '../../core/settings/model';
import { putIf } from './dynamo-stores';

/*
 * Admin settings in the single table: pk SETTINGS, sk <kind>#<name>, the item as JSON in `doc` and
 * its `revision` for the conditional write. One small partition, read whole by `list`.
 */

const PK = 'SETTINGS';

export class DynamoSettingsStore implements SettingsStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(kind: SettingKind, name: string): Promise<StoredSetting | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: PK, sk: `${kind}#${name}` }, ConsistentRead: true }));
    return out.Item ? (JSON.parse(String(out.Item.doc)) as StoredSetting) : null;
  }

  async list(): Promise<StoredSetting[]> {
    const items: StoredSetting[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PK }, ExclusiveStartKey: start }),
      );
      for (const item of out.Items ?? []) items.push(JSON.parse(String(item.doc)) as StoredSetting);
      start = out.LastEvaluatedKey as Record<string, unknown> | undefined;
    } while (start);
    return items;
  }

  async save(item: StoredSetting, expectedRevision: number): Promise<void> {
    const saved = await putIf(this.doc, {
      TableName: this.tableName,
      Item: { pk: PK, sk: `${item.kind}#${item.name}`, doc: JSON.stringify(item), revision: item.revision },
      ...(expectedRevision === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'revision = :expected', ExpressionAttributeValues: { ':expected': expectedRevision } }),
    });
    if (!saved) throw new ConflictError(`${item.kind} ${item.name} was changed meanwhile (you read revision ${expectedRevision})`, 'revision');
  }
}
