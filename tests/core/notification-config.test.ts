import { describe, expect, it } from 'vitest';
import { parseConfig, formatIssue } from '../../functions/src/core/config/parse';
import { matchRoutes, resolveRouteTree, DEFAULT_ROUTE_TIMING } from '../../functions/src/core/alerts/routing';
import { resolveReceivers } from '../../functions/src/core/monitoring/notify';
import { observeEventRules } from '../../functions/src/core/monitoring/event-alerts';
import { extractEvent } from '../../functions/src/core/cdevents/envelope';
import { prepareEvent, type PreparedEvent } from '../../functions/src/core/cdevents/prepare';
import type { AlertRuleConfig, RouteConfig } from '../../functions/src/core/config/model';

function parse(text: string, extra: { name: string; text: string }[] = []) {
  const result = parseConfig([{ name: 'notifications.yaml', text }, ...extra]);
  return { ...result, lines: result.issues.map(formatIssue) };
}

const GOOD = `notifications:
  receivers:
    - { name: hook, type: webhook, url: "\${HOOK_URL}/alerts", secret: hook-secret }
    - { name: chat, type: slack, url: "https://hooks.slack.example/services/x" }
    - { name: mail, type: sns, topicArn: "arn:aws:sns:eu-west-1:123456789012:alerts" }
  route:
    receiver: hook
    groupBy: [alertname]
    groupWait: 0s
    groupInterval: 1m
    repeatInterval: 1h
    routes:
      - matchers: ['severity=~"critical|error"', { name: env, op: '!=', value: dev }]
        receiver: mail
        continue: true
      - matchers: ['team="platform"']
        receiver: chat
        groupBy: '...'
        groupWait: 10s
        routes:
          - matchers: ['env="prod"']
            repeatInterval: 2h
`;

describe('notifications config', () => {
  it('parses receivers and the route tree', () => {
    const { config, lines } = parse(GOOD);
    expect(lines).toEqual([]);
    const n = config.notifications!;
    expect(n.receivers.map((r) => [r.name, r.type])).toEqual([
      ['hook', 'webhook'],
      ['chat', 'slack'],
      ['mail', 'sns'],
    ]);
    expect(n.receivers[0]).toMatchObject({ url: '${HOOK_URL}/alerts', secret: 'hook-secret', source: { file: 'notifications.yaml', line: 3 } });
    expect(n.route).toMatchObject({ receiver: 'hook', groupBy: ['alertname'], groupWaitSeconds: 0, groupIntervalSeconds: 60, repeatIntervalSeconds: 3600 });
    expect(n.route!.routes[0]!.matchers).toEqual([
      { name: 'severity', op: '=~', value: 'critical|error' },
      { name: 'env', op: '!=', value: 'dev' },
    ]);
    expect(n.route!.routes[0]!.continue).toBe(true);
    expect(n.route!.routes[1]).toMatchObject({ groupBy: '...', groupWaitSeconds: 10, continue: false });
  });

  it('is absent without a notifications section', () => {
    expect(parseConfig([{ name: 'a.yaml', text: 'alerts: []\n' }]).config.notifications).toBeUndefined();
  });

  it('reports every problem with file, line and field', () => {
    const { lines, config } = parse(`notifications:
  receivers:
    - { name: hook, type: webhook }
    - { name: chat, type: slack, url: "ftp://x", secret: nope }
    - { name: mail, type: sns, url: "https://x" }
    - { name: hook, type: webhook, url: "\${lower}" }
    - { name: pager, type: pigeon, url: "https://x" }
  route:
    receiver: nobody
    matchers: ['a="b"']
    groupInterval: 10m
    repeatInterval: 5m
    routes:
      - receiver: hook
      - matchers: ['team=~"(a+)+"', 'no matcher here', { name: "bad-name", op: "=", value: x }]
        colour: red
`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^notifications\.yaml:3:\d+ notifications\.receivers\[0\]\.url: .*required for a webhook receiver/),
        expect.stringMatching(/^notifications\.yaml:4:\d+ notifications\.receivers\[1\]\.url: .*must use http or https/),
        expect.stringMatching(/^notifications\.yaml:4:\d+ notifications\.receivers\[1\]\.secret: .*webhook receivers only/),
        expect.stringMatching(/^notifications\.yaml:5:\d+ notifications\.receivers\[2\]\.topicArn: .*required for an sns receiver/),
        expect.stringMatching(/^notifications\.yaml:5:\d+ notifications\.receivers\[2\]\.url: .*sns uses topicArn/),
        expect.stringMatching(/^notifications\.yaml:6:\d+ notifications\.receivers\[3\]\.name: receiver "hook" is already declared at notifications\.yaml:3/),
        expect.stringMatching(/^notifications\.yaml:7:\d+ notifications\.receivers\[4\]\.type: .*one of webhook, slack, sns/),
        expect.stringMatching(/^notifications\.yaml:9:\d+ notifications\.route\.receiver: unknown receiver "nobody"/),
        expect.stringMatching(/^notifications\.yaml:10:\d+ notifications\.route\.matchers: unknown key "matchers"/),
        expect.stringMatching(/^notifications\.yaml:14:\d+ notifications\.route\.routes\[0\]\.matchers: .*required for a child route/),
        expect.stringMatching(/^notifications\.yaml:15:\d+ notifications\.route\.routes\[1\]\.matchers\[0\]\.value: .*regular expression repeats a group/),
        expect.stringMatching(/^notifications\.yaml:15:\d+ notifications\.route\.routes\[1\]\.matchers\[1\]: .*is not a matcher/),
        expect.stringMatching(/^notifications\.yaml:15:\d+ notifications\.route\.routes\[1\]\.matchers\[2\]\.name: /),
        expect.stringMatching(/^notifications\.yaml:16:\d+ notifications\.route\.routes\[1\]\.colour: unknown key "colour"/),
      ]),
    );
    // The lower-case placeholder of the duplicate is reported too.
    expect(lines).toContainEqual(expect.stringMatching(/notifications\.receivers\[3\]\.url: .*placeholder \$\{lower\} must be upper-case/));
    // With problems in the tree, no route is kept (nothing is sent rather than sent wrong).
    expect(config.notifications?.route).toBeUndefined();
  });

  it('checks the inherited timing and allows one route per folder', () => {
    const { lines } = parse(
      `notifications:
  receivers: [{ name: hook, type: webhook, url: "https://x" }]
  route:
    receiver: hook
    groupInterval: 10m
    routes:
      - matchers: ['a="b"']
        repeatInterval: 5m
`,
      [{ name: 'z.yaml', text: 'notifications:\n  route:\n    receiver: hook\n' }],
    );
    expect(lines).toEqual([
      expect.stringMatching(/^notifications\.yaml:7:\d+ notifications\.route\.routes\[0\]\.repeatInterval: .*\(300s\) must be at least groupInterval \(600s\)/),
      expect.stringMatching(/^z\.yaml:3:\d+ notifications\.route: .*already declared at notifications\.yaml:4/),
    ]);
  });

  it('the repository config folder parses without issues (notifications included)', async () => {
    const { loadConfigFolder } = await import('../../functions/src/adapters/local/config-folder');
    const { config, issues } = await loadConfigFolder(new URL('../../signalbox', import.meta.url).pathname);
    expect(issues.map(formatIssue)).toEqual([]);
    expect(config.notifications?.route?.receiver).toBe('on-call-webhook');
  });
});

describe('receivers with placeholders', () => {
  it('resolves URLs and reports a receiver whose placeholder has no value instead of failing', () => {
    const { config } = parse(GOOD);
    const resolved = resolveReceivers({ config, errors: [], placeholders: { HOOK_URL: 'http://127.0.0.1:9' } });
    expect(resolved[0]).toEqual({ name: 'hook', type: 'webhook', url: 'http://127.0.0.1:9/alerts', secret: 'hook-secret' });
    expect(resolved[2]).toEqual({ name: 'mail', type: 'sns', topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' });
    const missing = resolveReceivers({ config, errors: [], placeholders: {} });
    expect(missing[0]).toEqual({ name: 'hook', type: 'webhook', skipped: expect.stringContaining('${HOOK_URL}') });
  });
});

describe('routing tree', () => {
  const tree = () => resolveRouteTree(parse(GOOD).config.notifications!.route as RouteConfig);

  it('inherits receiver, groupBy and timings, with stable route keys', () => {
    const root = tree();
    expect(root).toMatchObject({ key: '{}', receiver: 'hook', groupBy: ['alertname'], timing: { groupWaitMs: 0, groupIntervalMs: 60_000, repeatIntervalMs: 3_600_000 } });
    const platform = root.routes[1]!;
    expect(platform).toMatchObject({ key: '{}/{team="platform"}', receiver: 'chat', groupBy: '...', timing: { groupWaitMs: 10_000, groupIntervalMs: 60_000 } });
    const prod = platform.routes[0]!;
    expect(prod).toMatchObject({ key: '{}/{team="platform"}/{env="prod"}', receiver: 'chat', groupBy: '...', timing: { groupWaitMs: 10_000, repeatIntervalMs: 7_200_000 } });
  });

  it('uses defaults where nothing is set', () => {
    const root = resolveRouteTree({ receiver: 'x', matchers: [], continue: false, routes: [], source: { file: 'a', line: 1, column: 1 } });
    expect(root.timing).toEqual(DEFAULT_ROUTE_TIMING);
    expect(root.groupBy).toEqual(['alertname']);
  });

  it('matches like Alertmanager: first matching child, on with continue, deepest match, root as fallback', () => {
    const root = tree();
    const keys = (labels: Record<string, string>) => matchRoutes(root, labels).map((r) => `${r.receiver} ${r.key}`);
    expect(keys({ alertname: 'a', severity: 'info' })).toEqual(['hook {}']);
    expect(keys({ alertname: 'a', severity: 'critical', env: 'prod' })).toEqual(['mail {}/{severity=~"critical|error",env!="dev"}']);
    expect(keys({ alertname: 'a', severity: 'critical', env: 'dev' })).toEqual(['hook {}']);
    expect(keys({ alertname: 'a', severity: 'error', team: 'platform', env: 'prod' })).toEqual([
      'mail {}/{severity=~"critical|error",env!="dev"}',
      'chat {}/{team="platform"}/{env="prod"}',
    ]);
    expect(keys({ alertname: 'a', severity: 'warning', team: 'platform', env: 'staging' })).toEqual(['chat {}/{team="platform"}']);
  });
});

function prepared(cdevent: Record<string, unknown>): PreparedEvent {
  const p = prepareEvent(extractEvent(cdevent), '2026-01-01T00:00:00Z');
  if ('error' in p) throw new Error(JSON.stringify(p.error));
  return p;
}

function rolledBack(at: string, env = 'prod', source = '/ci'): PreparedEvent {
  return prepared({
    context: { specversion: '0.4.1', id: `e-${at}`, source, type: 'dev.cdevents.service.rolledback.0.2.0', timestamp: at },
    subject: { id: 'payments-api', source, content: { environment: { id: env }, artifactId: 'pkg:oci/payments-api@sha256:1' } },
  });
}

describe('event alert rules', () => {
  const rule = (overrides: Partial<AlertRuleConfig> = {}): AlertRuleConfig => ({
    name: 'service-rolled-back',
    severity: 'error',
    condition: { kind: 'event', types: ['dev.cdevents.service.rolledback.*'], match: {} },
    forSeconds: 0,
    resolveAfterSeconds: 600,
    labels: { team: 'platform' },
    summary: 'rolled back',
    source: { file: 'alerts.yaml', line: 1, column: 1 },
    ...overrides,
  });
  const now = '2026-01-01T12:00:00.000Z';

  it('fires an alert labelled from the event subject that ends after resolveAfter', () => {
    const [o, ...rest] = observeEventRules([rule()], rolledBack('2026-01-01T11:59:00.000Z'), now);
    expect(rest).toEqual([]);
    expect(o).toMatchObject({
      labels: { alertname: 'service-rolled-back', service: 'payments-api', environment: 'prod', team: 'platform' },
      severity: 'error',
      active: true,
      at: '2026-01-01T11:59:00.000Z',
      endsAt: '2026-01-01T12:09:00.000Z',
      annotations: { summary: 'rolled back', event: 'dev.cdevents.service.rolledback.0.2.0' },
    });
  });

  it('applies type patterns and match fields (summary names and dotted paths, * wildcards)', () => {
    const ev = rolledBack('2026-01-01T11:59:00.000Z', 'prod-eu');
    const match = (m: Record<string, string>, types = ['dev.cdevents.service.rolledback.*']) =>
      observeEventRules([rule({ condition: { kind: 'event', types, match: m } })], ev, now).length;
    expect(match({ environment: 'prod-*' })).toBe(1);
    expect(match({ environment: 'prod' })).toBe(0);
    expect(match({ 'subject.content.artifactId': 'pkg:oci/payments-api@*' })).toBe(1);
    expect(match({ 'context.source': '/other' })).toBe(0);
    expect(match({}, ['dev.cdevents.service.deployed.*'])).toBe(0);
    expect(match({}, ['dev.cdevents.service.*'])).toBe(1);
  });

  it('ignores events whose alert would already have ended, and Signalbox alert events', () => {
    expect(observeEventRules([rule()], rolledBack('2026-01-01T11:00:00.000Z'), now)).toEqual([]);
    expect(observeEventRules([rule({ condition: { kind: 'event', types: ['dev.cdevents.*'], match: {} } })], rolledBack('2026-01-01T11:59:00.000Z', 'prod', '/signalbox/alerts'), now)).toEqual([]);
  });

  it('uses now for an event from the future and one hour without resolveAfter', () => {
    const { resolveAfterSeconds: _, ...noResolve } = rule();
    const [o] = observeEventRules([noResolve as AlertRuleConfig], rolledBack('2026-01-02T00:00:00.000Z'), now);
    expect(o).toMatchObject({ at: now, endsAt: '2026-01-01T13:00:00.000Z' });
  });
});
