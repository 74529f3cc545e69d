import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../functions/src/core/errors';
import type { SettingsStore } from '../../functions/src/core/ports/settings-store';
import type { StoredSetting } from '../../functions/src/core/settings/model';

const item = (over: Partial<StoredSetting> = {}): StoredSetting => ({
  kind: 'service',
  name: 'checkout',
  enabled: true,
  settings: { owner: 'team-a', tags: ['pci'] },
  revision: 1,
  updatedBy: 'alice',
  updatedAt: '2026-11-23T10:00:00.000Z',
  ...over,
});

/** One suite for every `SettingsStore` adapter. */
export function settingsStoreContract(name: string, make: () => Promise<SettingsStore>): void {
  describe(`SettingsStore contract: ${name}`, () => {
    it('saves a new item at revision 0 and reads it back', async () => {
      const store = await make();
      expect(await store.get('service', 'checkout')).toBeNull();
      await store.save(item(), 0);
      expect(await store.get('service', 'checkout')).toEqual(item());
      expect(await store.list()).toEqual([item()]);
    });

    it('refuses a stale revision with ConflictError on revision and keeps the stored item', async () => {
      const store = await make();
      await store.save(item(), 0);
      await expect(store.save(item({ revision: 1, enabled: false }), 0)).rejects.toBeInstanceOf(ConflictError);
      await expect(store.save(item({ revision: 3 }), 2)).rejects.toMatchObject({ field: 'revision' });
      await store.save(item({ revision: 2, enabled: false }), 1);
      expect((await store.get('service', 'checkout'))!.enabled).toBe(false);
    });

    it('keeps kinds apart', async () => {
      const store = await make();
      await store.save(item({ kind: 'environment', name: 'checkout', settings: {} }), 0);
      await store.save(item(), 0);
      expect((await store.list()).map((s) => s.kind).sort()).toEqual(['environment', 'service']);
    });

    it('lets one of two concurrent first saves win', async () => {
      const store = await make();
      const results = await Promise.allSettled([store.save(item({ updatedBy: 'a' }), 0), store.save(item({ updatedBy: 'b' }), 0)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });
  });
}
