import { describe, expect, it } from 'vitest';
import { validateCdevent } from '../../functions/src/core/cdevents/validator';
import { recordMeasurement } from '../../functions/src/core/rollouts/analysis';
import { addSeconds, advance, finishPromotion, finishRollback, recordWeight } from '../../functions/src/core/rollouts/engine';
import { toCdevent, type RolloutOccurrence } from '../../functions/src/core/rollouts/events';
import { POLL_SECONDS, type Rollout } from '../../functions/src/core/rollouts/model';
import { compilePlan, newRollout } from '../../functions/src/core/rollouts/plan';
import { blueGreenSpec, canarySpec } from '../state-machines/harness';

const T0 = '2026-11-23T10:00:00.000Z';
const at = (seconds: number) => addSeconds(T0, seconds);

function rolloutOf(steps: unknown[], extra: Record<string, unknown> = {}): Rollout {
  return newRollout(canarySpec(steps, extra), { id: 'r1', now: T0, actor: 'alice' });
}

/** Marks the current setWeight step done the way ShiftTraffic does. */
function shifted(r: Rollout, weight: number, now: string): Rollout {
  const copy = structuredClone(r);
  recordWeight(copy, weight, weight, now);
  copy.plan[copy.currentStepIndex]!.status = 'Completed';
  copy.plan[copy.currentStepIndex]!.finishedAt = now;
  return copy;
}

describe('compilePlan', () => {
  it('titles canary steps and compiles blue-green stages', () => {
    const canary = compilePlan(
      canarySpec([{ setWeight: 20 }, { pause: { duration: '1h30m' } }, { pause: {} }, { gate: { name: 'qa', timeout: '1h' } }, { analysis: { templates: ['error-rate'] } }]),
    );
    expect(canary.map((s) => s.title)).toEqual([
      'Set weight to 20%',
      'Pause 1h 30m',
      'Pause until promoted',
      'Gate: qa (timeout 1h, then abort)',
      'Analysis: error-rate',
    ]);
    expect(canary[1]!.step).toEqual({ kind: 'pause', durationSeconds: 5400 });
    const bg = compilePlan(blueGreenSpec({ autoPromotionEnabled: false, postPromotionAnalysis: { templates: ['error-rate'] } }));
    expect(bg.map((s) => s.step.kind)).toEqual(['deployPreview', 'awaitPromotion', 'switchTraffic', 'postPromotionAnalysis', 'scaleDown']);
    expect(bg.at(-1)!.step).toEqual({ kind: 'scaleDown', delaySeconds: 30 });
  });
});

describe('advance', () => {
  it('starts the first step and asks for its weight', () => {
    const d = advance(rolloutOf([{ setWeight: 20 }]), T0);
    expect(d.next).toEqual({ action: 'shiftTraffic', weight: 20 });
    expect(d.rollout.plan[0]).toMatchObject({ status: 'Running', startedAt: T0 });
    expect(d.events).toEqual([{ kind: 'stepStarted', stepIndex: 0 }]);
  });

  it('holds a timed pause in slices of at most POLL_SECONDS, then moves on', () => {
    let r = advance(rolloutOf([{ setWeight: 20 }, { pause: { duration: '25s' } }, { setWeight: 40 }]), T0).rollout;
    r = shifted(r, 20, T0);
    let d = advance(r, T0);
    expect(d.next).toEqual({ action: 'hold', seconds: POLL_SECONDS });
    expect(d.rollout.phase).toBe('Paused');
    expect(d.rollout.pause).toMatchObject({ reason: 'PauseStep', until: at(25) });
    d = advance(d.rollout, at(20));
    expect(d.next).toEqual({ action: 'hold', seconds: 5 });
    d = advance(d.rollout, at(25));
    expect(d.next).toEqual({ action: 'shiftTraffic', weight: 40 });
    expect(d.rollout.pause).toBeNull();
    expect(d.rollout.plan[1]!.waitedOnPeopleSeconds).toBe(0);
  });

  it('awaits a person at an indefinite pause and counts the time when promote ends it', () => {
    let r = advance(rolloutOf([{ setWeight: 20 }, { pause: {} }]), T0).rollout;
    r = shifted(r, 20, T0);
    let d = advance(r, T0);
    expect(d.next).toEqual({ action: 'await', timeoutSeconds: 86_400 });
    expect(d.rollout).toMatchObject({ phase: 'Paused', pause: { reason: 'PauseStep', until: null, waitingFor: 'promote' } });
    d.rollout.signals.promote = { at: at(90), actor: 'bob', full: false };
    d = advance(d.rollout, at(90));
    expect(d.next).toEqual({ action: 'promote' });
    expect(d.rollout.signals.promote).toBeUndefined();
    expect(d.rollout.plan[1]).toMatchObject({ status: 'Completed', waitedOnPeopleSeconds: 90 });
  });

  it('answers rollback to an abort signal before anything else', () => {
    const r = rolloutOf([{ setWeight: 20 }]);
    r.signals.abort = { at: T0, actor: 'bob', reason: 'bad' };
    const d = advance(r, T0);
    expect(d.next).toEqual({ action: 'rollback', reason: 'Aborted by bob: bad' });
    expect(d.rollout.failure).toEqual({ error: 'Aborted', cause: 'Aborted by bob: bad' });
  });

  it('requests a gate once, sleeps until its deadline, then applies onTimeout', () => {
    let r = advance(rolloutOf([{ setWeight: 20 }, { gate: { name: 'qa', timeout: '1h', onTimeout: 'abort' } }]), T0).rollout;
    r = shifted(r, 20, T0);
    let d = advance(r, T0);
    expect(d.next).toEqual({ action: 'await', timeoutSeconds: 3600 });
    expect(d.events.filter((e) => e.kind === 'custom')).toEqual([
      { kind: 'custom', predicate: 'gateRequested', key: 'gate-1-requested', data: { gate: 'qa', deadline: at(3600), onTimeout: 'abort' } },
    ]);
    d = advance(d.rollout, at(1800));
    expect(d.next).toEqual({ action: 'await', timeoutSeconds: 1800 });
    expect(d.events).toEqual([]);
    d = advance(d.rollout, at(3600));
    expect(d.next.action).toBe('rollback');
    expect(d.rollout.gates[0]!.status).toBe('TimedOut');
    expect(d.rollout.plan[1]!.status).toBe('Failed');
  });

  it('measures an analysis step when due and holds until the next measurement', () => {
    let r = advance(rolloutOf([{ setWeight: 20 }, { analysis: { templates: ['error-rate'] } }]), T0).rollout;
    r = shifted(r, 20, T0);
    let d = advance(r, T0);
    expect(d.next).toEqual({ action: 'measure' });
    const run = d.rollout.analysisRuns[0]!;
    expect(run).toMatchObject({ id: 'r1-step-1', kind: 'step', phase: 'Pending' });
    const metric = d.rollout.spec.analysisTemplates![0]!.metrics[0]!;
    run.metrics[0] = recordMeasurement(metric, run.metrics[0]!, { phase: 'Successful', value: 0.01, startedAt: T0, finishedAt: T0 });
    run.phase = 'Running';
    d = advance(d.rollout, at(1));
    expect(d.next).toEqual({ action: 'hold', seconds: POLL_SECONDS });
    d = advance(d.rollout, at(30));
    expect(d.next).toEqual({ action: 'measure' });
  });

  it('holds before the next traffic change while a user pause is signalled', () => {
    let r = advance(rolloutOf([{ setWeight: 20 }, { setWeight: 40 }]), T0).rollout;
    r = shifted(r, 20, T0);
    r.signals.pause = { at: T0, actor: 'bob' };
    const d = advance(r, T0);
    expect(d.next.action).toBe('await');
    expect(d.rollout).toMatchObject({ phase: 'Paused', pause: { reason: 'PausedByUser', waitingFor: 'resume' } });
  });

  it('rolls back a work step that makes no progress within the deadline', () => {
    const r = advance(rolloutOf([{ setWeight: 20 }], { progressDeadlineSeconds: 60 }), T0).rollout;
    r.plan[0]!.retryAt = at(70);
    r.plan[0]!.note = 'confirm-traffic-increase hook refused';
    expect(advance(r, at(30)).next).toEqual({ action: 'hold', seconds: POLL_SECONDS });
    const d = advance(r, at(61));
    expect(d.next.action).toBe('rollback');
    expect(d.rollout.failure?.error).toBe('ProgressDeadlineExceeded');
  });
});

describe('finishing and events', () => {
  it('finishes once, and every event a rollout emits validates as a CDEvent', () => {
    const r = advance(rolloutOf([{ setWeight: 20 }, { gate: { name: 'qa' } }]), T0).rollout;
    const rolledBack = structuredClone(r);
    rolledBack.signals.abort = { at: T0, actor: 'bob', reason: '' };
    const events = finishRollback(rolledBack, at(5));
    expect(rolledBack.phase).toBe('Aborted');
    expect(finishRollback(rolledBack, at(6))).toEqual([]);
    const promoted = structuredClone(r);
    const more = finishPromotion(promoted, at(5));
    expect(promoted.phase).toBe('Promoted');
    const all: RolloutOccurrence[] = [
      { kind: 'queued' },
      { kind: 'started' },
      { kind: 'stepStarted', stepIndex: 0 },
      { kind: 'stepFinished', stepIndex: 0, outcome: 'failure', errors: 'x' },
      { kind: 'incidentDetected', description: 'error rate 0.3' },
      { kind: 'incidentResolved', description: 'back on 1.0.0' },
      { kind: 'custom', predicate: 'gateRequested', key: 'gate-1-requested', data: { gate: 'qa' } },
      ...events,
      ...more,
    ];
    const first = newRollout({ ...r.spec, fromVersion: null }, { id: 'r2', now: T0, actor: 'a' });
    for (const o of all) {
      for (const doc of [r, first]) {
        const cdevent = toCdevent(doc, o, at(5), 'https://portal.example.com');
        expect(validateCdevent(cdevent).violations, `${o.kind} ${cdevent.context.type}`).toEqual([]);
      }
    }
    expect(toCdevent(first, { kind: 'serviceRolledBack' }, T0).context.type).toBe('dev.cdevents.service.removed.0.3.0');
    expect(toCdevent(first, { kind: 'serviceUpgraded' }, T0).context.type).toBe('dev.cdevents.service.deployed.0.3.0');
    expect(toCdevent(r, { kind: 'started' }, T0).context.id).toBe(toCdevent(r, { kind: 'started' }, at(9)).context.id);
  });
});

describe('describeRollout', () => {
  it('adds durations, counting a people-wait in progress', async () => {
    const { describeRollout } = await import('../../functions/src/core/rollouts/operate');
    let r = advance(rolloutOf([{ setWeight: 20 }, { gate: { name: 'qa' } }]), T0).rollout;
    r = shifted(r, 20, T0);
    r = advance(r, at(10)).rollout;
    const detail = describeRollout(r, at(70));
    expect(detail.durations).toEqual({ totalSeconds: 70, waitingOnPeopleSeconds: 60, currentStepSeconds: 60 });
  });
});
