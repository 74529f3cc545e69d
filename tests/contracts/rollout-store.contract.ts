import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../functions/src/core/errors';
import type { Rollout, RolloutPhase } from '../../functions/src/core/rollouts/model';
import type { RolloutStore } from '../../functions/src/core/ports/rollout-store';

export function rollout(id: string, over: { service?: string; environment?: string; phase?: RolloutPhase; createdAt?: string } = {}): Rollout {
  const createdAt = over.createdAt ?? '2026-11-23T10:00:00.000Z';
  return {
    id,
    spec: {
      strategy: 'canary',
      service: over.service ?? 'payments',
      environment: over.environment ?? 'prod',
      fromVersion: 'pkg:oci/payments@1.0.0',
      toVersion: 'pkg:oci/payments@1.1.0',
      target: { type: 'local-proxy', proxy: 'demo' },
      steps: [{ setWeight: 20 }, { pause: {} }],
    },
    createdAt,
    createdBy: 'alice',
    updatedAt: createdAt,
    phase: over.phase ?? 'Progressing',
    message: '',
    plan: [],
    currentStepIndex: -1,
    weights: [
      { role: 'stable', artifactId: 'pkg:oci/payments@1.0.0', version: '1.0.0', desired: 100, actual: 100 },
      { role: 'canary', artifactId: 'pkg:oci/payments@1.1.0', version: '1.1.0', desired: 0, actual: 0 },
    ],
    weightHistory: [],
    analysisRuns: [],
    pause: null,
    gates: [],
    signals: {},
    waiter: null,
    actions: [],
    executionId: null,
    finishedAt: null,
    revision: 0,
  };
}

/** The RolloutStore contract, run against every adapter. */
export function rolloutStoreContract(name: string, make: () => Promise<RolloutStore>): void {
  describe(`RolloutStore contract: ${name}`, () => {
    it('creates once and reads the same document back', async () => {
      const store = await make();
      await store.create(rollout('r1'));
      await expect(store.create(rollout('r1'))).rejects.toBeInstanceOf(ConflictError);
      expect(await store.get('r1')).toEqual(rollout('r1'));
      expect(await store.get('missing')).toBeNull();
    });

    it('saves only on the expected revision and bumps it', async () => {
      const store = await make();
      await store.create(rollout('r1'));
      const r = (await store.get('r1'))!;
      await store.save({ ...r, message: 'first' }, 0);
      await expect(store.save({ ...r, message: 'stale' }, 0)).rejects.toBeInstanceOf(ConflictError);
      const after = (await store.get('r1'))!;
      expect(after.message).toBe('first');
      expect(after.revision).toBe(1);
    });

    it('lets exactly one of many concurrent writers of a revision win', async () => {
      const store = await make();
      await store.create(rollout('r1'));
      const r = (await store.get('r1'))!;
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.save({ ...r, message: `w${i}` }, 0)));
      expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    });

    it('lists newest first with filters and pages without gaps or repeats', async () => {
      const store = await make();
      for (let i = 0; i < 7; i++) {
        await store.create(
          rollout(`r${i}`, {
            service: i % 2 ? 'orders' : 'payments',
            environment: i < 4 ? 'prod' : 'staging',
            createdAt: `2026-11-2${i}T10:00:00.000Z`,
          }),
        );
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({ limit: 3, cursor });
        seen.push(...page.items.map((s) => s.id));
        cursor = page.next ?? undefined;
      } while (cursor);
      expect(seen).toEqual(['r6', 'r5', 'r4', 'r3', 'r2', 'r1', 'r0']);

      expect((await store.list({ limit: 10, service: 'orders' })).items.map((s) => s.id)).toEqual(['r5', 'r3', 'r1']);
      expect((await store.list({ limit: 10, environment: 'staging' })).items.map((s) => s.id)).toEqual(['r6', 'r5', 'r4']);
      expect((await store.list({ limit: 10, service: 'payments', environment: 'prod' })).items.map((s) => s.id)).toEqual(['r2', 'r0']);
    });

    it('separates active from finished and follows phase changes', async () => {
      const store = await make();
      await store.create(rollout('a', { createdAt: '2026-11-20T00:00:00.000Z' }));
      await store.create(rollout('b', { createdAt: '2026-11-21T00:00:00.000Z' }));
      const b = (await store.get('b'))!;
      await store.save({ ...b, phase: 'Promoted', finishedAt: '2026-11-21T01:00:00.000Z' }, b.revision);
      const a = (await store.get('a'))!;
      await store.save({ ...a, phase: 'Paused' }, a.revision);

      expect((await store.list({ limit: 10, status: 'active' })).items.map((s) => [s.id, s.phase])).toEqual([['a', 'Paused']]);
      expect((await store.list({ limit: 10, status: 'finished' })).items.map((s) => s.id)).toEqual(['b']);
      expect((await store.list({ limit: 10, status: 'Paused' })).items.map((s) => s.id)).toEqual(['a']);
      expect((await store.list({ limit: 10, status: 'Promoted' })).items.map((s) => s.id)).toEqual(['b']);
      expect((await store.list({ limit: 10, status: 'Progressing' })).items).toEqual([]);
    });

    it('summarises the list row from the document', async () => {
      const store = await make();
      await store.create(rollout('r1'));
      const [row] = (await store.list({ limit: 1 })).items;
      expect(row).toMatchObject({ id: 'r1', service: 'payments', environment: 'prod', strategy: 'canary', stepCount: 0, canaryWeight: 0, createdBy: 'alice' });
    });
  });
}
