import { describe, expect, it } from 'vitest';
import { InMemoryAlertStore } from '../../functions/src/adapters/local/in-memory-alert-store';
import { InMemoryCheckHistoryStore } from '../../functions/src/adapters/local/in-memory-check-history-store';
import { evaluate } from '../../functions/src/core/alerts/evaluate';
import type { AlertObservation } from '../../functions/src/core/alerts/model';
import { parseConfig, formatIssue } from '../../functions/src/core/config/parse';
import { runMonitoringCycle } from '../../functions/src/core/monitoring/cycle';
import { inMemoryMonitorState, staticMonitoringConfig, type MonitoringDeps } from '../../functions/src/core/monitoring/deps';
import { notifyAlerts } from '../../functions/src/core/monitoring/notify';
import type { DeadLetter } from '../../functions/src/core/read-models';
import type { Logger } from '../../functions/src/core/ports/logger';
import type { NotificationPayload, Notifier } from '../../functions/src/core/ports/notifier';

const CONFIG = `notifications:
  receivers:
    - { name: pager, type: webhook, url: "https://pager.example/hook" }
    - { name: hook, type: webhook, url: "https://hook.example/hook" }
    - { name: chat, type: slack, url: "\${SLACK_URL}" }
  route:
    receiver: hook
    groupBy: [alertname]
    groupWait: 0s
    groupInterval: 1m
    repeatInterval: 1h
    routes:
      - matchers: ['severity="critical"']
        receiver: pager
        continue: true
      - matchers: ['team="platform"']
        receiver: chat
        continue: true
      - matchers: ['alertname=~".+"']
        receiver: hook
`;

function setup(opts: { failing?: string } = {}) {
  const { config, issues } = parseConfig([{ name: 'n.yaml', text: CONFIG }]);
  expect(issues.map(formatIssue)).toEqual([]);
  let now = Date.parse('2026-03-01T10:00:00.000Z');
  const sent: { receiver: string; payload: NotificationPayload }[] = [];
  const notifier = (receiver: string): Notifier => ({
    send: async (payload) => {
      if (opts.failing === receiver) throw new Error('receiver down');
      sent.push({ receiver, payload });
    },
  });
  const warnings: string[] = [];
  const logger: Logger = { info: () => undefined, warn: (m) => void warnings.push(m), error: () => undefined };
  const deadLetters = new Map<string, DeadLetter>();
  const store = new InMemoryAlertStore();
  const deps: MonitoringDeps = {
    monitoringConfig: staticMonitoringConfig({ config, errors: [], placeholders: {} }),
    probes: {} as MonitoringDeps['probes'],
    checkHistory: new InMemoryCheckHistoryStore(),
    monitorState: inMemoryMonitorState(),
    alertStore: store,
    notifiers: new Map([
      ['pager', notifier('pager')],
      ['hook', notifier('hook')],
    ]),
    deadLetters: { get: async (id) => deadLetters.get(id) ?? null, record: async (e) => void deadLetters.set(e.id, e) },
    bus: { publish: async (events) => events.map((_, i) => ({ eventId: `e${i}` })) },
    clock: { now: () => new Date(now).toISOString() },
    logger,
  };
  const observe = async (o: Omit<AlertObservation, 'at'>) => {
    const labels = o.labels;
    const existing = (await store.listAlerts({ limit: 100 })).items.find((a) => JSON.stringify(a.labels) === JSON.stringify(labels)) ?? null;
    const change = evaluate(existing, { ...o, at: new Date(now).toISOString() });
    if (!change.alert || !change.changed) return;
    if (existing) await store.saveAlert(change.alert, existing.revision);
    else await store.createAlert(change.alert);
  };
  return { deps, sent, warnings, deadLetters, store, observe, advance: (ms: number) => void (now += ms) };
}

describe('notifyAlerts', () => {
  it('sends one notification per route: a critical alert reaches both the pager and the webhook once', async () => {
    const s = setup();
    await s.observe({ labels: { alertname: 'db-down', service: 'db' }, severity: 'critical', active: true });
    const out = await notifyAlerts(s.deps);
    expect(out.delivery.failed).toEqual([]);
    expect(s.sent.map((x) => [x.receiver, x.payload.reason, x.payload.alerts.map((a) => a.labels.alertname)])).toEqual([
      ['pager', 'new', ['db-down']],
      ['hook', 'new', ['db-down']],
    ]);
    // The two routes keep separate group logs (group keys start with the route's key).
    expect(new Set(s.sent.map((x) => x.payload.groupKey)).size).toBe(2);
    expect(s.sent[0]!.payload.groupKey).toBe('{}/{severity="critical"}:{alertname="db-down"}');

    s.advance(5 * 60_000);
    await notifyAlerts(s.deps);
    expect(s.sent).toHaveLength(2);

    await s.observe({ labels: { alertname: 'db-down', service: 'db' }, severity: 'critical', active: false });
    await notifyAlerts(s.deps);
    expect(s.sent.slice(2).map((x) => [x.receiver, x.payload.status])).toEqual([
      ['pager', 'resolved'],
      ['hook', 'resolved'],
    ]);
  });

  it('groups by the route: two alerts of one rule are one notification', async () => {
    const s = setup();
    await s.observe({ labels: { alertname: 'slow', service: 'a' }, severity: 'warning', active: true });
    await s.observe({ labels: { alertname: 'slow', service: 'b' }, severity: 'warning', active: true });
    await notifyAlerts(s.deps);
    expect(s.sent.map((x) => [x.receiver, x.payload.alerts.map((a) => a.labels.service).sort()])).toEqual([['hook', ['a', 'b']]]);
  });

  it('skips a receiver that is not available here, logging it once, and still notifies the others', async () => {
    const s = setup();
    await s.observe({ labels: { alertname: 'rolled-back', team: 'platform' }, severity: 'error', active: true });
    const first = await notifyAlerts(s.deps);
    expect(first.unavailableReceivers).toEqual(['chat']);
    expect(s.sent.map((x) => x.receiver)).toEqual(['hook']);
    s.advance(60_000);
    await notifyAlerts(s.deps);
    expect(s.warnings.filter((w) => w.includes('not available'))).toHaveLength(1);
  });

  it('sends nothing for a silenced alert, and dead-letters a failing receiver', async () => {
    const s = setup({ failing: 'hook' });
    await s.store.createSilence({
      id: 's1',
      matchers: [{ name: 'alertname', op: '=', value: 'muted' }],
      startsAt: '2026-03-01T09:00:00.000Z',
      endsAt: '2026-03-01T12:00:00.000Z',
      createdBy: 'ops',
      comment: 'maintenance',
      createdAt: '2026-03-01T09:00:00.000Z',
      updatedAt: '2026-03-01T09:00:00.000Z',
      revision: 0,
    });
    await s.observe({ labels: { alertname: 'muted' }, severity: 'warning', active: true });
    expect((await notifyAlerts(s.deps)).planned).toBe(0);
    await s.observe({ labels: { alertname: 'loud' }, severity: 'warning', active: true });
    const out = await notifyAlerts(s.deps);
    expect(out.delivery.failed).toHaveLength(1);
    const letter = s.deadLetters.get(out.delivery.failed[0]!.deadLetterId)!;
    expect(letter).toMatchObject({ consumer: 'notify', state: 'pending', payload: { receiver: 'hook', notification: { alerts: [{ labels: { alertname: 'loud' } }] } } });
  });

  it('does nothing without an alert store or a route', async () => {
    const s = setup();
    await s.observe({ labels: { alertname: 'x' }, severity: 'warning', active: true });
    expect(await notifyAlerts({ ...s.deps, alertStore: undefined })).toMatchObject({ planned: 0 });
    const noRoute = { ...s.deps, monitoringConfig: staticMonitoringConfig({ config: { environments: [], systems: [], checks: [], alerts: [] }, errors: [], placeholders: {} }) };
    expect(await notifyAlerts(noRoute)).toMatchObject({ planned: 0 });
    expect(s.sent).toEqual([]);
  });
});

describe('runMonitoringCycle', () => {
  it('logs a failing step and still runs the others', async () => {
    const s = setup();
    const errors: string[] = [];
    const broken = Object.assign(Object.create(s.store) as InMemoryAlertStore, {
      listAlerts: async () => {
        throw new Error('store down');
      },
    });
    const out = await runMonitoringCycle({ ...s.deps, alertStore: broken, logger: { ...s.deps.logger, error: (m) => void errors.push(m) } }, { force: true });
    expect(out.failedSteps).toEqual(['expire', 'notify']);
    expect(out.ran).toEqual([]);
    expect(errors).toEqual(['monitoring cycle: expiring alerts failed', 'monitoring cycle: sending notifications failed']);
  });

  it('expires alerts past their endsAt and notifies the resolution in the same cycle', async () => {
    const s = setup();
    await s.observe({ labels: { alertname: 'rolled-back', service: 'a' }, severity: 'error', active: true, endsAt: '2026-03-01T10:10:00.000Z' });
    await runMonitoringCycle(s.deps);
    expect(s.sent.map((x) => x.payload.status)).toEqual(['firing']);
    s.advance(11 * 60_000);
    const out = await runMonitoringCycle(s.deps);
    expect(out.expired.map((t) => [t.kind, t.cause, t.at])).toEqual([['resolved', 'expired', '2026-03-01T10:10:00.000Z']]);
    expect(out.alertTransitions).toEqual(out.expired);
    expect(s.sent.map((x) => x.payload.status)).toEqual(['firing', 'resolved']);
  });
});
