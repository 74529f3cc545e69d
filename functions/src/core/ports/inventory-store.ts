import type { DeploymentRecord, InventoryCell, Page } from '../read-models';

/** One cell of current state (service × environment), with the order key of the event that set it. */
export interface InventoryCellState extends InventoryCell {
  orderKey: string;
}

export interface EnvironmentState {
  name: string;
  provider: string | null;
  kind: string | null;
  region: string | null;
  url: string | null;
  firstSeen: string;
  lastEventAt: string;
  deleted: boolean;
  /** Order key of the last event that changed the metadata (provider, url, deleted). */
  metaOrderKey: string | null;
}

/**
 * The current-state view, kept up to date at ingest so reads never scan history. Every write is
 * conditional on the event order: `applyCell` and `updateEnvironment` never let an older event
 * overwrite state set by a newer one, and are idempotent for the same event.
 */
export interface InventoryStore {
  getCell(service: string, environment: string): Promise<InventoryCellState | null>;
  /**
   * Writes `next` if the stored cell still has `expectedOrderKey` (null = absent). Returns false when
   * someone else changed it meanwhile; the caller re-reads and decides again.
   */
  putCellIf(next: InventoryCellState, expectedOrderKey: string | null): Promise<boolean>;
  listCells(): Promise<InventoryCellState[]>;
  listServiceCells(service: string): Promise<InventoryCellState[]>;

  /** Adds one deployment-history row; the same event key twice stores it once. */
  addHistory(service: string, record: DeploymentRecord & { sortTime: string }): Promise<void>;
  /** Batch form of `addHistory`. Optional: the store consumer falls back to `addHistory` per row. */
  addHistoryMany?(rows: Array<{ service: string; record: DeploymentRecord & { sortTime: string } }>): Promise<void>;
  /**
   * Batch form of `getCell` and `getEnvironment` (strongly consistent): the cells and environments
   * that exist among those asked for. Optional: the store consumer falls back to single reads.
   */
  getMany?(query: { cells: Array<{ service: string; environment: string }>; environments: string[] }): Promise<{
    cells: InventoryCellState[];
    environments: Array<EnvironmentState & { revision: number }>;
  }>;
  listHistory(service: string, limit: number, cursor?: string): Promise<Page<DeploymentRecord>>;

  getEnvironment(name: string): Promise<(EnvironmentState & { revision: number }) | null>;
  /** Writes if the stored revision is still `expectedRevision` (0 = absent). */
  putEnvironmentIf(next: EnvironmentState, expectedRevision: number): Promise<boolean>;
  listEnvironments(): Promise<EnvironmentState[]>;
}
