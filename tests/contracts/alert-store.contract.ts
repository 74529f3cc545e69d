import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../functions/src/core/alerts/fingerprint';
import type { Alert, AlertState, GroupNotificationLog, Silence } from '../../functions/src/core/alerts/model';
import { ConflictError, ValidationError } from '../../functions/src/core/errors';
import type { AlertStore } from '../../functions/src/core/ports/alert-store';

export function storedAlert(name: string, over: { environment?: string; state?: AlertState; stateSince?: string } = {}): Alert {
  const labels: Record<string, string> = { alertname: name };
  if (over.environment !== undefined) labels.environment = over.environment;
  const at = over.stateSince ?? '2026-11-23T10:00:00.000Z';
  return {
    fingerprint: fingerprint(labels),
    labels,
    annotations: { summary: `${name} is bad` },
    severity: 'critical',
    state: over.state ?? 'firing',
    startsAt: at,
    endsAt: null,
    stateSince: at,
    lastObservedAt: at,
    observations: 1,
    ackedBy: null,
    ackedAt: null,
    ackComment: null,
    history: [{ kind: 'fired', at, from: null, to: 'firing', severity: 'critical', cause: 'condition' }],
    revision: 0,
  };
}

export function silence(id: string, over: Partial<Silence> = {}): Silence {
  return {
    id,
    matchers: [{ name: 'alertname', op: '=', value: 'disk' }],
    startsAt: '2026-11-23T10:00:00.000Z',
    endsAt: '2026-11-23T12:00:00.000Z',
    createdBy: 'alice',
    comment: 'maintenance',
    createdAt: '2026-11-23T09:00:00.000Z',
    updatedAt: '2026-11-23T09:00:00.000Z',
    revision: 0,
    ...over,
  };
}

async function allPages<T>(fetch: (cursor?: string) => Promise<{ items: T[]; next: string | null }>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await fetch(cursor);
    pages += 1;
    items.push(...page.items);
    cursor = page.next ?? undefined;
    if (pages > 50) throw new Error('paging does not end');
  } while (cursor);
  return { items, pages };
}

/** The AlertStore contract, run against every adapter. */
export function alertStoreContract(name: string, make: () => Promise<AlertStore>): void {
  describe(`AlertStore contract: ${name}`, () => {
    it('creates an alert once and reads the same document back', async () => {
      const store = await make();
      const a = storedAlert('disk', { environment: 'prod' });
      await store.createAlert(a);
      await expect(store.createAlert(a)).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getAlert(a.fingerprint)).toEqual(a);
      expect(await store.getAlert('0'.repeat(64))).toBeNull();
    });

    it('saves an alert only on the expected revision and bumps it', async () => {
      const store = await make();
      const a = storedAlert('disk');
      await store.createAlert(a);
      await store.saveAlert({ ...a, state: 'acknowledged', ackedBy: 'bob' }, 0);
      await expect(store.saveAlert({ ...a, state: 'resolved' }, 0)).rejects.toMatchObject({ field: 'revision' });
      await expect(store.saveAlert(storedAlert('missing'), 0)).rejects.toBeInstanceOf(ConflictError);
      const after = (await store.getAlert(a.fingerprint))!;
      expect(after).toMatchObject({ state: 'acknowledged', ackedBy: 'bob', revision: 1 });
    });

    it('lets exactly one of many concurrent writers of a revision win', async () => {
      const store = await make();
      const a = storedAlert('disk');
      await store.createAlert(a);
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.saveAlert({ ...a, observations: i + 2 }, 0)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('lists alerts by state, by environment and by both, newest first, following state changes', async () => {
      const store = await make();
      const specs: [string, string | undefined, AlertState, number][] = [
        ['a0', 'prod', 'firing', 0],
        ['a1', 'prod', 'resolved', 1],
        ['a2', 'staging', 'firing', 2],
        ['a3', 'prod', 'acknowledged', 3],
        ['a4', undefined, 'firing', 4],
        ['a5', 'prod', 'firing', 5],
      ];
      for (const [n, env, state, i] of specs) {
        await store.createAlert(storedAlert(n, { ...(env ? { environment: env } : {}), state, stateSince: `2026-11-2${i}T10:00:00.000Z` }));
      }
      const names = (alerts: Alert[]) => alerts.map((a) => a.labels.alertname);
      expect(names((await store.listAlerts({ limit: 10 })).items)).toEqual(['a5', 'a4', 'a3', 'a2', 'a1', 'a0']);
      expect(names((await store.listAlerts({ state: 'firing', limit: 10 })).items)).toEqual(['a5', 'a4', 'a2', 'a0']);
      expect(names((await store.listAlerts({ environment: 'prod', limit: 10 })).items)).toEqual(['a5', 'a3', 'a1', 'a0']);
      expect(names((await store.listAlerts({ environment: 'prod', state: 'firing', limit: 10 })).items)).toEqual(['a5', 'a0']);

      const a0 = (await store.getAlert(storedAlert('a0', { environment: 'prod' }).fingerprint))!;
      await store.saveAlert({ ...a0, state: 'resolved', stateSince: '2026-11-29T10:00:00.000Z' }, 0);
      expect(names((await store.listAlerts({ environment: 'prod', state: 'firing', limit: 10 })).items)).toEqual(['a5']);
      expect(names((await store.listAlerts({ state: 'resolved', limit: 10 })).items)).toEqual(['a0', 'a1']);
    });

    it('pages every list without gaps or repeats', async () => {
      const store = await make();
      for (let i = 0; i < 7; i++) {
        await store.createAlert(storedAlert(`p${i}`, { environment: 'prod', state: i % 3 === 0 ? 'resolved' : 'firing', stateSince: `2026-11-1${i}T10:00:00.000Z` }));
      }
      for (const filter of [{}, { environment: 'prod' }, { state: 'firing' as const }, { environment: 'prod', state: 'firing' as const }]) {
        const whole = (await store.listAlerts({ ...filter, limit: 100 })).items.map((a) => a.fingerprint);
        const paged = await allPages((cursor) => store.listAlerts({ ...filter, limit: 2, ...(cursor ? { cursor } : {}) }));
        expect(paged.items.map((a) => a.fingerprint)).toEqual(whole);
        expect(paged.pages).toBe(Math.max(1, Math.ceil(whole.length / 2)));
      }
    });

    it('rejects a cursor it did not issue', async () => {
      const store = await make();
      await expect(store.listAlerts({ limit: 2, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(ValidationError);
    });

    it('keeps silences: create once, save on revision, delete, list all and current', async () => {
      const store = await make();
      await store.createSilence(silence('s1'));
      await expect(store.createSilence(silence('s1'))).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getSilence('s1')).toEqual(silence('s1'));
      await store.saveSilence({ ...silence('s1'), endsAt: '2026-11-23T11:00:00.000Z' }, 0);
      await expect(store.saveSilence(silence('s1'), 0)).rejects.toMatchObject({ field: 'revision' });
      expect(await store.getSilence('s1')).toMatchObject({ endsAt: '2026-11-23T11:00:00.000Z', revision: 1 });

      await store.createSilence(silence('s2', { createdAt: '2026-11-23T09:30:00.000Z', endsAt: '2026-11-23T13:00:00.000Z' }));
      await store.createSilence(silence('s3', { createdAt: '2026-11-23T09:45:00.000Z', endsAt: '2026-11-23T10:30:00.000Z' }));
      const ids = (p: { items: Silence[] }) => p.items.map((s) => s.id);
      expect(ids(await store.listSilences({ scope: 'all', limit: 10 }))).toEqual(['s3', 's2', 's1']);
      expect(ids(await store.listSilences({ scope: 'current', now: '2026-11-23T10:45:00.000Z', limit: 10 }))).toEqual(['s2', 's1']);
      // endsAt == now is expired.
      expect(ids(await store.listSilences({ scope: 'current', now: '2026-11-23T11:00:00.000Z', limit: 10 }))).toEqual(['s2']);
      const paged = await allPages((cursor) => store.listSilences({ scope: 'all', limit: 2, ...(cursor ? { cursor } : {}) }));
      expect(paged.items.map((s) => s.id)).toEqual(['s3', 's2', 's1']);
      expect(paged.pages).toBe(2);

      expect(await store.deleteSilence('s2')).toBe(true);
      expect(await store.deleteSilence('s2')).toBe(false);
      expect(await store.getSilence('s2')).toBeNull();
      expect(ids(await store.listSilences({ scope: 'all', limit: 10 }))).toEqual(['s3', 's1']);
    });

    it('records a group notification only on the previous sentAt, once among concurrent planners', async () => {
      const store = await make();
      const log = (sentAt: string): GroupNotificationLog => ({
        groupId: 'g'.repeat(64),
        groupKey: '{alertname="disk"}',
        sentAt,
        firing: [{ fingerprint: 'f'.repeat(64), startsAt: '2026-11-23T10:00:00.000Z', severity: 'critical' }],
      });
      expect(await store.getGroupLog('g'.repeat(64))).toBeNull();
      const first = await Promise.all(Array.from({ length: 6 }, () => store.recordNotification(log('2026-11-23T10:00:30.000Z'), null)));
      expect(first.filter(Boolean)).toHaveLength(1);
      expect(await store.recordNotification(log('2026-11-23T10:05:30.000Z'), null)).toBe(false);
      expect(await store.recordNotification(log('2026-11-23T10:05:30.000Z'), '2026-11-23T10:00:00.000Z')).toBe(false);
      expect(await store.recordNotification(log('2026-11-23T10:05:30.000Z'), '2026-11-23T10:00:30.000Z')).toBe(true);
      expect(await store.getGroupLog('g'.repeat(64))).toEqual(log('2026-11-23T10:05:30.000Z'));
      await store.recordNotification({ ...log('2026-11-23T10:06:00.000Z'), groupId: 'a'.repeat(64) }, null);
      expect((await store.listGroupLogs()).map((l) => l.groupId).sort()).toEqual(['a'.repeat(64), 'g'.repeat(64)]);
    });
  });
}
