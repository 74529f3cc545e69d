import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { operateRollout, startRollout, undoRollout } from '../../functions/src/core/rollouts/operate';
import { blueGreenSpec, createHarness, weightsOf as weights, type Harness } from './harness';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(async () => {
  await h.runner.stop();
});

describe('blue-green state machine', () => {
  it('deploys the preview, passes pre-promotion analysis, switches and scales down after the delay', async () => {
    h.metrics.script.set('http://metrics.test/error-rate', [0.01]);
    const spec = blueGreenSpec({ prePromotionAnalysis: { templates: ['error-rate'] }, scaleDownDelaySeconds: 45 });
    const started = await startRollout(h.deps, { spec, actor: 'alice' });
    const result = await h.runner.settled(started.id);
    const r = await h.get(started.id);

    expect(result?.status).toBe('SUCCEEDED');
    expect(r.phase).toBe('Promoted');
    expect(r.plan.map((s) => s.step.kind)).toEqual(['deployPreview', 'prePromotionAnalysis', 'awaitPromotion', 'switchTraffic', 'scaleDown']);
    expect(r.plan.every((s) => s.status === 'Completed')).toBe(true);
    expect(h.target.calls).toEqual([
      'hook pre-rollout',
      'deployPreview',
      'hook confirm-promotion',
      'setWeight 100',
      'scaleDown stable',
      'hook post-rollout',
    ]);
    expect(weights(r)).toEqual({ stable: 0, canary: 100 });
    const scaleDown = r.plan[4]!;
    expect(Date.parse(scaleDown.finishedAt!) - Date.parse(scaleDown.startedAt!)).toBeGreaterThanOrEqual(45_000);
    expect(h.bus.types(started.id).slice(-3)).toEqual(['taskrun.finished', 'service.upgraded', 'pipelinerun.finished']);
    expect(h.bus.violations()).toEqual([]);
  });

  it('waits for promote when auto-promotion is off, then promotes', async () => {
    const spec = blueGreenSpec({ autoPromotionEnabled: false, scaleDownDelaySeconds: 0 });
    const started = await startRollout(h.deps, { spec, actor: 'alice' });
    const waiting = await h.waitFor(started.id, (r) => r.waiter !== null);
    expect(waiting.pause).toMatchObject({ reason: 'AwaitingPromotion', waitingFor: 'promote' });
    expect(h.target.split.canary).toBe(0);

    await operateRollout(h.deps, { id: started.id, verb: 'promote', actor: 'bob' });
    expect((await h.runner.settled(started.id))?.status).toBe('SUCCEEDED');
    const r = await h.get(started.id);
    expect(r.phase).toBe('Promoted');
    expect(r.plan[1]!.waitedOnPeopleSeconds).toBeGreaterThanOrEqual(0);
    expect(h.bus.types(started.id)).toContain('signalbox-rollout.promoted');
  });

  it('switches back when post-promotion analysis fails', async () => {
    h.metrics.script.set('http://metrics.test/error-rate', [0.4]);
    const spec = blueGreenSpec({ postPromotionAnalysis: { templates: ['error-rate'] } });
    const started = await startRollout(h.deps, { spec, actor: 'alice' });
    const result = await h.runner.settled(started.id);
    const r = await h.get(started.id);
    expect(result).toMatchObject({ status: 'FAILED', error: 'Signalbox.RolledBack' });
    expect(r.phase).toBe('RolledBack');
    expect(h.target.calls.filter((c) => c.startsWith('setWeight'))).toEqual(['setWeight 100', 'setWeight 0']);
    expect(weights(r)).toEqual({ stable: 100, canary: 0 });
    const types = h.bus.types(started.id);
    expect(types).toContain('incident.detected');
    expect(types).toContain('service.rolledback');
    expect(h.bus.violations()).toEqual([]);
  });

  it('undo starts a new rollout from the promoted version back to the previous one', async () => {
    const started = await startRollout(h.deps, { spec: blueGreenSpec({ scaleDownDelaySeconds: 0 }), actor: 'alice' });
    expect((await h.runner.settled(started.id))?.status).toBe('SUCCEEDED');
    const undo = await undoRollout(h.deps, { id: started.id, actor: 'bob' });
    expect(undo.undoOf).toBe(started.id);
    expect(undo.spec.toVersion).toBe('pkg:oci/payments@1.0.0');
    expect((await h.runner.settled(undo.id))?.status).toBe('SUCCEEDED');
    expect((await h.get(started.id)).actions.map((a) => a.verb)).toEqual(['start', 'undo']);
  });
});
