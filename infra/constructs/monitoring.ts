import { ArnFormat, Annotations, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { SignalboxConfig as MonitoringConfig } from '../../functions/src/core/config/model';
import { ALERT_TOPIC_PLACEHOLDER, MONITORING_BUNDLE_RUNTIME_PATH, MONITORING_ENV } from '../../functions/src/shared/monitoring-bundle';
import { loadMonitoringConfigForSynth, monitoringBundle, placeholdersUsed, writeMonitoringBundle, type MonitoringContext } from '../monitoring-config';
import { WEBHOOK_SECRET_PREFIX } from './rollout-engine';
import { SignalboxFunction } from './signalbox-function';

/** How often the monitor function runs; checks with longer intervals are skipped until due. */
export const MONITOR_RATE = Duration.minutes(1);
/** Under the rate, so a slow cycle ends before the next tick (reserved concurrency 1 would throttle it). */
export const MONITOR_TIMEOUT = Duration.seconds(50);

const ALARM_PERIOD = Duration.minutes(5);

export interface MonitoringProps {
  table: ITable;
  bus: IEventBus;
  logLevel: string;
  /** Where the config folder is and the placeholder values (CDK context). */
  context: MonitoringContext;
}

/**
 * Monitoring in AWS: the `signalbox/` config parsed at synth (an invalid folder fails the synth)
 * and deployed as a Lambda layer, the once-a-minute monitor function (checks, alert expiry,
 * notifications), the alert-events function (target of the `AlertOnEvents` bus rule, wired by
 * the backend), the alert topic (KMS-encrypted, TLS only) for `sns` receivers and for the alarms,
 * and alarms on the functions' errors and on the monitor not running.
 */
export class Monitoring extends Construct {
  readonly config: MonitoringConfig;
  readonly configLayer: LayerVersion;
  readonly topicKey: Key;
  readonly topic: Topic;
  readonly monitorFunction: SignalboxFunction;
  readonly alertEventsFunction: SignalboxFunction;
  readonly schedule: Rule;
  readonly alarms: Alarm[] = [];
  private readonly placeholders: Record<string, string>;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { configDir, placeholders } = props.context;
    this.config = loadMonitoringConfigForSynth(configDir);
    this.placeholders = placeholders;
    const missing = placeholdersUsed(this.config).filter((name) => name !== ALERT_TOPIC_PLACEHOLDER && !(name in placeholders));
    if (missing.length > 0) {
      // Info, not a warning: a stack may deploy without some of the config's targets on purpose.
      Annotations.of(this).addInfo(
        `No value for ${missing.map((n) => `\${${n}}`).join(', ')} (context monitoringPlaceholders): checks and receivers using them report "unknown" or are left out.`,
      );
    }

    this.configLayer = new LayerVersion(this, 'ConfigLayer', {
      code: Code.fromAsset(writeMonitoringBundle(monitoringBundle(configDir, this.config))),
      compatibleRuntimes: [Runtime.NODEJS_24_X],
      compatibleArchitectures: [Architecture.ARM_64],
      description: `Signalbox monitoring config (${MONITORING_BUNDLE_RUNTIME_PATH}), parsed from the config folder at synth`,
    });

    this.topicKey = new Key(this, 'AlertTopicKey', {
      description: 'Encrypts the Signalbox alert topic',
      enableKeyRotation: true,
    });
    // CloudWatch alarms publish to the topic, so the key must let the service use it.
    this.topicKey.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'AlertTopic', {
      displayName: 'Signalbox alerts',
      masterKey: this.topicKey,
      enforceSSL: true,
    });

    this.monitorFunction = new SignalboxFunction(this, 'MonitorFunction', {
      entry: 'functions/src/handlers/lambda/monitor.ts',
      description: 'Signalbox: runs the due checks once a minute, expires alerts and sends notifications',
      serviceName: 'monitor',
      logLevel: props.logLevel,
      timeout: MONITOR_TIMEOUT,
      reservedConcurrentExecutions: 1,
    })
      .bindTable(props.table, 'readWrite')
      .bindBus(props.bus);
    this.bindConfig(this.monitorFunction);
    this.grantNotify(this.monitorFunction);
    // A missed tick is not retried: the next one a minute later runs whatever is due.
    this.monitorFunction.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    this.schedule = new Rule(this, 'MonitorSchedule', {
      description: 'Runs the Signalbox monitor function once a minute',
      schedule: Schedule.rate(MONITOR_RATE),
      targets: [new LambdaFunction(this.monitorFunction.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });

    this.alertEventsFunction = new SignalboxFunction(this, 'AlertEventsFunction', {
      entry: 'functions/src/handlers/lambda/alert-events.ts',
      description: "Signalbox: applies the config's event alert rules to CDEvents from the bus",
      serviceName: 'alert-events',
      logLevel: props.logLevel,
      timeout: Duration.seconds(30),
    })
      .bindTable(props.table, 'readWrite')
      .bindBus(props.bus);
    this.bindConfig(this.alertEventsFunction);

    this.addAlarms();
  }

  /**
   * Gives a function the config layer and the variables to read it (file, placeholders, topic ARN).
   * The API function gets this too, so `/api/health` and the alert routes see the deployed config.
   */
  bindConfig(fn: SignalboxFunction): this {
    fn.function.addLayers(this.configLayer);
    fn.function.addEnvironment(MONITORING_ENV.configFile, MONITORING_BUNDLE_RUNTIME_PATH);
    fn.function.addEnvironment(MONITORING_ENV.alertTopicArn, this.topic.topicArn);
    for (const [name, value] of Object.entries(this.placeholders)) {
      fn.function.addEnvironment(`${MONITORING_ENV.placeholderPrefix}${name}`, value);
    }
    return this;
  }

  /**
   * Lets a function deliver notifications: publish to the alert topic, read webhook signing keys.
   * The monitor function sends; the API function replays dead-lettered notifications.
   */
  grantNotify(fn: SignalboxFunction): this {
    this.topic.grantPublish(fn.function);
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'Publishing to the KMS-encrypted alert topic needs kms:GenerateDataKey* (GenerateDataKey and its variants, as granted by Topic.grantPublish), on the topic\'s own key only.',
    });
    fn.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [
          Stack.of(this).formatArn({
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
      reason: 'Webhook receivers name their signing key in the monitoring config; the wildcard spans only secrets under signalbox/webhooks/ (Secrets Manager also appends a random suffix to every secret ARN).',
    });
    return this;
  }

  private addAlarms(): void {
    const monitor = this.monitorFunction.function;
    this.addAlarm(
      'MonitorErrorsAlarm',
      monitor.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
      'the monitor function failed in the last 5 minutes (a store, the bus or the notification pass is failing); checks may not be running.',
    );
    // The watcher of the watchers: no invocation for 5 minutes means nothing is being checked.
    this.addAlarm(
      'MonitorNotRunningAlarm',
      monitor.metricInvocations({ period: ALARM_PERIOD, statistic: 'Sum' }),
      'the monitor function did not run in the last 5 minutes; no check is being run.',
      { comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD, treatMissingData: TreatMissingData.BREACHING },
    );
    this.addAlarm(
      'AlertEventsErrorsAlarm',
      this.alertEventsFunction.function.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
      'the alert-events function failed in the last 5 minutes; event alert rules (rollbacks, aborts) may be missed.',
    );
  }

  private addAlarm(
    id: string,
    metric: IMetric,
    description: string,
    options: { comparisonOperator?: ComparisonOperator; treatMissingData?: TreatMissingData } = {},
  ): void {
    const alarm = new Alarm(this, id, {
      metric,
      alarmDescription: `Signalbox: ${description}`,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: options.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: options.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
