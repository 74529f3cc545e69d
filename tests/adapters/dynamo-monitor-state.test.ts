import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoMonitorState, MONITOR_STATE_TTL_DAYS } from '../../functions/src/adapters/aws/dynamo-monitor-state';
import { inMemoryMonitorState } from '../../functions/src/core/monitoring/deps';
import { monitorStateContract } from '../contracts/monitor-state.contract';
import { useDynaliteTables } from '../helpers/dynalite';

const freshTable = useDynaliteTables('monitor-state');

monitorStateContract('DynamoDB (dynalite)', async () => {
  const { doc, table } = await freshTable();
  return new DynamoMonitorState(doc, table);
});

monitorStateContract('in memory', async () => inMemoryMonitorState());

describe('DynamoMonitorState', () => {
  it('keeps one item per check under CHECKSTATE#<id> with a TTL a week after the run', async () => {
    const { doc, table } = await freshTable();
    await new DynamoMonitorState(doc, table).set('api', { lastRunAt: '2026-11-23T10:00:00.000Z', previous: null });

    const out = await doc.send(new GetCommand({ TableName: table, Key: { pk: 'CHECKSTATE#api', sk: 'STATE' } }));
    expect(out.Item).toMatchObject({
      lastRunAt: '2026-11-23T10:00:00.000Z',
      expiresAt: Date.parse('2026-11-23T10:00:00.000Z') / 1000 + MONITOR_STATE_TTL_DAYS * 86_400,
    });
    expect(MONITOR_STATE_TTL_DAYS).toBe(7);
  });

  it('never lets a run that started earlier overwrite the state of a later one (conditional write)', async () => {
    const { doc, table } = await freshTable();
    const state = new DynamoMonitorState(doc, table);
    await state.set('api', { lastRunAt: '2026-11-23T10:01:00.000Z', previous: null, conditionSince: { down: '2026-11-23T10:01:00.000Z' } });
    // The slower, earlier cycle finishes last.
    await state.set('api', { lastRunAt: '2026-11-23T10:00:00.000Z', previous: null, conditionSince: {} });

    expect(await state.get('api')).toEqual({ lastRunAt: '2026-11-23T10:01:00.000Z', previous: null, conditionSince: { down: '2026-11-23T10:01:00.000Z' } });
  });

  it('lets other write failures through', async () => {
    const { doc } = await freshTable();
    const state = new DynamoMonitorState(doc, 'no-such-table');
    await expect(state.set('api', { lastRunAt: '2026-11-23T10:00:00.000Z', previous: null })).rejects.toThrow();
    await expect(state.get('api')).rejects.toThrow();
  });
});
