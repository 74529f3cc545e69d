import { ValidationError } from '../errors';
import type { DeadLetter } from '../read-models';
import type { AlertStore } from '../ports/alert-store';
import type { Clock } from '../ports/clock';
import type { DeadLetterStore } from '../ports/dead-letter-store';
import type { Logger } from '../ports/logger';
import type { NotificationAlert, NotificationPayload, Notifier } from '../ports/notifier';
import { sha256Hex } from './fingerprint';
import { ALERT_SEVERITIES, type Alert, type PlannedNotification } from './model';

/** The dead-letter `consumer` of failed notifications. */
export const NOTIFY_CONSUMER = 'notify';

/** A planned notification with the receiver its route chose. */
export type RoutedNotification = PlannedNotification & { receiver: string };

/** What a dead letter of consumer `notify` carries, enough to send it again. */
export interface NotifyDeadLetterPayload {
  receiver: string;
  notification: NotificationPayload;
}

export interface DeliverDeps {
  alerts: Pick<AlertStore, 'recordNotification'>;
  /** Notifiers by receiver name. */
  notifiers: ReadonlyMap<string, Notifier>;
  deadLetters: Pick<DeadLetterStore, 'get' | 'record'>;
  clock: Clock;
  logger: Logger;
  /** The portal's base URL (no trailing slash needed), for links in notifications. */
  portalUrl: string;
}

export interface DeliveryResult {
  /** Group ids whose notification was sent. */
  sent: string[];
  /** Group ids another runner had already recorded (nothing sent here). */
  skipped: string[];
  /** Group ids whose notification failed and was dead-lettered (dead letter ids alongside). */
  failed: { groupId: string; deadLetterId: string }[];
}

function base(url: string): string {
  return url.replace(/\/+$/, '');
}

function bySeverityThenStart(a: Alert, b: Alert): number {
  const s = ALERT_SEVERITIES.indexOf(a.severity) - ALERT_SEVERITIES.indexOf(b.severity);
  if (s !== 0) return s;
  return a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : a.fingerprint < b.fingerprint ? -1 : 1;
}

function common(maps: readonly Record<string, string>[]): Record<string, string> {
  if (maps.length === 0) return {};
  const [first, ...rest] = maps;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(first!)) if (rest.every((m) => m[name] === value)) out[name] = value;
  return out;
}

/**
 * The receivers' JSON for one planned notification. Its `id` hashes the group id and the planned
 * send time (`log.sentAt`), so it is the same for every runner and every retry of that send. Pure.
 */
export function buildNotificationPayload(planned: PlannedNotification, receiver: string, portalUrl: string): NotificationPayload {
  const root = base(portalUrl);
  const toAlert = (alert: Alert, status: NotificationAlert['status']): NotificationAlert => ({
    status,
    fingerprint: alert.fingerprint,
    labels: { ...alert.labels },
    annotations: { ...alert.annotations },
    severity: alert.severity,
    startsAt: alert.startsAt,
    endsAt: alert.endsAt,
    generatorURL: `${root}/alerts/${alert.fingerprint}`,
  });
  const firing = [...planned.firing].sort(bySeverityThenStart).map((a) => toAlert(a, 'firing'));
  const resolved = [...planned.resolved].sort(bySeverityThenStart).map((a) => toAlert(a, 'resolved'));
  const alerts = [...firing, ...resolved];
  return {
    version: '4',
    id: sha256Hex(`${planned.groupId}|${planned.log.sentAt}`),
    groupKey: planned.groupKey,
    groupId: planned.groupId,
    status: firing.length > 0 ? 'firing' : 'resolved',
    reason: planned.reason,
    receiver,
    groupLabels: { ...planned.groupLabels },
    commonLabels: common(alerts.map((a) => ({ ...a.labels, severity: a.severity }))),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    alerts,
    externalURL: `${root}/alerts?group=${planned.groupId}`,
    sentAt: planned.log.sentAt,
  };
}

/**
 * Sends the planned notifications. For each one, in order: record it in the group's notification
 * log first (`recordNotification`, a conditional write on the planned `previousSentAt`) — when
 * another runner recorded first, this one sends nothing (`skipped`), so one notification per group
 * per interval holds across concurrent evaluators; then send through the notifier named by the
 * route's `receiver`. A notifier failure (after the notifier's own retries) or an unknown receiver
 * is dead-lettered (consumer `notify`, id `notify-<payload id>`) for replay, and the other
 * notifications still go out. Store failures of `recordNotification` propagate (nothing was sent).
 *
 * @throws ValidationError (field `receiver`) when a notification has no receiver name.
 */
export async function deliverNotifications(deps: DeliverDeps, planned: readonly RoutedNotification[]): Promise<DeliveryResult> {
  const result: DeliveryResult = { sent: [], skipped: [], failed: [] };
  for (const item of planned) {
    if (!item.receiver) throw new ValidationError('a routed notification needs a receiver name', 'receiver');
  }
  for (const item of planned) {
    const recorded = await deps.alerts.recordNotification(item.log, item.previousSentAt);
    if (!recorded) {
      deps.logger.info('notification already recorded by another runner', { groupId: item.groupId, sentAt: item.log.sentAt });
      result.skipped.push(item.groupId);
      continue;
    }
    const payload = buildNotificationPayload(item, item.receiver, deps.portalUrl);
    try {
      await sendTo(deps, item.receiver, payload);
      result.sent.push(item.groupId);
    } catch (err) {
      const deadLetterId = await deadLetter(deps, { receiver: item.receiver, notification: payload }, err);
      result.failed.push({ groupId: item.groupId, deadLetterId });
    }
  }
  return result;
}

/**
 * Sends a dead-lettered notification again (same payload, same id) through its receiver. Throws
 * what the notifier throws; the caller (dead-letter replay) counts the attempt.
 *
 * @throws ValidationError (field `consumer`/`payload`) when the entry is not a notification.
 */
export async function replayNotification(deps: Pick<DeliverDeps, 'notifiers'>, entry: DeadLetter): Promise<void> {
  if (entry.consumer !== NOTIFY_CONSUMER) throw new ValidationError(`not a ${NOTIFY_CONSUMER} dead letter`, 'consumer');
  const p = entry.payload as Partial<NotifyDeadLetterPayload> | null;
  if (!p || typeof p.receiver !== 'string' || typeof p.notification !== 'object' || p.notification === null) {
    throw new ValidationError('dead letter payload is not a notification', 'payload');
  }
  await sendTo(deps, p.receiver, p.notification);
}

async function sendTo(deps: Pick<DeliverDeps, 'notifiers'>, receiver: string, payload: NotificationPayload): Promise<void> {
  const notifier = deps.notifiers.get(receiver);
  if (!notifier) throw new ValidationError(`no notifier configured for receiver ${JSON.stringify(receiver)}`, 'receiver');
  await notifier.send(payload);
}

async function deadLetter(deps: DeliverDeps, payload: NotifyDeadLetterPayload, err: unknown): Promise<string> {
  const now = deps.clock.now();
  const id = `notify-${payload.notification.id}`;
  const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  deps.logger.error('notification failed; dead-lettered', { id, groupId: payload.notification.groupId, receiver: payload.receiver, error });
  const existing = await deps.deadLetters.get(id);
  await deps.deadLetters.record({
    id,
    eventKey: payload.notification.groupKey,
    consumer: NOTIFY_CONSUMER,
    error,
    attempts: (existing?.attempts ?? 0) + 1,
    firstFailedAt: existing?.firstFailedAt ?? now,
    lastFailedAt: now,
    payload,
    state: 'pending',
  });
  return id;
}
