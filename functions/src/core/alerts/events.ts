import { ALERT_LABELS, type Alert, type AlertTransition, type Silence } from './model';

/** `context.source` of every alert event. */
export const ALERT_EVENT_SOURCE = '/signalbox/alerts';
/** Bus `source` of alert events. */
export const ALERT_BUS_SOURCE = 'signalbox.alerts';
export const ALERT_SPEC_VERSION = '0.5.1';

/** Predicates of the custom `dev.cdeventsx.signalbox-alert.<predicate>.0.1.0` events. */
export type AlertCustomPredicate =
  | 'fired'
  | 'resolved'
  | 'acknowledged'
  | 'severityChanged'
  | 'silenceCreated'
  | 'silenceUpdated'
  | 'silenceExpired'
  | 'silenceDeleted';

/** A domain event of the alert engine, before mapping to a CDEvent. */
export type AlertEventDescription =
  | { kind: 'transition'; alert: Alert; transition: AlertTransition }
  | { kind: 'silence'; action: 'created' | 'updated' | 'expired' | 'deleted'; silence: Silence; by: string; at: string };

export type AlertCdevent = {
  context: Record<string, unknown>;
  subject: { id: string; source?: string; content: Record<string, unknown> };
  customData?: Record<string, unknown>;
  customDataContentType?: string;
};

function portalBase(portalUrl: string | undefined): string {
  return (portalUrl ?? 'http://localhost:3000').replace(/\/+$/, '');
}

/** Where the portal shows an alert (absolute URI). */
export function alertPortalUrl(portalUrl: string | undefined, fingerprint: string): string {
  return `${portalBase(portalUrl)}/alerts/?fingerprint=${encodeURIComponent(fingerprint)}`;
}

function describe(alert: Alert): string {
  const name = alert.labels[ALERT_LABELS.name] ?? 'alert';
  const summary = alert.annotations.summary ?? alert.annotations.description;
  return `${name} (${alert.severity})${summary ? `: ${summary}` : ''}`;
}

const SILENCE_PREDICATE = {
  created: 'silenceCreated',
  updated: 'silenceUpdated',
  expired: 'silenceExpired',
  deleted: 'silenceDeleted',
} as const satisfies Record<string, AlertCustomPredicate>;

/**
 * The CDEvent for one alert-engine event:
 * - `fired` → `dev.cdevents.incident.detected.0.3.0`, `resolved` → `incident.resolved.0.3.0`,
 *   when the alert has an `environment` label (the incident subject requires one); the subject id
 *   is `<fingerprint>/<startsAt>`, one incident per firing episode;
 * - everything else, and fired/resolved without an environment, → custom
 *   `dev.cdeventsx.signalbox-alert.<predicate>.0.1.0`.
 * The context id is derived from the fingerprint, the time and the kind, so re-publishing the same
 * transition yields the same id (the store keeps it once). Pure.
 */
export function toAlertCdevent(event: AlertEventDescription, portalUrl?: string): AlertCdevent {
  const base = portalBase(portalUrl);
  const context = (type: string, id: string, at: string, custom: boolean, predicate?: string) => ({
    specversion: ALERT_SPEC_VERSION,
    id,
    source: ALERT_EVENT_SOURCE,
    type,
    timestamp: at,
    ...(custom ? { schemaUri: `${base}/schemas/signalbox-alert.${predicate}.0.1.0.json` } : {}),
  });
  if (event.kind === 'silence') {
    const { silence, action, by, at } = event;
    const predicate = SILENCE_PREDICATE[action];
    return {
      context: context(`dev.cdeventsx.signalbox-alert.${predicate}.0.1.0`, `silence/${silence.id}/${action}/${at}`, at, true, predicate),
      subject: {
        id: silence.id,
        source: ALERT_EVENT_SOURCE,
        content: {
          silence: silence.id,
          matchers: silence.matchers.map((m) => ({ ...m })),
          startsAt: silence.startsAt,
          endsAt: silence.endsAt,
          createdBy: silence.createdBy,
          comment: silence.comment,
          by,
          uri: `${base}/alerts/silences/?id=${encodeURIComponent(silence.id)}`,
        },
      },
    };
  }
  const { alert, transition } = event;
  const uri = alertPortalUrl(portalUrl, alert.fingerprint);
  const id = `alert/${alert.fingerprint}/${transition.at}/${transition.kind}`;
  const environment = alert.labels[ALERT_LABELS.environment];
  const service = alert.labels[ALERT_LABELS.service];
  const alertData = {
    fingerprint: alert.fingerprint,
    labels: { ...alert.labels },
    annotations: { ...alert.annotations },
    severity: transition.severity,
    state: transition.to,
    startsAt: alert.startsAt,
    ...(transition.cause ? { cause: transition.cause } : {}),
    portal: uri,
  };
  if ((transition.kind === 'fired' || transition.kind === 'resolved') && environment) {
    return {
      context: context(
        transition.kind === 'fired' ? 'dev.cdevents.incident.detected.0.3.0' : 'dev.cdevents.incident.resolved.0.3.0',
        id,
        transition.at,
        false,
      ),
      subject: {
        id: `${alert.fingerprint}/${alert.startsAt}`,
        source: ALERT_EVENT_SOURCE,
        content: { description: describe(alert), environment: { id: environment }, ...(service ? { service: { id: service } } : {}) },
      },
      customData: { alert: alertData },
      customDataContentType: 'application/json',
    };
  }
  const predicate: AlertCustomPredicate = transition.kind;
  return {
    context: context(`dev.cdeventsx.signalbox-alert.${predicate}.0.1.0`, id, transition.at, true, predicate),
    subject: {
      id: alert.fingerprint,
      source: ALERT_EVENT_SOURCE,
      content: {
        ...alertData,
        from: transition.from,
        to: transition.to,
        description: describe(alert),
        uri,
        ...(transition.previousSeverity ? { previousSeverity: transition.previousSeverity } : {}),
        ...(transition.by !== undefined ? { by: transition.by } : {}),
        ...(transition.comment !== undefined ? { comment: transition.comment } : {}),
      },
    },
  };
}
