import { describe, expect, it } from 'vitest';
import type { CheckRunState, MonitorState } from '../../functions/src/core/monitoring/deps';
import type { EvmObservation } from '../../functions/src/core/monitoring/model';

export const EVM_OBSERVATION: EvmObservation = {
  observedAt: '2026-11-23T10:00:00.000Z',
  blockNumber: 1234567,
  headSince: '2026-11-23T09:59:48.000Z',
  previousBlockNumber: 1234566,
  peerCount: null,
  syncing: { startingBlock: 1, currentBlock: 2, highestBlock: 3 },
  gasPriceWei: '123456789012345678901234567890',
  chainId: 1337,
  pendingTransactions: 0,
  unavailable: ['net_peerCount'],
  durationMs: 17,
};

/** The MonitorState contract, run against every adapter. */
export function monitorStateContract(name: string, make: () => Promise<MonitorState>): void {
  describe(`MonitorState contract: ${name}`, () => {
    it('knows nothing about a check that never ran', async () => {
      const state = await make();
      expect(await state.get('api')).toBeUndefined();
    });

    it('returns what was set, EVM observation and rule timers included', async () => {
      const state = await make();
      const value: CheckRunState = {
        lastRunAt: '2026-11-23T10:00:00.000Z',
        previous: EVM_OBSERVATION,
        conditionSince: { 'node-down': '2026-11-23T09:58:00.000Z', 'slow-head': '2026-11-23T09:59:00.000Z' },
      };
      await state.set('besu', value);
      expect(await state.get('besu')).toEqual(value);
    });

    it('keeps checks apart and replaces a check\'s state with its next run', async () => {
      const state = await make();
      await state.set('api', { lastRunAt: '2026-11-23T10:00:00.000Z', previous: null });
      await state.set('web', { lastRunAt: '2026-11-23T10:00:30.000Z', previous: null, conditionSince: {} });
      await state.set('api', { lastRunAt: '2026-11-23T10:01:00.000Z', previous: null, conditionSince: { down: '2026-11-23T10:01:00.000Z' } });

      expect(await state.get('api')).toEqual({ lastRunAt: '2026-11-23T10:01:00.000Z', previous: null, conditionSince: { down: '2026-11-23T10:01:00.000Z' } });
      expect(await state.get('web')).toEqual({ lastRunAt: '2026-11-23T10:00:30.000Z', previous: null, conditionSince: {} });
      expect(await state.get('other')).toBeUndefined();
    });

    it('accepts a second write of the same run', async () => {
      const state = await make();
      await state.set('api', { lastRunAt: '2026-11-23T10:00:00.000Z', previous: null });
      await state.set('api', { lastRunAt: '2026-11-23T10:00:00.000Z', previous: null, conditionSince: { down: '2026-11-23T10:00:00.000Z' } });
      expect(await state.get('api')).toEqual({ lastRunAt: '2026-11-23T10:00:00.000Z', previous: null, conditionSince: { down: '2026-11-23T10:00:00.000Z' } });
    });
  });
}
