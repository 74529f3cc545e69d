import type { Page } from '../read-models';
import type { Rollout, RolloutPhase, RolloutSummary } from '../rollouts/model';

export interface RolloutFilter {
  /** A phase, or `active` (not finished) / `finished`. */
  status?: RolloutPhase | 'active' | 'finished';
  service?: string;
  environment?: string;
  limit: number;
  cursor?: string;
}

/**
 * Rollouts, whole documents with optimistic concurrency. Lists are served by index queries, newest
 * first, never by scanning.
 */
export interface RolloutStore {
  /** Stores a new rollout (revision 0); throws `ConflictError` when the id exists. */
  create(rollout: Rollout): Promise<void>;
  get(id: string): Promise<Rollout | null>;
  /**
   * Replaces the rollout when its stored revision is still `expectedRevision`, storing
   * `rollout.revision = expectedRevision + 1`; throws `ConflictError` (field `revision`)
   * otherwise. Use `updateRollout` in core for read-modify-write with retries.
   */
  save(rollout: Rollout, expectedRevision: number): Promise<void>;
  list(filter: RolloutFilter): Promise<Page<RolloutSummary>>;
}

/** Starts state machine executions and completes waiting tasks (AWS Step Functions; locally the ASL interpreter). */
export interface RolloutRunner {
  /** Starts the machine for the rollout's strategy with input `{rolloutId}`; idempotent per rollout id. */
  start(rollout: Pick<Rollout, 'id' | 'spec'>): Promise<{ executionId: string }>;
  /** Completes a waiting task; false when the token is unknown, expired or already completed. */
  sendTaskSuccess(token: string, output: unknown): Promise<boolean>;
  /** Fails a waiting task with an error name the machine catches (`ROLLOUT_ERRORS`). */
  sendTaskFailure(token: string, error: string, cause: string): Promise<boolean>;
}
