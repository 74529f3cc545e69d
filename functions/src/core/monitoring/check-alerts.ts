import { evaluate } from '../alerts/evaluate';
import { toAlertCdevent } from '../alerts/events';
import { fingerprint } from '../alerts/fingerprint';
import { ALERT_LABELS, type AlertObservation, type AlertTransition } from '../alerts/model';
import type { AlertRuleConfig, CheckConfig } from '../config/model';
import { ConflictError } from '../errors';
import type { BusEvent } from '../ports/event-bus';
import type { MonitoringDeps } from './deps';
import type { CheckResult, CheckStatus } from './model';

/** Bus `source` and `detail-type` of alert CDEvents (the store rule keeps them in the timeline). */
export const ALERT_EVENTS_BUS_SOURCE = 'signalbox.alerts';
export const CDEVENT_DETAIL_TYPE = 'CDEvent';

const RANK: Record<CheckStatus, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

/** Whether a check/metric rule's condition holds for a result; null for event rules (not check-driven). */
export function conditionHolds(rule: AlertRuleConfig, result: CheckResult): boolean | null {
  const c = rule.condition;
  if (c.kind === 'check') return result.status !== 'ok' && RANK[result.status] >= RANK[c.status];
  if (c.kind === 'metric') {
    const v = result.metrics[c.metric];
    if (v === undefined) return false;
    switch (c.op) {
      case '>':
        return v > c.value;
      case '>=':
        return v >= c.value;
      case '<':
        return v < c.value;
      case '<=':
        return v <= c.value;
      case '==':
        return v === c.value;
      case '!=':
        return v !== c.value;
    }
  }
  return null;
}

/** Config label names may hold `.`, `/`, `-`; alert labels are Prometheus-style. */
function labelName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[a-zA-Z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/**
 * The labels of a rule's alert for a check: `alertname`, `check`, the check's service and
 * environment and the rule's system, then the rule's own labels (which win). `severity` is never a
 * label (it is the alert's field).
 */
export function alertLabels(rule: AlertRuleConfig, check: CheckConfig): Record<string, string> {
  const labels: Record<string, string> = { [ALERT_LABELS.name]: rule.name, check: check.name };
  if (check.service) labels[ALERT_LABELS.service] = check.service;
  if (check.environment) labels[ALERT_LABELS.environment] = check.environment;
  if (rule.system) labels[ALERT_LABELS.system] = rule.system;
  for (const [k, v] of Object.entries(rule.labels)) {
    const name = labelName(k);
    if (name !== ALERT_LABELS.severity && name !== ALERT_LABELS.name) labels[name] = v;
  }
  return labels;
}

/**
 * The rules of one check applied to its new result. `since` holds, per rule name, when its
 * condition started to hold (for `for`); the returned `since` is the next state. A rule whose
 * condition holds for at least `forSeconds` gives an active observation, one whose condition is
 * clear a clear observation (resolving its alert), one still pending none. Pure.
 */
export function observeCheckRules(
  rules: readonly AlertRuleConfig[],
  check: CheckConfig,
  result: CheckResult,
  since: Readonly<Record<string, string>>,
): { observations: AlertObservation[]; since: Record<string, string> } {
  const observations: AlertObservation[] = [];
  const next: Record<string, string> = {};
  for (const rule of rules) {
    if (rule.condition.kind === 'event' || rule.condition.check !== check.name) continue;
    const holds = conditionHolds(rule, result);
    if (holds === null) continue;
    const labels = alertLabels(rule, check);
    const annotations: Record<string, string> = { message: result.message };
    if (rule.summary) annotations.summary = rule.summary;
    if (rule.description) annotations.description = rule.description;
    if (!holds) {
      observations.push({ labels, severity: rule.severity, active: false, at: result.checkedAt });
      continue;
    }
    const start = since[rule.name] ?? result.checkedAt;
    next[rule.name] = start;
    if (Date.parse(result.checkedAt) - Date.parse(start) >= rule.forSeconds * 1000) {
      observations.push({ labels, severity: rule.severity, active: true, at: result.checkedAt, annotations });
    }
  }
  return { observations, since: next };
}

/**
 * Folds observations into the stored alerts (one read and at most one conditional write each) and
 * publishes every transition as a CDEvent (`toAlertCdevent`). A write that loses a race is skipped
 * (the next run observes again). Returns the transitions.
 */
export async function applyAlertObservations(deps: MonitoringDeps, observations: readonly AlertObservation[]): Promise<AlertTransition[]> {
  const store = deps.alertStore;
  if (!store || observations.length === 0) return [];
  const transitions: AlertTransition[] = [];
  const events: BusEvent[] = [];
  for (const observation of observations) {
    const fp = fingerprint(observation.labels);
    const existing = await store.getAlert(fp);
    const change = evaluate(existing, observation);
    if (!change.changed || !change.alert) continue;
    try {
      if (existing) await store.saveAlert(change.alert, existing.revision);
      else await store.createAlert(change.alert);
    } catch (error) {
      if (error instanceof ConflictError) {
        deps.logger.warn('alert changed concurrently; skipped until the next run', { fingerprint: fp });
        continue;
      }
      throw error;
    }
    for (const t of change.transitions) {
      transitions.push(t);
      events.push({ source: ALERT_EVENTS_BUS_SOURCE, detailType: CDEVENT_DETAIL_TYPE, detail: toAlertCdevent({ kind: 'transition', alert: change.alert, transition: t }, deps.portalUrl), time: t.at });
    }
  }
  for (let i = 0; i < events.length; i += 10) {
    try {
      await deps.bus.publish(events.slice(i, i + 10));
    } catch (error) {
      deps.logger.error('publishing alert events failed', { error: (error as Error).message });
    }
  }
  return transitions;
}
