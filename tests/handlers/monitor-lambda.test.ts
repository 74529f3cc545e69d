import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublishCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMonitoringBundle } from '../../functions/src/adapters/aws/bundled-monitoring-config';
import { DynamoAlertStore } from '../../functions/src/adapters/aws/dynamo-alert-store';
import { DynamoCheckHistoryStore } from '../../functions/src/adapters/aws/dynamo-check-history-store';
import { DynamoMonitorState } from '../../functions/src/adapters/aws/dynamo-monitor-state';
import { SIGNATURE_HEADER, signWebhookBody, TIMESTAMP_HEADER } from '../../functions/src/adapters/http/webhook-target';
import { NodeProbes } from '../../functions/src/adapters/probes/node-probes';
import { emptyMonitoringConfig, staticMonitoringConfig, type MonitoringDeps } from '../../functions/src/core/monitoring/deps';
import type { BusEvent, EventBus } from '../../functions/src/core/ports/event-bus';
import { silentLogger, type Logger } from '../../functions/src/core/ports/logger';
import { createMonitorHandler, MonitoringCycleFailed, SCHEDULE_TOLERANCE_MS } from '../../functions/src/handlers/scheduled/monitor';
import { isDue } from '../../functions/src/core/monitoring/run-checks';
import { awsNotifiers } from '../../functions/src/wiring/aws/monitoring';
import { loadMonitoringConfigForSynth, monitoringBundle, writeMonitoringBundle } from '../../infra/monitoring-config';
import { useDynaliteTables } from '../helpers/dynalite';

const freshTable = useDynaliteTables('monitor-lambda');
const HOOK_SECRET = 'hook-signing-key-0123456789';
const T0 = Date.parse('2026-11-23T10:00:00.000Z');

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback HTTP server answering `status()` and recording requests. */
async function loopback(status: () => number, received: Received[] = []): Promise<{ server: Server; url: string; received: Received[] }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(status(), { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

function recordingBus(): EventBus & { events: BusEvent[] } {
  const events: BusEvent[] = [];
  return {
    events,
    publish: async (batch) => {
      events.push(...batch);
      return batch.map((_, i) => ({ eventId: `e-${events.length}-${i}` }));
    },
  };
}

const ctx = {} as never;
let tmp: string;
let target: Awaited<ReturnType<typeof loopback>>;
let hook: Awaited<ReturnType<typeof loopback>>;
let targetStatus = 200;
let bundleFile: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'sbx-monitor-lambda-'));
  target = await loopback(() => targetStatus);
  hook = await loopback(() => 200);
  // The config goes the deployed way: parsed by the synth loader, bundled, read back by the AWS adapter.
  const folder = join(tmp, 'signalbox');
  mkdirSync(folder);
  writeFileSync(
    join(folder, 'checks.yaml'),
    ['checks:', '  - name: shop-api', '    type: http', '    url: ${TARGET_URL}/health', '    interval: 60s', '    timeout: 5s', '    expect: { status: 200 }', ''].join('\n'),
  );
  writeFileSync(
    join(folder, 'alerts.yaml'),
    ['alerts:', '  - name: shop-api-down', '    severity: critical', '    condition: { check: shop-api, status: critical }', '    labels: { team: shop }', ''].join('\n'),
  );
  writeFileSync(
    join(folder, 'notifications.yaml'),
    [
      'notifications:',
      '  receivers:',
      '    - { name: hook, type: webhook, url: "${HOOK_URL}/inbox", secret: hook-key }',
      '    - { name: mail, type: sns, topicArn: "${ALERTS_TOPIC_ARN}" }',
      '  route:',
      '    receiver: hook',
      '    groupBy: [alertname]',
      '    groupWait: 0s',
      '    groupInterval: 5m',
      '    repeatInterval: 4h',
      '',
    ].join('\n'),
  );
  const layerDir = writeMonitoringBundle(monitoringBundle(folder, loadMonitoringConfigForSynth(folder)));
  bundleFile = join(layerDir, 'signalbox', 'monitoring-config.json');
});

afterAll(async () => {
  await new Promise((resolve) => target.server.close(resolve));
  await new Promise((resolve) => hook.server.close(resolve));
  rmSync(tmp, { recursive: true, force: true });
});

async function monitorDeps(table: string, doc: Awaited<ReturnType<typeof freshTable>>['doc'], clock: { now(): string }, logger: Logger = silentLogger) {
  const placeholders = { TARGET_URL: target.url, HOOK_URL: hook.url };
  const snapshot = readMonitoringBundle(bundleFile, placeholders);
  expect(snapshot.errors).toEqual([]);
  const published: unknown[] = [];
  const secretsAsked: string[] = [];
  const bus = recordingBus();
  const deps: MonitoringDeps = {
    monitoringConfig: staticMonitoringConfig(snapshot),
    probes: new NodeProbes(clock),
    checkHistory: new DynamoCheckHistoryStore(doc, table),
    monitorState: new DynamoMonitorState(doc, table),
    alertStore: new DynamoAlertStore(doc, table),
    // No topic placeholder: the sns receiver is left out, as in a stack without a topic ARN.
    notifiers: awsNotifiers(snapshot, {
      resolveSecret: async (name) => {
        secretsAsked.push(name);
        return HOOK_SECRET;
      },
      sns: { send: async (command: unknown) => void published.push(command) } as never,
      logger,
    }),
    bus,
    clock,
    logger,
  };
  return { deps, bus, published, secretsAsked };
}

describe('the monitor Lambda handler on dynalite with loopback targets', () => {
  it('runs due checks each tick, fires one alert when the target fails, and notifies the webhook once, signed', async () => {
    const { doc, table } = await freshTable();
    let now = T0;
    const clock = { now: () => new Date(now).toISOString() };
    const { deps, bus, secretsAsked } = await monitorDeps(table, doc, clock);
    const handler = createMonitorHandler(deps);
    targetStatus = 200;
    hook.received.length = 0;

    const first = await handler({ time: '2026-11-23T10:00:00Z' }, ctx);
    expect(first).toMatchObject({ tick: '2026-11-23T10:00:00Z', ran: 1, skipped: 0, notOk: [], configErrors: 0, failedSteps: [] });
    expect(bus.events.map((e) => e.detailType)).toEqual(['SignalboxObservation']);

    // 20 s later: not due. 50 s later (an early tick): due, thanks to the schedule tolerance.
    now = T0 + 20_000;
    expect(await handler({}, ctx)).toMatchObject({ ran: 0, skipped: 1 });
    now = T0 + 50_000;
    expect(await handler({}, ctx)).toMatchObject({ ran: 1, skipped: 0 });

    targetStatus = 503;
    now = T0 + 110_000;
    const failing = await handler({}, ctx);
    expect(failing).toMatchObject({ ran: 1, notOk: [{ check: 'shop-api', status: 'critical' }], alertTransitions: 1, notificationsSent: 1, notificationsFailed: 0 });
    now = T0 + 170_000;
    const still = await handler({}, ctx);
    expect(still).toMatchObject({ ran: 1, notOk: [{ check: 'shop-api', status: 'critical' }], alertTransitions: 0, notificationsSent: 0 });

    expect(hook.received).toHaveLength(1);
    const [delivery] = hook.received;
    const payload = JSON.parse(delivery!.body) as { status: string; alerts: { labels: Record<string, string>; status: string }[] };
    expect(payload.status).toBe('firing');
    expect(payload.alerts.map((a) => [a.labels.alertname, a.status])).toEqual([['shop-api-down', 'firing']]);
    const timestamp = String(delivery!.headers[TIMESTAMP_HEADER]);
    expect(delivery!.headers[SIGNATURE_HEADER]).toBe(signWebhookBody(HOOK_SECRET, timestamp, delivery!.body));
    expect(secretsAsked).toEqual(['hook-key']);

    const alerts = await deps.alertStore!.listAlerts({ state: 'firing', limit: 10 });
    expect(alerts.items.map((a) => a.labels.alertname)).toEqual(['shop-api-down']);
    const history = await deps.checkHistory.range('shop-api', { from: '2026-11-23T09:00:00Z', to: '2026-11-23T11:00:00Z', minutes: 1, limit: 10 });
    // Minute buckets: the runs at :00 and :50 share the first one.
    expect(history.items.map((b) => [b.start, b.status, b.count]).sort()).toEqual([
      ['2026-11-23T10:00:00.000Z', 'ok', 2],
      ['2026-11-23T10:01:00.000Z', 'critical', 1],
      ['2026-11-23T10:02:00.000Z', 'critical', 1],
    ]);
  });

  it('fails the invocation (for the error alarm) when a cycle step fails, after logging the summary', async () => {
    const { doc } = await freshTable();
    const errors: string[] = [];
    const logger: Logger = { ...silentLogger, error: (message) => void errors.push(message) };
    const clock = { now: () => new Date(T0).toISOString() };
    const { deps } = await monitorDeps('no-such-table', doc, clock, logger);
    const handler = createMonitorHandler(deps);

    const failure = await handler({}, ctx).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(MonitoringCycleFailed);
    expect((failure as MonitoringCycleFailed).summary.failedSteps).toEqual(['checks', 'expire', 'notify']);
    expect(errors).toContain('monitoring cycle failed');
  });
});

describe('schedule tolerance', () => {
  it('lets a scheduled cycle run a check up to the tolerance early, and no earlier', () => {
    const check = { intervalSeconds: 60 };
    const ranAt = '2026-11-23T10:00:30.000Z';
    const at = (ms: number) => new Date(Date.parse(ranAt) + ms).toISOString();
    // A tick 10 s early: skipped with the default slack, due with the schedule's.
    expect(isDue(check, ranAt, at(50_000))).toBe(false);
    expect(isDue(check, ranAt, at(50_000), SCHEDULE_TOLERANCE_MS)).toBe(true);
    expect(isDue(check, ranAt, at(60_000 - SCHEDULE_TOLERANCE_MS - 1), SCHEDULE_TOLERANCE_MS)).toBe(false);
    expect(SCHEDULE_TOLERANCE_MS).toBeLessThan(30_000);
  });

  it('the handler passes the tolerance to the cycle', async () => {
    const inputs: unknown[] = [];
    const handler = createMonitorHandler({ logger: silentLogger } as unknown as MonitoringDeps, async (_deps, input) => {
      inputs.push(input);
      return { ran: [], skipped: [], configErrors: [], alertTransitions: [], expired: [], notifications: null, failedSteps: [] } as never;
    });
    await handler({}, ctx).catch(() => undefined);
    expect(inputs).toEqual([{ dueSlackMs: SCHEDULE_TOLERANCE_MS }]);
  });
});

describe('awsNotifiers', () => {
  it('builds webhook, slack and sns notifiers from the resolved receivers; a receiver without its placeholder is left out', async () => {
    const warnings: unknown[] = [];
    const sent: unknown[] = [];
    const source = { file: 'notifications.yaml', line: 1, column: 1 };
    const snapshot = {
      ...emptyMonitoringConfig([], {
        HOOK_URL: 'https://hooks.example.com',
        ALERTS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:signalbox-alerts',
      }),
    };
    const notifiers = awsNotifiers(
      {
        ...snapshot,
        config: {
          ...snapshot.config,
          notifications: {
            receivers: [
              { name: 'hook', type: 'webhook', url: '${HOOK_URL}', source },
              { name: 'chat', type: 'slack', url: '${SLACK_URL}', source },
              { name: 'mail', type: 'sns', topicArn: '${ALERTS_TOPIC_ARN}', source },
              { name: 'other-topic', type: 'sns', topicArn: 'arn:aws:sns:eu-west-1:123456789012:ops', source },
            ],
          },
        },
      },
      {
        resolveSecret: async () => 'unused',
        sns: { send: async (command: unknown) => void sent.push(command) } as never,
        logger: { ...silentLogger, warn: (message, data) => void warnings.push([message, data]) },
      },
    );
    expect([...notifiers.keys()]).toEqual(['hook', 'mail', 'other-topic']);
    expect(warnings).toEqual([['notification receiver left out', { receiver: 'chat', reason: 'url: no value for ${SLACK_URL}' }]]);

    const payload = {
      id: 'n-1', receiver: 'mail', status: 'firing', groupKey: 'g', groupLabels: { alertname: 'x' }, commonLabels: {}, commonAnnotations: {},
      externalURL: 'https://signalbox.example.com', alerts: [], truncatedAlerts: 0,
    };
    await notifiers.get('mail')!.send(payload as never);
    await notifiers.get('other-topic')!.send(payload as never);
    expect(sent.map((c) => (c as PublishCommand).input.TopicArn)).toEqual([
      'arn:aws:sns:eu-west-1:123456789012:signalbox-alerts',
      'arn:aws:sns:eu-west-1:123456789012:ops',
    ]);
  });
});
