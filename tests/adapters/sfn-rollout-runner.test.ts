import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand, TaskTimedOut, ExecutionAlreadyExists } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { SfnRolloutRunner } from '../../functions/src/adapters/aws/sfn-rollout-runner';
import type { RolloutSpec } from '../../functions/src/core/rollouts/model';

const sfn = mockClient(SFNClient);
const machines = {
  canary: 'arn:aws:states:eu-west-1:111122223333:stateMachine:Canary',
  blueGreen: 'arn:aws:states:eu-west-1:111122223333:stateMachine:BlueGreen',
};
const spec = (strategy: 'canary' | 'blueGreen') => ({ strategy }) as RolloutSpec;

describe('SfnRolloutRunner', () => {
  beforeEach(() => sfn.reset());

  it('starts the machine of the strategy, named by the rollout id', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec:1', startDate: new Date() });
    const runner = new SfnRolloutRunner(new SFNClient({}), machines);
    expect(await runner.start({ id: 'r-1', spec: spec('blueGreen') })).toEqual({ executionId: 'arn:exec:1' });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: machines.blueGreen, name: 'r-1', input: '{"rolloutId":"r-1"}' });
    await runner.start({ id: 'r-2', spec: spec('canary') });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: machines.canary, name: 'r-2' });
  });

  it('treats a second start of the same rollout as the same execution', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    const runner = new SfnRolloutRunner(new SFNClient({}), machines);
    expect(await runner.start({ id: 'r-1', spec: spec('canary') })).toEqual({
      executionId: 'arn:aws:states:eu-west-1:111122223333:execution:Canary:r-1',
    });
  });

  it('completes tokens and reports tokens that are no longer waiting', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    sfn.on(SendTaskFailureCommand).rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));
    const runner = new SfnRolloutRunner(new SFNClient({}), machines);
    expect(await runner.sendTaskSuccess('tok', { decision: 'approve' })).toBe(true);
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'tok', output: '{"decision":"approve"}' });
    expect(await runner.sendTaskFailure('tok2', 'Signalbox.Aborted', 'aborted by alice')).toBe(false);
    expect(sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, { taskToken: 'tok2', error: 'Signalbox.Aborted', cause: 'aborted by alice' });
  });

  it('rethrows other failures', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new Error('throttled'));
    const runner = new SfnRolloutRunner(new SFNClient({}), machines);
    await expect(runner.sendTaskSuccess('tok', {})).rejects.toThrow('throttled');
  });
});
