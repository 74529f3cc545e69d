import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../functions/src/adapters/http/webhook-target';
import type { NotificationPayload } from '../../functions/src/core/ports/notifier';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { serviceEvent } from '../helpers/fixtures';
import { authHeaders } from '../helpers/auth';

const SECRET = 'test-alert-secret-0123456789';
const REPO_CONFIG = resolve(import.meta.dirname, '../../signalbox');

interface Received {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  payload: NotificationPayload;
  signed: boolean;
}

interface AlertViewBody {
  status: string;
  alert: { fingerprint: string; labels: Record<string, string>; state: string; severity: string; history: { kind: string; cause: string }[] };
}

/** The repository's config folder, with short `for`, group and resolve timings for a test. */
function testConfig(dir: string): string {
  const config = join(dir, 'config');
  cpSync(REPO_CONFIG, config, { recursive: true });
  const edit = (file: string, change: (text: string) => string) => {
    const path = join(config, file);
    const before = readFileSync(path, 'utf8');
    const after = change(before);
    expect(after, `${file} was changed`).not.toBe(before);
    writeFileSync(path, after);
  };
  // demo-api-down fires on the first critical result; the rollback alert ends after 10 minutes.
  edit('alerts.yaml', (t) => t.replace(/(name: demo-api-down[\s\S]*?)for: 1m/, '$1for: 0s').replace(/resolveAfter: 1h/, 'resolveAfter: 10m'));
  edit('notifications.yaml', (t) => t.replace(/groupWait: 30s/, 'groupWait: 0s').replace(/groupInterval: 5m/, 'groupInterval: 1m').replace(/groupWait: 10s/, 'groupWait: 0s'));
  return config;
}

describe('the done criterion: a demo service stops, one alert, one notification, resolves on restart', () => {
  let rt: LocalRuntime;
  let dir: string;
  let receiver: Server;
  let answer = 200;
  const received: Received[] = [];
  // The runtime's clock runs with the real one plus an offset the test moves forward, so group
  // intervals and event expiry pass without waiting (no timed assertions).
  let offsetMs = 0;
  const advance = (ms: number) => void (offsetMs += ms);

  const delivered = (alertname: string) => received.filter((r) => r.status === 200 && r.payload.alerts.some((a) => a.labels.alertname === alertname));
  const alerts = async (query = '') => (await (await fetch(`${rt.url}/api/alerts${query}`, { headers: authHeaders(rt, 'viewer') })).json()) as { items: AlertViewBody[] };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const signed = verifyWebhookSignature(SECRET, String(req.headers['x-signalbox-timestamp'] ?? ''), body, req.headers['x-signalbox-signature'] as string | undefined);
        received.push({ status: answer, headers: req.headers, body, payload: JSON.parse(body) as NotificationPayload, signed });
        res.writeHead(answer, { 'content-type': 'text/plain' });
        res.end(answer === 200 ? 'ok' : 'receiver broken');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    dir = mkdtempSync(join(tmpdir(), 'sbx-notify-'));
    const config = testConfig(dir);
    const dataDir = join(dir, 'data');
    mkdirSync(join(dataDir, 'webhook-secrets'), { recursive: true });
    writeFileSync(join(dataDir, 'webhook-secrets', 'alert-webhook'), `${SECRET}\n`);
    rt = await startLocalRuntime({
      port: 0,
      dataDir,
      quiet: true,
      webDir: join(dir, 'none'),
      clock: { now: () => new Date(Date.now() + offsetMs).toISOString() },
      retry: { attempts: 2, baseDelayMs: 5 },
      demo: { ratePerSecond: 0 },
      monitoring: {
        configDir: config,
        evmNode: false,
        loopMs: 0,
        placeholders: { ALERT_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` },
        notifierRetry: { retries: 1, backoffMs: 1 },
      },
    });
  }, 60_000);

  afterAll(async () => {
    await rt?.stop();
    receiver?.closeAllConnections();
    await new Promise((r) => receiver?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts healthy: nothing fires, nothing is sent', async () => {
    expect(rt.monitoringConfigErrors).toEqual([]);
    const run = await rt.monitor.runNow();
    expect(run.ran.find((r) => r.checkId === 'demo-api-health')!.result.status).toBe('ok');
    expect(run.alertTransitions).toEqual([]);
    expect(run.failedSteps).toEqual([]);
    expect(received).toEqual([]);
  });

  it('stopping the demo service turns the check red, fires one alert and notifies the webhook once, signed', async () => {
    await rt.demo!.services[0]!.stop();
    const run = await rt.monitor.runNow();
    expect(run.ran.find((r) => r.checkId === 'demo-api-health')!.result.status).toBe('critical');
    expect(run.alertTransitions.map((t) => t.kind)).toEqual(['fired']);
    expect(run.notifications?.delivery.failed).toEqual([]);

    const firing = await alerts('?state=firing');
    expect(firing.items).toHaveLength(1);
    expect(firing.items[0]).toMatchObject({ status: 'firing', alert: { severity: 'critical', labels: { alertname: 'demo-api-down', service: 'demo-api', environment: 'local-demo', system: 'edge' } } });

    expect(received).toHaveLength(1);
    const [first] = received;
    expect(first!.signed).toBe(true);
    expect(first!.headers['x-signalbox-delivery']).toBe(first!.payload.id);
    expect(first!.payload).toMatchObject({ status: 'firing', reason: 'new', receiver: 'on-call-webhook', groupLabels: { alertname: 'demo-api-down', environment: 'local-demo' } });
    expect(first!.payload.alerts.map((a) => [a.status, a.labels.alertname, a.fingerprint])).toEqual([['firing', 'demo-api-down', firing.items[0]!.alert.fingerprint]]);
  });

  it('runs again while it stays down: still one notification, even after the group interval', async () => {
    await rt.monitor.runNow();
    advance(2 * 60_000);
    const run = await rt.monitor.runNow();
    expect(run.alertTransitions).toEqual([]);
    expect(run.notifications?.planned).toBe(0);
    expect(received).toHaveLength(1);
    expect((await alerts('?state=firing')).items).toHaveLength(1);
  });

  it('restarting the service resolves the alert with one resolved notification, and the timeline has both', async () => {
    await rt.demo!.services[0]!.restart();
    await rt.demo!.services[0]!.restart(); // idempotent
    advance(2 * 60_000);
    const run = await rt.monitor.runNow();
    expect(run.ran.find((r) => r.checkId === 'demo-api-health')!.result.status).toBe('ok');
    expect(run.alertTransitions.map((t) => t.kind)).toEqual(['resolved']);
    expect((await alerts('?state=firing')).items).toEqual([]);
    expect((await alerts('?state=resolved')).items.map((v) => v.alert.labels.alertname)).toEqual(['demo-api-down']);

    expect(received).toHaveLength(2);
    const resolved = received[1]!;
    expect(resolved.signed).toBe(true);
    expect(resolved.payload).toMatchObject({ status: 'resolved', reason: 'resolved' });
    expect(resolved.payload.alerts.map((a) => [a.status, a.labels.alertname])).toEqual([['resolved', 'demo-api-down']]);

    advance(2 * 60_000);
    await rt.monitor.runNow();
    expect(received).toHaveLength(2);

    await rt.idle();
    const timeline = (await (await fetch(`${rt.url}/api/events?limit=50`, { headers: authHeaders(rt, 'viewer') })).json()) as { items: { type: string; service: string | null }[] };
    const incidents = timeline.items.filter((e) => e.type.startsWith('dev.cdevents.incident.'));
    expect(incidents.map((e) => e.type).sort()).toEqual(['dev.cdevents.incident.detected.0.3.0', 'dev.cdevents.incident.resolved.0.3.0']);
  });

  it('a rollback CDEvent fires service-rolled-back, which is notified and resolves by expiry', async () => {
    const event = serviceEvent({ predicate: 'rolledback', service: 'payments-api', environment: 'prod', timestamp: new Date(Date.now() + offsetMs).toISOString() });
    const posted = await fetch(`${rt.url}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${rt.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(posted.status).toBe(202);
    await rt.idle();

    const firing = (await alerts('?state=firing')).items;
    expect(firing).toHaveLength(1);
    expect(firing[0]!.alert).toMatchObject({ severity: 'error', labels: { alertname: 'service-rolled-back', service: 'payments-api', environment: 'prod', team: 'platform' } });
    // Our own alert CDEvent (incident.detected) went through the same bus without firing anything more.
    await rt.idle();
    expect((await alerts('?state=firing')).items).toHaveLength(1);

    await rt.monitor.runNow();
    expect(delivered('service-rolled-back').map((r) => r.payload.status)).toEqual(['firing']);

    advance(11 * 60_000);
    const run = await rt.monitor.runNow();
    expect(run.expired.map((t) => [t.kind, t.cause])).toEqual([['resolved', 'expired']]);
    const resolved = (await alerts('?state=resolved')).items.find((v) => v.alert.labels.alertname === 'service-rolled-back')!;
    expect(resolved.alert.history.at(-1)).toMatchObject({ kind: 'resolved', cause: 'expired' });
    expect(delivered('service-rolled-back').map((r) => r.payload.status)).toEqual(['firing', 'resolved']);
  });

  it('a failing receiver dead-letters the notification; the replay sends it', async () => {
    answer = 500;
    const before = received.length;
    await rt.demo!.services[0]!.stop();
    advance(2 * 60_000);
    const run = await rt.monitor.runNow();
    expect(run.alertTransitions.map((t) => t.kind)).toEqual(['fired']);
    expect(run.notifications?.delivery.failed).toHaveLength(1);
    const { deadLetterId } = run.notifications!.delivery.failed[0]!;
    expect(deadLetterId).toMatch(/^notify-[0-9a-f]{64}$/);
    // The notifier's own retry: two attempts, both refused.
    expect(received.slice(before).map((r) => r.status)).toEqual([500, 500]);

    const list = (await (await fetch(`${rt.url}/api/dead-letters`, { headers: authHeaders(rt, 'viewer') })).json()) as { items: { id: string; consumer: string; state: string }[] };
    expect(list.items).toContainEqual(expect.objectContaining({ id: deadLetterId, consumer: 'notify', state: 'pending' }));

    // The receiver is still broken: the replay fails and counts the attempt.
    const failedReplay = await fetch(`${rt.url}/api/dead-letters/${deadLetterId}/replay`, { method: 'POST', headers: authHeaders(rt, 'operator') });
    expect(failedReplay.status).toBe(409);

    answer = 200;
    const replay = await fetch(`${rt.url}/api/dead-letters/${deadLetterId}/replay`, { method: 'POST', headers: authHeaders(rt, 'operator') });
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as { deadLetter: { state: string } }).deadLetter.state).toBe('replayed');
    const sent = received.at(-1)!;
    expect(sent).toMatchObject({ status: 200, signed: true });
    expect(`notify-${sent.payload.id}`).toBe(deadLetterId);
    expect(sent.payload.alerts.map((a) => [a.status, a.labels.alertname])).toEqual([['firing', 'demo-api-down']]);

    // Not sent again by the next cycle: the notification was recorded before it was attempted.
    const count = received.length;
    advance(2 * 60_000);
    await rt.monitor.runNow();
    expect(received).toHaveLength(count);
    await rt.demo!.services[0]!.restart();
  });
});

describe("npm start's alert inbox, with the repository config as it is", () => {
  it('prints one line per notification once for (1m) and groupWait (30s) have passed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbx-inbox-'));
    const lines: string[] = [];
    let offsetMs = 0;
    const rt = await startLocalRuntime({
      port: 0,
      dataDir: dir,
      quiet: true,
      log: (l) => lines.push(l),
      webDir: join(dir, 'none'),
      clock: { now: () => new Date(Date.now() + offsetMs).toISOString() },
      demo: { ratePerSecond: 0 },
      monitoring: { evmNode: false, loopMs: 0 },
    });
    try {
      expect(lines).toContainEqual(expect.stringMatching(/^Alert inbox: http:\/\/127\.0\.0\.1:\d+\/alerts/));
      const notifications = () => lines.filter((l) => l.startsWith('notification: '));
      await rt.demo!.services[0]!.stop();
      expect((await rt.monitor.runNow()).alertTransitions).toEqual([]); // for: 1m not reached yet
      offsetMs += 61_000;
      expect((await rt.monitor.runNow()).alertTransitions.map((t) => t.kind)).toEqual(['fired']);
      expect(notifications()).toEqual([]); // groupWait: 30s
      offsetMs += 31_000;
      await rt.monitor.runNow();
      expect(notifications()).toEqual([expect.stringMatching(/^notification: firing demo-api-down \(critical\) service=demo-api environment=local-demo /)]);
      offsetMs += 31_000;
      await rt.monitor.runNow();
      expect(notifications()).toHaveLength(1);
    } finally {
      await rt.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('local demo endpoints', () => {
  it('stop and start a demo service version, POST only, never under /api', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbx-demo-ops-'));
    const rt = await startLocalRuntime({ port: 0, dataDir: dir, quiet: true, webDir: join(dir, 'none'), demo: { ratePerSecond: 0 } });
    try {
      const version = rt.demo!.services[0]!.version;
      const health = () => fetch(`${rt.demo!.services[0]!.url}/health`).then((r) => r.status, () => 'down');
      expect(await health()).toBe(200);
      const stop = await fetch(`${rt.url}/local/demo/services/${version}/stop`, { method: 'POST' });
      expect(stop.status).toBe(200);
      expect(await stop.json()).toMatchObject({ version, running: false });
      expect(await health()).toBe('down');
      const start = await fetch(`${rt.url}/local/demo/services/${version}/start`, { method: 'POST' });
      expect(await start.json()).toMatchObject({ version, running: true });
      expect(await health()).toBe(200);
      expect((await fetch(`${rt.url}/local/demo/services/${version}/stop`)).status).toBe(405);
      expect((await fetch(`${rt.url}/local/demo/services/9.9.9/stop`, { method: 'POST' })).status).toBe(404);
      expect((await fetch(`${rt.url}/api/local/demo/services/${version}/stop`, { method: 'POST', headers: authHeaders(rt, 'operator') })).status).toBe(404);
    } finally {
      await rt.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
