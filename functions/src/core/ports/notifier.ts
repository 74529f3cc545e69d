import type { AlertSeverity } from '../alerts/model';

/** One alert as a receiver sees it (Alertmanager-webhook-like, plus Signalbox's `severity`). */
export interface NotificationAlert {
  /** `firing` or `resolved` in this notification. */
  status: 'firing' | 'resolved';
  fingerprint: string;
  /** The alert's identity labels (never `severity`, see the field). */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  severity: AlertSeverity;
  startsAt: string;
  /** When it resolved (resolved alerts) or is expected to end; null when only a clear observation ends it. */
  endsAt: string | null;
  /** The alert's page in the portal. */
  generatorURL: string;
}

/**
 * The JSON every receiver gets for one group's notification, shaped like Alertmanager's webhook
 * (version, groupKey, status, receiver, groupLabels, commonLabels, commonAnnotations, alerts,
 * externalURL) so existing Alertmanager consumers can read it. `id` is stable for one planned
 * notification (group + planned send time): the same on every retry and on a dead-letter replay,
 * so receivers can deduplicate.
 */
export interface NotificationPayload {
  version: '4';
  /** Stable id of this notification (64 hex chars). */
  id: string;
  /** Canonical group key text, e.g. `{alertname="x",environment="prod"}`. */
  groupKey: string;
  /** sha256 of `groupKey` (the store key). */
  groupId: string;
  /** `firing` when at least one alert fires, else `resolved`. */
  status: 'firing' | 'resolved';
  /** Why it was sent (see `planNotifications`). */
  reason: 'new' | 'changed' | 'resolved' | 'repeat';
  /** The receiver name the route chose. */
  receiver: string;
  groupLabels: Record<string, string>;
  /** Labels every alert shares (with `severity` when all share one). */
  commonLabels: Record<string, string>;
  /** Annotations every alert shares with the same value. */
  commonAnnotations: Record<string, string>;
  /** Firing alerts first (most severe first), then resolved ones. */
  alerts: NotificationAlert[];
  /** The portal's alerts page for this group. */
  externalURL: string;
  /** The planned send time (ISO 8601). */
  sentAt: string;
}

/**
 * A way out of Signalbox for alert notifications (generic webhook, Slack, SNS, ...). One call is
 * one group's notification; the notifier does its own retries (with backoff where it makes sense)
 * and must be safe to call again with the same payload (`payload.id` identifies it).
 */
export interface Notifier {
  /**
   * Delivers `payload`.
   *
   * @throws DependencyError (code `NOTIFIER_UNAVAILABLE`) when it could not deliver after its own
   *   retries, or when the receiver refused it (a non-retryable 4xx).
   */
  send(payload: NotificationPayload): Promise<void>;
}

/** The `DependencyError` code notifiers throw. */
export const NOTIFIER_UNAVAILABLE = 'NOTIFIER_UNAVAILABLE';
