import middy from '@middy/core';
import { ValidationError } from '../../core/errors';
import type { RolloutDeps } from '../../core/rollouts/deps';
import { ROLLOUT_TASKS, type RolloutTaskInput, type RolloutTaskName } from '../../core/rollouts/model';
import { runRolloutTask } from '../../core/rollouts/run-task';

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw new ValidationError(`${field} must be a non-empty string`, field);
  return value;
}

/**
 * Checks the shape of a task invocation (the ASL Task's Parameters, or the `Payload` of the
 * `.waitForTaskToken` invoke). Throws `ValidationError` naming the field.
 */
export function parseRolloutTaskInput(event: unknown): RolloutTaskInput {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new ValidationError('task input must be an object', 'input');
  const e = event as Record<string, unknown>;
  if (typeof e.task !== 'string' || !(ROLLOUT_TASKS as readonly string[]).includes(e.task)) {
    throw new ValidationError(`task must be one of ${ROLLOUT_TASKS.join(', ')}`, 'task');
  }
  const rolloutId = optionalString(e.rolloutId, 'rolloutId');
  if (!rolloutId) throw new ValidationError('rolloutId is required', 'rolloutId');
  const input: RolloutTaskInput = { task: e.task as RolloutTaskName, rolloutId };
  const taskToken = optionalString(e.taskToken, 'taskToken');
  if (taskToken) input.taskToken = taskToken;
  const executionId = optionalString(e.executionId, 'executionId');
  if (executionId) input.executionId = executionId;
  if (e.error !== undefined && e.error !== null) {
    if (typeof e.error !== 'object' || Array.isArray(e.error)) throw new ValidationError('error must be an object {Error, Cause}', 'error');
    const err = e.error as Record<string, unknown>;
    input.error = {
      ...(typeof err.Error === 'string' ? { Error: err.Error } : {}),
      ...(typeof err.Cause === 'string' ? { Cause: err.Cause } : {}),
    };
  }
  return input;
}

/**
 * The one function behind every Task state of both rollout state machines: validates the input
 * and runs the named task. Errors keep their names (`Signalbox.TargetUnavailable`, …) so the
 * machine's Retry/Catch clauses match them.
 */
export function createRolloutTaskHandler(deps: RolloutDeps) {
  return middy<unknown, unknown>().handler(async (event) => runRolloutTask(deps, parseRolloutTaskInput(event)));
}
