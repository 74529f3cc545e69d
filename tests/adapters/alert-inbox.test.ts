import { describe, expect, it } from 'vitest';
import { formatNotificationLine, startAlertInbox } from '../../functions/src/adapters/local/alert-inbox';
import { WebhookNotifier } from '../../functions/src/adapters/http/webhook-notifier';
import type { NotificationPayload } from '../../functions/src/core/ports/notifier';

const payload: NotificationPayload = {
  version: '4',
  id: 'a'.repeat(64),
  groupKey: '{}/{alertname=~".+"}:{alertname="demo-api-down",environment="local-demo"}',
  groupId: 'b'.repeat(64),
  status: 'firing',
  reason: 'new',
  receiver: 'on-call-webhook',
  groupLabels: { alertname: 'demo-api-down', environment: 'local-demo' },
  commonLabels: {},
  commonAnnotations: {},
  alerts: [
    {
      status: 'firing',
      fingerprint: 'c'.repeat(64),
      labels: { alertname: 'demo-api-down', service: 'demo-api', environment: 'local-demo' },
      annotations: {},
      severity: 'critical',
      startsAt: '2026-01-01T00:00:00.000Z',
      endsAt: null,
      generatorURL: 'http://localhost:3000/alerts/x',
    },
  ],
  externalURL: 'http://localhost:3000/alerts',
  sentAt: '2026-01-01T00:00:00.000Z',
};

describe('the local alert inbox', () => {
  it('prints a signed notification on one line and refuses a wrong signature', async () => {
    const lines: string[] = [];
    const inbox = await startAlertInbox({ secret: 'right', log: (l) => lines.push(l) });
    try {
      await new WebhookNotifier({ url: inbox.url, secret: 'right', retries: 0 }).send(payload);
      expect(inbox.received()).toBe(1);
      expect(lines).toEqual([formatNotificationLine(payload)]);
      expect(lines[0]).toMatch(/^notification: firing demo-api-down \(critical\) service=demo-api environment=local-demo \[receiver on-call-webhook, new, group /);

      await expect(new WebhookNotifier({ url: inbox.url, secret: 'wrong', retries: 0 }).send(payload)).rejects.toThrow(/HTTP 401/);
      await expect(new WebhookNotifier({ url: inbox.url, retries: 0 }).send(payload)).rejects.toThrow(/HTTP 401/);
      expect(inbox.received()).toBe(1);
      expect(lines.slice(1)).toEqual([expect.stringContaining('refused'), expect.stringContaining('refused')]);
    } finally {
      await inbox.stop();
    }
  });
});
