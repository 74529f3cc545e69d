import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Rollout } from '../../core/rollouts/model';
import type { RolloutRunner } from '../../core/ports/rollout-store';

/** Errors that mean "that task is not waiting any more": the caller treats them as an answered token. */
const GONE = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);

/**
 * Step Functions as the rollout runner: one execution per rollout, named by the rollout id so a
 * repeated start is refused by Step Functions itself (ExecutionAlreadyExists → the same execution).
 */
export class SfnRolloutRunner implements RolloutRunner {
  constructor(
    private readonly sfn: SFNClient,
    private readonly machines: { canary: string; blueGreen: string },
  ) {}

  async start(rollout: Pick<Rollout, 'id' | 'spec'>): Promise<{ executionId: string }> {
    const stateMachineArn = rollout.spec.strategy === 'canary' ? this.machines.canary : this.machines.blueGreen;
    // Execution names allow 80 characters of [A-Za-z0-9-_]; rollout ids are generated to fit.
    const name = rollout.id;
    try {
      const out = await this.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ rolloutId: rollout.id }) }));
      return { executionId: out.executionArn! };
    } catch (err) {
      if ((err as Error).name !== 'ExecutionAlreadyExists') throw err;
      return { executionId: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}` };
    }
  }

  async sendTaskSuccess(token: string, output: unknown): Promise<boolean> {
    return this.answer(() => this.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output ?? {}) })));
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<boolean> {
    // Step Functions limits `error` to 256 and `cause` to 32 768 characters.
    return this.answer(() => this.sfn.send(new SendTaskFailureCommand({ taskToken: token, error: error.slice(0, 256), cause: cause.slice(0, 32_768) })));
  }

  private async answer(send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (err) {
      if (GONE.has((err as Error).name)) return false;
      throw err;
    }
  }
}
