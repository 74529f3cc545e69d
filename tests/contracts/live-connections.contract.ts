import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/src/core/errors';
import type { LiveTopic } from '../../functions/src/core/live/model';
import type { LiveConnectionStore } from '../../functions/src/core/ports/live-connections';

const AT = '2026-11-23T10:00:00.000Z';

async function all(store: LiveConnectionStore, topic: LiveTopic, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.listByTopic(topic, { limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items);
    cursor = page.next ?? undefined;
    pages += 1;
  } while (cursor);
  return { ids, pages };
}

/** The behaviour every LiveConnectionStore adapter must share. */
export function liveConnectionsContract(name: string, make: () => Promise<LiveConnectionStore>): void {
  describe(`LiveConnectionStore contract: ${name}`, () => {
    it('registers without topics, then lists by topic exactly the subscribers', async () => {
      const store = await make();
      await store.add('c1', AT);
      expect(await store.topicsOf('c1')).toEqual([]);
      expect(await store.topicsOf('nobody')).toBeNull();
      await store.setTopics('c1', ['health', 'alerts'], AT);
      await store.setTopics('c2', ['alerts'], AT);
      expect(await store.topicsOf('c1')).toEqual(['alerts', 'health']);
      expect((await all(store, 'alerts', 10)).ids.sort()).toEqual(['c1', 'c2']);
      expect((await all(store, 'health', 10)).ids).toEqual(['c1']);
      expect((await all(store, 'events', 10)).ids).toEqual([]);
    });

    it('replaces the topic set on setTopics and keeps it on a repeated add', async () => {
      const store = await make();
      await store.setTopics('c1', ['alerts', 'health'], AT);
      await store.add('c1', AT);
      expect(await store.topicsOf('c1')).toEqual(['alerts', 'health']);
      await store.setTopics('c1', ['events'], AT);
      expect(await store.topicsOf('c1')).toEqual(['events']);
      expect((await all(store, 'alerts', 10)).ids).toEqual([]);
      expect((await all(store, 'events', 10)).ids).toEqual(['c1']);
      await store.setTopics('c1', [], AT);
      expect((await all(store, 'events', 10)).ids).toEqual([]);
    });

    it('forgets a removed connection everywhere; removing twice is harmless', async () => {
      const store = await make();
      await store.setTopics('c1', ['alerts', 'rollouts'], AT);
      await store.setTopics('c2', ['alerts'], AT);
      await store.remove('c1');
      await store.remove('c1');
      await store.remove('never-there');
      expect(await store.topicsOf('c1')).toBeNull();
      expect((await all(store, 'alerts', 10)).ids).toEqual(['c2']);
      expect((await all(store, 'rollouts', 10)).ids).toEqual([]);
    });

    it('pages through many subscribers without losing or repeating one', async () => {
      const store = await make();
      const ids = Array.from({ length: 23 }, (_, i) => `conn-${String(i).padStart(2, '0')}`);
      for (const id of ids) await store.setTopics(id, ['events'], AT);
      const { ids: listed, pages } = await all(store, 'events', 5);
      expect(listed.sort()).toEqual(ids);
      expect(pages).toBeGreaterThanOrEqual(5);
    });

    it('refuses a foreign cursor', async () => {
      const store = await make();
      await expect(store.listByTopic('alerts', { limit: 5, cursor: 'bm9wZQ' })).rejects.toBeInstanceOf(ValidationError);
    });
  });
}
