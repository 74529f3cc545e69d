import { describe, expect, it } from 'vitest';
import { documentClient } from '../../functions/src/adapters/aws/dynamo-stores';
import { DynamoDoraStore } from '../../functions/src/adapters/aws/dynamo-dora-store';
import { ensureTable, startDynalite } from '../../functions/src/adapters/local/dynalite';
import { doraStoreContract } from '../contracts/dora-store.contract';
import { useDynaliteTables } from '../helpers/dynalite';

const freshTable = useDynaliteTables('dora');

doraStoreContract('DynamoDB (dynalite)', async () => {
  const { doc, table } = await freshTable();
  return new DynamoDoraStore(doc, table);
});

describe('DynamoDoraStore reads', () => {
  it('reads one item per day of the range, however long the history', async () => {
    const own = await startDynalite();
    try {
      await ensureTable(own.client, 'dora-reads');
      let scanned = 0;
      own.client.middlewareStack.add(
        (next) => async (args) => {
          const out = await next(args);
          scanned += (out.output as { ScannedCount?: number }).ScannedCount ?? 0;
          return out;
        },
        { step: 'initialize', name: 'countScanned' },
      );
      const store = new DynamoDoraStore(documentClient(own.client), 'dora-reads');
      // 200 days of history for one service, two events a day, and a second service on the same days.
      for (let i = 0; i < 200; i++) {
        const day = new Date(Date.UTC(2025, 6, 1) + i * 86_400_000).toISOString().slice(0, 10);
        await Promise.all(
          ([['svc', 0], ['svc', 1], ['other', 0]] as const).map(([service, n]) =>
            store.add({ service, day, entry: { type: 'deployment', key: `${service}-${day}-${n}`, environment: 'prod', at: `${day}T0${n}:00:00.000000000Z`, rollback: false, artifactId: null } }),
          ),
        );
      }
      scanned = 0;
      const days = await store.listDays({ service: 'svc', fromDay: '2025-12-01', toDay: '2025-12-30' });
      expect(days).toHaveLength(30);
      expect(days.every((d) => d.entries.length === 2)).toBe(true);
      expect(scanned).toBe(30);
      scanned = 0;
      const all = await store.listDays({ fromDay: '2025-12-01', toDay: '2025-12-30' });
      // Both services' items of those 30 days, read from one month partition of gsi1.
      expect(all).toHaveLength(60);
      expect(scanned).toBe(60);
    } finally {
      await own.stop();
    }
  });
});
