import { versionOfArtifact } from '../cdevents/artifact';
import { formatDuration, parseDuration } from './duration';
import type { PlanStep, Rollout, RolloutSpec, StepStatus } from './model';

/** Argo's default scale-down delay after a blue-green switch, in seconds. */
export const DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;

/**
 * Compiles a validated spec into the plan the engine walks: canary steps as given, or blue-green's
 * fixed stages (deployPreview, prePromotionAnalysis?, awaitPromotion, switchTraffic,
 * postPromotionAnalysis?, scaleDown). Every step starts Pending. Pure.
 *
 * @throws ValidationError when a duration in the spec cannot be parsed (a validated spec never does).
 */
export function compilePlan(spec: RolloutSpec): StepStatus[] {
  const steps: PlanStep[] = [];
  if (spec.strategy === 'canary') {
    spec.steps.forEach((s, i) => {
      if ('setWeight' in s) steps.push({ kind: 'setWeight', weight: s.setWeight });
      else if ('pause' in s) {
        const d = s.pause.duration;
        steps.push({ kind: 'pause', durationSeconds: d === undefined ? null : parseDuration(d, `steps[${i}].pause.duration`) });
      } else if ('analysis' in s) steps.push({ kind: 'analysis', analysis: s.analysis });
      else {
        const t = s.gate.timeout;
        steps.push({
          kind: 'gate',
          name: s.gate.name,
          timeoutSeconds: t === undefined ? null : parseDuration(t, `steps[${i}].gate.timeout`),
          onTimeout: s.gate.onTimeout ?? 'abort',
        });
      }
    });
  } else {
    steps.push({ kind: 'deployPreview' });
    if (spec.prePromotionAnalysis) steps.push({ kind: 'prePromotionAnalysis', analysis: spec.prePromotionAnalysis });
    steps.push({ kind: 'awaitPromotion', auto: spec.autoPromotionEnabled ?? true, autoPromotionSeconds: spec.autoPromotionSeconds ?? null });
    steps.push({ kind: 'switchTraffic' });
    if (spec.postPromotionAnalysis) steps.push({ kind: 'postPromotionAnalysis', analysis: spec.postPromotionAnalysis });
    steps.push({ kind: 'scaleDown', delaySeconds: spec.scaleDownDelaySeconds ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS });
  }
  return steps.map((step, index) => ({
    index,
    step,
    title: stepTitle(step),
    status: 'Pending',
    startedAt: null,
    finishedAt: null,
    waitedOnPeopleSeconds: 0,
  }));
}

/** A step as a person reads it: "Set weight to 20%", "Gate: qa-signoff (timeout 1h, then abort)". */
export function stepTitle(step: PlanStep): string {
  switch (step.kind) {
    case 'setWeight':
      return `Set weight to ${step.weight}%`;
    case 'pause':
      return step.durationSeconds === null ? 'Pause until promoted' : `Pause ${formatDuration(step.durationSeconds)}`;
    case 'analysis':
      return `Analysis: ${step.analysis.templates.join(', ')}`;
    case 'gate':
      return step.timeoutSeconds === null
        ? `Gate: ${step.name}`
        : `Gate: ${step.name} (timeout ${formatDuration(step.timeoutSeconds)}, then ${step.onTimeout})`;
    case 'deployPreview':
      return 'Deploy preview';
    case 'prePromotionAnalysis':
      return `Pre-promotion analysis: ${step.analysis.templates.join(', ')}`;
    case 'awaitPromotion':
      if (step.autoPromotionSeconds !== null) return `Promote automatically after ${formatDuration(step.autoPromotionSeconds)}`;
      return step.auto ? 'Promote automatically' : 'Await promotion';
    case 'switchTraffic':
      return 'Switch traffic to the new version';
    case 'postPromotionAnalysis':
      return `Post-promotion analysis: ${step.analysis.templates.join(', ')}`;
    case 'scaleDown':
      return `Scale down the previous version after ${formatDuration(step.delaySeconds)}`;
  }
}

/**
 * A new rollout document for a validated spec: phase Progressing, no step started, all traffic
 * on the stable version, one `start` action by `actor`. Pure.
 */
export function newRollout(
  spec: RolloutSpec,
  opts: { id: string; now: string; actor: string; retryOf?: string; undoOf?: string; comment?: string },
): Rollout {
  return {
    id: opts.id,
    spec,
    createdAt: opts.now,
    createdBy: opts.actor,
    updatedAt: opts.now,
    phase: 'Progressing',
    message: 'Queued; waiting for the state machine to start',
    plan: compilePlan(spec),
    currentStepIndex: -1,
    weights: [
      { role: 'stable', artifactId: spec.fromVersion, version: versionOfArtifact(spec.fromVersion), desired: 100, actual: null },
      { role: 'canary', artifactId: spec.toVersion, version: versionOfArtifact(spec.toVersion), desired: 0, actual: null },
    ],
    weightHistory: [],
    analysisRuns: [],
    pause: null,
    gates: [],
    signals: {},
    waiter: null,
    actions: [{ at: opts.now, actor: opts.actor, verb: 'start', ...(opts.comment ? { comment: opts.comment } : {}) }],
    executionId: null,
    finishedAt: null,
    ...(opts.retryOf ? { retryOf: opts.retryOf } : {}),
    ...(opts.undoOf ? { undoOf: opts.undoOf } : {}),
    revision: 0,
  };
}
