import { FINAL_PHASES, type Rollout, type RolloutSummary } from './model';
import type { RolloutFilter } from '../ports/rollout-store';

/** The list row of a rollout. */
export function summarizeRollout(r: Rollout): RolloutSummary {
  const canary = r.weights.find((w) => w.role === 'canary');
  return {
    id: r.id,
    service: r.spec.service,
    environment: r.spec.environment,
    strategy: r.spec.strategy,
    fromVersion: r.spec.fromVersion,
    toVersion: r.spec.toVersion,
    phase: r.phase,
    message: r.message,
    currentStepIndex: r.currentStepIndex,
    stepCount: r.plan.length,
    canaryWeight: canary?.actual ?? canary?.desired ?? 0,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    updatedAt: r.updatedAt,
    finishedAt: r.finishedAt,
  };
}

export function isFinished(phase: Rollout['phase']): boolean {
  return FINAL_PHASES.includes(phase);
}

/** Whether a rollout passes a list filter (used by in-memory adapters and tests). */
export function matchesRolloutFilter(r: Rollout, f: Omit<RolloutFilter, 'limit' | 'cursor'>): boolean {
  if (f.service && r.spec.service !== f.service) return false;
  if (f.environment && r.spec.environment !== f.environment) return false;
  if (f.status === 'active') return !isFinished(r.phase);
  if (f.status === 'finished') return isFinished(r.phase);
  if (f.status) return r.phase === f.status;
  return true;
}
