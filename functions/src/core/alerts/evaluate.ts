import { ConflictError, ValidationError } from '../errors';
import { fingerprint, validateLabels } from './fingerprint';
import {
  ALERT_SEVERITIES,
  MAX_HISTORY,
  type Alert,
  type AlertChange,
  type AlertHistoryEntry,
  type AlertObservation,
  type AlertSeverity,
  type AlertState,
  type AlertTransition,
} from './model';

export interface EvaluateOptions {
  /**
   * An active alert without `endsAt` resolves (`cause: expired`) when not observed for this long
   * (Alertmanager's resolve_timeout); guards against a rule that stopped reporting. Default: never.
   */
  resolveTimeoutMs?: number;
}

/** True for `critical` > `error` > `warning` > `info` ordering: a negative number when `a` is more severe. */
export function compareSeverity(a: AlertSeverity, b: AlertSeverity): number {
  return ALERT_SEVERITIES.indexOf(a) - ALERT_SEVERITIES.indexOf(b);
}

function isSeverity(value: unknown): value is AlertSeverity {
  return typeof value === 'string' && (ALERT_SEVERITIES as readonly string[]).includes(value);
}

function checkTime(value: unknown, field: string): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw new ValidationError('must be an ISO 8601 timestamp', field);
  return value;
}

function validateObservation(o: AlertObservation): void {
  validateLabels(o.labels);
  if (!isSeverity(o.severity)) throw new ValidationError(`must be one of ${ALERT_SEVERITIES.join(', ')}`, 'severity');
  if (typeof o.active !== 'boolean') throw new ValidationError('must be a boolean', 'active');
  checkTime(o.at, 'at');
  if (o.endsAt !== undefined && Date.parse(checkTime(o.endsAt, 'endsAt')) <= Date.parse(o.at)) {
    throw new ValidationError('must be after at', 'endsAt');
  }
}

function plusMs(at: string, ms: number): string {
  return new Date(Date.parse(at) + ms).toISOString();
}

function transition(alert: Alert, entry: AlertHistoryEntry, previousSeverity?: AlertSeverity): AlertTransition {
  return {
    kind: entry.kind,
    fingerprint: alert.fingerprint,
    at: entry.at,
    from: entry.from,
    to: entry.to,
    severity: entry.severity,
    ...(previousSeverity ? { previousSeverity } : {}),
    ...(entry.by !== undefined ? { by: entry.by } : {}),
    ...(entry.comment !== undefined ? { comment: entry.comment } : {}),
    cause: entry.cause,
  };
}

function withEntry(alert: Alert, entry: AlertHistoryEntry): Alert {
  const history = [...alert.history, entry];
  return { ...alert, state: entry.to, severity: entry.severity, stateSince: entry.at, history: history.slice(-MAX_HISTORY) };
}

function isActive(state: AlertState): boolean {
  return state !== 'resolved';
}

/**
 * Folds one observation into the alert with the same fingerprint (`existing`, or null):
 * - clear condition, nothing active → nothing;
 * - active, nothing active → `fired` (a new alert, or a new episode of a resolved one: new
 *   `startsAt`, acknowledgement cleared);
 * - active again, same severity → deduplicated: no transition, only `lastObservedAt`,
 *   `observations`, annotations and `endsAt` move (an acknowledged alert stays acknowledged);
 * - active with another severity → `severityChanged`; an acknowledgement is lifted (back to firing);
 * - clear while active → `resolved` (auto-resolve, `cause: condition`).
 * An observation older than the alert's last observation is ignored (late, out of order).
 * Pure; `existing` is not mutated.
 *
 * @throws ValidationError for a malformed observation (labels, severity, times);
 *   ConflictError (field `labels`) when `existing` has another fingerprint.
 */
export function evaluate(existing: Alert | null, observation: AlertObservation, options: EvaluateOptions = {}): AlertChange {
  validateObservation(observation);
  const fp = fingerprint(observation.labels);
  if (existing && existing.fingerprint !== fp) throw new ConflictError('the observation belongs to another alert', 'labels');
  const at = observation.at;
  if (existing && Date.parse(at) < Date.parse(existing.lastObservedAt)) return { alert: existing, changed: false, transitions: [] };
  const endsAt =
    observation.endsAt ?? (options.resolveTimeoutMs !== undefined ? plusMs(at, options.resolveTimeoutMs) : null);

  if (!observation.active) {
    if (!existing || !isActive(existing.state)) return { alert: existing, changed: false, transitions: [] };
    const entry: AlertHistoryEntry = { kind: 'resolved', at, from: existing.state, to: 'resolved', severity: existing.severity, cause: 'condition' };
    const alert = { ...withEntry(existing, entry), endsAt: at, lastObservedAt: at };
    return { alert, changed: true, transitions: [transition(alert, entry)] };
  }

  const annotations = { ...(existing?.annotations ?? {}), ...(observation.annotations ?? {}) };
  if (!existing || !isActive(existing.state)) {
    const entry: AlertHistoryEntry = { kind: 'fired', at, from: existing ? existing.state : null, to: 'firing', severity: observation.severity, cause: 'condition' };
    const base: Alert = {
      fingerprint: fp,
      labels: { ...observation.labels },
      annotations,
      severity: observation.severity,
      state: 'firing',
      startsAt: at,
      endsAt,
      stateSince: at,
      lastObservedAt: at,
      observations: 1,
      ackedBy: null,
      ackedAt: null,
      ackComment: null,
      history: existing?.history ?? [],
      revision: existing?.revision ?? 0,
    };
    const alert = withEntry(base, entry);
    return { alert, changed: true, transitions: [transition(alert, entry)] };
  }

  const observed: Alert = { ...existing, annotations, endsAt, lastObservedAt: at, observations: existing.observations + 1 };
  if (observation.severity === existing.severity) return { alert: observed, changed: true, transitions: [] };
  const entry: AlertHistoryEntry = {
    kind: 'severityChanged',
    at,
    from: existing.state,
    to: 'firing',
    severity: observation.severity,
    cause: 'condition',
  };
  const alert = { ...withEntry(observed, entry), ackedBy: null, ackedAt: null, ackComment: null };
  return { alert, changed: true, transitions: [transition(alert, entry, existing.severity)] };
}

/**
 * Folds observations in order into the alerts by fingerprint; returns every alert that changed
 * and all transitions in order. Pure (the input map is not mutated).
 */
export function evaluateAll(
  existing: ReadonlyMap<string, Alert>,
  observations: readonly AlertObservation[],
  options: EvaluateOptions = {},
): { alerts: Map<string, Alert>; changed: Set<string>; transitions: AlertTransition[] } {
  const alerts = new Map(existing);
  const changed = new Set<string>();
  const transitions: AlertTransition[] = [];
  for (const observation of observations) {
    const fp = fingerprint(validateLabels(observation.labels));
    const result = evaluate(alerts.get(fp) ?? null, observation, options);
    if (result.changed && result.alert) {
      alerts.set(fp, result.alert);
      changed.add(fp);
    }
    transitions.push(...result.transitions);
  }
  return { alerts, changed, transitions };
}

/**
 * Resolves an active alert whose `endsAt` has passed (`cause: expired`, `endsAt` kept): event
 * alerts that timed out, condition alerts whose rule stopped reporting. Pure; no change otherwise.
 */
export function expire(alert: Alert, now: string): AlertChange {
  if (!isActive(alert.state) || alert.endsAt === null || Date.parse(alert.endsAt) > Date.parse(now)) {
    return { alert, changed: false, transitions: [] };
  }
  const entry: AlertHistoryEntry = { kind: 'resolved', at: alert.endsAt, from: alert.state, to: 'resolved', severity: alert.severity, cause: 'expired' };
  const resolved = withEntry(alert, entry);
  return { alert: resolved, changed: true, transitions: [transition(resolved, entry)] };
}

/**
 * Acknowledges a firing alert: it stays visible and active but sends no more notifications until
 * it resolves or changes severity. Acknowledging an acknowledged alert changes nothing (idempotent).
 *
 * @throws ConflictError (field `state`) when the alert is resolved; ValidationError for an empty `by`.
 */
export function acknowledge(alert: Alert, input: { by: string; at: string; comment?: string }): AlertChange {
  if (!input.by?.trim()) throw new ValidationError('who acknowledges is required', 'by');
  checkTime(input.at, 'at');
  if (alert.state === 'resolved') throw new ConflictError('a resolved alert cannot be acknowledged', 'state');
  if (alert.state === 'acknowledged') return { alert, changed: false, transitions: [] };
  const entry: AlertHistoryEntry = {
    kind: 'acknowledged',
    at: input.at,
    from: alert.state,
    to: 'acknowledged',
    severity: alert.severity,
    by: input.by,
    ...(input.comment ? { comment: input.comment } : {}),
    cause: 'manual',
  };
  const acked = { ...withEntry(alert, entry), ackedBy: input.by, ackedAt: input.at, ackComment: input.comment ?? null };
  return { alert: acked, changed: true, transitions: [transition(acked, entry)] };
}

/**
 * Resolves an active alert by hand (it fires again on the next active observation). Resolving a
 * resolved alert changes nothing (idempotent).
 *
 * @throws ValidationError for an empty `by`.
 */
export function resolveManually(alert: Alert, input: { by: string; at: string; comment?: string }): AlertChange {
  if (!input.by?.trim()) throw new ValidationError('who resolves is required', 'by');
  checkTime(input.at, 'at');
  if (alert.state === 'resolved') return { alert, changed: false, transitions: [] };
  const entry: AlertHistoryEntry = {
    kind: 'resolved',
    at: input.at,
    from: alert.state,
    to: 'resolved',
    severity: alert.severity,
    by: input.by,
    ...(input.comment ? { comment: input.comment } : {}),
    cause: 'manual',
  };
  const resolved = { ...withEntry(alert, entry), endsAt: input.at };
  return { alert: resolved, changed: true, transitions: [transition(resolved, entry)] };
}
