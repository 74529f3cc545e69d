import { analysisPhase, describeAnalysis, isTerminalPhase, newMetricResult, nextMeasurementAt, resolveMetrics, terminateMetric } from './analysis';
import type { RolloutOccurrence } from './events';
import { formatDuration } from './duration';
import {
  POLL_SECONDS,
  type AnalysisRef,
  type AnalysisRunStatus,
  type MetricSpec,
  type NextAction,
  type PauseStatus,
  type Rollout,
  type StepStatus,
} from './model';
import { isFinished } from './summary';

/** Argo's default progress deadline, in seconds. */
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
/** The longest a waiting machine sleeps before it looks again (gate deadlines, background analysis). */
export const MAX_AWAIT_SECONDS = 86_400;

/** What the engine decided: the updated document, what the machine does next, what to publish. */
export interface Decision {
  rollout: Rollout;
  next: NextAction;
  events: RolloutOccurrence[];
}

type StepOutcome =
  | { done: true }
  | { next: NextAction; pause?: Omit<PauseStatus, 'since'>; message: string }
  | { rollback: string; error: string; incident?: boolean };

export function secondsBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / 1_000;
}

export function addSeconds(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1_000).toISOString();
}

function wholeSeconds(seconds: number, min: number): number {
  return Math.max(min, Math.ceil(seconds));
}

/** Whether a pause waits on a person (counted in `waitedOnPeopleSeconds`), not on the clock. */
export function waitsOnPeople(pause: Pick<PauseStatus, 'reason' | 'until'>): boolean {
  if (pause.reason === 'PauseStep' || pause.reason === 'AwaitingPromotion') return pause.until === null;
  return true;
}

/**
 * Sets the rollout's pause, keeping `since` when it is the same pause, and adds the time a finished
 * people-wait lasted to the current step's `waitedOnPeopleSeconds`.
 */
export function setPause(r: Rollout, pause: Omit<PauseStatus, 'since'> | null, now: string): void {
  const old = r.pause;
  const same = old && pause && old.reason === pause.reason && old.gate === pause.gate && old.until === pause.until;
  if (same) {
    r.pause = { ...old, ...pause, since: old.since };
    return;
  }
  if (old && waitsOnPeople(old)) {
    const step = r.plan[r.currentStepIndex];
    if (step) step.waitedOnPeopleSeconds += Math.max(0, Math.round(secondsBetween(old.since, now)));
  }
  r.pause = pause ? { ...pause, since: now } : null;
}

/** The analysis ref a run measures (the step's, or the spec's background analysis). */
export function analysisRefOf(r: Rollout, run: AnalysisRunStatus): AnalysisRef | null {
  if (run.kind === 'background') return r.spec.strategy === 'canary' ? (r.spec.analysis ?? null) : null;
  const step = r.plan[run.stepIndex]?.step;
  return step && 'analysis' in step ? step.analysis : null;
}

/** The metrics of a run, resolved against the spec's templates. */
export function metricsOf(r: Rollout, run: AnalysisRunStatus): MetricSpec[] {
  const ref = analysisRefOf(r, run);
  return ref ? resolveMetrics(ref, r.spec.analysisTemplates ?? [], run.kind === 'background' ? 'analysis' : `steps[${run.stepIndex}].analysis`) : [];
}

/** When the next measurement of a running run is due (ISO), or null. */
export function runDueAt(r: Rollout, run: AnalysisRunStatus): string | null {
  if (run.finishedAt !== null || isTerminalPhase(run.phase)) return null;
  const specs = metricsOf(r, run);
  let due: string | null = null;
  for (const result of run.metrics) {
    const spec = specs.find((m) => m.name === result.name);
    if (!spec) continue;
    const at = nextMeasurementAt(spec, result, run.startedAt);
    if (at !== null && (due === null || at < due)) due = at;
  }
  return due;
}

/** Runs that have a metric due now, with the due metrics: what `RunAnalysis` measures. */
export function dueMeasurements(r: Rollout, now: string): { runId: string; metric: MetricSpec }[] {
  const out: { runId: string; metric: MetricSpec }[] = [];
  for (const run of r.analysisRuns) {
    if (run.finishedAt !== null || isTerminalPhase(run.phase)) continue;
    const specs = metricsOf(r, run);
    for (const result of run.metrics) {
      const spec = specs.find((m) => m.name === result.name);
      const at = spec ? nextMeasurementAt(spec, result, run.startedAt) : null;
      if (spec && at !== null && at <= now) out.push({ runId: run.id, metric: spec });
    }
  }
  return out;
}

function startRun(r: Rollout, kind: AnalysisRunStatus['kind'], stepIndex: number, ref: AnalysisRef, now: string): AnalysisRunStatus {
  const id = `${r.id}-${kind}-${stepIndex}`;
  const existing = r.analysisRuns.find((x) => x.id === id);
  if (existing) return existing;
  const field = kind === 'background' ? 'analysis' : `steps[${stepIndex}].analysis`;
  const run: AnalysisRunStatus = {
    id,
    kind,
    stepIndex,
    templates: [...ref.templates],
    phase: 'Pending',
    startedAt: now,
    finishedAt: null,
    metrics: resolveMetrics(ref, r.spec.analysisTemplates ?? [], field).map((m) => newMetricResult(m.name)),
  };
  r.analysisRuns.push(run);
  return run;
}

/** Stops a run that is still measuring (Argo terminates it: running metrics count as Successful). */
export function finishRun(run: AnalysisRunStatus, now: string, message?: string): void {
  if (run.finishedAt !== null) return;
  if (!isTerminalPhase(run.phase)) {
    run.metrics = run.metrics.map(terminateMetric);
    run.phase = analysisPhase(run.metrics);
    if (message) run.message = message;
  }
  run.finishedAt = now;
}

function startStep(r: Rollout, index: number, now: string, events: RolloutOccurrence[]): void {
  r.currentStepIndex = index;
  const step = r.plan[index];
  if (!step || step.status !== 'Pending') return;
  step.status = 'Running';
  step.startedAt = now;
  events.push({ kind: 'stepStarted', stepIndex: index });
}

/**
 * Marks step `index` finished (Completed by default) and emits its taskRun.finished. Idempotent: a
 * step that is no longer Pending/Running is left alone. Used by the engine and by the I/O tasks
 * (ShiftTraffic, DeployPreview, SwitchTraffic, ScaleDownPrevious) once their work is done.
 */
export function completeStep(
  r: Rollout,
  index: number,
  now: string,
  events: RolloutOccurrence[],
  status: 'Completed' | 'Skipped' | 'Failed' = 'Completed',
  errors?: string,
): boolean {
  const step = r.plan[index];
  if (!step || (step.status !== 'Running' && step.status !== 'Pending')) return false;
  const wasStarted = step.status === 'Running';
  if (index === r.currentStepIndex) setPause(r, null, now);
  step.status = status;
  step.finishedAt = now;
  delete step.retryAt;
  if (status === 'Skipped' && !wasStarted) return true;
  for (const run of r.analysisRuns) if (run.kind !== 'background' && run.stepIndex === index) finishRun(run, now, 'stopped with its step');
  events.push({
    kind: 'stepFinished',
    stepIndex: index,
    outcome: status === 'Completed' ? 'success' : status === 'Skipped' ? 'skipped' : 'failure',
    ...(errors ? { errors } : {}),
  });
  return true;
}

function consumePromote(r: Rollout): string | null {
  const p = r.signals.promote;
  if (!p || p.full) return null;
  delete r.signals.promote;
  return p.actor;
}

function progressDeadline(r: Rollout): number {
  return r.spec.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS;
}

function holdFor(seconds: number): NextAction {
  return { action: 'hold', seconds: wholeSeconds(Math.min(POLL_SECONDS, seconds), 1) };
}

/** A step doing work (not waiting on people or the clock) that made no progress for too long. */
function deadlineExceeded(r: Rollout, step: StepStatus, now: string): StepOutcome | null {
  if (!step.startedAt) return null;
  const limit = progressDeadline(r);
  if (secondsBetween(step.startedAt, now) <= limit) return null;
  return {
    rollback: `ProgressDeadlineExceeded: step ${step.index + 1} (${step.title}) made no progress for ${formatDuration(limit)}${step.note ? `: ${step.note}` : ''}`,
    error: 'ProgressDeadlineExceeded',
  };
}

function workStep(r: Rollout, step: StepStatus, now: string, next: NextAction, message: string): StepOutcome {
  const late = deadlineExceeded(r, step, now);
  if (late) return late;
  if (step.retryAt && step.retryAt > now) {
    return { next: holdFor(secondsBetween(now, step.retryAt)), message: `${message}: ${step.note ?? 'waiting to retry'}` };
  }
  return { next, message };
}

function analysisStep(r: Rollout, step: StepStatus, ref: AnalysisRef, kind: AnalysisRunStatus['kind'], now: string): StepOutcome {
  const run = startRun(r, kind, step.index, ref, now);
  const promotedBy = consumePromote(r);
  if (promotedBy !== null) {
    finishRun(run, now, `skipped: promoted by ${promotedBy}`);
    return { done: true };
  }
  switch (run.phase) {
    case 'Successful':
      finishRun(run, now);
      return { done: true };
    case 'Failed':
    case 'Error': {
      finishRun(run, now);
      const why = `Analysis ${describeAnalysis(run)}`;
      if (r.spec.onAnalysisFailure === 'pause') {
        return {
          next: { action: 'await', timeoutSeconds: awaitTimeout(r, now, null) },
          pause: { reason: 'AnalysisFailed', until: null, waitingFor: 'resume (accept the result and go on), or abort' },
          message: `Paused: ${why}`,
        };
      }
      return { rollback: why, error: 'AnalysisFailed', incident: true };
    }
    case 'Inconclusive':
      return {
        next: { action: 'await', timeoutSeconds: awaitTimeout(r, now, null) },
        pause: { reason: 'Inconclusive', until: null, waitingFor: 'resume (accept and go on), or abort' },
        message: `Paused: analysis inconclusive: ${describeAnalysis(run)}`,
      };
    default: {
      const due = runDueAt(r, run);
      if (due === null) return { next: holdFor(POLL_SECONDS), message: `Analysing (${run.templates.join(', ')})` };
      if (due <= now) return { next: { action: 'measure' }, message: `Analysing (${run.templates.join(', ')})` };
      return { next: holdFor(secondsBetween(now, due)), message: `Analysing (${run.templates.join(', ')}); next measurement ${due}` };
    }
  }
}

/** Seconds an `await` may sleep: until a gate deadline or the next background measurement, at most a day. */
function awaitTimeout(r: Rollout, now: string, deadline: string | null): number {
  let seconds = MAX_AWAIT_SECONDS;
  if (deadline) seconds = Math.min(seconds, secondsBetween(now, deadline));
  const bg = r.analysisRuns.find((x) => x.kind === 'background');
  const due = bg ? runDueAt(r, bg) : null;
  if (due) seconds = Math.min(seconds, secondsBetween(now, due));
  return wholeSeconds(seconds, 1);
}

function timedPause(
  step: StepStatus,
  now: string,
  seconds: number,
  reason: 'PauseStep' | 'AwaitingPromotion',
  waitingFor: string,
): StepOutcome {
  const until = addSeconds(step.startedAt ?? now, seconds);
  if (now >= until) return { done: true };
  return {
    next: holdFor(secondsBetween(now, until)),
    pause: { reason, until, waitingFor },
    message: `Paused until ${until} (${step.title})`,
  };
}

function decideStep(r: Rollout, step: StepStatus, now: string, events: RolloutOccurrence[]): StepOutcome {
  const s = step.step;
  switch (s.kind) {
    case 'setWeight':
      return workStep(r, step, now, { action: 'shiftTraffic', weight: s.weight }, `Setting canary weight to ${s.weight}%`);
    case 'deployPreview':
      return workStep(r, step, now, { action: 'deployPreview' }, 'Deploying the preview version');
    case 'switchTraffic':
      return workStep(r, step, now, { action: 'switchTraffic' }, 'Switching traffic to the new version');
    case 'scaleDown': {
      const until = addSeconds(step.startedAt ?? now, s.delaySeconds);
      if (now < until) return { next: holdFor(secondsBetween(now, until)), message: `Scaling down the previous version at ${until}` };
      return workStep(r, { ...step, startedAt: until }, now, { action: 'scaleDown' }, 'Scaling down the previous version');
    }
    case 'pause':
      if (consumePromote(r) !== null) return { done: true };
      if (s.durationSeconds === null) {
        return {
          next: { action: 'await', timeoutSeconds: awaitTimeout(r, now, null) },
          pause: { reason: 'PauseStep', until: null, waitingFor: 'promote' },
          message: `Paused at step ${step.index + 1}: waiting for promote`,
        };
      }
      return timedPause(step, now, s.durationSeconds, 'PauseStep', 'the pause to end, or promote');
    case 'awaitPromotion':
      if (consumePromote(r) !== null) return { done: true };
      if (s.autoPromotionSeconds !== null) return timedPause(step, now, s.autoPromotionSeconds, 'AwaitingPromotion', 'automatic promotion, or promote');
      if (s.auto) return { done: true };
      return {
        next: { action: 'await', timeoutSeconds: awaitTimeout(r, now, null) },
        pause: { reason: 'AwaitingPromotion', until: null, waitingFor: 'promote' },
        message: 'Preview ready; waiting for promote',
      };
    case 'analysis':
      return analysisStep(r, step, s.analysis, 'step', now);
    case 'prePromotionAnalysis':
      return analysisStep(r, step, s.analysis, 'prePromotion', now);
    case 'postPromotionAnalysis':
      return analysisStep(r, step, s.analysis, 'postPromotion', now);
    case 'gate': {
      let gate = r.gates.find((g) => g.stepIndex === step.index);
      if (!gate) {
        gate = {
          name: s.name,
          stepIndex: step.index,
          status: 'Waiting',
          requestedAt: now,
          deadline: s.timeoutSeconds === null ? null : addSeconds(now, s.timeoutSeconds),
          onTimeout: s.onTimeout,
          decidedAt: null,
          decidedBy: null,
          comment: null,
        };
        r.gates.push(gate);
        events.push({
          kind: 'custom',
          predicate: 'gateRequested',
          key: `gate-${step.index}-requested`,
          data: { gate: gate.name, deadline: gate.deadline, onTimeout: gate.onTimeout },
        });
      }
      if (gate.status === 'Waiting') {
        const promotedBy = consumePromote(r);
        if (promotedBy !== null) {
          Object.assign(gate, { status: 'Approved', decidedAt: now, decidedBy: promotedBy, comment: 'approved by promote' });
          events.push({ kind: 'custom', predicate: 'gateApproved', key: `gate-${step.index}-decided`, data: { gate: gate.name, actor: promotedBy } });
        } else if (gate.deadline !== null && now >= gate.deadline) {
          Object.assign(gate, { status: 'TimedOut', decidedAt: now, decidedBy: 'timeout' });
          events.push({
            kind: 'custom',
            predicate: 'gateTimedOut',
            key: `gate-${step.index}-decided`,
            data: { gate: gate.name, deadline: gate.deadline, onTimeout: gate.onTimeout },
          });
        }
      }
      switch (gate.status) {
        case 'Approved':
          return { done: true };
        case 'Rejected':
          return { rollback: `Gate ${gate.name} rejected by ${gate.decidedBy ?? 'someone'}${gate.comment ? `: ${gate.comment}` : ''}`, error: 'GateRejected' };
        case 'TimedOut':
          if (gate.onTimeout === 'promote') return { done: true };
          return { rollback: `Gate ${gate.name} timed out at ${gate.deadline} (onTimeout: abort)`, error: 'GateTimedOut' };
        default:
          return {
            next: { action: 'await', timeoutSeconds: awaitTimeout(r, now, gate.deadline) },
            pause: { reason: 'Gate', until: gate.deadline, waitingFor: `approval of gate ${gate.name}`, gate: gate.name },
            message: `Waiting for approval of gate ${gate.name}${gate.deadline ? ` (until ${gate.deadline}, then ${gate.onTimeout})` : ''}`,
          };
      }
    }
  }
}

function rollback(r: Rollout, now: string, reason: string, error: string, events: RolloutOccurrence[], incident = false): Decision {
  setPause(r, null, now);
  r.phase = 'Progressing';
  r.message = `Rolling back: ${reason}`;
  if (!r.failure) r.failure = { error, cause: reason };
  if (incident) events.push({ kind: 'incidentDetected', description: reason });
  return { rollout: r, next: { action: 'rollback', reason }, events };
}

/**
 * The state machine's decision point (`AdvanceRollout`): from the stored rollout and the time,
 * what happens next. Walks the plan — starting steps, completing those whose condition holds
 * (timed pause over, analysis Successful, gate approved, promote signal) — and stops at the first
 * step that needs the machine: an I/O task (`shiftTraffic`, `deployPreview`, `switchTraffic`,
 * `scaleDown`), a measurement (`measure`), a short `hold` (at most {@link POLL_SECONDS}) or an
 * `await` for a person; `promote` after the last step; `rollback` on abort, a failed analysis
 * (incident), a rejected or timed-out gate (onTimeout abort) or a missed progress deadline.
 * Signals (abort, pause, promote, promote-full) are applied here. Clears the waiter (a machine that
 * advances is not waiting). Pure: works on a copy, never throws for a valid rollout.
 */
export function advance(input: Rollout, now: string): Decision {
  const r: Rollout = structuredClone(input);
  const events: RolloutOccurrence[] = [];
  r.waiter = null;
  r.updatedAt = now;
  if (isFinished(r.phase)) {
    return { rollout: r, next: r.phase === 'Promoted' ? { action: 'promote' } : { action: 'rollback', reason: r.message }, events };
  }
  if (r.signals.abort) {
    const a = r.signals.abort;
    return rollback(r, now, `Aborted by ${a.actor}${a.reason ? `: ${a.reason}` : ''}`, 'Aborted', events);
  }
  if (r.currentStepIndex < 0) {
    if (r.plan.length === 0) r.currentStepIndex = 0;
    else startStep(r, 0, now, events);
  }

  // Background analysis (canary): runs from its starting step to the end, measured whenever due.
  let background: AnalysisRunStatus | undefined;
  if (r.spec.strategy === 'canary' && r.spec.analysis && r.currentStepIndex >= (r.spec.analysis.startingStep ?? 0)) {
    background = startRun(r, 'background', r.spec.analysis.startingStep ?? 0, r.spec.analysis, now);
  }

  for (let guard = 0; guard <= r.plan.length + 1; guard++) {
    const i = r.currentStepIndex;
    if (background && background.finishedAt === null && i < r.plan.length) {
      if (background.phase === 'Failed' || background.phase === 'Error') {
        finishRun(background, now);
        return rollback(r, now, `Background analysis ${describeAnalysis(background)}`, 'AnalysisFailed', events, true);
      }
      if (background.phase === 'Inconclusive') {
        if (consumePromote(r) !== null) {
          // Resume after an inconclusive background analysis: measure afresh from now.
          Object.assign(background, { phase: 'Pending', startedAt: now, message: 'restarted after resume' });
          background.metrics = background.metrics.map((m) => newMetricResult(m.name));
        } else {
          setPause(r, { reason: 'Inconclusive', until: null, waitingFor: 'resume (measure again), or abort' }, now);
          r.phase = 'Paused';
          r.message = `Paused: background analysis inconclusive: ${describeAnalysis(background)}`;
          return { rollout: r, next: { action: 'await', timeoutSeconds: MAX_AWAIT_SECONDS }, events };
        }
      }
      const due = runDueAt(r, background);
      if (due !== null && due <= now) {
        r.message = `Measuring background analysis (${background.templates.join(', ')})`;
        return { rollout: r, next: { action: 'measure' }, events };
      }
    }

    if (r.signals.promote?.full && i < r.plan.length) {
      for (let j = Math.max(i, 0); j < r.plan.length; j++) completeStep(r, j, now, events, 'Skipped');
      delete r.signals.promote;
      r.currentStepIndex = r.plan.length;
      continue;
    }
    if (i >= r.plan.length) {
      setPause(r, null, now);
      if (background) finishRun(background, now);
      r.phase = 'Progressing';
      r.message = 'All steps done; promoting';
      return { rollout: r, next: { action: 'promote' }, events };
    }
    const step = r.plan[i]!;
    if (step.status !== 'Running' && step.status !== 'Pending') {
      startStep(r, i + 1, now, events);
      continue;
    }
    if (step.status === 'Pending') startStep(r, i, now, events);
    if (r.signals.pause && (step.step.kind === 'setWeight' || step.step.kind === 'switchTraffic' || step.step.kind === 'deployPreview')) {
      // A user pause holds before the next traffic change; it is seen within one poll interval.
      setPause(r, { reason: 'PausedByUser', until: null, waitingFor: 'resume' }, now);
      r.phase = 'Paused';
      r.message = `Paused by ${r.signals.pause.actor} before step ${i + 1} (${step.title})`;
      return { rollout: r, next: { action: 'await', timeoutSeconds: awaitTimeout(r, now, null) }, events };
    }
    const outcome = decideStep(r, step, now, events);
    if ('done' in outcome) {
      completeStep(r, i, now, events);
      startStep(r, i + 1, now, events);
      continue;
    }
    if ('rollback' in outcome) {
      completeStep(r, i, now, events, 'Failed', outcome.rollback);
      return rollback(r, now, outcome.rollback, outcome.error, events, outcome.incident ?? false);
    }
    if (r.signals.pause && outcome.next.action === 'hold') {
      setPause(r, { reason: 'PausedByUser', until: null, waitingFor: 'resume' }, now);
      r.phase = 'Paused';
      r.message = `Paused by ${r.signals.pause.actor} at step ${i + 1} (${step.title})`;
      return { rollout: r, next: { action: 'await', timeoutSeconds: awaitTimeout(r, now, null) }, events };
    }
    setPause(r, outcome.pause ?? null, now);
    r.phase = outcome.pause ? 'Paused' : 'Progressing';
    r.message = outcome.message;
    return { rollout: r, next: outcome.next, events };
  }
  // Unreachable for a valid plan: every iteration moves the index forward or returns.
  return rollback(r, now, 'the engine could not decide the next step', 'EngineError', events);
}

/** Applies a confirmed traffic split to the document (desired and actual weights, history). */
export function recordWeight(r: Rollout, canaryWeight: number, actualCanary: number, now: string): void {
  for (const w of r.weights) {
    w.desired = w.role === 'canary' ? canaryWeight : 100 - canaryWeight;
    w.actual = w.role === 'canary' ? actualCanary : 100 - actualCanary;
  }
  const last = r.weightHistory.at(-1);
  if (!last || last.canary !== actualCanary) r.weightHistory.push({ at: now, canary: actualCanary });
}

/**
 * Ends the rollout as Promoted: all traffic on the new version, remaining steps skipped, analysis
 * stopped; emits service.upgraded (service.deployed on a first deploy) and pipelineRun.finished.
 * Idempotent: a finished rollout is returned unchanged with no events. Pure apart from mutating `r`.
 */
export function finishPromotion(r: Rollout, now: string): RolloutOccurrence[] {
  if (isFinished(r.phase)) return [];
  const events: RolloutOccurrence[] = [];
  for (let j = Math.max(r.currentStepIndex, 0); j < r.plan.length; j++) completeStep(r, j, now, events, 'Skipped');
  setPause(r, null, now);
  for (const run of r.analysisRuns) finishRun(run, now);
  r.currentStepIndex = r.plan.length;
  r.phase = 'Promoted';
  r.message = `Promoted: ${r.spec.toVersion} serves all traffic in ${r.spec.environment}`;
  r.finishedAt = now;
  r.updatedAt = now;
  r.signals = {};
  r.waiter = null;
  events.push({ kind: 'serviceUpgraded' }, { kind: 'finished', outcome: 'success' });
  return events;
}

/**
 * Ends the rollout after traffic went back to the stable version: Aborted when an operator's abort
 * signal caused it, else RolledBack; the running step Failed, the rest Skipped; emits
 * service.rolledback, incident.resolved (when an analysis failure was detected) and
 * pipelineRun.finished (cancel / failure). Idempotent. Pure apart from mutating `r`.
 */
export function finishRollback(r: Rollout, now: string, error?: { Error?: string; Cause?: string }): RolloutOccurrence[] {
  if (isFinished(r.phase)) return [];
  const events: RolloutOccurrence[] = [];
  const aborted = r.signals.abort !== undefined;
  if (!r.failure) {
    r.failure = aborted
      ? { error: 'Aborted', cause: `Aborted by ${r.signals.abort!.actor}${r.signals.abort!.reason ? `: ${r.signals.abort!.reason}` : ''}` }
      : { error: error?.Error ?? 'RolledBack', cause: error?.Cause ?? r.message };
  }
  const current = r.currentStepIndex;
  if (current >= 0 && current < r.plan.length) completeStep(r, current, now, events, 'Failed', r.failure.cause);
  for (let j = Math.max(current + 1, 0); j < r.plan.length; j++) completeStep(r, j, now, events, 'Skipped');
  setPause(r, null, now);
  for (const run of r.analysisRuns) finishRun(run, now, 'stopped by rollback');
  r.phase = aborted ? 'Aborted' : 'RolledBack';
  const stable = r.spec.fromVersion ?? 'nothing (first deploy removed)';
  r.message = `${aborted ? 'Aborted' : 'Rolled back'}: ${r.failure.cause}; traffic is back on ${stable}`;
  r.finishedAt = now;
  r.updatedAt = now;
  r.waiter = null;
  events.push({ kind: 'serviceRolledBack' });
  if (r.failure.error === 'AnalysisFailed') {
    events.push({ kind: 'incidentResolved', description: `Rolled back to ${stable} after: ${r.failure.cause}` });
  }
  events.push({ kind: 'finished', outcome: aborted ? 'cancel' : 'failure', errors: r.failure.cause });
  return events;
}
