import { ValidationError } from '../errors';
import { sha256Hex } from './fingerprint';
import type {
  Alert,
  AlertGroup,
  AlertView,
  GroupNotificationLog,
  NotificationTiming,
  PlannedNotification,
} from './model';
import { silencedBy, matchableLabels, type CompiledSilence } from './silences';

/**
 * The alerts as shown: stored state plus the silences and inhibitions that apply at `now`.
 * `status` is the stored state, except that an unacknowledged firing alert reads `silenced` when
 * a silence matches, else `inhibited` when a parent alert inhibits it. `silencedBy` is filled for
 * every state (a silence also mutes a resolved notification). Pure.
 */
export function viewAlerts(
  alerts: readonly Alert[],
  silences: readonly CompiledSilence[],
  inhibited: ReadonlyMap<string, string[]>,
  now: string,
): AlertView[] {
  return alerts.map((alert) => {
    const silenced = silencedBy(alert, silences, now);
    const inhibitedBy = alert.state === 'resolved' ? [] : (inhibited.get(alert.fingerprint) ?? []);
    const status: AlertView['status'] =
      alert.state !== 'firing' ? alert.state : silenced.length > 0 ? 'silenced' : inhibitedBy.length > 0 ? 'inhibited' : 'firing';
    return { alert, silencedBy: silenced, inhibitedBy, status };
  });
}

/** `group_by` label names; `'...'` groups by every label (one group per alert). */
export type GroupBy = readonly string[] | '...';

/**
 * The group key of an alert: the `groupBy` labels it has (plus the `severity` pseudo-label when
 * named), as `{name="value",...}` sorted by name with JSON-escaped values, so distinct label
 * values never share a key. Pure.
 */
export function groupKeyOf(alert: Pick<Alert, 'labels' | 'severity'>, groupBy: GroupBy): { key: string; labels: Record<string, string> } {
  const all = matchableLabels(alert);
  const names = groupBy === '...' ? Object.keys(all) : [...new Set(groupBy)];
  const labels: Record<string, string> = {};
  for (const name of names.sort()) if (all[name] !== undefined) labels[name] = all[name]!;
  const key = `{${Object.entries(labels)
    .map(([n, v]) => `${n}=${JSON.stringify(v)}`)
    .join(',')}}`;
  return { key, labels };
}

/** Groups alert views by `groupBy`; groups sorted by key, alerts in input order. Pure. */
export function groupAlerts(views: readonly AlertView[], groupBy: GroupBy): AlertGroup[] {
  const groups = new Map<string, AlertGroup>();
  for (const view of views) {
    const { key, labels } = groupKeyOf(view.alert, groupBy);
    let group = groups.get(key);
    if (!group) {
      group = { key, id: sha256Hex(key), labels, alerts: [] };
      groups.set(key, group);
    }
    group.alerts.push(view);
  }
  return [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function entryOf(alert: Alert): GroupNotificationLog['firing'][number] {
  return { fingerprint: alert.fingerprint, startsAt: alert.startsAt, severity: alert.severity };
}

function validateTiming(t: NotificationTiming): void {
  for (const field of ['groupWaitMs', 'groupIntervalMs', 'repeatIntervalMs'] as const) {
    if (!Number.isFinite(t[field]) || t[field] < 0) throw new ValidationError('must be a non-negative number of milliseconds', field);
  }
  if (t.groupIntervalMs <= 0) throw new ValidationError('must be positive', 'groupIntervalMs');
  if (t.repeatIntervalMs < t.groupIntervalMs) throw new ValidationError('must be at least groupIntervalMs', 'repeatIntervalMs');
}

/**
 * Decides which groups to notify at `now` (Alertmanager's group_wait / group_interval /
 * repeat_interval), at most one notification per group:
 * - notifiable alerts are those with status `firing` (not acknowledged, silenced or inhibited);
 * - a group never notified is sent once its oldest notifiable alert is `groupWaitMs` old (`new`);
 * - a notified group is never sent again before `sentAt + groupIntervalMs`; after that it is sent
 *   when an alert fires that the last notification did not report (new fingerprint, new episode or
 *   new severity: `changed`), or when an alert it reported as firing has resolved (`resolved`,
 *   unless a silence now mutes it), or unchanged after `repeatIntervalMs` (`repeat`);
 * - muting (ack, silence, inhibition) alone sends nothing; a muted alert stays in the log so its
 *   resolution is still reported.
 * The caller stores each returned `log` conditionally on `previousSentAt` (see
 * `AlertStore.recordNotification`) before sending, so concurrent planners send once. Pass the
 * active alerts and the recently resolved ones; `lastSent` is keyed by group id. Pure.
 *
 * @throws ValidationError for inconsistent timing.
 */
export function planNotifications(
  groups: readonly AlertGroup[],
  lastSent: ReadonlyMap<string, GroupNotificationLog>,
  now: string,
  timing: NotificationTiming,
): PlannedNotification[] {
  validateTiming(timing);
  const t = Date.parse(now);
  const planned: PlannedNotification[] = [];
  for (const group of groups) {
    const firing = group.alerts.filter((v) => v.status === 'firing').map((v) => v.alert);
    const previous = lastSent.get(group.id) ?? null;
    const make = (reason: PlannedNotification['reason'], resolved: Alert[]): PlannedNotification => {
      const firingFps = new Set(firing.map((a) => a.fingerprint));
      const mutedStillActive = (previous?.firing ?? []).filter((e) => {
        if (firingFps.has(e.fingerprint)) return false;
        const view = group.alerts.find((v) => v.alert.fingerprint === e.fingerprint);
        return view !== undefined && view.alert.state !== 'resolved' && view.alert.startsAt === e.startsAt;
      });
      return {
        groupId: group.id,
        groupKey: group.key,
        groupLabels: group.labels,
        reason,
        firing,
        resolved,
        log: { groupId: group.id, groupKey: group.key, sentAt: now, firing: [...firing.map(entryOf), ...mutedStillActive] },
        previousSentAt: previous?.sentAt ?? null,
      };
    };
    if (!previous) {
      if (firing.length === 0) continue;
      const oldest = Math.min(...firing.map((a) => Date.parse(a.startsAt)));
      if (t >= oldest + timing.groupWaitMs) planned.push(make('new', []));
      continue;
    }
    const sentAt = Date.parse(previous.sentAt);
    if (t < sentAt + timing.groupIntervalMs) continue;
    const reported = new Set(previous.firing.map((e) => `${e.fingerprint}|${e.startsAt}|${e.severity}`));
    const reportedEpisodes = new Set(previous.firing.map((e) => `${e.fingerprint}|${e.startsAt}`));
    const changed = firing.some((a) => !reported.has(`${a.fingerprint}|${a.startsAt}|${a.severity}`));
    const resolved = group.alerts
      .filter((v) => v.alert.state === 'resolved' && reportedEpisodes.has(`${v.alert.fingerprint}|${v.alert.startsAt}`))
      .filter((v) => v.silencedBy.length === 0)
      .map((v) => v.alert);
    if (changed) planned.push(make('changed', resolved));
    else if (resolved.length > 0) planned.push(make('resolved', resolved));
    else if (firing.length > 0 && t >= sentAt + timing.repeatIntervalMs) planned.push(make('repeat', []));
  }
  return planned;
}
