import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { ALERT_SEVERITIES, type AlertSeverity } from '../../core/alerts/model';
import { DependencyError } from '../../core/errors';
import { NOTIFIER_UNAVAILABLE, type NotificationPayload, type Notifier } from '../../core/ports/notifier';

/** SNS: "less than 100 characters", no line breaks or control characters. */
export const SNS_MAX_SUBJECT = 99;
/** SNS allows 256 KiB; stay clear of it. */
const MAX_MESSAGE_CHARS = 200_000;

/** The most severe severity among the firing alerts (all alerts when none fires). */
export function notificationSeverity(payload: NotificationPayload): AlertSeverity {
  const firing = payload.alerts.filter((a) => a.status === 'firing');
  const pool = firing.length > 0 ? firing : payload.alerts;
  let best: AlertSeverity = 'info';
  for (const alert of pool) if (ALERT_SEVERITIES.indexOf(alert.severity) < ALERT_SEVERITIES.indexOf(best)) best = alert.severity;
  return best;
}

function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
}

function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([n, v]) => `${n}=${v}`)
    .join(', ');
}

/** `[FIRING:2] <alertname or group labels>`, one line, at most {@link SNS_MAX_SUBJECT} characters. Pure. */
export function snsSubject(payload: NotificationPayload): string {
  const firing = payload.alerts.filter((a) => a.status === 'firing').length;
  const state = payload.status === 'firing' ? `FIRING:${firing}` : `RESOLVED:${payload.alerts.length - firing}`;
  const what = payload.groupLabels['alertname'] ?? payload.commonLabels['alertname'] ?? labelsText(payload.groupLabels);
  const subject = oneLine(`[${state}] ${what || 'alerts'}`);
  return subject.length > SNS_MAX_SUBJECT ? `${subject.slice(0, SNS_MAX_SUBJECT - 3)}...` : subject;
}

/** A plain-text body for email/SMS subscribers: the group, then one paragraph per alert. Pure. */
export function snsMessage(payload: NotificationPayload): string {
  const lines = [
    `${payload.status === 'firing' ? 'FIRING' : 'RESOLVED'} — ${labelsText(payload.groupLabels) || 'all alerts'}`,
    `Open in Signalbox: ${payload.externalURL}`,
    '',
  ];
  for (const alert of payload.alerts) {
    lines.push(`${alert.status === 'firing' ? alert.severity.toUpperCase() : 'RESOLVED'}: ${alert.labels['alertname'] ?? alert.fingerprint}`);
    const summary = alert.annotations['summary'] ?? alert.annotations['description'];
    if (summary) lines.push(`  ${summary}`);
    lines.push(`  labels: ${labelsText(alert.labels)}`);
    lines.push(`  since: ${alert.startsAt}${alert.status === 'resolved' && alert.endsAt ? `  resolved: ${alert.endsAt}` : ''}`);
    lines.push(`  ${alert.generatorURL}`);
    lines.push('');
  }
  lines.push(`notification ${payload.id}`);
  const text = lines.join('\n');
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}\n… (truncated)` : text;
}

/**
 * Publishes each notification to an SNS topic (email, SMS, chat integrations subscribe there).
 * Subject and Message are readable text; `severity` and `status` are message attributes so
 * subscriptions can filter on them. Retries are the SDK client's (configure `maxAttempts` on it);
 * any failure becomes `DependencyError` (code `NOTIFIER_UNAVAILABLE`, field `receiver.topicArn`).
 */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: Pick<SNSClient, 'send'>,
    private readonly topicArn: string,
  ) {}

  async send(payload: NotificationPayload): Promise<void> {
    const command = new PublishCommand({
      TopicArn: this.topicArn,
      Subject: snsSubject(payload),
      Message: snsMessage(payload),
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: notificationSeverity(payload) },
        status: { DataType: 'String', StringValue: payload.status },
      },
    });
    try {
      await this.client.send(command);
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      throw new DependencyError(`SNS publish to ${this.topicArn} failed (${name})`, 'receiver.topicArn', { cause: error, code: NOTIFIER_UNAVAILABLE });
    }
  }
}
