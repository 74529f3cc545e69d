import { describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoCostStore } from '../../functions/src/adapters/aws/dynamo-cost-store';
import { InMemoryCostStore } from '../../functions/src/adapters/local/in-memory-cost-store';
import { useDynaliteTables } from '../helpers/dynalite';
import { costStoreContract } from '../contracts/cost-store.contract';

const table = useDynaliteTables('costs');

costStoreContract('in-memory', async () => new InMemoryCostStore());
costStoreContract('DynamoDB (dynalite)', async () => {
  const { doc, table: name } = await table();
  return new DynamoCostStore(doc, name);
});

describe('DynamoCostStore', () => {
  it('never shows a half-written new version: a replacement that dies before its switch leaves the old day whole', async () => {
    const { doc, table: name } = await table();
    const store = new DynamoCostStore(doc, name);
    const rows = (n: number, billed: number) => Array.from({ length: n }, (_, i) => ({ date: '2026-11-01', provider: 'gcp', environment: 'e', service: `s${i}-${'y'.repeat(200)}`, account: '', region: '', currency: 'USD', billed, effective: billed, source: 'focus:gcp:b' }));
    await store.replaceDay({ source: 'focus:gcp:b', date: '2026-11-01', importId: 'old', importedAt: 'x', rows: rows(3000, 1) });
    // The new version's chunks are written, then the process dies before the pointer switch.
    const failing = {
      send: (command: unknown) => {
        if (command instanceof PutCommand) return Promise.reject(new Error('boom'));
        return doc.send(command as never);
      },
    } as unknown as typeof doc;
    await expect(new DynamoCostStore(failing, name).replaceDay({ source: 'focus:gcp:b', date: '2026-11-01', importId: 'new', importedAt: 'y', rows: rows(3000, 2) })).rejects.toThrow('boom');
    const [got] = await store.listDays('2026-11-01', '2026-11-01');
    expect(got!.importId).toBe('old');
    expect(got!.rows).toHaveLength(3000);
    expect(new Set(got!.rows.map((r) => r.billed))).toEqual(new Set([1]));
  });
});
