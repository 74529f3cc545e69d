import { ALERT_BUS_SOURCE, ALERT_EVENT_SOURCE } from '../alerts/events';
import { extractEvent } from '../cdevents/envelope';
import { eventKey } from '../cdevents/prepare';
import { parseCdeventType } from '../cdevents/validator';
import { OBSERVATION_DETAIL_TYPE, type ObservationDetail } from '../monitoring/run-checks';
import type { DeliveredEvent } from '../ports/event-bus';
import { ROLLOUT_BUS_SOURCE, ROLLOUT_EVENT_SOURCE } from '../rollouts/events';
import type { LiveMessage } from './model';
import { SETTINGS_BUS_SOURCE, SETTINGS_EVENT_SOURCE } from '../settings/events';

/** The `events` topic's message data: the timeline row of a CDEvent (no payload). */
export interface LiveEventSummary {
  /** Storage key (`GET /api/events/{key}`). */
  key: string;
  id: string;
  source: string;
  type: string;
  subject: string;
  predicate: string;
  subjectId: string;
  timestamp: string;
  service: string | null;
  environment: string | null;
  chainId: string | null;
}

/** The `health` topic's message data (type `observation`). */
export interface LiveObservation {
  checkId: string;
  status: ObservationDetail['status'];
  message: string;
  service: string | null;
  environment: string | null;
  checkedAt: string;
}

/** The `alerts` topic's message data; `type` is the transition (`fired`, `resolved`, ...) or the silence action (`silenceCreated`, ...). */
export interface LiveAlertChange {
  fingerprint: string | null;
  silence: string | null;
  state: string | null;
  severity: string | null;
  description: string | null;
  labels: Record<string, string>;
  eventId: string;
}

/** The `settings` topic's message data (type `changed`): which item an admin saved, and its new state. */
export interface LiveSettingChange {
  kind: string;
  name: string;
  enabled: boolean | null;
  revision: number | null;
  by: string | null;
  eventId: string;
}

/** The `rollouts` topic's message data; `type` is `<subject>.<predicate>` of the CDEvent (e.g. `taskrun.started`). */
export interface LiveRolloutChange {
  rolloutId: string | null;
  eventType: string;
  subjectId: string;
  outcome: string | null;
  eventId: string;
}

const MAX_MESSAGE_TEXT = 500;

function obj(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(obj(value)).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function observationMessage(event: DeliveredEvent): LiveMessage[] {
  const d = obj(event.detail);
  const checkId = str(d.checkId);
  const status = str(d.status);
  if (!checkId || !status) return [];
  const checkedAt = str(d.checkedAt) ?? event.time;
  const data: LiveObservation = {
    checkId,
    status: status as LiveObservation['status'],
    message: (str(d.message) ?? '').slice(0, MAX_MESSAGE_TEXT),
    service: str(d.service),
    environment: str(d.environment),
    checkedAt,
  };
  return [{ topic: 'health', type: 'observation', data, at: checkedAt }];
}

/**
 * The live messages one bus event becomes (pure):
 * - a `SignalboxObservation` → `health` / `observation` ({@link LiveObservation});
 * - every CDEvent → `events` / its CDEvent type ({@link LiveEventSummary});
 * - an alert CDEvent (bus source `signalbox.alerts` or context source `/signalbox/alerts`) also →
 *   `alerts` / `fired` | `resolved` | `acknowledged` | `severityChanged` | `silenceCreated` | ...
 *   ({@link LiveAlertChange});
 * - a rollout CDEvent (`signalbox.rollouts` or `/signalbox/rollouts`) also → `rollouts` /
 *   `<subject>.<predicate>` ({@link LiveRolloutChange}).
 * - a settings CDEvent (`signalbox.settings` or `/signalbox/settings`) also → `settings` / `changed`
 *   ({@link LiveSettingChange});
 * Anything else (and an unusable CDEvent) → no message.
 */
export function toLiveMessages(event: DeliveredEvent): LiveMessage[] {
  if (event['detail-type'] === OBSERVATION_DETAIL_TYPE) return observationMessage(event);
  const extracted = extractEvent(event.detail);
  if (!extracted.ok) return [];
  const context = obj(extracted.cdevent.context);
  const subjectDoc = obj(extracted.cdevent.subject);
  const content = obj(subjectDoc.content);
  const type = str(context.type);
  const id = typeof context.id === 'number' ? String(context.id) : str(context.id);
  const source = str(context.source);
  const parsed = type ? parseCdeventType(type) : null;
  if (!type || !parsed || !id || !source) return [];
  const at = str(context.timestamp) ?? event.time;
  const subjectId = str(subjectDoc.id) ?? '';
  const summary: LiveEventSummary = {
    key: eventKey(source, id),
    id,
    source,
    type,
    subject: parsed.subject,
    predicate: parsed.predicate,
    subjectId,
    timestamp: at,
    service: parsed.subject === 'service' ? subjectId || null : str(obj(content.service).id),
    environment: str(obj(content.environment).id),
    chainId: str(context.chainId) ?? str(context.chain_id),
  };
  const out: LiveMessage[] = [{ topic: 'events', type, data: summary, at }];

  if (event.source === ALERT_BUS_SOURCE || source === ALERT_EVENT_SOURCE) {
    const alert = { ...content, ...obj(obj(extracted.cdevent.customData).alert) };
    const kind =
      parsed.subject === 'incident'
        ? parsed.predicate === 'detected'
          ? 'fired'
          : parsed.predicate === 'resolved'
            ? 'resolved'
            : parsed.predicate
        : parsed.predicate;
    const data: LiveAlertChange = {
      fingerprint: str(alert.fingerprint),
      silence: str(alert.silence),
      state: str(alert.state) ?? str(alert.to),
      severity: str(alert.severity),
      description: str(alert.description) ?? str(content.description),
      labels: stringRecord(alert.labels),
      eventId: id,
    };
    out.push({ topic: 'alerts', type: kind, data, at });
  }

  if (event.source === SETTINGS_BUS_SOURCE || source === SETTINGS_EVENT_SOURCE) {
    const kind = str(content.kind);
    const name = str(content.name);
    if (kind && name) {
      const data: LiveSettingChange = {
        kind,
        name,
        enabled: typeof content.enabled === 'boolean' ? content.enabled : null,
        revision: typeof content.revision === 'number' ? content.revision : null,
        by: str(content.by),
        eventId: id,
      };
      out.push({ topic: 'settings', type: 'changed', data, at });
    }
  }

  if (event.source === ROLLOUT_BUS_SOURCE || source === ROLLOUT_EVENT_SOURCE) {
    const rollout = obj(obj(extracted.cdevent.customData).rollout);
    const data: LiveRolloutChange = {
      rolloutId: str(rollout.id) ?? summary.chainId,
      eventType: type,
      subjectId,
      outcome: str(content.outcome),
      eventId: id,
    };
    out.push({ topic: 'rollouts', type: `${parsed.subject}.${parsed.predicate}`, data, at });
  }
  return out;
}
