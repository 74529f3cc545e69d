import type { NotificationAlert, NotificationPayload, Notifier } from '../../core/ports/notifier';
import { postJsonWithRetries, type HttpNotifierOptions } from './webhook-notifier';

export interface SlackNotifierOptions extends HttpNotifierOptions {
  /** The Slack incoming-webhook URL (a secret: never logged, errors name the origin only). */
  url: string;
}

/** Alerts shown one section each; the rest are counted in an "and N more" line. */
export const SLACK_MAX_ALERT_SECTIONS = 10;
const MAX_SECTION_CHARS = 2900; // Slack: 3000
const MAX_HEADER_CHARS = 150; // Slack: 150
const MAX_CONTEXT_CHARS = 2900;

/** Escapes Slack's mrkdwn control characters (`&`, `<`, `>`), so text never becomes a link or mention. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A `<url|label>` link; the url is escaped too, and `|` in it is percent-encoded. */
function link(url: string, label: string): string {
  return `<${escapeSlack(url).replace(/\|/g, '%7C')}|${escapeSlack(label)}>`;
}

function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([n, v]) => `${n}=${v}`)
    .join(', ');
}

function title(payload: NotificationPayload): string {
  const firing = payload.alerts.filter((a) => a.status === 'firing').length;
  const resolved = payload.alerts.length - firing;
  const name = payload.groupLabels['alertname'] ?? payload.commonLabels['alertname'];
  const state = payload.status === 'firing' ? `FIRING:${firing}` : `RESOLVED:${resolved}`;
  const what = name ?? labelsText(payload.groupLabels);
  return `[${state}] ${what || 'alerts'}`;
}

function alertSection(alert: NotificationAlert): Record<string, unknown> {
  const name = alert.labels['alertname'] ?? alert.fingerprint.slice(0, 12);
  const summary = alert.annotations['summary'] ?? alert.annotations['description'];
  const lines = [
    `*${escapeSlack(alert.status === 'firing' ? alert.severity.toUpperCase() : 'RESOLVED')}* ${escapeSlack(name)} — ${link(alert.generatorURL, 'view')}`,
  ];
  if (summary) lines.push(escapeSlack(summary));
  const labels = labelsText(alert.labels);
  if (labels) lines.push(`_${escapeSlack(labels)}_`);
  lines.push(`since ${escapeSlack(alert.startsAt)}${alert.status === 'resolved' && alert.endsAt ? `, resolved ${escapeSlack(alert.endsAt)}` : ''}`);
  return { type: 'section', text: { type: 'mrkdwn', text: cut(lines.join('\n'), MAX_SECTION_CHARS) } };
}

/**
 * The Slack incoming-webhook body for a notification: `text` (the fallback shown in push
 * notifications) and `blocks` — a header, one section per alert up to
 * {@link SLACK_MAX_ALERT_SECTIONS} (firing first), an "and N more" section beyond, and a context
 * line with the group labels and a link to the portal. Every user-provided string in `text` and in
 * the mrkdwn blocks is escaped; the header is `plain_text`, which Slack never parses, so it stays verbatim. Pure.
 */
export function slackMessage(payload: NotificationPayload): { text: string; blocks: Record<string, unknown>[] } {
  const heading = title(payload);
  const blocks: Record<string, unknown>[] = [{ type: 'header', text: { type: 'plain_text', text: cut(heading, MAX_HEADER_CHARS) } }];
  for (const alert of payload.alerts.slice(0, SLACK_MAX_ALERT_SECTIONS)) blocks.push(alertSection(alert));
  const more = payload.alerts.length - SLACK_MAX_ALERT_SECTIONS;
  if (more > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `and ${more} more` } });
  const group = labelsText(payload.groupLabels);
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: cut(`${group ? `${escapeSlack(group)} · ` : ''}${link(payload.externalURL, 'Open in Signalbox')}`, MAX_CONTEXT_CHARS),
      },
    ],
  });
  return { text: escapeSlack(heading), blocks };
}

/**
 * Slack incoming-webhook receiver. Same retries as the webhook notifier (Slack answers 429 with
 * `Retry-After` when rate limited); no signature (the URL is the credential).
 */
export class SlackNotifier implements Notifier {
  constructor(private readonly options: SlackNotifierOptions) {}

  async send(payload: NotificationPayload): Promise<void> {
    await postJsonWithRetries(this.options.url, JSON.stringify(slackMessage(payload)), () => ({}), this.options, 'receiver.url');
  }
}
