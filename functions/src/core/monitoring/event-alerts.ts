import { expire } from '../alerts/evaluate';
import { ALERT_BUS_SOURCE, ALERT_EVENT_SOURCE, toAlertCdevent } from '../alerts/events';
import { ALERT_LABELS, type AlertObservation, type AlertTransition } from '../alerts/model';
import { extractEvent } from '../cdevents/envelope';
import { prepareEvent, type PreparedEvent } from '../cdevents/prepare';
import type { AlertRuleConfig } from '../config/model';
import { ConflictError } from '../errors';
import type { BusEvent, DeliveredEvent } from '../ports/event-bus';
import { ALERT_EVENTS_BUS_SOURCE, CDEVENT_DETAIL_TYPE, applyAlertObservations } from './check-alerts';
import type { MonitoringDeps } from './deps';

/** An event rule without `resolveAfter` resolves this long after its last matching event. */
export const DEFAULT_EVENT_RESOLVE_AFTER_SECONDS = 3600;
const READ_LIMIT = 500;

/** `dev.cdevents.service.rolledback.*` → an anchored regular expression (`*` matches anything). */
function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function obj(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Names `match` may use besides dotted paths into the CDEvent (`subject.content.environment.id`). */
const SUMMARY_FIELDS = ['type', 'source', 'subject', 'predicate', 'subjectId', 'service', 'environment', 'artifactId', 'version', 'outcome'] as const;

/** The value a `match` key names in an event: a summary field, else a dotted path into the CDEvent. */
export function eventField(event: PreparedEvent, key: string): string | null {
  if ((SUMMARY_FIELDS as readonly string[]).includes(key)) return text(event[key as (typeof SUMMARY_FIELDS)[number]]);
  let value: unknown = event.cdevent;
  for (const part of key.split('.')) value = obj(value)[part];
  return text(value);
}

/** The service an event is about: the summary's, else `subject.content.service` (`{id}` or text). */
function serviceOf(event: PreparedEvent): string | null {
  if (event.service) return event.service;
  const content = obj(obj(event.cdevent.subject).content);
  return text(obj(content.service).id) ?? text(content.service);
}

/** Whether a rule's event condition matches (type pattern, then every `match` entry; `*` wildcards). Pure. */
export function eventRuleMatches(rule: AlertRuleConfig, event: PreparedEvent): boolean {
  const c = rule.condition;
  if (c.kind !== 'event') return false;
  if (!c.types.some((t) => wildcard(t).test(event.type))) return false;
  return Object.entries(c.match).every(([key, expected]) => {
    const actual = eventField(event, key);
    return actual !== null && wildcard(expected).test(actual);
  });
}

/**
 * The alert observations the config's event rules give for one CDEvent: per matching rule, an
 * active observation labelled `alertname`, the event's `service` and `environment` where present,
 * the rule's `system` and labels; `endsAt` is the event time + `resolveAfter` (default 1 h), so
 * the alert resolves by itself (`expireEventAlerts`) unless the event repeats. The observation
 * time is the event's own timestamp when usable and not in the future, else `now`. An event whose
 * alert would already have ended (an old event arriving late, a seeded history) gives nothing.
 * Signalbox's own alert events (source `/signalbox/alerts`) never match, so alerts cannot loop. Pure.
 */
export function observeEventRules(rules: readonly AlertRuleConfig[], event: PreparedEvent, now: string): AlertObservation[] {
  if (event.source === ALERT_EVENT_SOURCE) return [];
  const ts = Date.parse(event.timestamp);
  const at = Number.isNaN(ts) || ts > Date.parse(now) ? now : new Date(ts).toISOString();
  const out: AlertObservation[] = [];
  for (const rule of rules) {
    if (!eventRuleMatches(rule, event)) continue;
    const endsAtMs = Date.parse(at) + (rule.resolveAfterSeconds ?? DEFAULT_EVENT_RESOLVE_AFTER_SECONDS) * 1000;
    if (endsAtMs <= Date.parse(now)) continue;
    const labels: Record<string, string> = { [ALERT_LABELS.name]: rule.name };
    const service = serviceOf(event);
    if (service) labels[ALERT_LABELS.service] = service;
    if (event.environment) labels[ALERT_LABELS.environment] = event.environment;
    if (rule.system) labels[ALERT_LABELS.system] = rule.system;
    for (const [k, v] of Object.entries(rule.labels)) {
      const cleaned = k.replace(/[^a-zA-Z0-9_]/g, '_');
      const name = /^[a-zA-Z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
      if (name !== ALERT_LABELS.severity && name !== ALERT_LABELS.name) labels[name] = v;
    }
    const annotations: Record<string, string> = { event: event.type, eventKey: event.key };
    if (event.subjectId) annotations.subject = event.subjectId;
    if (rule.summary) annotations.summary = rule.summary;
    if (rule.description) annotations.description = rule.description;
    out.push({ labels, severity: rule.severity, active: true, at, annotations, endsAt: new Date(endsAtMs).toISOString() });
  }
  return out;
}

/**
 * Applies the config's `event` alert rules to one delivered bus event (the `AlertOnEvents` rule's
 * target): fires or refreshes the matching alerts, stores them and publishes the transitions as
 * CDEvents. Events from Signalbox's alert engine (bus source `signalbox.alerts`) and anything that
 * is not a usable CDEvent are ignored. Needs an alert store (nothing happens without one).
 */
export async function applyEventAlertRules(deps: MonitoringDeps, delivered: Pick<DeliveredEvent, 'source' | 'detail'>): Promise<AlertTransition[]> {
  if (!deps.alertStore || delivered.source === ALERT_BUS_SOURCE) return [];
  const snapshot = await deps.monitoringConfig.current();
  const rules = snapshot.config.alerts.filter((r) => r.condition.kind === 'event');
  if (rules.length === 0) return [];
  const now = deps.clock.now();
  const extracted = extractEvent(delivered.detail);
  if (!extracted.ok) return [];
  // Most events match no rule: look at the type before validating and preparing the whole event.
  const type = text(obj(extracted.cdevent.context).type);
  if (type === null || !rules.some((r) => r.condition.kind === 'event' && r.condition.types.some((t) => wildcard(t).test(type)))) return [];
  const prepared = prepareEvent(extracted, now);
  if ('error' in prepared) return [];
  return applyAlertObservations(deps, observeEventRules(rules, prepared, now));
}

/**
 * The expiry sweep: resolves every active alert whose `endsAt` has passed (`cause: expired`) —
 * event alerts after their `resolveAfter` — stores it and publishes the transition. A write that
 * loses a race is skipped (the next sweep sees it). Returns the transitions.
 */
export async function expireEventAlerts(deps: MonitoringDeps): Promise<AlertTransition[]> {
  const store = deps.alertStore;
  if (!store) return [];
  const now = deps.clock.now();
  const [firing, acked] = await Promise.all([store.listAlerts({ state: 'firing', limit: READ_LIMIT }), store.listAlerts({ state: 'acknowledged', limit: READ_LIMIT })]);
  const transitions: AlertTransition[] = [];
  const events: BusEvent[] = [];
  for (const alert of [...firing.items, ...acked.items]) {
    const change = expire(alert, now);
    if (!change.changed || !change.alert) continue;
    try {
      await store.saveAlert(change.alert, alert.revision);
    } catch (error) {
      if (error instanceof ConflictError) {
        deps.logger.warn('alert changed concurrently; expiry retried on the next sweep', { fingerprint: alert.fingerprint });
        continue;
      }
      throw error;
    }
    const saved = { ...change.alert, revision: alert.revision + 1 };
    for (const t of change.transitions) {
      transitions.push(t);
      events.push({ source: ALERT_EVENTS_BUS_SOURCE, detailType: CDEVENT_DETAIL_TYPE, detail: toAlertCdevent({ kind: 'transition', alert: saved, transition: t }, deps.portalUrl), time: t.at });
    }
  }
  for (let i = 0; i < events.length; i += 10) {
    try {
      await deps.bus.publish(events.slice(i, i + 10));
    } catch (error) {
      deps.logger.error('publishing alert expiry events failed', { error: (error as Error).message });
    }
  }
  return transitions;
}
