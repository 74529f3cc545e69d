import type { RolloutPhase, TargetSpec } from '../rollouts/model';

/** Flagger's webhook types, called at the matching moments of a rollout. */
export const HOOK_TYPES = [
  'confirm-rollout',
  'pre-rollout',
  'rollout',
  'confirm-traffic-increase',
  'confirm-promotion',
  'post-rollout',
  'rollback',
  'event',
] as const;
export type HookType = (typeof HOOK_TYPES)[number];

/** What a target needs to know about the rollout it serves. */
export interface TargetContext {
  rolloutId: string;
  service: string;
  environment: string;
  phase: RolloutPhase;
  /** Current plan step index. */
  step: number;
  /** Artifact ids (purls) and their versions; stable is null on a first deploy. */
  stable: { artifactId: string | null; version: string | null };
  canary: { artifactId: string; version: string | null };
  metadata: Record<string, string>;
  /** The split the rollout believes is in force, when it knows (hooks pass it on to webhook owners). */
  weights?: TrafficSplit;
}

/** Traffic split as the target reports it, in percent (stable + canary = 100). */
export interface TrafficSplit {
  stable: number;
  canary: number;
}

export interface HookResult {
  /** 2xx (or no hook configured) = proceed; anything else halts: confirm-* hooks then wait, others fail the step. */
  proceed: boolean;
  message?: string;
}

/**
 * A place whose traffic a rollout moves: the owner's webhook, a Lambda alias, the local proxy.
 * Every method is idempotent (the state machine retries tasks) and throws `DependencyError`
 * (code `TARGET_UNAVAILABLE`) when the target cannot be reached after the adapter's own retries.
 */
export interface TrafficTarget {
  /** Route `canaryWeight` percent to the new version and the rest to the stable one; returns the split now in force. */
  setWeight(ctx: TargetContext, canaryWeight: number): Promise<TrafficSplit>;
  /** The split in force now. */
  getWeight(ctx: TargetContext): Promise<TrafficSplit>;
  /** Blue-green: make the new version reachable on the preview endpoint without live traffic. */
  deployPreview(ctx: TargetContext): Promise<void>;
  /** Retire one version once no traffic reaches it (blue-green after the scale-down delay, canary after promotion). */
  scaleDown(ctx: TargetContext, which: 'stable' | 'canary'): Promise<void>;
  /** Call a Flagger-like hook; targets without hooks answer proceed. */
  hook(ctx: TargetContext, type: HookType): Promise<HookResult>;
}

/** Picks the adapter for a spec's `target`; throws `ValidationError` (field `target`) when it cannot serve it. */
export interface TrafficTargets {
  resolve(spec: TargetSpec): TrafficTarget;
}
