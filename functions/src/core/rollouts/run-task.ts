import { versionOfArtifact } from '../cdevents/artifact';
import { DependencyError, NotFoundError } from '../errors';
import type { MetricQueryContext } from '../ports/metric-providers';
import type { HookType, TargetContext, TrafficTarget } from '../ports/traffic-target';
import { analysisPhase, assessMeasurement, isTerminalPhase, nextMeasurementAt, recordMeasurement } from './analysis';
import type { RolloutDeps } from './deps';
import {
  addSeconds,
  advance,
  completeStep,
  dueMeasurements,
  finishPromotion,
  finishRollback,
  recordWeight,
} from './engine';
import { publishOccurrences, type RolloutOccurrence } from './events';
import { POLL_SECONDS, ROLLOUT_ERRORS, type Measurement, type NextAction, type Rollout, type RolloutPhase, type RolloutTaskInput } from './model';
import { isFinished } from './summary';
import { updateRollout } from './update';

/** What `RollBack` returns (`$.outcome`): the end phase, so the machine ends Aborted or RolledBack. */
export interface RollbackOutcome {
  phase: RolloutPhase;
}

/** An error the state machine's Retry/Catch clauses match by name (`Signalbox.TargetUnavailable`, …). */
export class RolloutTaskError extends Error {
  constructor(name: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

/** The target context of a rollout, as adapters see it. */
export function targetContext(r: Rollout): TargetContext {
  return {
    rolloutId: r.id,
    service: r.spec.service,
    environment: r.spec.environment,
    phase: r.phase,
    step: r.currentStepIndex,
    stable: { artifactId: r.spec.fromVersion, version: versionOfArtifact(r.spec.fromVersion) },
    canary: { artifactId: r.spec.toVersion, version: versionOfArtifact(r.spec.toVersion) },
    metadata: r.spec.target.type === 'webhook' ? (r.spec.target.metadata ?? {}) : {},
  };
}

// A target that cannot be reached surfaces under the name the machine retries on.
async function onTarget<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DependencyError) {
      throw new RolloutTaskError(ROLLOUT_ERRORS.targetUnavailable, `${what}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function currentCanary(r: Rollout): number | null {
  return r.weights.find((w) => w.role === 'canary')?.actual ?? null;
}

async function load(deps: RolloutDeps, id: string): Promise<Rollout> {
  const r = await deps.rollouts.get(id);
  if (!r) throw new NotFoundError(`rollout ${id} does not exist`, 'rolloutId');
  return r;
}

async function publish(deps: RolloutDeps, r: Rollout, events: RolloutOccurrence[], now: string): Promise<void> {
  await publishOccurrences(deps, r, events, now);
}

/** The step the machine is at, when it is of one of `kinds` and still running. */
function runningStep(r: Rollout, kinds: string[]) {
  const step = r.plan[r.currentStepIndex];
  return step && step.status === 'Running' && kinds.includes(step.step.kind) ? step : null;
}

/** Completes a work step after its I/O; a refused confirm-hook leaves it running with `retryAt`. */
async function finishWorkStep(
  deps: RolloutDeps,
  id: string,
  stepIndex: number,
  now: string,
  apply: (r: Rollout, events: RolloutOccurrence[]) => void,
): Promise<void> {
  const { rollout, value } = await updateRollout(deps.rollouts, id, (r) => {
    const events: RolloutOccurrence[] = [];
    if (r.currentStepIndex !== stepIndex || r.plan[stepIndex]?.status !== 'Running') return { value: events, save: false };
    apply(r, events);
    completeStep(r, stepIndex, now, events);
    r.updatedAt = now;
    return { value: events, save: true };
  });
  await publish(deps, rollout, value, now);
}

async function refuse(deps: RolloutDeps, id: string, stepIndex: number, now: string, note: string): Promise<void> {
  await updateRollout(deps.rollouts, id, (r) => {
    const step = r.plan[stepIndex];
    if (r.currentStepIndex !== stepIndex || step?.status !== 'Running') return { value: null, save: false };
    step.retryAt = addSeconds(now, POLL_SECONDS);
    step.note = note;
    r.message = note;
    r.updatedAt = now;
    return { value: null, save: true };
  });
}

async function hookOk(target: TrafficTarget, r: Rollout, type: HookType): Promise<{ proceed: boolean; note: string }> {
  const result = await onTarget(`${type} hook`, () => target.hook(targetContext(r), type));
  return { proceed: result.proceed, note: `${type} hook refused${result.message ? `: ${result.message}` : ''}; retrying` };
}

async function shiftWeight(
  deps: RolloutDeps,
  r: Rollout,
  target: TrafficTarget,
  weight: number,
  confirmHook: HookType | null,
  now: string,
): Promise<void> {
  const stepIndex = r.currentStepIndex;
  const before = currentCanary(r);
  if (confirmHook && weight > (before ?? 0)) {
    const hook = await hookOk(target, r, confirmHook);
    if (!hook.proceed) return refuse(deps, r.id, stepIndex, now, hook.note);
  }
  const split = await onTarget(`set weight ${weight}%`, () => target.setWeight(targetContext(r), weight));
  await finishWorkStep(deps, r.id, stepIndex, now, (fresh, events) => {
    recordWeight(fresh, weight, split.canary, now);
    events.push({
      kind: 'custom',
      predicate: 'weightChanged',
      key: `weight-step-${stepIndex}`,
      data: { from: before, to: split.canary, desired: weight, stable: split.stable },
    });
  });
}

async function measureDue(deps: RolloutDeps, r: Rollout): Promise<void> {
  const due = dueMeasurements(r, deps.clock.now());
  if (due.length === 0) return;
  const taken: { runId: string; name: string; before: number; m: Measurement }[] = [];
  for (const { runId, metric } of due) {
    const run = r.analysisRuns.find((x) => x.id === runId)!;
    const ctx: MetricQueryContext = {
      rolloutId: r.id,
      service: r.spec.service,
      environment: r.spec.environment,
      target: r.spec.target,
      stableVersion: versionOfArtifact(r.spec.fromVersion),
      canaryVersion: versionOfArtifact(r.spec.toVersion),
      since: run.startedAt,
    };
    const startedAt = deps.clock.now();
    let outcome: Parameters<typeof assessMeasurement>[1];
    try {
      outcome = { value: await deps.metrics.measure(metric.provider, ctx) };
    } catch (error) {
      outcome = { error: error instanceof Error ? error.message : String(error) };
    }
    const result = run.metrics.find((x) => x.name === metric.name)!;
    taken.push({
      runId,
      name: metric.name,
      before: result.successful + result.failed + result.inconclusive + result.error,
      m: assessMeasurement(metric, outcome, startedAt, deps.clock.now()),
    });
  }
  const now = deps.clock.now();
  const { rollout, value } = await updateRollout(deps.rollouts, r.id, (fresh) => {
    let changed = false;
    for (const t of taken) {
      const run = fresh.analysisRuns.find((x) => x.id === t.runId);
      const result = run?.metrics.find((x) => x.name === t.name);
      const spec = due.find((d) => d.runId === t.runId && d.metric.name === t.name)!.metric;
      // Applied once: a retried task (or a run stopped meanwhile) finds the counters moved on.
      if (!run || !result || run.finishedAt !== null) continue;
      if (result.successful + result.failed + result.inconclusive + result.error !== t.before) continue;
      if (nextMeasurementAt(spec, result, run.startedAt) === null) continue;
      run.metrics = run.metrics.map((x) => (x.name === t.name ? recordMeasurement(spec, x, t.m) : x));
      run.phase = analysisPhase(run.metrics);
      if (isTerminalPhase(run.phase) && run.kind !== 'background') run.finishedAt = now;
      changed = true;
    }
    if (changed) fresh.updatedAt = now;
    return { value: [] as RolloutOccurrence[], save: changed };
  });
  await publish(deps, rollout, value, now);
}

/**
 * Runs one state-machine task for a rollout (`input.task` names the ASL Task state):
 * - `InitializeRollout`: records the execution id, calls the `pre-rollout` hook once, emits pipelineRun.started;
 * - `AdvanceRollout`: the engine's decision ({@link advance}) saved and returned as the `NextAction`
 *   (a `promote` waits while the `confirm-promotion` hook refuses);
 * - `ShiftTraffic`, `DeployPreview`, `SwitchTraffic`, `ScaleDownPrevious`: the target I/O of the
 *   current step, then the step completes (a refused `confirm-*` hook leaves it to retry later);
 * - `RunAnalysis`: takes every measurement that is due;
 * - `AwaitApproval`: stores the waiter (task token) — or, when a decision or signal already
 *   arrived, completes its own token at once;
 * - `PromoteRollout` / `RollBack`: move all traffic to one version and end the rollout
 *   (`RollBack` returns {@link RollbackOutcome}; when its I/O fails the rollout is left Degraded).
 *
 * Idempotent per task: a retried task re-reads the rollout and does only what is still to do;
 * writes use optimistic concurrency; events have deterministic ids.
 *
 * @throws RolloutTaskError `Signalbox.TargetUnavailable` when the target cannot be reached (the
 *   machine retries); NotFoundError for an unknown rollout; DependencyError for store/bus failures.
 */
export async function runRolloutTask(
  deps: RolloutDeps,
  input: RolloutTaskInput,
): Promise<NextAction | RollbackOutcome | Record<string, never>> {
  const r = await load(deps, input.rolloutId);
  const now = deps.clock.now();
  switch (input.task) {
    case 'InitializeRollout': {
      if (isFinished(r.phase)) return {};
      if (r.currentStepIndex < 0 && r.executionId === null) {
        const target = deps.targets.resolve(r.spec.target);
        const hook = await hookOk(target, r, 'pre-rollout');
        if (!hook.proceed) throw new RolloutTaskError('Signalbox.HookRefused', hook.note.replace(/; retrying$/, ''));
      }
      const { rollout } = await updateRollout(deps.rollouts, r.id, (fresh) => {
        if (input.executionId && fresh.executionId !== input.executionId) {
          fresh.executionId = input.executionId;
          fresh.updatedAt = now;
          if (fresh.currentStepIndex < 0) fresh.message = 'Started';
          return { value: null, save: true };
        }
        return { value: null, save: false };
      });
      await publish(deps, rollout, [{ kind: 'started' }], now);
      return {};
    }
    case 'AdvanceRollout': {
      let hookNote: string | null = null;
      // Blue-green asked confirm-promotion before its switch; once traffic is all on the new version there is nothing to confirm.
      if (!isFinished(r.phase) && currentCanary(r) !== 100 && advance(r, now).next.action === 'promote') {
        const hook = await hookOk(deps.targets.resolve(r.spec.target), r, 'confirm-promotion');
        if (!hook.proceed) hookNote = hook.note;
      }
      const { rollout, value } = await updateRollout(deps.rollouts, r.id, (fresh) => {
        const d = advance(fresh, now);
        if (hookNote && d.next.action === 'promote') {
          d.rollout.message = hookNote;
          d.next = { action: 'hold', seconds: POLL_SECONDS };
        }
        Object.assign(fresh, d.rollout);
        return { value: d, save: !isFinished(fresh.phase) };
      });
      await publish(deps, rollout, value.events, now);
      deps.logger.info('rollout advanced', { rolloutId: r.id, next: value.next, step: rollout.currentStepIndex });
      return value.next;
    }
    case 'ShiftTraffic': {
      const step = runningStep(r, ['setWeight']);
      if (!step || step.step.kind !== 'setWeight') return {};
      await shiftWeight(deps, r, deps.targets.resolve(r.spec.target), step.step.weight, 'confirm-traffic-increase', now);
      return {};
    }
    case 'SwitchTraffic': {
      if (!runningStep(r, ['switchTraffic'])) return {};
      await shiftWeight(deps, r, deps.targets.resolve(r.spec.target), 100, 'confirm-promotion', now);
      return {};
    }
    case 'DeployPreview': {
      if (!runningStep(r, ['deployPreview'])) return {};
      const target = deps.targets.resolve(r.spec.target);
      await onTarget('deploy preview', () => target.deployPreview(targetContext(r)));
      await finishWorkStep(deps, r.id, r.currentStepIndex, now, () => {});
      return {};
    }
    case 'ScaleDownPrevious': {
      if (!runningStep(r, ['scaleDown'])) return {};
      const target = deps.targets.resolve(r.spec.target);
      if (r.spec.fromVersion !== null) await onTarget('scale down', () => target.scaleDown(targetContext(r), 'stable'));
      await finishWorkStep(deps, r.id, r.currentStepIndex, now, () => {});
      return {};
    }
    case 'RunAnalysis':
      if (!isFinished(r.phase)) await measureDue(deps, r);
      return {};
    case 'AwaitApproval':
      await awaitApproval(deps, r, input.taskToken, now);
      return {};
    case 'PromoteRollout': {
      if (isFinished(r.phase)) return {};
      const target = deps.targets.resolve(r.spec.target);
      const before = currentCanary(r);
      const split = before === 100 ? { stable: 0, canary: 100 } : await onTarget('set weight 100%', () => target.setWeight(targetContext(r), 100));
      const scaledDown = r.plan.some((s) => s.step.kind === 'scaleDown' && s.status === 'Completed');
      if (r.spec.fromVersion !== null && !scaledDown) await onTarget('scale down', () => target.scaleDown(targetContext(r), 'stable'));
      await onTarget('post-rollout hook', () => target.hook(targetContext(r), 'post-rollout'));
      const { rollout, value } = await updateRollout(deps.rollouts, r.id, (fresh) => {
        const events: RolloutOccurrence[] = [];
        if (isFinished(fresh.phase)) return { value: events, save: false };
        recordWeight(fresh, 100, split.canary, now);
        if (before !== split.canary) {
          events.push({ kind: 'custom', predicate: 'weightChanged', key: 'weight-promote', data: { from: before, to: split.canary, desired: 100 } });
        }
        events.push(...finishPromotion(fresh, now));
        return { value: events, save: true };
      });
      await publish(deps, rollout, value, now);
      return {};
    }
    case 'RollBack':
      return rollBack(deps, r, input.error, now);
  }
}

async function rollBack(deps: RolloutDeps, r: Rollout, error: RolloutTaskInput['error'], now: string): Promise<RollbackOutcome> {
  if (isFinished(r.phase)) return { phase: r.phase };
  const before = currentCanary(r);
  let split: { stable: number; canary: number };
  try {
    const target = deps.targets.resolve(r.spec.target);
    split = await onTarget('set weight 0%', () => target.setWeight(targetContext(r), 0));
    await onTarget('rollback hook', () => target.hook(targetContext(r), 'rollback'));
    await onTarget('scale down', () => target.scaleDown(targetContext(r), 'canary'));
  } catch (failure) {
    const why = failure instanceof Error ? failure.message : String(failure);
    await updateRollout(deps.rollouts, r.id, (fresh) => {
      if (isFinished(fresh.phase)) return { value: null, save: false };
      fresh.phase = 'Degraded';
      fresh.message = `Rollback failed, traffic may still reach ${fresh.spec.toVersion}: ${why}`;
      fresh.updatedAt = now;
      return { value: null, save: true };
    });
    throw failure;
  }
  const { rollout, value } = await updateRollout(deps.rollouts, r.id, (fresh) => {
    const events: RolloutOccurrence[] = [];
    if (isFinished(fresh.phase)) return { value: events, save: false };
    recordWeight(fresh, 0, split.canary, now);
    if (before !== null && before !== split.canary) {
      events.push({ kind: 'custom', predicate: 'weightChanged', key: 'weight-rollback', data: { from: before, to: split.canary, desired: 0 } });
    }
    // A caught task error explains the rollback unless the engine already recorded why.
    const caught = error && (error.Error || error.Cause) ? error : undefined;
    events.push(...finishRollback(fresh, now, caught));
    return { value: events, save: true };
  });
  await publish(deps, rollout, value, now);
  deps.logger.info('rollout ended', { rolloutId: r.id, phase: rollout.phase });
  return { phase: rollout.phase };
}

async function awaitApproval(deps: RolloutDeps, r: Rollout, token: string | undefined, now: string): Promise<void> {
  if (!token) throw new RolloutTaskError('Signalbox.InvalidTaskInput', 'AwaitApproval needs a taskToken');
  const { value } = await updateRollout(deps.rollouts, r.id, (fresh) => {
    const d = advance(fresh, now);
    if (d.next.action !== 'await') return { value: { next: d.next, aborted: fresh.signals.abort !== undefined }, save: false };
    fresh.waiter = {
      token,
      stepIndex: fresh.currentStepIndex,
      reason: d.rollout.pause?.reason ?? 'PausedByUser',
      since: now,
    };
    fresh.updatedAt = now;
    return { value: null, save: true };
  });
  if (value === null) return;
  // The decision or signal arrived before the waiter was stored: nobody else will complete it.
  if (value.next.action === 'rollback' && value.aborted) {
    await deps.rolloutRunner.sendTaskFailure(token, ROLLOUT_ERRORS.aborted, value.next.reason);
  } else {
    await deps.rolloutRunner.sendTaskSuccess(token, { resumed: true });
  }
}
