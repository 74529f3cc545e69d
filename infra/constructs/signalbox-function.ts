import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogLevel as BundlingLogLevel, NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REPO_ROOT } from '../config';

/** Environment variables the bind helpers set; the functions' config reads the same names. */
export const FUNCTION_ENV = {
  tableName: 'TABLE_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  logLevel: 'LOG_LEVEL',
} as const;

// Lets CommonJS dependencies that call require() run inside the ESM bundle.
const ESM_REQUIRE_BANNER =
  "import { createRequire as __signalboxCreateRequire } from 'node:module'; const require = __signalboxCreateRequire(import.meta.url);";

/**
 * How every Signalbox function is bundled (the local esbuild, no Docker); exported so
 * `bench/lambda.bench.ts` builds byte-for-byte the same bundles.
 */
export const SIGNALBOX_BUNDLING: BundlingOptions = {
  forceDockerBundling: false,
  format: OutputFormat.ESM,
  target: 'node24',
  platform: 'node',
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  logLevel: BundlingLogLevel.WARNING,
  sourceMap: true,
  sourcesContent: false,
  // The Node.js 24 runtime ships AWS SDK v3.
  externalModules: ['@aws-sdk/*'],
};

export interface SignalboxFunctionProps {
  /** Entry file relative to the repository root; it must export `handler`. */
  entry: string;
  description: string;
  /** Short name, e.g. `ingest`; becomes `POWERTOOLS_SERVICE_NAME=signalbox-<name>`. */
  serviceName: string;
  logLevel: string;
  /** @default 10 seconds */
  timeout?: Duration;
  /** @default 512 MB (arm64 gets proportionally more CPU, which shortens cold starts) */
  memorySize?: number;
  /** @default none: new accounts have too little unreserved concurrency to reserve any */
  reservedConcurrentExecutions?: number;
  /** Where failed asynchronous invocations go after Lambda's own retries. */
  deadLetterQueue?: IQueue;
}

/**
 * A Lambda with Signalbox's defaults: Node.js 24 on arm64, an ESM bundle built by the local
 * esbuild, active tracing, its own log group with a retention, and a role holding only what the
 * `bind*` helpers grant.
 */
export class SignalboxFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;
  /** The entry file, relative to the repository root. */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: SignalboxFunctionProps) {
    super(scope, id);
    this.entry = props.entry;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Our own role instead of the default one, which carries the AWSLambdaBasicExecutionRole
    // managed policy (logs on every log group of the account).
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the Signalbox ${props.serviceName} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      deadLetterQueue: props.deadLetterQueue,
      environment: {
        [FUNCTION_ENV.serviceName]: `signalbox-${props.serviceName}`,
        [FUNCTION_ENV.logLevel]: props.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: SIGNALBOX_BUNDLING,
    });

    // Tracing is switched on at the L1 and its permissions live in a policy of their own, so the
    // one wildcard X-Ray needs is acknowledged there and nowhere else: a wildcard that a later
    // grant puts into the role's default policy still fails cdk-nag.
    (this.function.node.defaultChild as CfnFunction).tracingConfig = { mode: 'Active' };
    const tracingPolicy = new Policy(this, 'TracingPolicy', {
      statements: [
        new PolicyStatement({
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      ],
    });
    tracingPolicy.attachToRole(this.role);
    this.function.node.addDependency(tracingPolicy);
    Validations.of(tracingPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions; "*" is the only valid resource.',
    });
  }

  /** Sets TABLE_NAME and grants read (GetItem, Query, ...) or read-write data access on the table and its indexes. */
  bindTable(table: ITable, access: 'read' | 'readWrite'): this {
    this.function.addEnvironment(FUNCTION_ENV.tableName, table.tableName);
    if (access === 'read') table.grantReadData(this.function);
    else table.grantReadWriteData(this.function);
    const cfnTable = table.node.defaultChild as CfnElement | undefined;
    if (cfnTable) {
      const logicalId = Stack.of(table).resolve(cfnTable.logicalId) as string;
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/index/*]`,
        reason: 'Grants on the Signalbox table include its own global secondary indexes (table ARN + /index/*); the wildcard spans only this table\'s indexes, which every list query uses.',
      });
    }
    return this;
  }

  /** Sets EVENT_BUS_NAME and grants events:PutEvents on this bus only. */
  bindBus(bus: IEventBus): this {
    this.function.addEnvironment(FUNCTION_ENV.eventBusName, bus.eventBusName);
    bus.grantPutEventsTo(this.function);
    return this;
  }

  /** Sets `envName` to the state machine's ARN and grants exactly `actions` on that machine. */
  bindStateMachine(machine: IStateMachine, envName: string, actions: readonly string[]): this {
    this.function.addEnvironment(envName, machine.stateMachineArn);
    machine.grant(this.function, ...actions);
    return this;
  }

  /** Sets `envName` to the secret's ARN and grants reading that one secret. */
  bindSecret(secret: ISecret, envName: string): this {
    this.function.addEnvironment(envName, secret.secretArn);
    secret.grantRead(this.function);
    return this;
  }
}
