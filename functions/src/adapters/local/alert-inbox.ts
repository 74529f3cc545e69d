import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotificationPayload } from '../../core/ports/notifier';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from '../http/webhook-target';

export interface AlertInboxOptions {
  /** The HMAC secret notifications are signed with; unsigned or badly signed requests get 401. */
  secret: string;
  /** Where each notification is printed (one line each). */
  log: (line: string) => void;
  /** Default 0: any free loopback port. */
  port?: number;
}

export interface AlertInbox {
  /** The webhook URL to give the `${ALERT_WEBHOOK_URL}` placeholder. */
  url: string;
  /** Verified notifications received so far. */
  received(): number;
  stop(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

/** `notification: firing demo-api-down (critical) service=demo-api environment=local-demo; …` */
export function formatNotificationLine(payload: NotificationPayload): string {
  const alerts = payload.alerts.map((a) => {
    const where = ['service', 'environment', 'check']
      .filter((k) => a.labels[k])
      .map((k) => `${k}=${a.labels[k]}`)
      .join(' ');
    return `${a.status} ${a.labels.alertname ?? a.fingerprint.slice(0, 12)} (${a.severity})${where ? ` ${where}` : ''}`;
  });
  return `notification: ${alerts.join('; ') || payload.status} [receiver ${payload.receiver}, ${payload.reason}, group ${payload.groupKey}]`;
}

/**
 * The local runtime's "alert inbox": a loopback webhook receiver for `npm start` that checks each
 * notification's HMAC signature (`X-Signalbox-Signature` over `timestamp.body`) and prints it on
 * one line, so an operator sees what an on-call person would be told.
 */
export async function startAlertInbox(options: AlertInboxOptions): Promise<AlertInbox> {
  let received = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      const reply = (status: number, text: string) => {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(text);
      };
      if (req.method !== 'POST') return reply(405, 'POST notifications here\n');
      if (size > MAX_BODY) return reply(413, 'too large\n');
      const body = Buffer.concat(chunks).toString('utf8');
      const timestamp = String(req.headers[TIMESTAMP_HEADER] ?? '');
      const signature = req.headers[SIGNATURE_HEADER];
      if (!verifyWebhookSignature(options.secret, timestamp, body, typeof signature === 'string' ? signature : undefined, { toleranceSeconds: 300 })) {
        options.log('alert inbox: refused a notification with a missing or wrong signature');
        return reply(401, 'bad signature\n');
      }
      let payload: NotificationPayload;
      try {
        payload = JSON.parse(body) as NotificationPayload;
      } catch {
        return reply(400, 'not JSON\n');
      }
      received += 1;
      options.log(formatNotificationLine(payload));
      reply(200, 'ok\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    received: () => received,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
