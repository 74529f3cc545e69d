import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoCheckHistoryStore } from '../../functions/src/adapters/aws/dynamo-check-history-store';
import { InMemoryCheckHistoryStore } from '../../functions/src/adapters/local/in-memory-check-history-store';
import { checkHistoryStoreContract, result } from '../contracts/check-history-store.contract';
import { useDynaliteTables } from '../helpers/dynalite';

const freshTable = useDynaliteTables('check-history');

checkHistoryStoreContract('DynamoDB (dynalite)', async () => {
  const { doc, table } = await freshTable();
  return new DynamoCheckHistoryStore(doc, table);
});

checkHistoryStoreContract('in memory', async () => new InMemoryCheckHistoryStore());

describe('DynamoCheckHistoryStore items', () => {
  it('keys buckets per check and resolution with a 30-day TTL, and the latest status under CHECKS#LATEST', async () => {
    const { doc, table } = await freshTable();
    const store = new DynamoCheckHistoryStore(doc, table);
    await store.record('api', result('2026-11-23T10:07:30.000Z', 'ok', 12));
    const history = await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'CHECK#api' } }));
    expect(history.Items!.map((i) => [i.sk, i.expiresAt])).toEqual([
      // bucket end + 30 days, epoch seconds
      ['H#01#2026-11-23T10:07:00.000Z', Date.parse('2026-12-23T10:08:00.000Z') / 1000],
      ['H#15#2026-11-23T10:00:00.000Z', Date.parse('2026-12-23T10:15:00.000Z') / 1000],
      ['H#60#2026-11-23T10:00:00.000Z', Date.parse('2026-12-23T11:00:00.000Z') / 1000],
    ]);
    const latest = await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'CHECKS#LATEST' } }));
    expect(latest.Items!.map((i) => [i.sk, i.checkedAt, i.expiresAt])).toEqual([
      ['api', '2026-11-23T10:07:30.000Z', Date.parse('2026-12-23T10:07:30.000Z') / 1000],
    ]);
  });
});
