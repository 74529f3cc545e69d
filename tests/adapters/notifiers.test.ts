import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SnsNotifier } from '../../functions/src/adapters/aws/sns-notifier';
import { SlackNotifier, escapeSlack, slackMessage } from '../../functions/src/adapters/http/slack-notifier';
import { WebhookNotifier, parseRetryAfter } from '../../functions/src/adapters/http/webhook-notifier';
import {
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from '../../functions/src/adapters/http/webhook-target';
import { buildNotificationPayload } from '../../functions/src/core/alerts/deliver';
import type { Alert, PlannedNotification } from '../../functions/src/core/alerts/model';
import { DependencyError } from '../../functions/src/core/errors';
import type { NotificationPayload } from '../../functions/src/core/ports/notifier';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

type Answer = { status: number; body?: string; headers?: Record<string, string> };

/** A real receiver on loopback: answers from a script (the last answer repeats), records every call. */
async function receiver(script: Answer[]) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = script[Math.min(received.length - 1, script.length - 1)]!;
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  opened.push(server);
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/alerts?token=s3cret`, received };
}

const opened: Server[] = [];
afterEach(async () => {
  for (const server of opened.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function alert(n: number, over: Partial<Alert> = {}): Alert {
  const fp = n.toString(16).padStart(64, '0');
  return {
    fingerprint: fp,
    labels: { alertname: 'CheckFailed', environment: 'prod', system: 'payments', check: `check-${n}` },
    annotations: { summary: `check ${n} is failing` },
    severity: 'critical',
    state: 'firing',
    startsAt: `2026-11-23T10:0${n % 10}:00.000Z`,
    endsAt: null,
    stateSince: '2026-11-23T10:00:00.000Z',
    lastObservedAt: '2026-11-23T10:00:00.000Z',
    observations: 1,
    ackedBy: null,
    ackedAt: null,
    ackComment: null,
    history: [],
    revision: 0,
    ...over,
  };
}

function planned(firing: Alert[], resolved: Alert[] = []): PlannedNotification {
  const groupId = 'a'.repeat(64);
  const groupKey = '{alertname="CheckFailed",environment="prod"}';
  return {
    groupId,
    groupKey,
    groupLabels: { alertname: 'CheckFailed', environment: 'prod' },
    reason: 'new',
    firing,
    resolved,
    log: { groupId, groupKey, sentAt: '2026-11-23T10:05:00.000Z', firing: [] },
    previousSentAt: null,
  };
}

const payload: NotificationPayload = buildNotificationPayload(
  planned([alert(1, { severity: 'warning' }), alert(2)], [alert(3, { state: 'resolved', endsAt: '2026-11-23T10:04:00.000Z' })]),
  'ops-webhook',
  'https://signalbox.example.com/',
);

/** Records requested sleeps instead of waiting. */
function fakeSleep() {
  const slept: number[] = [];
  return { slept, sleep: async (ms: number) => void slept.push(ms) };
}

describe('buildNotificationPayload', () => {
  it('is Alertmanager-webhook-like, firing alerts first (most severe first), stable id', () => {
    expect(payload).toMatchObject({
      version: '4',
      groupKey: '{alertname="CheckFailed",environment="prod"}',
      status: 'firing',
      receiver: 'ops-webhook',
      groupLabels: { alertname: 'CheckFailed', environment: 'prod' },
      commonLabels: { alertname: 'CheckFailed', environment: 'prod', system: 'payments' },
      commonAnnotations: {},
      externalURL: `https://signalbox.example.com/alerts?group=${'a'.repeat(64)}`,
    });
    expect(payload.alerts.map((a) => [a.status, a.severity, a.labels['check']])).toEqual([
      ['firing', 'critical', 'check-2'],
      ['firing', 'warning', 'check-1'],
      ['resolved', 'critical', 'check-3'],
    ]);
    expect(payload.alerts[2]!.endsAt).toBe('2026-11-23T10:04:00.000Z');
    expect(payload.alerts[0]!.generatorURL).toBe(`https://signalbox.example.com/alerts/${alert(2).fingerprint}`);
    expect(payload.id).toMatch(/^[0-9a-f]{64}$/);
    const again = buildNotificationPayload(planned([alert(2), alert(1, { severity: 'warning' })]), 'other', 'https://x');
    expect(again.id).toBe(payload.id); // same group + planned time → same id
  });
});

describe('WebhookNotifier', () => {
  it('POSTs the payload, signed so verifyWebhookSignature accepts it, with the payload id as delivery id', async () => {
    const r = await receiver([{ status: 204 }]);
    await new WebhookNotifier({ url: r.url, secret: 'hook-secret', nowSeconds: () => 1_790_000_000 }).send(payload);
    expect(r.received).toHaveLength(1);
    const [call] = r.received;
    expect(JSON.parse(call!.body)).toEqual(payload);
    expect(call!.headers['content-type']).toBe('application/json');
    expect(call!.headers[TIMESTAMP_HEADER]).toBe('1790000000');
    expect(call!.headers[DELIVERY_HEADER]).toBe(payload.id);
    expect(verifyWebhookSignature('hook-secret', '1790000000', call!.body, call!.headers[SIGNATURE_HEADER] as string)).toBe(true);
    expect(verifyWebhookSignature('other-secret', '1790000000', call!.body, call!.headers[SIGNATURE_HEADER] as string)).toBe(false);
  });

  it('sends no signature headers without a secret', async () => {
    const r = await receiver([{ status: 200 }]);
    await new WebhookNotifier({ url: r.url }).send(payload);
    expect(r.received[0]!.headers[SIGNATURE_HEADER]).toBeUndefined();
    expect(r.received[0]!.headers[DELIVERY_HEADER]).toBe(payload.id);
  });

  it('retries a 503 with exponential backoff, keeping the delivery id, then succeeds', async () => {
    const r = await receiver([{ status: 503 }, { status: 503 }, { status: 200 }]);
    const { slept, sleep } = fakeSleep();
    await new WebhookNotifier({ url: r.url, secret: 's', backoffMs: 100, retries: 3, sleep }).send(payload);
    expect(r.received).toHaveLength(3);
    expect(slept).toEqual([100, 200]);
    expect(new Set(r.received.map((c) => c.headers[DELIVERY_HEADER]))).toEqual(new Set([payload.id]));
    for (const c of r.received) {
      expect(verifyWebhookSignature('s', c.headers[TIMESTAMP_HEADER] as string, c.body, c.headers[SIGNATURE_HEADER] as string)).toBe(true);
    }
  });

  it('honours Retry-After seconds on 429 (capped), instead of the backoff', async () => {
    const r = await receiver([
      { status: 429, headers: { 'retry-after': '7' } },
      { status: 429, headers: { 'retry-after': '3600' } },
      { status: 202 },
    ]);
    const { slept, sleep } = fakeSleep();
    await new WebhookNotifier({ url: r.url, backoffMs: 100, sleep, maxRetryAfterMs: 60_000 }).send(payload);
    expect(r.received).toHaveLength(3);
    expect(slept).toEqual([7_000, 60_000]);
  });

  it('does not retry a 400 and throws DependencyError naming the origin only', async () => {
    const r = await receiver([{ status: 400, body: 'bad payload' }]);
    const { slept, sleep } = fakeSleep();
    const err = await new WebhookNotifier({ url: r.url, sleep }).send(payload).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as DependencyError).code).toBe('NOTIFIER_UNAVAILABLE');
    expect((err as DependencyError).message).toContain('HTTP 400: bad payload');
    expect((err as DependencyError).message).not.toContain('s3cret');
    expect(r.received).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it('throws DependencyError after its retries are spent', async () => {
    const r = await receiver([{ status: 500 }]);
    const { slept, sleep } = fakeSleep();
    const err = await new WebhookNotifier({ url: r.url, retries: 2, backoffMs: 10, sleep }).send(payload).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as Error).message).toMatch(/after 3 attempt\(s\): HTTP 500/);
    expect(r.received).toHaveLength(3);
    expect(slept).toEqual([10, 20]);
  });

  it('retries network errors (nothing listening)', async () => {
    const r = await receiver([{ status: 200 }]);
    const dead = r.url;
    for (const server of opened.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    const { slept, sleep } = fakeSleep();
    const err = await new WebhookNotifier({ url: dead, retries: 1, backoffMs: 5, sleep }).send(payload).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect(slept).toEqual([5]);
  });

  it('parses Retry-After seconds and HTTP dates', () => {
    expect(parseRetryAfter('12')).toBe(12_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:30 GMT', Date.parse('2026-11-23T10:00:00Z'))).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});

describe('SlackNotifier', () => {
  it('posts text + blocks: header, a section per alert, context with group labels and link', async () => {
    const r = await receiver([{ status: 200, body: 'ok' }]);
    await new SlackNotifier({ url: r.url }).send(payload);
    const body = JSON.parse(r.received[0]!.body) as ReturnType<typeof slackMessage>;
    expect(body.text).toBe('[FIRING:2] CheckFailed');
    expect(body.blocks.map((b) => b['type'])).toEqual(['header', 'section', 'section', 'section', 'context']);
    expect(body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '[FIRING:2] CheckFailed' } });
    const first = (body.blocks[1] as { text: { type: string; text: string } }).text;
    expect(first.type).toBe('mrkdwn');
    expect(first.text).toContain(`*CRITICAL* CheckFailed — <https://signalbox.example.com/alerts/${alert(2).fingerprint}|view>`);
    expect(first.text).toContain('check 2 is failing');
    expect((body.blocks[3] as { text: { text: string } }).text.text).toContain('*RESOLVED* CheckFailed');
    expect(body.blocks[4]).toEqual({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `alertname=CheckFailed, environment=prod · <https://signalbox.example.com/alerts?group=${'a'.repeat(64)}|Open in Signalbox>`,
        },
      ],
    });
  });

  it('shows at most 10 alert sections, then "and N more"', () => {
    const many = buildNotificationPayload(
      planned(Array.from({ length: 13 }, (_, i) => alert(i + 1))),
      'slack',
      'https://signalbox.example.com',
    );
    const msg = slackMessage(many);
    expect(msg.blocks).toHaveLength(1 + 10 + 1 + 1);
    expect(msg.blocks[11]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: 'and 3 more' } });
  });

  it('escapes &, < and > in every user-provided string', () => {
    expect(escapeSlack('a & <b> <!channel>')).toBe('a &amp; &lt;b&gt; &lt;!channel&gt;');
    const nasty = buildNotificationPayload(
      planned([
        alert(1, {
          labels: { alertname: 'Disk <!here> & more', environment: 'p>d' },
          annotations: { summary: 'see <https://evil.example|click>' },
        }),
      ]),
      'slack',
      'https://signalbox.example.com',
    );
    const msg = slackMessage({ ...nasty, groupLabels: { alertname: 'Disk <!here> & more' } });
    // mrkdwn texts and the fallback are escaped; the header is plain_text (never parsed), so it stays verbatim.
    expect(msg.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '[FIRING:1] Disk <!here> & more' } });
    const mrkdwn = JSON.stringify([msg.text, ...msg.blocks.slice(1)]);
    expect(mrkdwn).not.toContain('<!here>');
    expect(mrkdwn).not.toContain('<https://evil');
    expect(msg.text).toBe('[FIRING:1] Disk &lt;!here&gt; &amp; more');
    const section = (msg.blocks[1] as { text: { text: string } }).text.text;
    expect(section).toContain('Disk &lt;!here&gt; &amp; more');
    expect(section).toContain('see &lt;https://evil.example|click&gt;');
    expect(section).toContain('environment=p&gt;d');
  });

  it('retries Slack rate limiting with Retry-After', async () => {
    const r = await receiver([{ status: 429, headers: { 'retry-after': '1' } }, { status: 200, body: 'ok' }]);
    const { slept, sleep } = fakeSleep();
    await new SlackNotifier({ url: r.url, sleep }).send(payload);
    expect(r.received).toHaveLength(2);
    expect(slept).toEqual([1000]);
  });
});

describe('SnsNotifier', () => {
  const sns = mockClient(SNSClient);
  const client = new SNSClient({ region: 'us-east-1' });
  const topic = 'arn:aws:sns:us-east-1:123456789012:signalbox-alerts';
  beforeEach(() => sns.reset());

  it('publishes Subject, a readable Message and severity/status attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await new SnsNotifier(client, topic).send(payload);
    const f = payload.alerts;
    const message = [
      'FIRING — alertname=CheckFailed, environment=prod',
      `Open in Signalbox: https://signalbox.example.com/alerts?group=${'a'.repeat(64)}`,
      '',
      'CRITICAL: CheckFailed',
      '  check 2 is failing',
      '  labels: alertname=CheckFailed, check=check-2, environment=prod, system=payments',
      `  since: ${f[0]!.startsAt}`,
      `  ${f[0]!.generatorURL}`,
      '',
      'WARNING: CheckFailed',
      '  check 1 is failing',
      '  labels: alertname=CheckFailed, check=check-1, environment=prod, system=payments',
      `  since: ${f[1]!.startsAt}`,
      `  ${f[1]!.generatorURL}`,
      '',
      'RESOLVED: CheckFailed',
      '  check 3 is failing',
      '  labels: alertname=CheckFailed, check=check-3, environment=prod, system=payments',
      `  since: ${f[2]!.startsAt}  resolved: 2026-11-23T10:04:00.000Z`,
      `  ${f[2]!.generatorURL}`,
      '',
      `notification ${payload.id}`,
    ].join('\n');
    expect(sns).toHaveReceivedCommandExactlyOnceWith(PublishCommand, {
      TopicArn: topic,
      Subject: '[FIRING:2] CheckFailed',
      Message: message,
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'critical' },
        status: { DataType: 'String', StringValue: 'firing' },
      },
    });
  });

  it('keeps Subject one line and under 100 characters', async () => {
    sns.on(PublishCommand).resolves({});
    const long = buildNotificationPayload(
      planned([alert(1, { severity: 'info', labels: { alertname: `Very\nlong ${'x'.repeat(200)}` } })]),
      'sns',
      'https://s',
    );
    await new SnsNotifier(client, topic).send({ ...long, groupLabels: { alertname: long.alerts[0]!.labels['alertname']! } });
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.Subject!.length).toBeLessThan(100);
    expect(input.Subject).not.toMatch(/[\n\r]/);
    expect(input.Subject!.startsWith('[FIRING:1] Very long xxx')).toBe(true);
    expect(input.MessageAttributes!['severity']!.StringValue).toBe('info');
  });

  it('a resolved-only notification has status resolved', async () => {
    sns.on(PublishCommand).resolves({});
    const resolvedOnly = buildNotificationPayload(planned([], [alert(4, { state: 'resolved', severity: 'error' })]), 'sns', 'https://s');
    await new SnsNotifier(client, topic).send(resolvedOnly);
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.Subject).toBe('[RESOLVED:1] CheckFailed');
    expect(input.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'error' },
      status: { DataType: 'String', StringValue: 'resolved' },
    });
  });

  it('wraps an SNS failure in DependencyError', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' }));
    const err = await new SnsNotifier(client, topic).send(payload).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as DependencyError).code).toBe('NOTIFIER_UNAVAILABLE');
    expect((err as DependencyError).field).toBe('receiver.topicArn');
  });
});
