import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decideGate, operateRollout, startRollout } from '../../functions/src/core/rollouts/operate';
import { canarySpec, createHarness, weightsOf as weights, type Harness } from './harness';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(async () => {
  await h.runner.stop();
});

describe('canary state machine', () => {
  it('walks weights, a timed pause and a passing analysis, then promotes', async () => {
    h.metrics.script.set('http://metrics.test/error-rate', [0.01, 0.02]);
    const spec = canarySpec([{ setWeight: 20 }, { pause: { duration: '1m' } }, { analysis: { templates: ['error-rate'] } }, { setWeight: 50 }]);
    const started = await startRollout(h.deps, { spec, actor: 'alice' });
    const result = await h.runner.settled(started.id);
    const r = await h.get(started.id);

    expect(result?.status).toBe('SUCCEEDED');
    expect(r.phase).toBe('Promoted');
    expect(weights(r)).toEqual({ stable: 0, canary: 100 });
    expect(h.target.calls.filter((c) => c.startsWith('setWeight'))).toEqual(['setWeight 20', 'setWeight 50', 'setWeight 100']);
    expect(h.target.split).toEqual({ stable: 0, canary: 100 });
    expect(r.plan.map((s) => s.status)).toEqual(['Completed', 'Completed', 'Completed', 'Completed']);
    expect(r.analysisRuns[0]).toMatchObject({ phase: 'Successful', kind: 'step' });
    expect(r.analysisRuns[0]!.metrics[0]!.measurements.map((m) => m.value)).toEqual([0.01, 0.02]);
    expect(r.weightHistory.map((p) => p.canary)).toEqual([20, 50, 100]);
    expect(h.bus.types(started.id)).toEqual([
      'pipelinerun.queued',
      'pipelinerun.started',
      'taskrun.started',
      'signalbox-rollout.weightChanged',
      'taskrun.finished',
      'taskrun.started',
      'taskrun.finished',
      'taskrun.started',
      'taskrun.finished',
      'taskrun.started',
      'signalbox-rollout.weightChanged',
      'taskrun.finished',
      'signalbox-rollout.weightChanged',
      'service.upgraded',
      'pipelinerun.finished',
    ]);
    expect(h.bus.violations()).toEqual([]);
    const finished = h.bus.cdevents(started.id).at(-1)!;
    expect(finished.subject.content).toMatchObject({ outcome: 'success', pipelineName: 'rollout/payments/prod' });
  });

  it('rolls back when the analysis fails, with an incident detected and resolved', async () => {
    h.metrics.script.set('http://metrics.test/error-rate', [0.3]);
    const spec = canarySpec([{ setWeight: 20 }, { analysis: { templates: ['error-rate'] } }, { setWeight: 80 }]);
    const started = await startRollout(h.deps, { spec, actor: 'alice' });
    const result = await h.runner.settled(started.id);
    const r = await h.get(started.id);

    expect(result).toMatchObject({ status: 'FAILED', error: 'Signalbox.RolledBack' });
    expect(r.phase).toBe('RolledBack');
    expect(r.failure?.error).toBe('AnalysisFailed');
    expect(weights(r)).toEqual({ stable: 100, canary: 0 });
    expect(h.target.calls).toContain('hook rollback');
    expect(h.target.calls.filter((c) => c.startsWith('setWeight'))).toEqual(['setWeight 20', 'setWeight 0']);
    expect(r.plan.map((s) => s.status)).toEqual(['Completed', 'Failed', 'Skipped']);
    const types = h.bus.types(started.id);
    expect(types).toContain('incident.detected');
    expect(types.slice(-4)).toEqual(['signalbox-rollout.weightChanged', 'service.rolledback', 'incident.resolved', 'pipelinerun.finished']);
    expect(h.bus.cdevents(started.id).at(-1)!.subject.content.outcome).toBe('failure');
    expect(h.bus.violations()).toEqual([]);
  });

  it('pauses on an inconclusive analysis and goes on after resume', async () => {
    h.metrics.script.set('http://metrics.test/error-rate', [{ value: 0.01, samples: 3 } as never, 0.01, 0.01]);
    const spec = canarySpec([{ setWeight: 20 }, { analysis: { templates: ['error-rate'] } }, { setWeight: 60 }], {
      analysisTemplates: [
        {
          name: 'error-rate',
          metrics: [
            {
              name: 'error-rate',
              provider: { type: 'http', url: 'http://metrics.test/error-rate', jsonPath: '$.value' },
              successCondition: 'result < 0.05',
              minSamples: 10,
            },
          ],
        },
      ],
    });
    const started = await startRollout(h.deps, { spec, actor: 'alice' });
    const paused = await h.waitFor(started.id, (r) => r.waiter !== null);
    expect(paused.phase).toBe('Paused');
    expect(paused.pause?.reason).toBe('Inconclusive');
    expect(paused.message).toMatch(/inconclusive/i);

    await operateRollout(h.deps, { id: started.id, verb: 'resume', actor: 'bob' });
    const result = await h.runner.settled(started.id);
    const r = await h.get(started.id);
    expect(result?.status).toBe('SUCCEEDED');
    expect(r.phase).toBe('Promoted');
    expect(r.actions.map((a) => a.verb)).toEqual(['start', 'resume']);
    expect(h.bus.types(started.id)).toContain('signalbox-rollout.resumed');
    expect(h.bus.violations()).toEqual([]);
  });

  it('rolls back and ends Aborted when an inconclusive pause is aborted', async () => {
    h.metrics.script.set('http://metrics.test/error-rate', [{ value: 0.01, samples: 1 } as never]);
    const spec = canarySpec([{ setWeight: 20 }, { analysis: { templates: ['error-rate'] } }], {
      analysisTemplates: [
        {
          name: 'error-rate',
          metrics: [{ name: 'error-rate', provider: { type: 'http', url: 'http://metrics.test/error-rate', jsonPath: '$.v' }, successCondition: 'result < 0.05', minSamples: 10 }],
        },
      ],
    });
    const started = await startRollout(h.deps, { spec, actor: 'alice' });
    await h.waitFor(started.id, (r) => r.waiter !== null);
    await operateRollout(h.deps, { id: started.id, verb: 'abort', actor: 'bob', comment: 'too quiet' });
    const result = await h.runner.settled(started.id);
    const r = await h.get(started.id);
    expect(result?.status).toBe('SUCCEEDED');
    expect(r.phase).toBe('Aborted');
    expect(weights(r)).toEqual({ stable: 100, canary: 0 });
    expect(r.message).toMatch(/Aborted by bob: too quiet/);
    expect(h.bus.cdevents(started.id).at(-1)!.subject.content.outcome).toBe('cancel');
  });

  it('waits at a gate until it is approved', async () => {
    const spec = canarySpec([{ setWeight: 10 }, { gate: { name: 'qa-signoff' } }, { setWeight: 50 }]);
    const started = await startRollout(h.deps, { spec, actor: 'alice' });
    const waiting = await h.waitFor(started.id, (r) => r.waiter !== null);
    expect(waiting.pause).toMatchObject({ reason: 'Gate', gate: 'qa-signoff', waitingFor: 'approval of gate qa-signoff' });
    expect(h.target.split.canary).toBe(10);

    await decideGate(h.deps, { id: started.id, gate: 'qa-signoff', decision: 'approve', actor: 'qa-lead', comment: 'looks good' });
    const result = await h.runner.settled(started.id);
    const r = await h.get(started.id);
    expect(result?.status).toBe('SUCCEEDED');
    expect(r.phase).toBe('Promoted');
    expect(r.gates[0]).toMatchObject({ status: 'Approved', decidedBy: 'qa-lead', comment: 'looks good' });
    const types = h.bus.types(started.id);
    expect(types.indexOf('signalbox-rollout.gateRequested')).toBeLessThan(types.indexOf('signalbox-rollout.gateApproved'));
    expect(h.bus.violations()).toEqual([]);
  });

  it('rolls back when a gate is rejected', async () => {
    const spec = canarySpec([{ setWeight: 10 }, { gate: { name: 'qa-signoff' } }]);
    const started = await startRollout(h.deps, { spec, actor: 'alice' });
    await h.waitFor(started.id, (r) => r.waiter !== null);
    await decideGate(h.deps, { id: started.id, gate: 'qa-signoff', decision: 'reject', actor: 'qa-lead', comment: 'broken checkout' });
    const result = await h.runner.settled(started.id);
    const r = await h.get(started.id);
    expect(result).toMatchObject({ status: 'FAILED', error: 'Signalbox.RolledBack' });
    expect(r.phase).toBe('RolledBack');
    expect(r.failure).toEqual({ error: 'GateRejected', cause: 'Gate qa-signoff rejected by qa-lead: broken checkout' });
    expect(weights(r)).toEqual({ stable: 100, canary: 0 });
  });

  it('applies onTimeout abort when a gate times out', async () => {
    const spec = canarySpec([{ setWeight: 10 }, { gate: { name: 'qa', timeout: '1h', onTimeout: 'abort' } }, { setWeight: 50 }]);
    const started = await startRollout(h.deps, { spec, actor: 'alice' });
    const result = await h.runner.settled(started.id);
    const r = await h.get(started.id);
    expect(result).toMatchObject({ status: 'FAILED', error: 'Signalbox.RolledBack' });
    expect(r.gates[0]).toMatchObject({ status: 'TimedOut', decidedBy: 'timeout' });
    expect(r.failure?.error).toBe('GateTimedOut');
    expect(weights(r)).toEqual({ stable: 100, canary: 0 });
    expect(h.bus.types(started.id)).toContain('signalbox-rollout.gateTimedOut');
    expect(h.trace).toContain('AwaitApproval');
  });

  it('applies onTimeout promote when a gate times out', async () => {
    const spec = canarySpec([{ setWeight: 10 }, { gate: { name: 'qa', timeout: '30m', onTimeout: 'promote' } }, { setWeight: 50 }]);
    const started = await startRollout(h.deps, { spec, actor: 'alice' });
    const result = await h.runner.settled(started.id);
    const r = await h.get(started.id);
    expect(result?.status).toBe('SUCCEEDED');
    expect(r.phase).toBe('Promoted');
    expect(r.gates[0]!.status).toBe('TimedOut');
    expect(h.target.calls.filter((c) => c.startsWith('setWeight'))).toEqual(['setWeight 10', 'setWeight 50', 'setWeight 100']);
  });

  it('aborts during a timed pause: the abort signal is seen at the next decision', async () => {
    // The clock stands still, so the pause cannot end on its own while the test aborts.
    h.holdAdvancesClock = false;
    const spec = canarySpec([{ setWeight: 30 }, { pause: { duration: '1h' } }, { setWeight: 60 }]);
    const started = await startRollout(h.deps, { spec, actor: 'alice' });
    await h.waitFor(started.id, (r) => r.pause?.reason === 'PauseStep');
    await operateRollout(h.deps, { id: started.id, verb: 'abort', actor: 'bob' });
    const result = await h.runner.settled(started.id);
    const r = await h.get(started.id);
    expect(result?.status).toBe('SUCCEEDED');
    expect(r.phase).toBe('Aborted');
    expect(weights(r)).toEqual({ stable: 100, canary: 0 });
    expect(h.target.calls).not.toContain('setWeight 60');
    expect(h.bus.types(started.id)).toContain('signalbox-rollout.aborted');
  });

  it('aborts while waiting at a gate through the task token', async () => {
    const spec = canarySpec([{ setWeight: 10 }, { gate: { name: 'qa' } }]);
    const started = await startRollout(h.deps, { spec, actor: 'alice' });
    await h.waitFor(started.id, (r) => r.waiter !== null);
    expect(h.runner.waitingTokens()).toHaveLength(1);
    await operateRollout(h.deps, { id: started.id, verb: 'abort', actor: 'bob', comment: 'incident elsewhere' });
    const result = await h.runner.settled(started.id);
    const r = await h.get(started.id);
    expect(result?.status).toBe('SUCCEEDED');
    expect(r.phase).toBe('Aborted');
    expect(r.waiter).toBeNull();
    expect(weights(r)).toEqual({ stable: 100, canary: 0 });
  });

  it('retries a task when the target is briefly unavailable, and rolls back when it stays so', async () => {
    h.target.failSetWeight = 2;
    const ok = await startRollout(h.deps, { spec: canarySpec([{ setWeight: 40 }]), actor: 'alice' });
    expect((await h.runner.settled(ok.id))?.status).toBe('SUCCEEDED');
    expect(h.target.calls.filter((c) => c === 'setWeight 40')).toHaveLength(3);

    h.target.failSetWeight = 100;
    const bad = await startRollout(h.deps, { spec: canarySpec([{ setWeight: 40 }]), actor: 'alice' });
    const result = await h.runner.settled(bad.id);
    const r = await h.get(bad.id);
    expect(result).toMatchObject({ status: 'FAILED', error: 'Signalbox.RolledBack' });
    expect(r.phase).toBe('RolledBack');
    expect(r.failure?.error).toBe('Signalbox.TargetUnavailable');
  });

  it('is left Degraded when the rollback itself keeps failing', async () => {
    h.target.brokenRollback = true;
    const started = await startRollout(h.deps, { spec: canarySpec([{ setWeight: 40 }, { gate: { name: 'qa' } }]), actor: 'alice' });
    await h.waitFor(started.id, (r) => r.waiter !== null);
    await operateRollout(h.deps, { id: started.id, verb: 'abort', actor: 'bob' });
    const result = await h.runner.settled(started.id);
    const r = await h.get(started.id);
    expect(result).toMatchObject({ status: 'FAILED', error: 'Signalbox.RollbackFailed' });
    expect(r.phase).toBe('Degraded');
    expect(r.message).toMatch(/Rollback failed/);
  });

  it('rolls back when a step makes no progress within the progress deadline', async () => {
    h.target.refuse.add('confirm-traffic-increase');
    const spec = canarySpec([{ setWeight: 40 }], { progressDeadlineSeconds: 60 });
    const started = await startRollout(h.deps, { spec, actor: 'alice' });
    const result = await h.runner.settled(started.id);
    const r = await h.get(started.id);
    expect(result).toMatchObject({ status: 'FAILED', error: 'Signalbox.RolledBack' });
    expect(r.failure?.error).toBe('ProgressDeadlineExceeded');
    expect(r.message).toMatch(/confirm-traffic-increase hook refused/);
    expect(h.target.calls).not.toContain('setWeight 40');
  });

  it('measures background analysis in every step and rolls back when it fails', async () => {
    h.metrics.script.set('http://metrics.test/bg', [0.01, 0.01, 0.5]);
    const spec = canarySpec([{ setWeight: 10 }, { pause: { duration: '5m' } }, { setWeight: 50 }, { pause: { duration: '5m' } }], {
      analysisTemplates: [
        {
          name: 'bg',
          metrics: [{ name: 'bg-errors', provider: { type: 'http', url: 'http://metrics.test/bg', jsonPath: '$.v' }, failureCondition: 'result > 0.1', interval: '1m' }],
        },
      ],
      analysis: { templates: ['bg'], startingStep: 1 },
    });
    const started = await startRollout(h.deps, { spec, actor: 'alice' });
    const result = await h.runner.settled(started.id);
    const r = await h.get(started.id);
    expect(result).toMatchObject({ status: 'FAILED', error: 'Signalbox.RolledBack' });
    expect(r.analysisRuns.find((a) => a.kind === 'background')!.phase).toBe('Failed');
    expect(r.failure?.error).toBe('AnalysisFailed');
    expect(h.metrics.taken.filter((t) => t === 'http://metrics.test/bg')).toHaveLength(3);
    expect(h.bus.types(started.id)).toContain('incident.detected');
  });

  it('promote-full skips the remaining steps', async () => {
    const spec = canarySpec([{ setWeight: 10 }, { pause: {} }, { setWeight: 50 }, { pause: {} }]);
    const started = await startRollout(h.deps, { spec, actor: 'alice' });
    await h.waitFor(started.id, (r) => r.waiter !== null);
    await operateRollout(h.deps, { id: started.id, verb: 'promote-full', actor: 'bob' });
    expect((await h.runner.settled(started.id))?.status).toBe('SUCCEEDED');
    const r = await h.get(started.id);
    expect(r.plan.map((s) => s.status)).toEqual(['Completed', 'Skipped', 'Skipped', 'Skipped']);
    expect(h.target.calls.filter((c) => c.startsWith('setWeight'))).toEqual(['setWeight 10', 'setWeight 100']);
  });
});

describe('LocalRolloutRunner', () => {
  it('resumes an active rollout after a restart and continues where it was', async () => {
    const spec = canarySpec([{ setWeight: 25 }, { gate: { name: 'qa' } }, { setWeight: 75 }]);
    const started = await startRollout(h.deps, { spec, actor: 'alice' });
    const before = await h.waitFor(started.id, (r) => r.waiter !== null);
    await h.runner.stop();
    expect(h.runner.execution(started.id)?.status).toBe('ABORTED');
    expect(await h.runner.sendTaskSuccess(before.waiter!.token, {})).toBe(false);

    expect(await h.runner.resumeActive(h.store)).toEqual([started.id]);
    await h.waitFor(started.id, (r) => r.waiter !== null && r.waiter.token !== before.waiter!.token);
    await decideGate(h.deps, { id: started.id, gate: 'qa', decision: 'approve', actor: 'qa-lead' });
    expect((await h.runner.settled(started.id))?.status).toBe('SUCCEEDED');
    const r = await h.get(started.id);
    expect(r.phase).toBe('Promoted');
    expect(h.target.calls.filter((c) => c.startsWith('setWeight'))).toEqual(['setWeight 25', 'setWeight 75', 'setWeight 100']);
    expect(h.bus.types(started.id).filter((t) => t === 'signalbox-rollout.gateRequested')).toHaveLength(1);
  });
});

describe('operator verbs', () => {
  it('refuses verbs that do not fit the phase, naming why', async () => {
    const started = await startRollout(h.deps, { spec: canarySpec([{ setWeight: 10 }, { gate: { name: 'qa' } }]), actor: 'alice' });
    await h.waitFor(started.id, (r) => r.waiter !== null);
    await expect(operateRollout(h.deps, { id: started.id, verb: 'resume', actor: 'bob' })).rejects.toThrow(/waits for gate qa: approve or reject/);
    await expect(decideGate(h.deps, { id: started.id, gate: 'nope', decision: 'approve', actor: 'bob' })).rejects.toThrow(/no gate nope/);
    await decideGate(h.deps, { id: started.id, gate: 'qa', decision: 'approve', actor: 'bob' });
    await h.runner.settled(started.id);
    await expect(operateRollout(h.deps, { id: started.id, verb: 'abort', actor: 'bob' })).rejects.toThrow(/is Promoted/);
    const { retryRollout } = await import('../../functions/src/core/rollouts/operate');
    await expect(retryRollout(h.deps, { id: started.id, actor: 'bob' })).rejects.toThrow(/only an Aborted or RolledBack/);
  });

  it('a user pause holds the rollout before its next weight change until resume', async () => {
    const started = await startRollout(h.deps, { spec: canarySpec([{ setWeight: 10 }, { pause: { duration: '1m' } }, { setWeight: 50 }]), actor: 'alice' });
    await operateRollout(h.deps, { id: started.id, verb: 'pause', actor: 'bob' });
    const paused = await h.waitFor(started.id, (r) => r.waiter !== null);
    expect(paused.pause?.reason).toBe('PausedByUser');
    expect(h.target.calls).not.toContain('setWeight 50');
    await operateRollout(h.deps, { id: started.id, verb: 'resume', actor: 'bob' });
    expect((await h.runner.settled(started.id))?.status).toBe('SUCCEEDED');
    const types = h.bus.types(started.id);
    expect(types).toContain('signalbox-rollout.paused');
    expect(types).toContain('signalbox-rollout.resumed');
  });
});
