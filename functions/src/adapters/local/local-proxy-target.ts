import { versionOfArtifact } from '../../core/cdevents/artifact';
import { ValidationError } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/ports/logger';
import type { HookResult, TargetContext, TrafficSplit, TrafficTarget } from '../../core/ports/traffic-target';
import type { TargetSpec } from '../../core/rollouts/model';
import type { WeightedProxy } from './weighted-proxy';

export type LocalProxyTargetSpec = Extract<TargetSpec, { type: 'local-proxy' }>;

/** Named proxies of the local runtime: a record, or a lookup function. */
export type ProxyLookup = Readonly<Record<string, WeightedProxy>> | ((name: string) => WeightedProxy | undefined);

export function findProxy(proxies: ProxyLookup, name: string): WeightedProxy | undefined {
  return typeof proxies === 'function' ? proxies(name) : Object.hasOwn(proxies, name) ? proxies[name] : undefined;
}

/**
 * The `local-proxy` traffic target: sets the weights of an in-process {@link WeightedProxy}.
 *
 * When the proxy knows the rollout's versions (by version string, else by artifact id), it first
 * gives them the stable/canary roles (so undo and a second rollout work with the same two demo
 * servers); unknown versions leave the roles as configured. Hooks proceed; deployPreview is a no-op
 * (the preview route always reaches the canary); scaleDown only logs (the demo servers keep
 * running). Idempotent; never throws DependencyError (the proxy is in-process).
 */
export class LocalProxyTarget implements TrafficTarget {
  constructor(
    private readonly proxy: WeightedProxy,
    private readonly logger: Logger = silentLogger,
  ) {}

  async setWeight(ctx: TargetContext, canaryWeight: number): Promise<TrafficSplit> {
    if (!Number.isFinite(canaryWeight) || canaryWeight < 0 || canaryWeight > 100) {
      throw new ValidationError(`weight must be 0–100, got ${canaryWeight}`, 'weight');
    }
    this.assignRoles(ctx);
    this.proxy.setWeights({ stable: 100 - canaryWeight, canary: canaryWeight });
    return this.proxy.weights();
  }

  async getWeight(ctx: TargetContext): Promise<TrafficSplit> {
    this.assignRoles(ctx);
    return this.proxy.weights();
  }

  async deployPreview(ctx: TargetContext): Promise<void> {
    this.assignRoles(ctx);
  }

  async scaleDown(ctx: TargetContext, which: 'stable' | 'canary'): Promise<void> {
    this.logger.info('local proxy scale-down: the demo server keeps running', {
      rolloutId: ctx.rolloutId,
      proxy: this.proxy.name,
      which,
      version: this.proxy.upstream(which).version,
    });
  }

  async hook(): Promise<HookResult> {
    return { proceed: true };
  }

  private assignRoles(ctx: TargetContext): void {
    const canary = this.known(ctx.canary);
    if (!canary) return;
    const stable = this.known(ctx.stable);
    this.proxy.assign(stable ? { stable, canary } : { canary });
  }

  private known(side: { artifactId: string | null; version: string | null }): string | null {
    for (const candidate of [side.version, versionOfArtifact(side.artifactId), side.artifactId]) {
      if (candidate && this.proxy.hasVersion(candidate)) return candidate;
    }
    return null;
  }
}

/** A factory for {@link CompositeTrafficTargets}: resolves `{type: 'local-proxy', proxy}` by name. */
export function localProxyTargets(proxies: ProxyLookup, logger?: Logger): (spec: LocalProxyTargetSpec) => TrafficTarget {
  return (spec) => {
    const proxy = findProxy(proxies, spec.proxy);
    if (!proxy) throw new ValidationError(`No local proxy named ${spec.proxy} in this runtime`, 'target.proxy');
    return new LocalProxyTarget(proxy, logger);
  };
}
