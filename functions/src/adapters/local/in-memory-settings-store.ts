import { ConflictError } from '../../core/errors';
import type { SettingsStore } from '../../core/ports/settings-store';
import type { SettingKind, StoredSetting } from '../../core/settings/model';

/** `SettingsStore` in memory (tests). */
export class InMemorySettingsStore implements SettingsStore {
  private readonly items = new Map<string, string>();

  async get(kind: SettingKind, name: string): Promise<StoredSetting | null> {
    const text = this.items.get(`${kind}/${name}`);
    return text ? (JSON.parse(text) as StoredSetting) : null;
  }

  async list(): Promise<StoredSetting[]> {
    return [...this.items.values()].map((t) => JSON.parse(t) as StoredSetting);
  }

  async save(item: StoredSetting, expectedRevision: number): Promise<void> {
    // Read and write without an await in between, so concurrent saves are ordered.
    const text = this.items.get(`${item.kind}/${item.name}`);
    const current = text ? (JSON.parse(text) as StoredSetting) : null;
    if ((current?.revision ?? 0) !== expectedRevision) {
      throw new ConflictError(`${item.kind} ${item.name} was changed meanwhile (now revision ${current?.revision ?? 0}, you read ${expectedRevision})`, 'revision');
    }
    this.items.set(`${item.kind}/${item.name}`, JSON.stringify(item));
  }
}
