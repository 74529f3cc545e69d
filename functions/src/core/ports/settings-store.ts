import type { SettingKind, StoredSetting } from '../settings/model';

/**
 * Where admin settings are kept: a few hundred small items at most, all read at once. Every write
 * is conditional on the revision the writer read.
 */
export interface SettingsStore {
  /** The item, or null when it was never saved. */
  get(kind: SettingKind, name: string): Promise<StoredSetting | null>;
  /** Every saved item (any order). */
  list(): Promise<StoredSetting[]>;
  /**
   * Saves `item` (whose `revision` is `expectedRevision + 1`) if the stored revision is still
   * `expectedRevision` (0: not saved yet).
   * @throws ConflictError (field `revision`) when someone saved in between.
   */
  save(item: StoredSetting, expectedRevision: number): Promise<void>;
}
