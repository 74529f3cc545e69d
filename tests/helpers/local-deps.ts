import { startDynalite, ensureTable, type LocalDynamo } from '../../functions/src/adapters/local/dynalite';
import { localDeps, type LocalWiring } from '../../functions/src/wiring/local';
import type { Clock } from '../../functions/src/core/ports/clock';
import { silentLogger } from '../../functions/src/core/ports/logger';

/** A settable clock, so ordering tests do not depend on the wall clock. */
export class TestClock implements Clock {
  constructor(public current = '2026-11-23T10:00:00.000Z') {}
  now(): string {
    return this.current;
  }
}

let tableCounter = 0;

/** The local wiring on an in-memory dynalite with a fresh table: the same adapters `npm start` uses. */
export async function startTestDeps(opts: { clock?: Clock; token?: string } = {}): Promise<LocalWiring & { dynamo: LocalDynamo; tableName: string; stop(): Promise<void> }> {
  const dynamo = await startDynalite();
  const tableName = `test-${process.pid}-${tableCounter++}`;
  await ensureTable(dynamo.client, tableName);
  const wiring = localDeps({
    dynamo: dynamo.client,
    tableName,
    token: opts.token ?? 'test-token-0123456789',
    logger: silentLogger,
    clock: opts.clock,
    retry: { attempts: 2, baseDelayMs: 1 },
  });
  return {
    ...wiring,
    dynamo,
    tableName,
    stop: async () => {
      await wiring.bus.idle();
      wiring.bus.close();
      await dynamo.stop();
    },
  };
}
