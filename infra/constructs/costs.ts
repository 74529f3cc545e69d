import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTION_ENV, SignalboxFunction } from './signalbox-function';
import type { Monitoring } from './monitoring';

/** Where FOCUS exports are dropped in the bucket; only objects under it are imported. */
export const FOCUS_INCOMING_PREFIX = 'incoming/';

/** The Cost Explorer actions the costs function needs (each call is billed; see pullCostExplorer). */
export const COST_EXPLORER_ACTIONS = ['ce:GetCostAndUsage', 'ce:GetCostForecast', 'ce:GetAnomalies'] as const;

export interface CostsProps {
  table: ITable;
  /** Only its name is set (the shared deps read it); the costs function never publishes. */
  bus: IEventBus;
  logLevel: string;
  /** The config layer (environments and their `accounts:` for cost allocation). */
  monitoring: Monitoring;
  /** Server access logs of the FOCUS bucket go here. */
  accessLogsBucket: IBucket;
  /** Failed deliveries of the schedule and of S3 events end here. */
  deadLetterQueue: IQueue;
  /** Cost-allocation tag Cost Explorer groups by (default `signalbox:environment`; empty: by linked account). */
  costTagKey?: string;
}

/**
 * Costs in AWS: the costs function (daily Cost Explorer pull at 06:00 UTC, and the import of each
 * FOCUS file dropped under `incoming/` in the FOCUS bucket, delivered by S3's EventBridge
 * notifications), the bucket (private, encrypted, TLS only, versioned, access-logged) and the IAM
 * for exactly the three Cost Explorer reads it makes.
 */
export class Costs extends Construct {
  readonly bucket: Bucket;
  readonly costsFunction: SignalboxFunction;
  readonly schedule: Rule;
  readonly importRule: Rule;

  constructor(scope: Construct, id: string, props: CostsProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'FocusBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'focus-bucket/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // S3 → EventBridge notifications as a plain bucket property (the L2 switch deploys a custom-resource Lambda).
    (this.bucket.node.defaultChild as CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };

    this.costsFunction = new SignalboxFunction(this, 'CostsFunction', {
      entry: 'functions/src/handlers/lambda/costs.ts',
      description: 'Signalbox: daily AWS Cost Explorer pull and FOCUS file imports from the FOCUS bucket',
      serviceName: 'costs',
      logLevel: props.logLevel,
      timeout: Duration.minutes(5),
      // A 64 MiB FOCUS file is read whole (then aggregated); leave room for it.
      memorySize: 1024,
      deadLetterQueue: props.deadLetterQueue,
    }).bindTable(props.table, 'readWrite');
    this.costsFunction.function.addEnvironment(FUNCTION_ENV.eventBusName, props.bus.eventBusName);
    this.costsFunction.function.addEnvironment('SIGNALBOX_FOCUS_BUCKET', this.bucket.bucketName);
    if (props.costTagKey !== undefined) this.costsFunction.function.addEnvironment('SIGNALBOX_COST_TAG_KEY', props.costTagKey);
    props.monitoring.bindConfig(this.costsFunction);
    this.bucket.grantRead(this.costsFunction.function, `${FOCUS_INCOMING_PREFIX}*`);
    this.costsFunction.function.addToRolePolicy(new PolicyStatement({ actions: [...COST_EXPLORER_ACTIONS], resources: ['*'] }));
    Validations.of(this.costsFunction.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ce:GetCostAndUsage, ce:GetCostForecast and ce:GetAnomalies have no resource-level permissions (Cost Explorer reads are account-wide); "*" is the only valid resource and only these three read actions are granted.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:GetObject*]',
        reason: 'Bucket.grantRead grants s3:GetObject* (the object and its version/ACL reads) to read FOCUS exports, on the FOCUS bucket\'s incoming/ prefix only.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]',
        reason: 'Bucket.grantRead grants s3:GetBucket* on the FOCUS bucket itself (location, versioning) for the SDK; no other bucket.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:List*]',
        reason: 'Bucket.grantRead grants s3:List* on the FOCUS bucket only.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).resolve((this.bucket.node.defaultChild as CfnBucket).logicalId) as string}.Arn>/${FOCUS_INCOMING_PREFIX}*]`,
        reason: 'FOCUS exports are dropped under incoming/ with names chosen by the exporting cloud; the wildcard spans only that prefix of this bucket.',
      },
    );

    const target = new LambdaFunction(this.costsFunction.function, { deadLetterQueue: props.deadLetterQueue, retryAttempts: 2, maxEventAge: Duration.hours(2) });
    // Cost Explorer refreshes its data a few times a day; early morning UTC sees yesterday nearly complete.
    this.schedule = new Rule(this, 'CostPullSchedule', {
      description: 'Runs the Signalbox Cost Explorer pull once a day',
      schedule: Schedule.cron({ minute: '0', hour: '6' }),
      targets: [target],
    });
    // S3 delivers its events to the account's default bus.
    this.importRule = new Rule(this, 'FocusImportRule', {
      description: 'Imports each FOCUS export dropped under incoming/ in the FOCUS bucket',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [this.bucket.bucketName] }, object: { key: [{ prefix: FOCUS_INCOMING_PREFIX }] } },
      },
      targets: [target],
    });
  }
}
