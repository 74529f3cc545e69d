import { describe, expect, it } from 'vitest';
import { extractEvent } from '../../functions/src/core/cdevents/envelope';
import { prepareEvent } from '../../functions/src/core/cdevents/prepare';
import { getDoraReport } from '../../functions/src/core/dora/get-dora-report';
import type { DoraDay, DoraReport, DoraUpdate } from '../../functions/src/core/dora/model';
import { doraUpdateFor, projectDora, serviceOfChange } from '../../functions/src/core/dora/project';
import { median } from '../../functions/src/core/dora/report';
import { DORA_THRESHOLDS, levelFor } from '../../functions/src/core/dora/thresholds';
import { ValidationError } from '../../functions/src/core/errors';
import type { DoraStore } from '../../functions/src/core/ports/dora-store';
import type { StoredEvent } from '../../functions/src/core/ports/event-store';
import type { EnvironmentState, InventoryStore } from '../../functions/src/core/ports/inventory-store';

// ---- a fixed history ---------------------------------------------------------------------------

function stored(type: string, subjectId: string, content: Record<string, unknown>, timestamp: string, id: string): StoredEvent {
  const cdevent = { context: { specversion: '0.5.1', id, source: '/dora-test', type, timestamp }, subject: { id: subjectId, content } };
  const p = prepareEvent(extractEvent(cdevent), '2026-03-08T12:00:00.000Z');
  if ('error' in p) throw new Error(p.error.message);
  return { ...p, ingestedAt: '2026-03-08T12:00:00.000Z', projected: false };
}

const ART = 'pkg:oci/app@sha256%3Aabc?tag=1.0.0';
const deploy = (predicate: 'deployed' | 'upgraded' | 'rolledback', service: string, env: string, at: string, id: string) =>
  stored(`dev.cdevents.service.${predicate}.0.3.0`, service, { environment: { id: env }, artifactId: ART }, at, id);
const merged = (repo: string, pr: number, at: string, id: string) =>
  stored('dev.cdevents.change.merged.0.3.0', `${repo}/pull/${pr}`, { repository: { id: repo, source: `https://github.com/${repo}` } }, at, id);
const incident = (phase: 'detected' | 'resolved', incidentId: string, service: string, env: string, at: string, id: string) =>
  stored(`dev.cdevents.incident.${phase}.0.3.0`, incidentId, { description: 'x', environment: { id: env }, service: { id: service } }, at, id);

/*
 * Window: the 7 UTC days 2026-03-01 .. 2026-03-07 (until = end of 03-07). February 2026 has 28 days.
 * Production: names or kinds matching /prod/i — prod-eu, prod-us, and dc1-hci by its kind
 * "production"; staging and dev are not production.
 */
const HISTORY: StoredEvent[] = [
  deploy('deployed', 'pay', 'prod-eu', '2026-02-26T12:00:00Z', 'D0'), // before the window: the baseline
  merged('acme/pay', 1, '2026-02-27T10:00:00Z', 'C1'), // merged in the look-back
  deploy('upgraded', 'pay', 'prod-eu', '2026-03-01T10:00:00Z', 'D1'), // delivers C1: 48 h
  merged('acme/pay', 2, '2026-03-01T12:00:00Z', 'C2'),
  merged('acme/pay', 3, '2026-03-02T06:00:00Z', 'C3'),
  deploy('upgraded', 'pay', 'staging', '2026-03-02T08:00:00Z', 'S1'), // not production
  deploy('deployed', 'ledger', 'dc1-hci', '2026-03-02T12:00:00Z', 'L1'), // production by kind
  deploy('deployed', 'ledger', 'dev', '2026-03-02T13:00:00Z', 'L0'), // not production
  deploy('upgraded', 'pay', 'prod-eu', '2026-03-03T06:00:00Z', 'D2'), // delivers C2 (42 h) and C3 (24 h)
  incident('detected', 'INC-1', 'pay', 'prod-eu', '2026-03-03T07:00:00Z', 'I1d'), // 1 h after D2: D2 failed
  deploy('rolledback', 'pay', 'prod-eu', '2026-03-03T08:00:00Z', 'R1'), // also after D2: still one failure
  incident('resolved', 'INC-1', 'pay', 'prod-eu', '2026-03-03T09:30:00Z', 'I1r'), // recovery 2.5 h
  merged('acme/pay', 4, '2026-03-04T09:00:00Z', 'C4'),
  deploy('upgraded', 'pay', 'prod-eu', '2026-03-05T09:00:00Z', 'D3'), // delivers C4: 24 h
  deploy('rolledback', 'pay', 'prod-eu', '2026-03-05T10:00:00Z', 'R2'), // D3 failed, no incident
  merged('acme/web', 7, '2026-03-05T23:00:00Z', 'Cw1'),
  deploy('deployed', 'web', 'prod-us', '2026-03-06T01:00:00Z', 'Dw1'), // delivers Cw1: 2 h
  deploy('upgraded', 'web', 'prod-us', '2026-03-06T03:00:00Z', 'Dw2'), // same day: still one deployment day
  deploy('upgraded', 'pay', 'prod-eu', '2026-03-06T16:00:00Z', 'D4'), // good: recovers D3, 10:00 → 16:00 next day = 30 h
  merged('acme/pay', 5, '2026-03-07T08:00:00Z', 'C5'), // not deployed yet: no sample
  incident('detected', 'INC-2', 'pay', 'prod-eu', '2026-03-07T20:00:00Z', 'I2d'), // 28 h after D4 (> 24 h): not linked
  deploy('upgraded', 'pay', 'prod-eu', '2026-03-09T09:00:00Z', 'D5'), // after `until`: not counted at all
];

// ---- test doubles ------------------------------------------------------------------------------

/** Set semantics like the DynamoDB adapter (one member per distinct entry). */
class MemoryDoraStore implements DoraStore {
  readonly items = new Map<string, { service: string; day: string; members: Set<string> }>();
  adds = 0;
  async add(update: DoraUpdate): Promise<void> {
    this.adds++;
    const id = `${update.service}\u001f${update.day}`;
    const item = this.items.get(id) ?? { service: update.service, day: update.day, members: new Set<string>() };
    item.members.add(JSON.stringify(update.entry));
    this.items.set(id, item);
  }
  async listDays(q: { service?: string; fromDay: string; toDay: string }): Promise<DoraDay[]> {
    return [...this.items.values()]
      .filter((i) => (q.service === undefined || i.service === q.service) && i.day >= q.fromDay && i.day <= q.toDay)
      .sort((a, b) => a.day.localeCompare(b.day))
      .map((i) => ({ service: i.service, day: i.day, entries: [...i.members].map((m) => JSON.parse(m)) }));
  }
}

const ENVIRONMENTS: EnvironmentState[] = ['prod-eu', 'prod-us', 'staging', 'dev', 'dc1-hci'].map((name) => ({
  name,
  provider: 'aws',
  kind: name === 'dc1-hci' ? 'production' : 'cloud',
  region: null,
  url: null,
  firstSeen: '2026-01-01T00:00:00Z',
  lastEventAt: '2026-01-01T00:00:00Z',
  deleted: false,
  metaOrderKey: null,
}));

function depsWith(dora: DoraStore) {
  return {
    dora,
    inventory: { listEnvironments: async () => ENVIRONMENTS } as unknown as InventoryStore,
    clock: { now: () => '2026-03-08T12:00:00.000Z' },
  };
}

async function feed(events: StoredEvent[]): Promise<MemoryDoraStore> {
  const dora = new MemoryDoraStore();
  for (const e of events) await projectDora({ dora }, e);
  return dora;
}

const WINDOW = { windowDays: '7', until: '2026-03-07' };

// ---- tests -------------------------------------------------------------------------------------

describe('doraUpdateFor', () => {
  it('turns deploying service events, merges and incidents into one entry keyed by the event', () => {
    const d = doraUpdateFor(deploy('rolledback', 'pay', 'prod-eu', '2026-03-03T08:00:00.5Z', 'x1'))!;
    expect(d).toEqual({
      service: 'pay',
      day: '2026-03-03',
      entry: { type: 'deployment', key: expect.stringMatching(/^e/), environment: 'prod-eu', at: '2026-03-03T08:00:00.500000000Z', rollback: true, artifactId: ART },
    });
    expect(doraUpdateFor(merged('acme/pay', 9, '2026-03-01T00:00:00Z', 'x2'))).toMatchObject({ service: 'pay', entry: { type: 'change', ref: 'acme/pay/pull/9' } });
    expect(doraUpdateFor(incident('resolved', 'INC-9', 'pay', 'prod-eu', '2026-03-01T00:00:00Z', 'x3'))).toMatchObject({
      service: 'pay',
      entry: { type: 'incident', incident: 'INC-9', phase: 'resolved', environment: 'prod-eu' },
    });
  });

  it('ignores what DORA does not use', () => {
    expect(doraUpdateFor(stored('dev.cdevents.service.removed.0.3.0', 'pay', { environment: { id: 'prod' } }, '2026-03-01T00:00:00Z', 'r'))).toBeNull();
    expect(doraUpdateFor(stored('dev.cdevents.incident.detected.0.3.0', 'INC-1', { description: 'no service' }, '2026-03-01T00:00:00Z', 'i'))).toBeNull();
    expect(doraUpdateFor(stored('dev.cdevents.change.merged.0.3.0', 'no-repo', {}, '2026-03-01T00:00:00Z', 'c'))).toBeNull();
    expect(doraUpdateFor(stored('dev.cdevents.pipelinerun.started.0.3.0', 'run', { pipelineName: 'p' }, '2026-03-01T00:00:00Z', 'p'))).toBeNull();
  });

  it('names the service of a change after its repository, else after the pull request path', () => {
    const change = (subject: string, content: Record<string, unknown>) => stored('dev.cdevents.change.merged.0.3.0', subject, content, '2026-03-01T00:00:00Z', subject);
    expect(serviceOfChange(change('1', { repository: { id: 'FIN/ledger-indexer', source: 'https://bitbucket' } }))).toBe('ledger-indexer');
    expect(serviceOfChange(change('2', { repository: { name: 'https://github.com/acme/web-portal.git' } }))).toBe('web-portal');
    expect(serviceOfChange(change('acme/orders/pull/12', {}))).toBe('orders');
    expect(serviceOfChange(change('FIN/reporting/pull-requests/3', {}))).toBe('reporting');
  });
});

describe('DORA thresholds', () => {
  it('is a dated table and every level names it', () => {
    expect(DORA_THRESHOLDS.map((t) => [t.name, t.publishedAt])).toEqual([['DORA 2023', '2023-10']]);
    expect(levelFor('changeFailureRate', 0.05)).toEqual({ level: 'elite', table: 'DORA 2023', publishedAt: '2023-10', band: 'about 5 %' });
  });

  it('puts boundary values in the documented band', () => {
    // Lead time and recovery are "below" the bound, change failure rate "at most", frequency "at least".
    expect(levelFor('leadTime', 23.99)!.level).toBe('elite');
    expect(levelFor('leadTime', 24)!.level).toBe('high');
    expect(levelFor('leadTime', 24 * 30)!.level).toBe('low');
    expect(levelFor('changeFailureRate', 0.1)!.level).toBe('high');
    expect(levelFor('changeFailureRate', 0.1501)!.level).toBe('low');
    expect(levelFor('deploymentFrequency', 5)!.level).toBe('elite');
    expect(levelFor('deploymentFrequency', 0.25)!.level).toBe('medium');
    expect(levelFor('deploymentFrequency', 0.2)!.level).toBe('low');
    expect(levelFor('recoveryTime', 0.5)!.level).toBe('elite');
    expect(levelFor('recoveryTime', null)).toBeNull();
  });

  it('takes the median of an even count as the mean of the middle two', () => {
    expect(median([48, 24, 42, 24])).toBe(33);
    expect(median([])).toBeNull();
  });
});

describe('getDoraReport', () => {
  it('computes all four metrics for every production environment from a fixed history', async () => {
    const report = await getDoraReport(depsWith(await feed(HISTORY)), WINDOW);
    expect(report.scope).toMatchObject({
      service: null,
      environment: null,
      environments: ['dc1-hci', 'prod-eu', 'prod-us'],
      windowDays: 7,
      from: '2026-03-01T00:00:00.000Z',
      until: '2026-03-07T23:59:59.999Z',
    });
    expect(report.thresholds.name).toBe('DORA 2023');
    // Production deployments in the window: D1, D2, D3, D4 (pay), Dw1, Dw2 (web), L1 (ledger) = 7;
    // S1, L0 are not production, D0 is before and D5 after the window, R1/R2 are rollbacks.
    // Deployment days: 03-01, 03-02, 03-03, 03-05, 03-06 = 5 → 5 / 7 days × 7 = 5 per week → elite (≥ 5).
    expect(report.metrics.deploymentFrequency).toEqual({
      value: 5,
      unit: 'days',
      perWeek: 5,
      deployments: 7,
      level: { level: 'elite', table: 'DORA 2023', publishedAt: '2023-10', band: expect.any(String) },
    });
    // Lead times: C1→D1 48 h, C2→D2 42 h, C3→D2 24 h, C4→D3 24 h, Cw1→Dw1 2 h (C5 not deployed).
    // Sorted 2, 24, 24, 42, 48 → median 24 h → high (elite needs < 24 h).
    expect(report.metrics.leadTime).toMatchObject({ value: 24, changes: 5, level: { level: 'high', table: 'DORA 2023' } });
    // Failed: D2 (INC-1 1 h later and R1) and D3 (R2) = 2 of 7 = 0.2857 → low (> 15 %).
    // INC-2 is 28 h after D4, beyond the 24 h link: not a failure.
    expect(report.metrics.changeFailureRate).toMatchObject({ value: 0.2857, failed: 2, deployments: 7, level: { level: 'low' } });
    // Recoveries: D2 by INC-1 detected 07:00 → resolved 09:30 = 2.5 h; D3 (no incident) by R2 03-05 10:00 →
    // next good deployment D4 03-06 16:00 = 30 h. Median (2.5 + 30) / 2 = 16.25 h → high (< 1 day).
    expect(report.metrics.recoveryTime).toMatchObject({ value: 16.25, recoveries: 2, open: 0, level: { level: 'high' } });
    expect(report.series).toEqual([
      { date: '2026-03-01', deployments: 1, failedDeployments: 0, changes: 1, leadTimeHours: 48, recoveries: 0, recoveryHours: null },
      { date: '2026-03-02', deployments: 1, failedDeployments: 0, changes: 0, leadTimeHours: null, recoveries: 0, recoveryHours: null },
      // C2 42 h and C3 24 h → median 33 h; INC-1 recovered this day.
      { date: '2026-03-03', deployments: 1, failedDeployments: 1, changes: 2, leadTimeHours: 33, recoveries: 1, recoveryHours: 2.5 },
      { date: '2026-03-04', deployments: 0, failedDeployments: 0, changes: 0, leadTimeHours: null, recoveries: 0, recoveryHours: null },
      { date: '2026-03-05', deployments: 1, failedDeployments: 1, changes: 1, leadTimeHours: 24, recoveries: 0, recoveryHours: null },
      // D4, Dw1, Dw2; Cw1 2 h; D3's recovery completes with D4.
      { date: '2026-03-06', deployments: 3, failedDeployments: 0, changes: 1, leadTimeHours: 2, recoveries: 1, recoveryHours: 30 },
      { date: '2026-03-07', deployments: 0, failedDeployments: 0, changes: 0, leadTimeHours: null, recoveries: 0, recoveryHours: null },
    ]);
  });

  it('narrows to one service', async () => {
    const report = await getDoraReport(depsWith(await feed(HISTORY)), { ...WINDOW, service: 'pay' });
    // D1..D4 on 03-01, 03-03, 03-05, 03-06: 4 days → 4 per week → high.
    expect(report.metrics.deploymentFrequency).toMatchObject({ value: 4, perWeek: 4, deployments: 4, level: { level: 'high' } });
    // 48, 42, 24, 24 → sorted 24, 24, 42, 48 → (24 + 42) / 2 = 33 h.
    expect(report.metrics.leadTime).toMatchObject({ value: 33, changes: 4, level: { level: 'high' } });
    // 2 of 4.
    expect(report.metrics.changeFailureRate).toMatchObject({ value: 0.5, failed: 2, deployments: 4 });
    expect(report.metrics.recoveryTime).toMatchObject({ value: 16.25, recoveries: 2 });
    expect(report.scope.environments).toEqual(['prod-eu']);
  });

  it('counts exactly the environment asked for, production or not', async () => {
    const report = await getDoraReport(depsWith(await feed(HISTORY)), { ...WINDOW, service: 'pay', environment: 'staging' });
    expect(report.scope.production).toContain('only staging');
    // S1 only: 1 day → 1 per week → high; 0 of 1 failed → elite.
    expect(report.metrics.deploymentFrequency).toMatchObject({ value: 1, deployments: 1, level: { level: 'high' } });
    expect(report.metrics.changeFailureRate).toMatchObject({ value: 0, failed: 0, level: { level: 'elite' } });
    // First staging deployment after each merge is S1 (03-02 08:00): C1 from 02-27 10:00 = 48 + 22 = 70 h,
    // C2 from 03-01 12:00 = 20 h, C3 from 03-02 06:00 = 2 h; C4, C5 never reached staging. Median 20 h → elite.
    expect(report.metrics.leadTime).toMatchObject({ value: 20, changes: 3, level: { level: 'elite' } });
    expect(report.metrics.recoveryTime).toMatchObject({ value: null, recoveries: 0, open: 0, level: null });
  });

  it('counts replays and duplicates once, and late events as if they had come in order', async () => {
    const inOrder = await getDoraReport(depsWith(await feed(HISTORY)), WINDOW);
    // Newest first (every link is made by an event that arrives before what it links to), each event
    // delivered twice, plus the same CDEvent sent again by its producer (same source + id = same key).
    const messy = [...HISTORY].reverse().flatMap((e) => [e, structuredClone(e)]);
    messy.push(deploy('upgraded', 'pay', 'prod-eu', '2026-03-01T10:00:00Z', 'D1'));
    const store = await feed(messy);
    expect(store.adds).toBe(2 * HISTORY.length + 1);
    // Every one of the 22 events adds one entry; the 23 extra deliveries add none.
    expect([...store.items.values()].reduce((n, i) => n + i.members.size, 0)).toBe(22);
    const replayed = await getDoraReport(depsWith(store), WINDOW);
    expect(replayed).toEqual(inOrder);
  });

  it('turns a deployment into a failure when its rollback arrives late', async () => {
    const withoutR2 = HISTORY.filter((e) => e.id !== 'R2');
    const store = await feed(withoutR2);
    const before = await getDoraReport(depsWith(store), { ...WINDOW, service: 'pay' });
    // Without R2: only D2 failed, 1 of 4; D3 is good, so only INC-1's 2.5 h recovery.
    expect(before.metrics.changeFailureRate).toMatchObject({ failed: 1, value: 0.25 });
    expect(before.metrics.recoveryTime).toMatchObject({ value: 2.5, recoveries: 1 });
    await projectDora({ dora: store }, HISTORY.find((e) => e.id === 'R2')!);
    const after = await getDoraReport(depsWith(store), { ...WINDOW, service: 'pay' });
    expect(after.metrics.changeFailureRate).toMatchObject({ failed: 2, value: 0.5 });
    expect(after.metrics.recoveryTime).toMatchObject({ value: 16.25, recoveries: 2 });
  });

  it('keeps a failure open until a good deployment follows its rollback', async () => {
    // Until 03-06 12:00: D3 rolled back at 03-05 10:00, D4 (16:00) not yet there.
    const report = await getDoraReport(depsWith(await feed(HISTORY)), { service: 'pay', windowDays: '7', until: '2026-03-06T12:00:00Z' });
    expect(report.metrics.recoveryTime).toMatchObject({ recoveries: 1, open: 1, value: 2.5 });
  });

  it('takes the production rule as a parameter', async () => {
    const report = await getDoraReport(depsWith(await feed(HISTORY)), WINDOW, { productionPattern: /^prod-eu$/ });
    expect(report.scope.environments).toEqual(['prod-eu']);
    expect(report.metrics.deploymentFrequency.deployments).toBe(4);
  });

  it('reads only the window and the look-back, whatever the history', async () => {
    const store = await feed(HISTORY);
    const calls: Parameters<DoraStore['listDays']>[0][] = [];
    const spy: DoraStore = { add: (u) => store.add(u), listDays: (q) => (calls.push(q), store.listDays(q)) };
    await getDoraReport(depsWith(spy), { windowDays: '30', until: '2026-03-07', service: 'pay' });
    // 30 window days (02-06 .. 03-07) + 30 look-back days.
    expect(calls).toEqual([{ service: 'pay', fromDay: '2026-01-07', toDay: '2026-03-07' }]);
  });

  it('names the parameter at fault', async () => {
    const deps = depsWith(new MemoryDoraStore());
    const fails = async (input: Parameters<typeof getDoraReport>[1]) => {
      const err = await getDoraReport(deps, input).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      return (err as ValidationError).field;
    };
    expect(await fails({ windowDays: '0' })).toBe('windowDays');
    expect(await fails({ windowDays: '91' })).toBe('windowDays');
    expect(await fails({ windowDays: 'x' })).toBe('windowDays');
    expect(await fails({ until: 'yesterday' })).toBe('until');
    expect(await fails({ thresholds: 'DORA 1999' })).toBe('thresholds');
  });

  it('reports no levels without data', async () => {
    const report: DoraReport = await getDoraReport(depsWith(new MemoryDoraStore()), {});
    expect(report.scope.windowDays).toBe(30);
    expect(report.series).toHaveLength(30);
    expect(report.metrics.deploymentFrequency).toMatchObject({ value: 0, level: { level: 'low' } });
    expect(report.metrics.leadTime.level).toBeNull();
    expect(report.metrics.changeFailureRate).toMatchObject({ value: null, level: null });
  });
});
