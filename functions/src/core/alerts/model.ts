/**
 * Alerts with Alertmanager semantics: an alert is identified by the fingerprint of its labels,
 * fires, may be acknowledged, and resolves (by itself when its condition clears, or by hand).
 * Silences and inhibition do not change the stored state: they are computed views that mute
 * notifications while the alert stays visible (`silencedBy`, `inhibitedBy`).
 */

/** Severities, most severe first. */
export const ALERT_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Stored states. `silenced` and `inhibited` are views, see {@link AlertView}. */
export const ALERT_STATES = ['firing', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** Label set; the identity of an alert. Never contains `severity` (a separate field, so a severity change keeps the alert). */
export type Labels = Readonly<Record<string, string>>;

/** Label names with a meaning to Signalbox. */
export const ALERT_LABELS = {
  name: 'alertname',
  environment: 'environment',
  system: 'system',
  service: 'service',
  /** Pseudo-label: matchers and `group_by` may use it; it is never part of `labels`. */
  severity: 'severity',
} as const;

/** Why the state or severity changed. */
export type AlertTransitionKind = 'fired' | 'severityChanged' | 'acknowledged' | 'resolved';

/** One entry of an alert's history (newest last; at most {@link MAX_HISTORY} kept). */
export interface AlertHistoryEntry {
  kind: AlertTransitionKind;
  at: string;
  from: AlertState | null;
  to: AlertState;
  severity: AlertSeverity;
  /** Who did it (acknowledge, manual resolve); absent for the engine's own transitions. */
  by?: string;
  comment?: string;
  /** `condition` (observed), `expired` (no observation before `endsAt`), `manual`. */
  cause: 'condition' | 'expired' | 'manual';
}

export const MAX_HISTORY = 100;

export interface Alert {
  /** sha256 of the canonical label encoding ({@link fingerprint}); 64 hex chars. */
  fingerprint: string;
  labels: Labels;
  annotations: Record<string, string>;
  severity: AlertSeverity;
  state: AlertState;
  /** When this firing episode started (reset when a resolved alert fires again). */
  startsAt: string;
  /**
   * When it resolved; while active, when it resolves unless observed again (an event alert's
   * timeout, or last observation + resolve timeout); null when only a clear observation ends it.
   */
  endsAt: string | null;
  /** Time of the last state or severity change (orders the lists). */
  stateSince: string;
  lastObservedAt: string;
  /** Observations folded into this episode (dedup counter). */
  observations: number;
  ackedBy: string | null;
  ackedAt: string | null;
  ackComment: string | null;
  history: AlertHistoryEntry[];
  /** Optimistic concurrency (store). */
  revision: number;
}

/**
 * One evaluation of a rule for one label set. `active: true` means the condition holds (for a
 * metric rule: held for its `for` duration); `false` means it is clear now.
 */
export interface AlertObservation {
  labels: Labels;
  severity: AlertSeverity;
  active: boolean;
  at: string;
  annotations?: Record<string, string>;
  /**
   * For event rules (e.g. a rollback): when the alert resolves by itself unless observed again.
   * Absent for condition rules, which resolve on a clear observation.
   */
  endsAt?: string;
}

/** A transition the engine made, to be published (see events.ts) and stored in history. */
export interface AlertTransition {
  kind: AlertTransitionKind;
  fingerprint: string;
  at: string;
  from: AlertState | null;
  to: AlertState;
  severity: AlertSeverity;
  previousSeverity?: AlertSeverity;
  by?: string;
  comment?: string;
  cause: AlertHistoryEntry['cause'];
}

/** The result of folding one input into an alert. */
export interface AlertChange {
  /** The alert after the input; null when none exists and none was created. */
  alert: Alert | null;
  /** True when `alert` differs from the input and must be saved. */
  changed: boolean;
  transitions: AlertTransition[];
}

// ------------------------------------------------------------------------------------------------
// Silences

export type MatcherOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatcherOp;
  value: string;
}

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  createdAt: string;
  updatedAt: string;
  revision: number;
}

/** `pending` before startsAt, `active` in [startsAt, endsAt), `expired` after. */
export type SilenceState = 'pending' | 'active' | 'expired';

// ------------------------------------------------------------------------------------------------
// Views, groups, notifications

/** An alert as shown and as notification planning sees it. */
export interface AlertView {
  alert: Alert;
  /** Ids of active silences matching it. */
  silencedBy: string[];
  /** Fingerprints of active parent-system alerts inhibiting it. */
  inhibitedBy: string[];
  /** `silenced` when active, not acknowledged and muted by a silence; otherwise the stored state. */
  status: AlertState | 'silenced' | 'inhibited';
}

export interface AlertGroup {
  /** Canonical text of the group labels, e.g. `{alertname="x",environment="prod"}`. */
  key: string;
  /** sha256 of `key` (store key; 64 hex chars). */
  id: string;
  labels: Record<string, string>;
  alerts: AlertView[];
}

/** What was last sent for a group; the store keeps one per group id. */
export interface GroupNotificationLog {
  groupId: string;
  groupKey: string;
  sentAt: string;
  /** The alerts the last notification reported as firing (with the episode and severity). */
  firing: { fingerprint: string; startsAt: string; severity: AlertSeverity }[];
}

export interface NotificationTiming {
  /** Wait after a new group's first alert before the first notification (collects a burst). */
  groupWaitMs: number;
  /** Minimum time between two notifications of one group. */
  groupIntervalMs: number;
  /** Re-send an unchanged firing group after this long. */
  repeatIntervalMs: number;
}

export interface PlannedNotification {
  groupId: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  reason: 'new' | 'changed' | 'resolved' | 'repeat';
  firing: Alert[];
  resolved: Alert[];
  /** The log to store (conditionally, on the previous `sentAt`) before sending. */
  log: GroupNotificationLog;
  /** The `sentAt` the log had when planned (null for a first notification). */
  previousSentAt: string | null;
}
