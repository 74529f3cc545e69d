import { join } from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { REPO_ROOT } from '../config';
import { SignalboxFunction } from './signalbox-function';

/** The API function's variables holding the machines' ARNs; `functions/src/config.ts` reads the same names. */
export const ROLLOUT_MACHINE_ENV = {
  canary: 'SIGNALBOX_CANARY_STATE_MACHINE_ARN',
  blueGreen: 'SIGNALBOX_BLUE_GREEN_STATE_MACHINE_ARN',
} as const;

/** The ASL placeholder CDK replaces with the task function's ARN (`"Resource": "${RolloutTaskFunctionArn}"`). */
export const TASK_FUNCTION_SUBSTITUTION = 'RolloutTaskFunctionArn';

/** Webhook targets name their signing key; the task function may read only secrets under this prefix. */
export const WEBHOOK_SECRET_PREFIX = 'signalbox/webhooks/';

/** What the API does to the machines: start rollouts, and complete a waiting AwaitApproval on a verb. */
export const API_STATE_MACHINE_ACTIONS = ['states:StartExecution', 'states:SendTaskSuccess', 'states:SendTaskFailure'] as const;

/** The task function completes its own AwaitApproval token when a decision arrived before the wait began. */
export const TASK_TOKEN_ACTIONS = ['states:SendTaskSuccess', 'states:SendTaskFailure'] as const;

/** What a `lambda-alias` target does: read the alias, list versions, set the weighted routing. */
export const LAMBDA_TARGET_ACTIONS = ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:ListVersionsByFunction'] as const;

/** What the `cloudwatch-metric` and `cloudwatch-alarm` metric providers read. */
export const METRIC_READ_ACTIONS = ['cloudwatch:GetMetricData', 'cloudwatch:DescribeAlarms'] as const;

const ALARM_PERIOD = Duration.minutes(5);

export interface RolloutEngineProps {
  table: ITable;
  bus: IEventBus;
  logLevel: string;
  /** Lambda function ARNs that `lambda-alias` targets may shift; none = no Lambda permissions at all. */
  lambdaTargets: readonly string[];
}

/**
 * Rollouts in AWS: the canary and blue-green state machines (the same ASL files the local runner
 * executes), the one task function every Task state invokes, and alarms on failed or timed-out
 * executions and on task errors. The alarms have no actions: the stack has no notification topic yet.
 */
export class RolloutEngine extends Construct {
  readonly taskFunction: SignalboxFunction;
  readonly canary: StateMachine;
  readonly blueGreen: StateMachine;
  readonly canaryLogGroup: LogGroup;
  readonly blueGreenLogGroup: LogGroup;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: RolloutEngineProps) {
    super(scope, id);
    const machinesDir = join(REPO_ROOT, 'state-machines');

    this.taskFunction = new SignalboxFunction(this, 'RolloutTaskFunction', {
      entry: 'functions/src/handlers/lambda/rollout-task.ts',
      description: 'Signalbox: runs each step of a rollout for the canary and blue-green state machines',
      serviceName: 'rollout-task',
      logLevel: props.logLevel,
      // One step at most: a webhook call with its retries, or one analysis measurement.
      timeout: Duration.seconds(60),
    })
      .bindTable(props.table, 'readWrite')
      .bindBus(props.bus);
    this.grantTargetsAndProviders(props.lambdaTargets);

    ({ machine: this.canary, logGroup: this.canaryLogGroup } = this.addStateMachine(
      'Canary',
      join(machinesDir, 'canary.asl.json'),
    ));
    ({ machine: this.blueGreen, logGroup: this.blueGreenLogGroup } = this.addStateMachine(
      'BlueGreen',
      join(machinesDir, 'blue-green.asl.json'),
    ));

    // A policy of its own, not the role's default one: the function depends on its default
    // policy, and the machines' definitions depend on the function's ARN, so granting the
    // machines there would be a dependency cycle.
    new Policy(this, 'TaskTokenPolicy', {
      roles: [this.taskFunction.role],
      statements: [
        new PolicyStatement({
          actions: [...TASK_TOKEN_ACTIONS],
          resources: [this.canary.stateMachineArn, this.blueGreen.stateMachineArn],
        }),
      ],
    });

    this.addAlarms();
  }

  private grantTargetsAndProviders(lambdaTargets: readonly string[]): void {
    const fn = this.taskFunction;
    if (lambdaTargets.length > 0) {
      fn.function.addToRolePolicy(new PolicyStatement({ actions: [...LAMBDA_TARGET_ACTIONS], resources: [...lambdaTargets] }));
    }

    const stack = Stack.of(this);
    fn.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [
          stack.formatArn({
            service: 'secretsmanager',
            resource: 'secret',
            resourceName: `${WEBHOOK_SECRET_PREFIX}*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:signalbox/webhooks/*]',
      reason: 'Webhook targets name their signing key in the rollout spec, so the keys are not known at deploy time; the wildcard spans only secrets under signalbox/webhooks/ (Secrets Manager also appends a random suffix to every secret ARN).',
    });

    // Kept out of the default policy so the one "*" is acknowledged here and nowhere else.
    const metricsPolicy = new Policy(this, 'MetricReadPolicy', {
      roles: [fn.role],
      statements: [new PolicyStatement({ actions: [...METRIC_READ_ACTIONS], resources: ['*'] })],
    });
    fn.function.node.addDependency(metricsPolicy);
    Validations.of(metricsPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'cloudwatch:GetMetricData supports no resource-level permissions, and cloudwatch:DescribeAlarms returns composite alarms only when granted on "*"; analysis templates name the metrics and alarms at run time. Both are read-only.',
    });
  }

  private addStateMachine(name: 'Canary' | 'BlueGreen', definitionFile: string): { machine: StateMachine; logGroup: LogGroup } {
    const taskFunction = this.taskFunction.function;
    const logGroup = new LogGroup(this, `${name}StateMachineLogs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const machine = new StateMachine(this, `${name}StateMachine`, {
      definitionBody: DefinitionBody.fromFile(definitionFile),
      definitionSubstitutions: { [TASK_FUNCTION_SUBSTITUTION]: taskFunction.functionArn },
      stateMachineType: StateMachineType.STANDARD,
      // Execution data would put AwaitApproval task tokens (bearer credentials for SendTaskSuccess) in the logs.
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    // The ASL calls the function both as a plain Resource ARN and through
    // lambda:invoke.waitForTaskToken with FunctionName; neither is visible to CDK, so grant here.
    machine.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [taskFunction.functionArn] }));
    Validations.of(machine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Added by CDK for logging and tracing: the CloudWatch Logs delivery actions (logs:CreateLogDelivery, ...) and xray:PutTraceSegments/PutTelemetryRecords/GetSamplingRules/GetSamplingTargets support no resource-level permissions.',
    });
    return { machine, logGroup };
  }

  private addAlarms(): void {
    const perMachine: [string, string, StateMachine][] = [
      ['Canary', 'canary', this.canary],
      ['BlueGreen', 'blue-green', this.blueGreen],
    ];
    for (const [name, label, machine] of perMachine) {
      this.addAlarm(
        `${name}ExecutionsFailedAlarm`,
        machine.metricFailed({ period: ALARM_PERIOD, statistic: 'Sum' }),
        // Rolled-back executions end in a Fail state on purpose (ROLLOUT_ERRORS.rolledBack), so this counts rollbacks too.
        `a ${label} rollout execution failed (rolled back, or a task failed past its retries) in the last 5 minutes.`,
      );
      this.addAlarm(
        `${name}ExecutionsTimedOutAlarm`,
        machine.metricTimedOut({ period: ALARM_PERIOD, statistic: 'Sum' }),
        `a ${label} rollout execution timed out in the last 5 minutes; traffic may still be split.`,
      );
    }
    this.addAlarm(
      'RolloutTaskErrorsAlarm',
      this.taskFunction.function.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
      'the rollout task function returned errors in the last 5 minutes (targets or metric providers failing).',
    );
  }

  private addAlarm(id: string, metric: IMetric, description: string): void {
    this.alarms.push(
      new Alarm(this, id, {
        metric,
        alarmDescription: `Signalbox: ${description}`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
