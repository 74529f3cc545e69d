import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import type { Logger } from '../../core/ports/logger';
import { silentLogger } from '../../core/ports/logger';
import type { RolloutRunner, RolloutStore } from '../../core/ports/rollout-store';
import { ROLLOUT_TASKS, type Rollout, type RolloutTaskInput } from '../../core/rollouts/model';

/** The repository's `state-machines/` folder: the same ASL files CDK deploys. */
export const STATE_MACHINES_DIR = resolve(import.meta.dirname, '../../../../state-machines');

const MACHINE_FILES = { canary: 'canary.asl.json', blueGreen: 'blue-green.asl.json' } as const;
const LOCAL_FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:signalbox-local-rollout-task';

/** Loads an ASL file with the CDK definition substitutions filled in for local use. */
export function loadDefinition(file: string, directory = STATE_MACHINES_DIR): Record<string, unknown> {
  const text = readFileSync(join(directory, file), 'utf8').replaceAll('${RolloutTaskFunctionArn}', LOCAL_FUNCTION_ARN);
  return JSON.parse(text) as Record<string, unknown>;
}

/** An error the machine's Catch/Retry match by `name` (the interpreter compares error names). */
class NamedTaskError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export type RolloutTaskFunction = (input: RolloutTaskInput) => Promise<unknown>;

export interface LocalRolloutRunnerOptions {
  /** Folder with the ASL files (default: the repository's `state-machines/`). */
  directory?: string;
  /** Milliseconds per Wait state name (e.g. `{ Hold: 0 }` in tests). */
  waitTimeOverrides?: Record<string, number>;
  /** Milliseconds between retries per state name (e.g. `{ ShiftTraffic: 0 }` in tests). */
  retryIntervalOverrides?: Record<string, number | number[]>;
  /**
   * How an `AwaitApproval` sleeps until its timeout (`$.next.timeoutSeconds`); resolving means
   * "timed out" and the machine catches `States.Timeout`. Default: a real timer. Tests pass a
   * function that advances their clock and resolves at once, or never resolves.
   */
  awaitTimer?: (seconds: number, signal: AbortSignal) => Promise<void>;
  logger?: Logger;
}

/** How a local execution ended. */
export interface LocalExecutionResult {
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  /** For FAILED: the error name (`Signalbox.RolledBack`, `Signalbox.RollbackFailed`, …). */
  error?: string;
  cause?: string;
  output?: unknown;
}

interface Execution {
  executionId: string;
  abort: () => void;
  done: Promise<void>;
  result: LocalExecutionResult;
}

interface PendingWaiter {
  rolloutId: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: AbortController;
}

function realTimer(seconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const id = setTimeout(resolve, seconds * 1_000);
    signal.addEventListener('abort', () => clearTimeout(id), { once: true });
  });
}

/**
 * `RolloutRunner` for `npm start` and the tests: runs the ASL files of `state-machines/` in
 * `aws-local-stepfunctions`, every Task bound by name to one late-bound task function (the same
 * `runRolloutTask` the Lambda runs). `.waitForTaskToken` is emulated: `AwaitApproval` gets a fresh
 * local token and its state waits on a promise that `sendTaskSuccess` / `sendTaskFailure` settle
 * (a failure rejects with an error whose name the machine's Catch matches), or that times out as
 * `States.Timeout`. One execution per rollout id at a time.
 */
export class LocalRolloutRunner implements RolloutRunner {
  private readonly machines: Record<keyof typeof MACHINE_FILES, StateMachine>;
  private readonly executions = new Map<string, Execution>();
  private readonly waiters = new Map<string, PendingWaiter>();
  private task: RolloutTaskFunction | null = null;
  private tokens = 0;
  private readonly logger: Logger;

  constructor(private readonly options: LocalRolloutRunnerOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    // Constructing validates the definition (~100 ms): once per file.
    this.machines = {
      canary: new StateMachine(loadDefinition(MACHINE_FILES.canary, options.directory) as never),
      blueGreen: new StateMachine(loadDefinition(MACHINE_FILES.blueGreen, options.directory) as never),
    };
  }

  /** Binds the function every Task state calls (wiring builds the deps first, then binds). */
  bind(task: RolloutTaskFunction): void {
    this.task = task;
  }

  async start(rollout: Pick<Rollout, 'id' | 'spec'>): Promise<{ executionId: string }> {
    const running = this.executions.get(rollout.id);
    if (running && running.result.status === 'RUNNING') return { executionId: running.executionId };
    const machineName = rollout.spec.strategy === 'canary' ? 'canary' : 'blue-green';
    const executionId = `arn:aws:states:local:000000000000:execution:signalbox-${machineName}:${rollout.id}`;
    const handlers = Object.fromEntries(
      ROLLOUT_TASKS.map((name) => [name, name === 'AwaitApproval' ? (input: unknown) => this.awaitApproval(input) : (input: unknown) => this.invoke(input)]),
    );
    const run = this.machines[rollout.spec.strategy].run({ rolloutId: rollout.id } as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        waitTimeOverrides: this.options.waitTimeOverrides,
        retryIntervalOverrides: this.options.retryIntervalOverrides,
      },
      noThrowOnAbort: true,
      context: { Execution: { Id: executionId, Name: rollout.id }, Task: { Token: 'local' } },
    });
    const execution: Execution = { executionId, abort: run.abort, done: Promise.resolve(), result: { status: 'RUNNING' } };
    execution.done = run.result.then(
      (output) => {
        execution.result = output === null ? { status: 'ABORTED' } : { status: 'SUCCEEDED', output };
      },
      (error: unknown) => {
        const cause = (error as { cause?: unknown }).cause;
        const inner = cause instanceof Error ? cause : (error as Error);
        execution.result = { status: 'FAILED', error: inner.name, cause: inner.message };
        this.logger.warn('local rollout execution failed', { rolloutId: rollout.id, error: inner.name, cause: inner.message });
      },
    );
    this.executions.set(rollout.id, execution);
    return { executionId };
  }

  async sendTaskSuccess(token: string, output: unknown): Promise<boolean> {
    const waiter = this.takeWaiter(token);
    if (!waiter) return false;
    waiter.resolve(output ?? {});
    return true;
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<boolean> {
    const waiter = this.takeWaiter(token);
    if (!waiter) return false;
    waiter.reject(new NamedTaskError(error, cause));
    return true;
  }

  /** How the rollout's latest local execution stands (undefined when none ran in this process). */
  execution(rolloutId: string): LocalExecutionResult | undefined {
    return this.executions.get(rolloutId)?.result;
  }

  /** Tokens of AwaitApproval states waiting now (tests). */
  waitingTokens(): string[] {
    return [...this.waiters.keys()];
  }

  /** Resolves once the rollout's execution has ended. */
  async settled(rolloutId: string): Promise<LocalExecutionResult | undefined> {
    await this.executions.get(rolloutId)?.done;
    return this.execution(rolloutId);
  }

  /** Resolves once no execution is running. */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.executions.values()].filter((e) => e.result.status === 'RUNNING');
      if (running.length === 0) return;
      await Promise.all(running.map((e) => e.done));
    }
  }

  /** Aborts every running execution (process shutdown, test teardown) and drops waiting tokens. */
  async stop(): Promise<void> {
    for (const [token, waiter] of this.waiters) {
      this.waiters.delete(token);
      waiter.timer.abort();
    }
    for (const e of this.executions.values()) if (e.result.status === 'RUNNING') e.abort();
    await Promise.all([...this.executions.values()].map((e) => e.done));
  }

  /**
   * Restarts the driver for every rollout the store lists as active (after `npm start` restarts):
   * the engine is state-driven, so InitializeRollout → AdvanceRollout continues where it was.
   * @returns the ids restarted.
   */
  async resumeActive(store: RolloutStore): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({ status: 'active', limit: 100, ...(cursor ? { cursor } : {}) });
      for (const summary of page.items) {
        const rollout = await store.get(summary.id);
        if (!rollout) continue;
        await this.start(rollout);
        ids.push(rollout.id);
      }
      cursor = page.next ?? undefined;
    } while (cursor);
    return ids;
  }

  private takeWaiter(token: string): PendingWaiter | undefined {
    const waiter = this.waiters.get(token);
    if (!waiter) return undefined;
    this.waiters.delete(token);
    waiter.timer.abort();
    return waiter;
  }

  private async invoke(input: unknown): Promise<unknown> {
    if (!this.task) throw new NamedTaskError('Signalbox.NotBound', 'LocalRolloutRunner has no task function bound');
    const result = await this.task(input as RolloutTaskInput);
    return result ?? {};
  }

  private async awaitApproval(input: unknown): Promise<unknown> {
    // The state's Parameters are the Lambda invoke shape: {FunctionName, Payload: {...}}.
    const payload = (input as { Payload: RolloutTaskInput & { timeoutSeconds?: number } }).Payload;
    const token = `local:${payload.rolloutId}:${++this.tokens}`;
    const timer = new AbortController();
    const settled = new Promise<unknown>((resolvePromise, rejectPromise) => {
      this.waiters.set(token, { rolloutId: payload.rolloutId, resolve: resolvePromise, reject: rejectPromise, timer });
    });
    // Marked handled now: a failure may arrive while the task function still runs; the state gets it below.
    settled.catch(() => {});
    try {
      const { taskToken: _ignored, ...rest } = payload;
      await this.invoke({ ...rest, task: 'AwaitApproval', taskToken: token });
    } catch (error) {
      this.takeWaiter(token);
      throw error;
    }
    if (this.waiters.has(token)) {
      const timeoutSeconds = payload.timeoutSeconds ?? 86_400;
      (this.options.awaitTimer ?? realTimer)(timeoutSeconds, timer.signal).then(
        () => {
          const waiter = this.waiters.get(token);
          if (!waiter || waiter.timer !== timer) return;
          this.waiters.delete(token);
          waiter.reject(new NamedTaskError('States.Timeout', `no decision within ${timeoutSeconds}s`));
        },
        () => {},
      );
    }
    return settled;
  }
}
