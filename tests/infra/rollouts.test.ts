import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/config';
import {
  API_STATE_MACHINE_ACTIONS,
  LAMBDA_TARGET_ACTIONS,
  METRIC_READ_ACTIONS,
  ROLLOUT_MACHINE_ENV,
  TASK_FUNCTION_SUBSTITUTION,
  TASK_TOKEN_ACTIONS,
} from '../../infra/constructs/rollout-engine';
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

const TMP = mkdtempSync(join(tmpdir(), 'signalbox-rollouts-infra-'));
const TARGETS = [
  'arn:aws:lambda:eu-west-1:123456789012:function:checkout',
  'arn:aws:lambda:eu-west-1:123456789012:function:payments',
];

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
      for (const [rule, reason] of Object.entries(entry.data as Record<string, string>)) {
        rules[rule.replace(/^Annotation::/, '')] = reason;
      }
    }
  }
  return found;
}

let plain: Synthesized;
let withTargets: Synthesized;
let template: Template;
let targetsTemplate: Template;

beforeAll(() => {
  plain = synthesize({});
  withTargets = synthesize({ rolloutLambdaTargets: TARGETS.join(',') });
  template = Template.fromStack(plain.stack);
  targetsTemplate = Template.fromStack(withTargets.stack);
});

afterAll(() => {
  rmSync(TMP, { recursive: true, force: true });
});

describe('rollouts: cdk-nag', () => {
  it('synthesizes with zero unacknowledged findings, with and without Lambda targets', () => {
    expect(plain.synthError).toBeUndefined();
    expect(plain.violations).toEqual([]);
    expect(withTargets.synthError).toBeUndefined();
    expect(withTargets.violations).toEqual([]);
  });

  it('acknowledges exactly the expected findings, each with a reason', () => {
    const rollouts = plain.stack.rollouts;
    const tableId = logicalId(plain.stack.stateful.table);
    const acknowledged = acknowledgementsUnder(rollouts);
    const ids = Object.fromEntries(Object.entries(acknowledged).map(([path, rules]) => [path, Object.keys(rules).sort()]));

    expect(ids).toEqual({
      'Signalbox/Rollouts/RolloutTaskFunction/Role': [
        `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:signalbox/webhooks/*]',
      ],
      'Signalbox/Rollouts/RolloutTaskFunction/TracingPolicy': ['AwsSolutions-IAM5[Resource::*]'],
      'Signalbox/Rollouts/MetricReadPolicy': ['AwsSolutions-IAM5[Resource::*]'],
      'Signalbox/Rollouts/CanaryStateMachine': ['AwsSolutions-IAM5[Resource::*]'],
      'Signalbox/Rollouts/BlueGreenStateMachine': ['AwsSolutions-IAM5[Resource::*]'],
    });
    for (const rules of Object.values(acknowledged)) {
      for (const reason of Object.values(rules)) expect(reason.length).toBeGreaterThan(40);
    }
  });

  it('still fails the synth for a new wildcard in the task role\'s default policy', () => {
    const broken = synthesize({}, (stack) => {
      stack.rollouts.taskFunction.function.addToRolePolicy(
        new PolicyStatement({ actions: ['cloudwatch:ListMetrics'], resources: ['*'] }),
      );
    });

    expect(broken.synthError).toBeInstanceOf(Error);
    expect(broken.violations).toEqual(['AwsSolutions-IAM5[Resource::*] at Signalbox/Rollouts/RolloutTaskFunction/Role/DefaultPolicy/Resource']);
  });
});

describe('rollouts: state machines', () => {
  const machines = [
    ['canary', 'canary.asl.json'],
    ['blueGreen', 'blue-green.asl.json'],
  ] as const;

  it.each(machines)('deploys the %s machine as STANDARD, logging ALL without execution data, traced', (name) => {
    const { rollouts } = plain.stack;
    const machine = template.toJSON().Resources[logicalId(rollouts[name])] as Resource;
    const logGroup = name === 'canary' ? rollouts.canaryLogGroup : rollouts.blueGreenLogGroup;

    expect(machine.Type).toBe('AWS::StepFunctions::StateMachine');
    expect(machine.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logicalId(logGroup), 'Arn'] } } }],
      },
      TracingConfiguration: { Enabled: true },
    });
    expect(template.toJSON().Resources[logicalId(logGroup)].Properties.RetentionInDays).toBe(30);
  });

  it.each(machines)('deploys the %s machine from state-machines/%s with the task function substituted', (name, file) => {
    const { rollouts } = plain.stack;
    const properties = template.toJSON().Resources[logicalId(rollouts[name])].Properties;
    const taskArn = { 'Fn::GetAtt': [logicalId(rollouts.taskFunction.function), 'Arn'] };

    expect(properties.DefinitionSubstitutions).toEqual({ [TASK_FUNCTION_SUBSTITUTION]: taskArn });
    const deployed = readFileSync(join(plain.outdir, `asset.${properties.DefinitionS3Location.Key}`), 'utf8');
    const source = readFileSync(join(REPO_ROOT, 'state-machines', file), 'utf8');
    expect(deployed).toBe(source);
    const placeholders = new Set([...source.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1]));
    expect([...placeholders]).toEqual([TASK_FUNCTION_SUBSTITUTION]);
  });

  it.each(machines)('lets the %s machine invoke the task function and nothing else', (name) => {
    const { rollouts } = plain.stack;
    const roleId = logicalId(rollouts[name].role);
    const statements = statementsOfRole(template, roleId);
    const scoped = statements.filter((statement) => statement.Resource !== '*');

    expect(scoped).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [logicalId(rollouts.taskFunction.function), 'Arn'] },
      },
    ]);
    const wildcardActions = statements.filter((statement) => statement.Resource === '*').flatMap((statement) => [statement.Action].flat());
    expect(wildcardActions.every((action: string) => action.startsWith('logs:') || action.startsWith('xray:'))).toBe(true);
    expect(JSON.stringify(template.toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument)).toContain('states.amazonaws.com');
  });

  it('keeps the task-token grant out of the policies the task function depends on (a dependency cycle otherwise)', () => {
    const { rollouts } = plain.stack;
    const resources = template.toJSON().Resources as Record<string, Resource>;
    const dependsOn = resources[logicalId(rollouts.taskFunction.function)]!.DependsOn ?? [];
    const tokenPolicies = Object.entries(resources)
      .filter(([, resource]) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties).includes('states:SendTask'))
      .filter(([, resource]) => JSON.stringify(resource.Properties.Roles) === JSON.stringify([{ Ref: logicalId(rollouts.taskFunction.role) }]))
      .map(([id]) => id);

    expect(tokenPolicies).toHaveLength(1);
    expect(dependsOn).not.toContain(tokenPolicies[0]);
  });
});

describe('rollouts: the task function', () => {
  it('runs on nodejs24.x, arm64, traced, with the table and bus variables only', () => {
    const { rollouts, stateful } = plain.stack;
    const properties = template.toJSON().Resources[logicalId(rollouts.taskFunction.function)].Properties;

    expect(properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      Timeout: 60,
      LoggingConfig: { LogGroup: { Ref: logicalId(rollouts.taskFunction.logGroup) } },
    });
    expect(properties.Environment.Variables).toEqual({
      TABLE_NAME: { Ref: logicalId(stateful.table) },
      EVENT_BUS_NAME: { Ref: logicalId(stateful.bus) },
      POWERTOOLS_SERVICE_NAME: 'signalbox-rollout-task',
      LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('is built from functions/src/handlers/lambda/rollout-task.ts, which exports the handler', () => {
    const { entry } = plain.stack.rollouts.taskFunction;
    expect(entry).toBe('functions/src/handlers/lambda/rollout-task.ts');
    expect(readFileSync(join(REPO_ROOT, entry), 'utf8')).toMatch(/export (const|async function|function) handler\b/);
  });

  it('holds exactly its grants: table, bus, task tokens of both machines, metrics, webhook keys', () => {
    const { rollouts, stateful } = plain.stack;
    const statements = statementsOfRole(template, logicalId(rollouts.taskFunction.role));
    const machines = [rollouts.canary, rollouts.blueGreen].map((machine) => ({ Ref: logicalId(machine) }));

    for (const machine of machines) expect(sorted(actionsOn(statements, machine))).toEqual(sorted(TASK_TOKEN_ACTIONS));
    expect(actionsOn(statements, { 'Fn::GetAtt': [logicalId(stateful.bus), 'Arn'] })).toEqual(['events:PutEvents']);
    expect(actionsOn(statements, { 'Fn::GetAtt': [logicalId(stateful.table), 'Arn'] })).toContain('dynamodb:PutItem');
    expect(sorted(actionsOn(statements, '*'))).toEqual(
      sorted([...METRIC_READ_ACTIONS, 'xray:PutTraceSegments', 'xray:PutTelemetryRecords']),
    );
    const webhookKeys = statements.find((statement) => JSON.stringify(statement.Resource).includes(':secret:signalbox/webhooks/*'));
    expect(webhookKeys?.Action).toBe('secretsmanager:GetSecretValue');

    const services = new Set(statements.flatMap((statement) => [statement.Action].flat().map((action: string) => action.split(':')[0] ?? action)));
    expect(sorted([...services])).toEqual(['cloudwatch', 'dynamodb', 'events', 'logs', 'secretsmanager', 'states', 'xray']);
  });

  it('may shift no Lambda alias when no rolloutLambdaTargets are configured', () => {
    const statements = statementsOfRole(template, logicalId(plain.stack.rollouts.taskFunction.role));
    expect(statements.flatMap((statement) => [statement.Action].flat()).filter((action: string) => action.startsWith('lambda:'))).toEqual([]);
  });

  it('may read and update aliases and list versions of exactly the configured rolloutLambdaTargets', () => {
    const statements = statementsOfRole(targetsTemplate, logicalId(withTargets.stack.rollouts.taskFunction.role));
    const lambda = statements.filter((statement) => [statement.Action].flat().some((action: string) => action.startsWith('lambda:')));

    expect(lambda).toHaveLength(1);
    expect(sorted([lambda[0]!.Action].flat())).toEqual(sorted(LAMBDA_TARGET_ACTIONS));
    expect(lambda[0]!.Resource).toEqual(TARGETS);
  });
});

describe('rollouts: the API function', () => {
  it.each([
    ['canary', ROLLOUT_MACHINE_ENV.canary],
    ['blueGreen', ROLLOUT_MACHINE_ENV.blueGreen],
  ] as const)('gets the %s machine ARN in %s and may start executions and answer task tokens on it', (name, env) => {
    const { backend, rollouts } = plain.stack;
    const machine = { Ref: logicalId(rollouts[name]) };
    const variables = template.toJSON().Resources[logicalId(backend.api.function)].Properties.Environment.Variables;

    expect(variables[env]).toEqual(machine);
    expect(sorted(actionsOn(statementsOfRole(template, logicalId(backend.api.role)), machine))).toEqual(
      sorted(API_STATE_MACHINE_ACTIONS),
    );
  });

  it('is the only other function with access to the machines', () => {
    const { backend, rollouts } = plain.stack;
    for (const fn of [backend.ingest, backend.store]) {
      const statements = statementsOfRole(template, logicalId(fn.role));
      expect(actionsOn(statements, { Ref: logicalId(rollouts.canary) })).toEqual([]);
      expect(actionsOn(statements, { Ref: logicalId(rollouts.blueGreen) })).toEqual([]);
    }
  });
});

describe('rollouts: alarms', () => {
  const common = {
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    Threshold: 1,
    EvaluationPeriods: 1,
    Period: 300,
    Statistic: 'Sum',
    TreatMissingData: 'notBreaching',
  };

  it.each([
    ['canary', 'ExecutionsFailed'],
    ['canary', 'ExecutionsTimedOut'],
    ['blueGreen', 'ExecutionsFailed'],
    ['blueGreen', 'ExecutionsTimedOut'],
  ] as const)('alarms on the %s machine\'s %s >= 1 in 5 minutes', (name, metric) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...common,
      Namespace: 'AWS/States',
      MetricName: metric,
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalId(plain.stack.rollouts[name]) } }],
    });
  });

  it('alarms on task function errors >= 1 in 5 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...common,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(plain.stack.rollouts.taskFunction.function) } }],
    });
  });

  it('has exactly those five alarms, without actions', () => {
    const ids = new Set(plain.stack.rollouts.alarms.map((alarm) => logicalId(alarm)));
    const alarms = Object.entries(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).filter(([id]) => ids.has(id));
    expect(alarms).toHaveLength(5);
    for (const [, alarm] of alarms) expect(alarm.Properties.AlarmActions).toBeUndefined();
  });
});
