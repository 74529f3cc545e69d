import { DependencyError } from '../errors';
import type { Clock } from '../ports/clock';
import type { CostExplorer, CostExplorerGrouping } from '../ports/cost-explorer';
import type { CostStore } from '../ports/cost-store';
import type { InventoryStore } from '../ports/inventory-store';
import type { Logger } from '../ports/logger';
import type { CostAllocation } from './allocation';

/** How the Cost Explorer pull runs. */
export interface CostExplorerSettings {
  /**
   * The second GroupBy dimension besides SERVICE: the environment cost-allocation tag (default
   * `signalbox:environment`) or, without a tag, LINKED_ACCOUNT mapped through `accounts:`.
   */
  readonly grouping: CostExplorerGrouping;
  /** How many days back the pull looks for missing days (default 14). */
  readonly lookbackDays: number;
  /** The most recent days that are pulled again every run, because AWS still revises them (default 3). */
  readonly unsettledDays: number;
}

export const DEFAULT_COST_EXPLORER_SETTINGS: CostExplorerSettings = {
  grouping: { kind: 'tag', key: 'signalbox:environment' },
  lookbackDays: 14,
  unsettledDays: 3,
};

/** What the cost use cases need. */
export interface CostDeps {
  costs: CostStore;
  /** How costs find their environment (the config's environments and their `accounts:`). */
  costAllocation(): Promise<CostAllocation>;
  /** AWS only; absent locally. */
  costExplorer?: CostExplorer;
  costExplorerSettings?: CostExplorerSettings;
  inventory: InventoryStore;
  clock: Clock;
  logger: Logger;
  newId: () => string;
}

/** The cost deps of a runtime's deps, or a 503-mapped error where costs are not wired. */
export function costDeps(deps: object): CostDeps {
  const d = deps as Partial<CostDeps>;
  if (!d.costs || !d.costAllocation) throw new DependencyError('costs are not configured in this deployment', null, { code: 'costs_unavailable' });
  return deps as CostDeps;
}
