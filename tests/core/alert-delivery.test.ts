import { describe, expect, it } from 'vitest';
import { InMemoryAlertStore } from '../../functions/src/adapters/local/in-memory-alert-store';
import {
  NOTIFY_CONSUMER,
  deliverNotifications,
  replayNotification,
  type DeliverDeps,
  type NotifyDeadLetterPayload,
  type RoutedNotification,
} from '../../functions/src/core/alerts/deliver';
import { fingerprint } from '../../functions/src/core/alerts/fingerprint';
import type { Alert, NotificationTiming } from '../../functions/src/core/alerts/model';
import { groupAlerts, planNotifications, viewAlerts } from '../../functions/src/core/alerts/notifications';
import { DependencyError, ValidationError } from '../../functions/src/core/errors';
import type { DeadLetterStore } from '../../functions/src/core/ports/dead-letter-store';
import { silentLogger } from '../../functions/src/core/ports/logger';
import type { NotificationPayload, Notifier } from '../../functions/src/core/ports/notifier';
import type { DeadLetter } from '../../functions/src/core/read-models';

const NOW = '2026-11-23T10:05:00.000Z';
const timing: NotificationTiming = { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 3_600_000 };

function alert(labels: Record<string, string>, severity: Alert['severity'] = 'critical'): Alert {
  return {
    fingerprint: fingerprint(labels),
    labels,
    annotations: { summary: `${labels['system']} down` },
    severity,
    state: 'firing',
    startsAt: '2026-11-23T10:00:00.000Z',
    endsAt: null,
    stateSince: '2026-11-23T10:00:00.000Z',
    lastObservedAt: '2026-11-23T10:04:00.000Z',
    observations: 3,
    ackedBy: null,
    ackedAt: null,
    ackComment: null,
    history: [],
    revision: 0,
  };
}

const alerts = [
  alert({ alertname: 'SystemDown', environment: 'prod', system: 'payments' }),
  alert({ alertname: 'SystemDown', environment: 'prod', system: 'ledger' }, 'error'),
  alert({ alertname: 'HighLatency', environment: 'prod', system: 'payments' }, 'warning'),
];

/** Plans from the store's current logs, as a runner would; every group routed to `receiver`. */
async function plan(store: InMemoryAlertStore, receiver: (groupLabels: Record<string, string>) => string): Promise<RoutedNotification[]> {
  const logs = new Map((await store.listGroupLogs()).map((l) => [l.groupId, l]));
  const groups = groupAlerts(viewAlerts(alerts, [], new Map(), NOW), ['alertname', 'environment']);
  return planNotifications(groups, logs, NOW, timing).map((p) => ({ ...p, receiver: receiver(p.groupLabels) }));
}

class RecordingNotifier implements Notifier {
  readonly sent: NotificationPayload[] = [];
  constructor(private readonly fail: Error | null = null) {}
  async send(payload: NotificationPayload): Promise<void> {
    // Yield, so concurrent runners really interleave.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.fail) throw this.fail;
    this.sent.push(payload);
  }
}

class MemoryDeadLetters implements Pick<DeadLetterStore, 'get' | 'record'> {
  readonly rows = new Map<string, DeadLetter>();
  async get(id: string): Promise<DeadLetter | null> {
    return this.rows.get(id) ?? null;
  }
  async record(entry: DeadLetter): Promise<void> {
    this.rows.set(entry.id, structuredClone(entry));
  }
}

function deps(store: InMemoryAlertStore, notifiers: Record<string, Notifier>, deadLetters = new MemoryDeadLetters()): DeliverDeps {
  return {
    alerts: store,
    notifiers: new Map(Object.entries(notifiers)),
    deadLetters,
    clock: { now: () => '2026-11-23T10:05:01.000Z' },
    logger: silentLogger,
    portalUrl: 'https://signalbox.example.com',
  };
}

describe('deliverNotifications', () => {
  it('sends each group once when two runners race on the same plan', async () => {
    const store = new InMemoryAlertStore();
    const webhook = new RecordingNotifier();
    const d = deps(store, { ops: webhook });
    const [a, b] = await Promise.all([plan(store, () => 'ops'), plan(store, () => 'ops')]);
    expect(a).toHaveLength(2); // SystemDown/prod and HighLatency/prod
    expect(b).toEqual(a);

    const [ra, rb] = await Promise.all([deliverNotifications(d, a), deliverNotifications(d, b)]);

    expect(webhook.sent).toHaveLength(2);
    expect(new Set(webhook.sent.map((p) => p.groupKey))).toEqual(
      new Set(['{alertname="HighLatency",environment="prod"}', '{alertname="SystemDown",environment="prod"}']),
    );
    expect([...ra.sent, ...rb.sent].sort()).toEqual(a.map((p) => p.groupId).sort());
    expect([...ra.skipped, ...rb.skipped].sort()).toEqual(a.map((p) => p.groupId).sort());
    expect([...ra.failed, ...rb.failed]).toEqual([]);

    // The log is stored: a third runner planning now finds nothing to send (group interval).
    expect(await plan(store, () => 'ops')).toEqual([]);
    const down = webhook.sent.find((p) => p.groupLabels['alertname'] === 'SystemDown')!;
    expect(down).toMatchObject({ status: 'firing', receiver: 'ops', reason: 'new', sentAt: NOW });
    expect(down.alerts.map((x) => [x.labels['system'], x.severity])).toEqual([
      ['payments', 'critical'],
      ['ledger', 'error'],
    ]);
  });

  it('routes each notification to the notifier named by its receiver', async () => {
    const store = new InMemoryAlertStore();
    const slack = new RecordingNotifier();
    const pager = new RecordingNotifier();
    await deliverNotifications(
      deps(store, { slack, pager }),
      await plan(store, (g) => (g['alertname'] === 'SystemDown' ? 'pager' : 'slack')),
    );
    expect(pager.sent.map((p) => [p.groupLabels['alertname'], p.receiver])).toEqual([['SystemDown', 'pager']]);
    expect(slack.sent.map((p) => [p.groupLabels['alertname'], p.receiver])).toEqual([['HighLatency', 'slack']]);
  });

  it('dead-letters a failed send (after the notifier gave up), still sends the others, and replays it', async () => {
    const store = new InMemoryAlertStore();
    const broken = new RecordingNotifier(new DependencyError('HTTP 503 after 4 attempt(s)', 'receiver.url', { code: 'NOTIFIER_UNAVAILABLE' }));
    const ok = new RecordingNotifier();
    const deadLetters = new MemoryDeadLetters();
    const d = deps(store, { broken, ok }, deadLetters);
    const planned = await plan(store, (g) => (g['alertname'] === 'SystemDown' ? 'broken' : 'ok'));

    const result = await deliverNotifications(d, planned);

    const downId = planned.find((p) => p.groupLabels['alertname'] === 'SystemDown')!.groupId;
    expect(result.sent).toEqual(planned.filter((p) => p.groupId !== downId).map((p) => p.groupId));
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]!.groupId).toBe(downId);
    expect(ok.sent).toHaveLength(1);

    const entry = deadLetters.rows.get(result.failed[0]!.deadLetterId)!;
    expect(entry).toMatchObject({
      consumer: NOTIFY_CONSUMER,
      eventKey: '{alertname="SystemDown",environment="prod"}',
      error: 'DependencyError: HTTP 503 after 4 attempt(s)',
      attempts: 1,
      firstFailedAt: '2026-11-23T10:05:01.000Z',
      state: 'pending',
    });
    const carried = entry.payload as NotifyDeadLetterPayload;
    expect(carried.receiver).toBe('broken');
    expect(carried.notification.groupId).toBe(downId);
    expect(entry.id).toBe(`notify-${carried.notification.id}`);

    // Recorded before sending: the failure is not re-planned (no duplicate storm); replay delivers it.
    expect(await plan(store, () => 'ok')).toEqual([]);
    const fixed = new RecordingNotifier();
    await replayNotification({ notifiers: new Map([['broken', fixed]]) }, entry);
    expect(fixed.sent).toEqual([carried.notification]);
  });

  it('dead-letters an unknown receiver and counts repeated failures of the same notification', async () => {
    const store = new InMemoryAlertStore();
    const deadLetters = new MemoryDeadLetters();
    const planned = (await plan(store, () => 'nobody')).slice(0, 1);
    const first = await deliverNotifications(deps(store, {}, deadLetters), planned);
    expect(first.failed).toHaveLength(1);
    const id = first.failed[0]!.deadLetterId;
    expect(deadLetters.rows.get(id)!.error).toBe('ValidationError: no notifier configured for receiver "nobody"');

    // Same planned notification delivered again by a runner that won the record (fresh store): same dead letter, attempts 2.
    const again = await deliverNotifications(deps(new InMemoryAlertStore(), {}, deadLetters), planned);
    expect(again.failed[0]!.deadLetterId).toBe(id);
    expect(deadLetters.rows.get(id)!.attempts).toBe(2);
    expect(deadLetters.rows.size).toBe(1);
  });

  it('refuses a notification without a receiver before recording anything', async () => {
    const store = new InMemoryAlertStore();
    const planned = (await plan(store, () => '')).slice(0, 1);
    await expect(deliverNotifications(deps(store, {}), planned)).rejects.toBeInstanceOf(ValidationError);
    expect(await store.listGroupLogs()).toEqual([]);
  });

  it('replayNotification refuses a dead letter of another consumer', async () => {
    const entry: DeadLetter = {
      id: 'store-1',
      eventKey: null,
      consumer: 'store',
      error: 'x',
      attempts: 1,
      firstFailedAt: NOW,
      lastFailedAt: NOW,
      payload: {},
      state: 'pending',
    };
    await expect(replayNotification({ notifiers: new Map() }, entry)).rejects.toBeInstanceOf(ValidationError);
  });
});
