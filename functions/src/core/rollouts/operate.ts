import type { Page } from '../read-models';
import { ConflictError, DependencyError, NotFoundError } from '../errors';
import type { RolloutFilter } from '../ports/rollout-store';
import type { RolloutDeps } from './deps';
import { secondsBetween, waitsOnPeople } from './engine';
import { publishOccurrences, type RolloutCustomPredicate, type RolloutOccurrence } from './events';
import { ROLLOUT_ERRORS, type Rollout, type RolloutDetail, type RolloutSpec, type RolloutSummary, type Waiter } from './model';
import { newRollout } from './plan';
import { isFinished } from './summary';
import { updateRollout } from './update';

export type RolloutVerb = 'promote' | 'promote-full' | 'pause' | 'resume' | 'abort';

const VERB_EVENT: Record<RolloutVerb, RolloutCustomPredicate> = {
  promote: 'promoted',
  'promote-full': 'promoted',
  pause: 'paused',
  resume: 'resumed',
  abort: 'aborted',
};

/** How a verb completes a waiting `AwaitApproval`, if one is waiting. */
type Wake = { kind: 'success' } | { kind: 'failure'; error: string; cause: string } | null;

async function wakeWaiter(deps: RolloutDeps, waiter: Waiter | null, wake: Wake): Promise<void> {
  if (!waiter || !wake) return;
  // False = the token expired or was completed meanwhile; the machine then sees the change at its next decision.
  const sent =
    wake.kind === 'success'
      ? await deps.rolloutRunner.sendTaskSuccess(waiter.token, { resumed: true })
      : await deps.rolloutRunner.sendTaskFailure(waiter.token, wake.error, wake.cause);
  if (!sent) deps.logger.warn('rollout waiter was no longer waiting', { stepIndex: waiter.stepIndex });
}

/**
 * Applies an operator change with optimistic concurrency, takes the waiter (so exactly one caller
 * completes its token), publishes the event and wakes the machine.
 */
async function applyOperatorChange(
  deps: RolloutDeps,
  id: string,
  change: (r: Rollout, now: string) => { wake: Wake; event: RolloutOccurrence },
): Promise<Rollout> {
  const now = deps.clock.now();
  const { rollout, value } = await updateRollout(deps.rollouts, id, (r) => {
    const { wake, event } = change(r, now);
    const waiter = wake ? r.waiter : null;
    if (wake) r.waiter = null;
    r.updatedAt = now;
    return { value: { wake, event, waiter }, save: true };
  });
  await publishOccurrences(deps, rollout, [value.event], now);
  await wakeWaiter(deps, value.waiter, value.wake);
  return rollout;
}

function assertActive(r: Rollout, what: string): void {
  if (isFinished(r.phase)) throw new ConflictError(`rollout ${r.id} is ${r.phase}; it cannot be ${what}`, 'id');
}

async function begin(deps: RolloutDeps, rollout: Rollout, now: string): Promise<Rollout> {
  await deps.rollouts.create(rollout);
  await publishOccurrences(deps, rollout, [{ kind: 'queued' }], now);
  try {
    await deps.rolloutRunner.start(rollout);
  } catch (error) {
    throw new DependencyError(`rollout ${rollout.id} is stored but its state machine did not start; retry the start`, 'rolloutRunner', {
      cause: error,
    });
  }
  return (await deps.rollouts.get(rollout.id)) ?? rollout;
}

/**
 * Starts a rollout of a spec already validated by `parseRolloutSpec`: stores it (phase
 * Progressing, no step started), emits pipelineRun.queued and starts the state machine.
 * Not idempotent (each call is a new rollout).
 *
 * @throws DependencyError when the store, bus or runner fails (the rollout may be stored but not started).
 */
export async function startRollout(deps: RolloutDeps, input: { spec: RolloutSpec; actor: string; comment?: string }): Promise<Rollout> {
  const now = deps.clock.now();
  const rollout = newRollout(input.spec, { id: deps.newId(), now, actor: input.actor, ...(input.comment ? { comment: input.comment } : {}) });
  return begin(deps, rollout, now);
}

/**
 * An operator verb on an active rollout, recorded as a `RolloutAction`, published as a
 * `dev.cdeventsx.signalbox-rollout.*` event, and applied by the state machine at its next decision:
 * - `promote`: finish the current pause, gate, analysis or awaitPromotion step;
 * - `promote-full`: skip every remaining step and promote;
 * - `pause`: hold before the next traffic change or timed wait (phase Paused, PausedByUser);
 * - `resume`: lift a user pause, or continue past an indefinite pause / inconclusive or failed
 *   analysis (a gate needs approve or reject);
 * - `abort`: traffic back to stable, then the rollout ends Aborted (a signal, never StopExecution).
 * A waiting machine is woken through its task token.
 *
 * @throws NotFoundError for an unknown id; ConflictError when the verb does not fit the phase
 *   (finished, nothing to resume, abort already requested, …), naming why.
 */
export async function operateRollout(
  deps: RolloutDeps,
  input: { id: string; verb: RolloutVerb; actor: string; comment?: string },
): Promise<Rollout> {
  const { verb, actor, comment } = input;
  return applyOperatorChange(deps, input.id, (r, now) => {
    assertActive(r, verb === 'abort' ? 'aborted' : verb === 'pause' ? 'paused' : verb === 'resume' ? 'resumed' : 'promoted');
    if (r.signals.abort) throw new ConflictError(`rollout ${r.id} is being aborted (by ${r.signals.abort.actor})`, 'verb');
    let wake: Wake = { kind: 'success' };
    switch (verb) {
      case 'abort':
        r.signals.abort = { at: now, actor, reason: comment ?? '' };
        wake = { kind: 'failure', error: ROLLOUT_ERRORS.aborted, cause: `Aborted by ${actor}${comment ? `: ${comment}` : ''}` };
        r.message = `Abort requested by ${actor}; rolling back`;
        break;
      case 'pause':
        if (r.signals.pause) throw new ConflictError(`rollout ${r.id} is already paused by ${r.signals.pause.actor}`, 'verb');
        r.signals.pause = { at: now, actor };
        wake = null;
        break;
      case 'resume':
        if (r.signals.pause) {
          delete r.signals.pause;
        } else if (r.pause && r.pause.reason === 'Gate') {
          throw new ConflictError(`rollout ${r.id} waits for gate ${r.pause.gate}: approve or reject it`, 'verb');
        } else if (r.pause && r.pause.reason !== 'PausedByUser') {
          r.signals.promote = { at: now, actor, full: false };
        } else {
          throw new ConflictError(`rollout ${r.id} is not paused`, 'verb');
        }
        break;
      case 'promote':
      case 'promote-full':
        if (r.signals.promote && r.signals.promote.full === (verb === 'promote-full')) {
          throw new ConflictError(`rollout ${r.id} already has a ${verb} request pending`, 'verb');
        }
        r.signals.promote = { at: now, actor, full: verb === 'promote-full' };
        break;
    }
    r.actions.push({ at: now, actor, verb, ...(comment ? { comment } : {}) });
    const event: RolloutOccurrence = {
      kind: 'custom',
      predicate: VERB_EVENT[verb],
      key: `action-${r.actions.length - 1}`,
      data: { actor, verb, ...(comment ? { comment } : {}) },
    };
    return { wake, event };
  });
}

/**
 * Approves or rejects a waiting gate. Approve lets the rollout go on; reject rolls it back (phase
 * RolledBack). Recorded as an action and published as gateApproved / gateRejected.
 *
 * @throws NotFoundError when the rollout or a gate of that name does not exist; ConflictError when
 *   the gate is not waiting (already decided, timed out) or the rollout is finished.
 */
export async function decideGate(
  deps: RolloutDeps,
  input: { id: string; gate: string; decision: 'approve' | 'reject'; actor: string; comment?: string },
): Promise<Rollout> {
  return applyOperatorChange(deps, input.id, (r, now) => {
    assertActive(r, `${input.decision}d`);
    const gates = r.gates.filter((g) => g.name === input.gate);
    if (gates.length === 0) throw new NotFoundError(`rollout ${r.id} has no gate ${input.gate} waiting`, 'gate');
    const gate = gates.at(-1)!;
    if (gate.status !== 'Waiting') throw new ConflictError(`gate ${gate.name} is already ${gate.status}`, 'gate');
    const approved = input.decision === 'approve';
    Object.assign(gate, { status: approved ? 'Approved' : 'Rejected', decidedAt: now, decidedBy: input.actor, comment: input.comment ?? null });
    r.actions.push({ at: now, actor: input.actor, verb: input.decision, gate: gate.name, ...(input.comment ? { comment: input.comment } : {}) });
    const cause = `Gate ${gate.name} rejected by ${input.actor}${input.comment ? `: ${input.comment}` : ''}`;
    if (!approved && !r.failure) r.failure = { error: 'GateRejected', cause };
    return {
      wake: approved ? { kind: 'success' } : { kind: 'failure', error: ROLLOUT_ERRORS.rejected, cause },
      event: {
        kind: 'custom',
        predicate: approved ? 'gateApproved' : 'gateRejected',
        key: `gate-${gate.stepIndex}-decided`,
        data: { gate: gate.name, actor: input.actor, ...(input.comment ? { comment: input.comment } : {}) },
      },
    };
  });
}

async function recordFollowUp(
  deps: RolloutDeps,
  old: Rollout,
  verb: 'retry' | 'undo',
  actor: string,
  newId: string,
  now: string,
): Promise<void> {
  const { rollout, value } = await updateRollout(deps.rollouts, old.id, (r) => {
    r.actions.push({ at: now, actor, verb, comment: `new rollout ${newId}` });
    r.updatedAt = now;
    return { value: r.actions.length - 1, save: true };
  });
  await publishOccurrences(
    deps,
    rollout,
    [{ kind: 'custom', predicate: verb === 'retry' ? 'retried' : 'undone', key: `action-${value}`, data: { actor, verb, rollout: newId } }],
    now,
  );
}

/**
 * Runs an Aborted or RolledBack rollout again from the start, as a new rollout with the same spec
 * (`retryOf` = the old id). Recorded on the old rollout as a `retry` action.
 *
 * @throws NotFoundError; ConflictError unless the rollout is Aborted or RolledBack.
 */
export async function retryRollout(deps: RolloutDeps, input: { id: string; actor: string }): Promise<Rollout> {
  const old = await deps.rollouts.get(input.id);
  if (!old) throw new NotFoundError(`rollout ${input.id} does not exist`, 'id');
  if (old.phase !== 'Aborted' && old.phase !== 'RolledBack') {
    throw new ConflictError(`only an Aborted or RolledBack rollout can be retried; ${old.id} is ${old.phase}`, 'id');
  }
  const now = deps.clock.now();
  const fresh = newRollout(old.spec, { id: deps.newId(), now, actor: input.actor, retryOf: old.id });
  await recordFollowUp(deps, old, 'retry', input.actor, fresh.id, now);
  return begin(deps, fresh, now);
}

/**
 * Rolls a Promoted rollout back as a new rollout from its `toVersion` to its `fromVersion`, with
 * the same strategy and target (`undoOf` = the old id). Recorded on the old rollout as `undo`.
 *
 * @throws NotFoundError; ConflictError unless the rollout is Promoted and had a previous version.
 */
export async function undoRollout(deps: RolloutDeps, input: { id: string; actor: string }): Promise<Rollout> {
  const old = await deps.rollouts.get(input.id);
  if (!old) throw new NotFoundError(`rollout ${input.id} does not exist`, 'id');
  if (old.phase !== 'Promoted') throw new ConflictError(`only a Promoted rollout can be undone; ${old.id} is ${old.phase}`, 'id');
  if (old.spec.fromVersion === null) throw new ConflictError(`rollout ${old.id} was a first deploy; there is no previous version`, 'id');
  const now = deps.clock.now();
  const spec = { ...old.spec, fromVersion: old.spec.toVersion, toVersion: old.spec.fromVersion } as RolloutSpec;
  const fresh = newRollout(spec, { id: deps.newId(), now, actor: input.actor, undoOf: old.id });
  await recordFollowUp(deps, old, 'undo', input.actor, fresh.id, now);
  return begin(deps, fresh, now);
}

/** The rollout with derived durations (waiting on people includes a wait in progress). */
export function describeRollout(r: Rollout, now: string): RolloutDetail {
  const end = r.finishedAt ?? now;
  let waiting = r.plan.reduce((sum, s) => sum + s.waitedOnPeopleSeconds, 0);
  if (r.pause && waitsOnPeople(r.pause) && !r.finishedAt) waiting += Math.max(0, secondsBetween(r.pause.since, now));
  const step = r.plan[r.currentStepIndex];
  return {
    ...r,
    durations: {
      totalSeconds: Math.max(0, Math.round(secondsBetween(r.createdAt, end))),
      waitingOnPeopleSeconds: Math.round(waiting),
      currentStepSeconds: r.finishedAt || !step?.startedAt ? 0 : Math.max(0, Math.round(secondsBetween(step.startedAt, now))),
    },
  };
}

/**
 * One rollout with every step, analysis run, gate and action, plus durations.
 * @throws NotFoundError when it does not exist.
 */
export async function getRollout(deps: RolloutDeps, id: string): Promise<RolloutDetail> {
  const r = await deps.rollouts.get(id);
  if (!r) throw new NotFoundError(`rollout ${id} does not exist`, 'id');
  return describeRollout(r, deps.clock.now());
}

/** Rollouts newest first, filtered by status, service and environment, paged. */
export async function listRollouts(deps: RolloutDeps, filter: RolloutFilter): Promise<Page<RolloutSummary>> {
  return deps.rollouts.list(filter);
}
