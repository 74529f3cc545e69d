import { ValidationError } from '../core/errors';
import type { TrafficTarget, TrafficTargets } from '../core/ports/traffic-target';
import type { TargetSpec } from '../core/rollouts/model';

/** One factory per target type this runtime can serve. */
export type TrafficTargetFactories = {
  [K in TargetSpec['type']]?: (spec: Extract<TargetSpec, { type: K }>) => TrafficTarget;
};

/**
 * Picks the traffic adapter for a spec's `target` by its `type`, from the factories the composition
 * root gives (AWS: webhook + lambda-alias; local: webhook + local-proxy).
 *
 * @throws ValidationError (field `target.type`) for a type this runtime does not serve; whatever the
 *   factory throws for settings it cannot serve (e.g. an unknown proxy name).
 */
export class CompositeTrafficTargets implements TrafficTargets {
  constructor(private readonly factories: TrafficTargetFactories) {}

  resolve(spec: TargetSpec): TrafficTarget {
    const factory = Object.hasOwn(this.factories, spec.type)
      ? (this.factories[spec.type] as ((s: TargetSpec) => TrafficTarget) | undefined)
      : undefined;
    if (!factory) throw new ValidationError(`Target type ${String(spec.type)} is not available in this runtime`, 'target.type');
    return factory(spec);
  }

  /** The types this runtime serves (for the start form and error messages). */
  types(): TargetSpec['type'][] {
    return (Object.keys(this.factories) as TargetSpec['type'][]).filter((type) => this.factories[type] !== undefined);
  }
}
