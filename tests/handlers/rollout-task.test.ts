import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/src/core/errors';
import { createRolloutTaskHandler, parseRolloutTaskInput } from '../../functions/src/handlers/tasks/rollout-task';
import { startRollout } from '../../functions/src/core/rollouts/operate';
import { canarySpec, createHarness } from '../state-machines/harness';

describe('parseRolloutTaskInput', () => {
  it('accepts the shapes the machines send', () => {
    expect(parseRolloutTaskInput({ task: 'RollBack', rolloutId: 'r1', error: { Error: 'States.TaskFailed', Cause: 'x' } })).toEqual({
      task: 'RollBack',
      rolloutId: 'r1',
      error: { Error: 'States.TaskFailed', Cause: 'x' },
    });
    expect(parseRolloutTaskInput({ task: 'RollBack', rolloutId: 'r1', error: {} })).toEqual({ task: 'RollBack', rolloutId: 'r1', error: {} });
    expect(parseRolloutTaskInput({ task: 'AwaitApproval', rolloutId: 'r1', taskToken: 't', timeoutSeconds: 5 })).toEqual({
      task: 'AwaitApproval',
      rolloutId: 'r1',
      taskToken: 't',
    });
  });

  it.each([
    [null, 'input'],
    [{ task: 'DropTables', rolloutId: 'r1' }, 'task'],
    [{ task: 'AdvanceRollout' }, 'rolloutId'],
    [{ task: 'AdvanceRollout', rolloutId: 'r1', taskToken: 3 }, 'taskToken'],
    [{ task: 'RollBack', rolloutId: 'r1', error: 'boom' }, 'error'],
  ])('rejects %j naming %s', (input, field) => {
    expect(() => parseRolloutTaskInput(input)).toThrow(ValidationError);
    try {
      parseRolloutTaskInput(input);
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
    }
  });
});

describe('createRolloutTaskHandler', () => {
  it('runs the named task for the rollout', async () => {
    const h = createHarness();
    // Started without the machine: the handler is driven directly, as a Lambda would be.
    const deps = { ...h.deps, rolloutRunner: { start: async () => ({ executionId: 'x' }), sendTaskSuccess: async () => true, sendTaskFailure: async () => true } };
    const r = await startRollout(deps, { spec: canarySpec([{ setWeight: 20 }]), actor: 'alice' });
    const handler = createRolloutTaskHandler(deps);
    const next = await handler({ task: 'AdvanceRollout', rolloutId: r.id }, {} as never);
    expect(next).toEqual({ action: 'shiftTraffic', weight: 20 });
    await h.runner.stop();
  });
});
