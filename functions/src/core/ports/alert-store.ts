import type { Alert, AlertState, GroupNotificationLog, Silence } from '../alerts/model';
import type { Page } from '../read-models';

export interface AlertFilter {
  state?: AlertState;
  /** The alert's `environment` label. */
  environment?: string;
  limit: number;
  cursor?: string;
}

export interface SilenceFilter {
  /** `current`: not expired at `now` (active or pending); `all`: every silence. */
  scope: 'current' | 'all';
  /** Required for `current`. */
  now?: string;
  limit: number;
  cursor?: string;
}

/**
 * Alerts by fingerprint with optimistic concurrency, silences, and the per-group notification log.
 * Every list is an index query, newest first, never a scan. "Silenced" is not a stored state: list
 * firing alerts and apply the current silences (`viewAlerts` in core/alerts).
 */
export interface AlertStore {
  /** Stores a new alert (revision 0); throws `ConflictError` (field `fingerprint`) when it exists. */
  createAlert(alert: Alert): Promise<void>;
  getAlert(fingerprint: string): Promise<Alert | null>;
  /**
   * Replaces the alert when its stored revision is still `expectedRevision`, storing revision
   * `expectedRevision + 1`; throws `ConflictError` (field `revision`) otherwise (also when missing).
   */
  saveAlert(alert: Alert, expectedRevision: number): Promise<void>;
  /**
   * Alerts newest first by `stateSince` (then fingerprint), filtered by state and/or environment
   * without evaluating other alerts. Throws `ValidationError` (field `cursor`) for a foreign cursor.
   */
  listAlerts(filter: AlertFilter): Promise<Page<Alert>>;

  /** Stores a new silence (revision 0); throws `ConflictError` (field `id`) when the id exists. */
  createSilence(silence: Silence): Promise<void>;
  getSilence(id: string): Promise<Silence | null>;
  /** Replaces on the expected revision (bumped); `ConflictError` (field `revision`) otherwise. */
  saveSilence(silence: Silence, expectedRevision: number): Promise<void>;
  /** Deletes; false when it did not exist. Idempotent. */
  deleteSilence(id: string): Promise<boolean>;
  /** `all`: newest created first; `current`: the silences with `endsAt > now`, latest-ending first. */
  listSilences(filter: SilenceFilter): Promise<Page<Silence>>;

  getGroupLog(groupId: string): Promise<GroupNotificationLog | null>;
  /** Every group's log (for planning); one query on a single partition, all pages. */
  listGroupLogs(): Promise<GroupNotificationLog[]>;
  /**
   * Records a notification before it is sent: stores `log` only when the group's stored `sentAt`
   * is still `previousSentAt` (null: no log yet). Returns false when another planner recorded
   * first — the caller must then not send — so one notification per group per interval holds
   * across concurrent evaluators.
   */
  recordNotification(log: GroupNotificationLog, previousSentAt: string | null): Promise<boolean>;
}
