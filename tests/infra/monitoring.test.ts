import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMonitoringBundle } from '../../functions/src/adapters/aws/bundled-monitoring-config';
import { loadConfigFolder } from '../../functions/src/adapters/local/config-folder';
import { API_ROUTES } from '../../functions/src/handlers/http/api';
import { requirementOf } from '../../functions/src/core/auth/policy';
import { BUS_RULES } from '../../functions/src/shared/bus-rules';
import { MONITORING_BUNDLE_PATH_IN_LAYER, MONITORING_BUNDLE_RUNTIME_PATH } from '../../functions/src/shared/monitoring-bundle';
import { buildApp } from '../../infra/build-app';
import { REPO_ROOT } from '../../infra/config';
import { MONITOR_RATE, MONITOR_TIMEOUT } from '../../infra/constructs/monitoring';
import { MonitoringConfigError } from '../../infra/monitoring-config';
import {
  actionsOn,
  logicalId,
  resourcesOfType,
  SKIP_BUNDLING,
  statementsOfRole,
  synthesize as synthesizeInto,
  type Resource,
  type Synthesized,
} from './support';

const TMP = mkdtempSync(join(tmpdir(), 'signalbox-monitoring-infra-'));
const PLACEHOLDERS = { DEMO_PROXY_URL: 'https://demo.example.com', EVM_RPC_URL: 'https://besu.example.com:8545' };

function synthesize(context: Record<string, unknown>, extend?: Parameters<typeof synthesizeInto>[2]): Synthesized {
  return synthesizeInto(TMP, { webOutDir: join(TMP, 'no-web-build'), ...SKIP_BUNDLING, ...context }, extend);
}

const sorted = (values: readonly string[]) => [...values].sort();

function acknowledgementsUnder(root: IConstruct): Record<string, Record<string, string>> {
  const found: Record<string, Record<string, string>> = {};
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== 'aws:cdk:acknowledged-rules') continue;
      const rules = (found[construct.node.path] ??= {});
      for (const [rule, reason] of Object.entries(entry.data as Record<string, string>)) rules[rule.replace(/^Annotation::/, '')] = reason;
    }
  }
  return found;
}

/** Writes a config folder under TMP from `{ relative path: text }`. */
function configFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(TMP, 'config-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

let plain: Synthesized;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  plain = synthesize({ monitoringPlaceholders: PLACEHOLDERS });
  template = Template.fromStack(plain.stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
});

afterAll(() => {
  rmSync(TMP, { recursive: true, force: true });
});

describe('monitoring: cdk-nag', () => {
  it('synthesizes with zero unacknowledged findings, with and without placeholder values', () => {
    expect(plain.synthError).toBeUndefined();
    expect(plain.violations).toEqual([]);
    const bare = synthesize({});
    expect(bare.synthError).toBeUndefined();
    expect(bare.violations).toEqual([]);
  });

  it('acknowledges exactly the expected findings, each with a reason', () => {
    const tableId = logicalId(plain.stack.stateful.table);
    const acknowledged = acknowledgementsUnder(plain.stack.monitoring);
    const ids = Object.fromEntries(Object.entries(acknowledged).map(([path, rules]) => [path, Object.keys(rules).sort()]));

    expect(ids).toEqual({
      'Signalbox/Monitoring/MonitorFunction/Role': sorted([
        `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:signalbox/webhooks/*]',
        'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      ]),
      'Signalbox/Monitoring/MonitorFunction/TracingPolicy': ['AwsSolutions-IAM5[Resource::*]'],
      'Signalbox/Monitoring/AlertEventsFunction/Role': [`AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`],
      'Signalbox/Monitoring/AlertEventsFunction/TracingPolicy': ['AwsSolutions-IAM5[Resource::*]'],
    });
    for (const rules of Object.values(acknowledged)) {
      for (const reason of Object.values(rules)) expect(reason.length).toBeGreaterThan(40);
    }
  });

  it('still fails the synth for a new wildcard in the monitor role\'s default policy', () => {
    const broken = synthesize({}, (stack) => {
      stack.monitoring.monitorFunction.function.addToRolePolicy(new PolicyStatement({ actions: ['sns:ListTopics'], resources: ['*'] }));
    });
    expect(broken.synthError).toBeInstanceOf(Error);
    expect(broken.violations).toEqual(['AwsSolutions-IAM5[Resource::*] at Signalbox/Monitoring/MonitorFunction/Role/DefaultPolicy/Resource']);
  });
});

describe('monitoring: the config folder at synth', () => {
  it('fails the synth with file:line:column for every problem of an invalid folder', () => {
    const dir = configFolder({
      'checks.yaml': ['checks:', '  - name: api', '    type: http', '    url: https://api.example.com', '    interval: soon', ''].join('\n'),
      'systems/shop.yaml': ['systems:', '  - name: shop', '    subsystems: [nowhere]', ''].join('\n'),
    });
    let error: unknown;
    try {
      buildApp({ webOutDir: join(TMP, 'no-web-build'), ...SKIP_BUNDLING, monitoringConfigDir: dir });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MonitoringConfigError);
    const problems = (error as MonitoringConfigError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^checks\.yaml:5:15 checks\[0\]\.interval: /);
    expect(problems[1]).toMatch(/^systems\/shop\.yaml:3:18 systems\[0\]\.subsystems\[0\]: .*nowhere/);
    expect((error as Error).message).toContain(`The monitoring config in ${dir} is invalid (2 problems):`);
    expect((error as Error).message).toContain(problems[1]);
  });

  it('fails the synth for a folder that does not exist', () => {
    expect(() => buildApp({ ...SKIP_BUNDLING, webOutDir: join(TMP, 'none'), monitoringConfigDir: join(TMP, 'no-such-folder') })).toThrow(
      /cannot read the config folder/,
    );
  });

  it.each([
    [{ monitoringPlaceholders: 'lower=x' }, /placeholder name "lower" must be upper-case/],
    [{ monitoringPlaceholders: 'DEMO_PROXY_URL' }, /"DEMO_PROXY_URL", which is not NAME=value/],
    [{ monitoringPlaceholders: { EVM_RPC_URL: 8545 } }, /EVM_RPC_URL must be a non-empty text/],
    [{ monitoringPlaceholders: '{"A":' }, /monitoringPlaceholders is not valid JSON/],
  ])('rejects malformed context %j', (context, message) => {
    expect(() => buildApp({ ...SKIP_BUNDLING, webOutDir: join(TMP, 'none'), ...context })).toThrow(message);
  });

  it('deploys the parsed folder as a layer file equal to what npm start loads, and the functions read it back', async () => {
    const layer = resources[logicalId(plain.stack.monitoring.configLayer)]!;
    expect(layer.Type).toBe('AWS::Lambda::LayerVersion');
    expect(layer.Properties).toMatchObject({ CompatibleRuntimes: ['nodejs24.x'], CompatibleArchitectures: ['arm64'] });
    const file = join(plain.outdir, `asset.${(layer.Properties.Content.S3Key as string).replace(/\.zip$/, '')}`, MONITORING_BUNDLE_PATH_IN_LAYER);

    const local = await loadConfigFolder(join(REPO_ROOT, 'signalbox'));
    expect(local.issues).toEqual([]);
    const bundle = JSON.parse(readFileSync(file, 'utf8'));
    expect(bundle).toMatchObject({ format: 'signalbox-monitoring-config', version: 1, origin: 'signalbox' });
    expect(bundle.config).toEqual(JSON.parse(JSON.stringify(local.config)));
    expect(local.config.checks.length).toBeGreaterThan(0);

    const snapshot = readMonitoringBundle(file, { DEMO_PROXY_URL: 'https://demo.example.com' });
    expect(snapshot).toEqual({ config: bundle.config, errors: [], placeholders: { DEMO_PROXY_URL: 'https://demo.example.com' } });
  });

  it('gives the monitor, alert-events and API functions the layer, the file path, the topic and the placeholders', () => {
    const { monitoring, backend } = plain.stack;
    for (const fn of [monitoring.monitorFunction, monitoring.alertEventsFunction, backend.api]) {
      const properties = resources[logicalId(fn.function)]!.Properties;
      expect(properties.Layers).toEqual([{ Ref: logicalId(monitoring.configLayer) }]);
      expect(properties.Environment.Variables).toMatchObject({
        SIGNALBOX_MONITORING_CONFIG_FILE: MONITORING_BUNDLE_RUNTIME_PATH,
        SIGNALBOX_ALERT_TOPIC_ARN: { Ref: logicalId(monitoring.topic) },
        SIGNALBOX_PLACEHOLDER_DEMO_PROXY_URL: 'https://demo.example.com',
        SIGNALBOX_PLACEHOLDER_EVM_RPC_URL: 'https://besu.example.com:8545',
      });
    }
    for (const fn of [backend.ingest, backend.store, plain.stack.rollouts.taskFunction]) {
      expect(resources[logicalId(fn.function)]!.Properties.Layers).toBeUndefined();
    }
  });

  it('takes placeholders as NAME=value,NAME=value too', () => {
    const other = synthesize({ monitoringPlaceholders: 'DEMO_PROXY_URL=https://a.example.com, EVM_RPC_URL=https://b.example.com' });
    const variables = Template.fromStack(other.stack).toJSON().Resources[logicalId(other.stack.monitoring.monitorFunction.function)].Properties.Environment.Variables;
    expect(variables.SIGNALBOX_PLACEHOLDER_DEMO_PROXY_URL).toBe('https://a.example.com');
    expect(variables.SIGNALBOX_PLACEHOLDER_EVM_RPC_URL).toBe('https://b.example.com');
  });
});

describe('monitoring: the monitor function and its schedule', () => {
  it('runs from functions/src/handlers/lambda/monitor.ts on nodejs24.x, arm64, reserved concurrency 1, timeout under the rate', () => {
    const { monitorFunction } = plain.stack.monitoring;
    expect(monitorFunction.entry).toBe('functions/src/handlers/lambda/monitor.ts');
    expect(readFileSync(join(REPO_ROOT, monitorFunction.entry), 'utf8')).toMatch(/export const handler\b/);
    const properties = resources[logicalId(monitorFunction.function)]!.Properties;
    expect(properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Timeout: MONITOR_TIMEOUT.toSeconds(),
      ReservedConcurrentExecutions: 1,
    });
    expect(MONITOR_TIMEOUT.toSeconds()).toBeLessThan(MONITOR_RATE.toSeconds());
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(monitorFunction.function) },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
  });

  it('is invoked by a rate(1 minute) rule, without retries', () => {
    const { schedule, monitorFunction } = plain.stack.monitoring;
    const rule = resources[logicalId(schedule)]!;
    expect(rule.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [logicalId(monitorFunction.function), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        },
      ],
    });
    expect(rule.Properties.EventBusName).toBeUndefined();
  });
});

describe('monitoring: the alert-events function and the AlertOnEvents rule', () => {
  it('runs from functions/src/handlers/lambda/alert-events.ts', () => {
    const { alertEventsFunction } = plain.stack.monitoring;
    expect(alertEventsFunction.entry).toBe('functions/src/handlers/lambda/alert-events.ts');
    expect(readFileSync(join(REPO_ROOT, alertEventsFunction.entry), 'utf8')).toMatch(/export const handler\b/);
  });

  it('is the target of the AlertOnEvents rule on the Signalbox bus, with the pattern of BUS_RULES and the dead-letter queue', () => {
    const { monitoring, stateful, backend } = plain.stack;
    const busRule = BUS_RULES.find((rule) => rule.target === 'alertEvents');
    expect(busRule?.id).toBe('AlertOnEvents');
    const rules = Object.values(resourcesOfType(template, 'AWS::Events::Rule')).filter(
      (rule) => JSON.stringify(rule.Properties.Targets).includes(logicalId(monitoring.alertEventsFunction.function)),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]!.Properties).toMatchObject({
      EventBusName: { Ref: logicalId(stateful.bus) },
      EventPattern: busRule!.pattern,
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [logicalId(monitoring.alertEventsFunction.function), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(backend.deadLetterQueue), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 },
        },
      ],
    });
  });

  it('gives every store and alertEvents rule of BUS_RULES a rule in the stack', () => {
    const descriptions = Object.values(resourcesOfType(template, 'AWS::Events::Rule')).map((rule) => rule.Properties.Description);
    for (const busRule of BUS_RULES.filter((rule) => rule.target === 'store' || rule.target === 'alertEvents')) {
      expect(descriptions).toContain(busRule.description);
    }
  });
});

describe('monitoring: the alert topic', () => {
  it('is encrypted with its own rotating KMS key, which CloudWatch may use, and refuses plain HTTP', () => {
    const { topic, topicKey } = plain.stack.monitoring;
    expect(resources[logicalId(topic)]!.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [logicalId(topicKey), 'Arn'] });
    const key = resources[logicalId(topicKey)]!.Properties;
    expect(key.EnableKeyRotation).toBe(true);
    const cloudwatch = (key.KeyPolicy.Statement as Record<string, any>[]).find((s) => JSON.stringify(s.Principal ?? {}).includes('cloudwatch.amazonaws.com'));
    expect(sorted([cloudwatch!.Action].flat())).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    const policies = Object.values(resourcesOfType(template, 'AWS::SNS::TopicPolicy')).filter((p) => JSON.stringify(p.Properties.Topics) === JSON.stringify([{ Ref: logicalId(topic) }]));
    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('is a stack output', () => {
    expect(template.toJSON().Outputs.AlertTopicArn.Value).toEqual({ Ref: logicalId(plain.stack.monitoring.topic) });
  });
});

describe('monitoring: grants', () => {
  it('lets the monitor function use the table and bus, publish to the alert topic and read webhook keys, nothing else', () => {
    const { monitoring, stateful } = plain.stack;
    const statements = statementsOfRole(template, logicalId(monitoring.monitorFunction.role));
    expect(actionsOn(statements, { Ref: logicalId(monitoring.topic) })).toEqual(['sns:Publish']);
    expect(sorted(actionsOn(statements, { 'Fn::GetAtt': [logicalId(monitoring.topicKey), 'Arn'] }))).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(actionsOn(statements, { 'Fn::GetAtt': [logicalId(stateful.bus), 'Arn'] })).toEqual(['events:PutEvents']);
    expect(actionsOn(statements, { 'Fn::GetAtt': [logicalId(stateful.table), 'Arn'] })).toContain('dynamodb:PutItem');
    const webhookKeys = statements.find((statement) => JSON.stringify(statement.Resource).includes(':secret:signalbox/webhooks/*'));
    expect(webhookKeys?.Action).toBe('secretsmanager:GetSecretValue');
    expect(sorted(actionsOn(statements, '*'))).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    const services = new Set(statements.flatMap((statement) => [statement.Action].flat().map((action: string) => action.split(':')[0]!)));
    expect(sorted([...services])).toEqual(['dynamodb', 'events', 'kms', 'logs', 'secretsmanager', 'sns', 'xray']);
  });

  it('lets the API function publish to the topic and read webhook keys too (it replays dead-lettered notifications)', () => {
    const { monitoring, backend } = plain.stack;
    const statements = statementsOfRole(template, logicalId(backend.api.role));
    expect(actionsOn(statements, { Ref: logicalId(monitoring.topic) })).toEqual(['sns:Publish']);
    const webhookKeys = statements.find((statement) => JSON.stringify(statement.Resource).includes(':secret:signalbox/webhooks/*'));
    expect(webhookKeys?.Action).toBe('secretsmanager:GetSecretValue');
  });

  it('keeps the alert-events function away from the topic, its key and the webhook keys', () => {
    const { monitoring } = plain.stack;
    const statements = statementsOfRole(template, logicalId(monitoring.alertEventsFunction.role));
    const services = new Set(statements.flatMap((s) => [s.Action].flat().map((a: string) => a.split(':')[0]!)));
    expect(sorted([...services])).toEqual(['dynamodb', 'events', 'logs', 'xray']);
    expect(JSON.stringify(statements)).not.toContain('signalbox/webhooks/');
  });
});

describe('monitoring: API Gateway routes', () => {
  function routeTarget(routeKey: string): string | undefined {
    const httpApi = JSON.stringify({ Ref: logicalId(plain.stack.backend.httpApi) });
    const route = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).find(
      (r) => r.Properties.RouteKey === routeKey && JSON.stringify(r.Properties.ApiId) === httpApi,
    );
    const integrationId = route?.Properties.Target['Fn::Join'][1][1].Ref as string | undefined;
    return integrationId ? JSON.stringify(resources[integrationId]!.Properties.IntegrationUri) : undefined;
  }

  it('reaches every route of API_ROUTES at the api function: writes by their own route, reads through GET /api/{proxy+}', () => {
    const api = JSON.stringify({ 'Fn::GetAtt': [logicalId(plain.stack.backend.api.function), 'Arn'] });
    expect(API_ROUTES.length).toBeGreaterThan(20);
    for (const route of API_ROUTES) {
      expect(route.path.startsWith('/api/'), route.path).toBe(true);
      const key = route.method === 'GET' ? 'GET /api/{proxy+}' : `${route.method} ${route.path}`;
      expect(routeTarget(key), `${route.method} ${route.path}`).toBe(api);
    }
  });

  it.each([
    'POST /api/alerts/{fingerprint}/ack',
    'POST /api/silences',
    'POST /api/silences/{id}/expire',
    'DELETE /api/silences/{id}',
  ])('routes %s', (key) => {
    expect(routeTarget(key)).toBe(JSON.stringify({ 'Fn::GetAtt': [logicalId(plain.stack.backend.api.function), 'Arn'] }));
  });

  it('has no route the function does not serve, besides ingest', () => {
    const served = new Set(['GET /api/{proxy+}', 'POST /api/events', ...API_ROUTES.filter((r) => r.method !== 'GET' || requirementOf(r.action).kind !== 'role').map((r) => `${r.method} ${r.path}`)]);
    const httpApi = JSON.stringify({ Ref: logicalId(plain.stack.backend.httpApi) });
    const keys = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route'))
      .filter((r) => JSON.stringify(r.Properties.ApiId) === httpApi)
      .map((r) => r.Properties.RouteKey as string);
    expect(sorted(keys)).toEqual(sorted([...served]));
  });
});

describe('monitoring: alarms', () => {
  it('alarms to the topic on monitor errors, on alert-events errors, and when the monitor did not run for 5 minutes', () => {
    const { monitoring } = plain.stack;
    const topic = { Ref: logicalId(monitoring.topic) };
    const common = { Threshold: 1, EvaluationPeriods: 1, Period: 300, Statistic: 'Sum', AlarmActions: [topic] };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...common,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(monitoring.monitorFunction.function) } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...common,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(monitoring.alertEventsFunction.function) } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...common,
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(monitoring.monitorFunction.function) } }],
    });
    expect(monitoring.alarms).toHaveLength(3);
  });
});
