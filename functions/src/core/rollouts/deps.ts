import type { Deps } from '../deps';
import type { MetricProviders } from '../ports/metric-providers';
import type { RolloutRunner, RolloutStore } from '../ports/rollout-store';
import type { TrafficTargets } from '../ports/traffic-target';
import type { RolloutPreset } from './model';

/** What the rollout use cases and task handlers need on top of the ingest dependencies. */
export interface RolloutDeps extends Deps {
  rollouts: RolloutStore;
  rolloutRunner: RolloutRunner;
  targets: TrafficTargets;
  metrics: MetricProviders;
  /** Specs the start form offers (the local demo's canaries; empty in AWS until settings exist). */
  presets: () => RolloutPreset[];
  /** Base URL of the portal (`https://…`), for the absolute `uri` of rollout events; default `http://localhost:3000`. */
  portalUrl?: string;
}
