import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, type EventPattern, type IEventBus, type IRuleTarget } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue, type TargetBaseProps } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { API_ROUTES } from '../../functions/src/handlers/http/api';
import { requirementOf } from '../../functions/src/core/auth/policy';
import { BUS_RULES, type BusRule } from '../../functions/src/shared/bus-rules';
import { SignalboxFunction } from './signalbox-function';

/** Read by the ingest function to fetch the producer token. */
export const INGEST_TOKEN_SECRET_ARN_ENV = 'INGEST_TOKEN_SECRET_ARN';

/** Default-stage throttling of the HTTP API (requests per second, and burst). */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/**
 * How the store function drains its queue: up to `batchSize` bus events per invocation (Lambda
 * also caps a batch at its 6 MB payload), gathered for at most `maxBatchingWindowSeconds`; a
 * message received `maxReceiveCount` times without success moves to the queue's own DLQ.
 */
export const STORE_QUEUE = { batchSize: 100, maxBatchingWindowSeconds: 1, maxReceiveCount: 5 } as const;

const STORE_TIMEOUT = Duration.seconds(30);

export interface SignalboxApiProps {
  table: ITable;
  bus: IEventBus;
  ingestTokenSecret: ISecret;
  logLevel: string;
  /** The JWT (Cognito) authorizer on every user route; public and token routes go without it. */
  authorizer: IHttpRouteAuthorizer;
}

/**
 * The stateless backend: the ingest, api and store functions, the bus rules that feed the
 * consumers (with their dead-letter queue), the queue the store function drains in batches, and
 * the HTTP API in front of ingest and api.
 */
export class SignalboxApi extends Construct {
  readonly ingest: SignalboxFunction;
  readonly api: SignalboxFunction;
  readonly store: SignalboxFunction;
  readonly deadLetterQueue: Queue;
  /** Target of the store rule; the store function receives its messages in batches. */
  readonly storeQueue: Queue;
  /** Where store-queue messages go after `STORE_QUEUE.maxReceiveCount` failed receives. */
  readonly storeQueueDeadLetters: Queue;
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: SignalboxApiProps) {
    super(scope, id);

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.ingest = new SignalboxFunction(this, 'IngestFunction', {
      entry: 'functions/src/handlers/lambda/ingest.ts',
      description: 'Signalbox: POST /api/events, validates CDEvents and puts them on the bus',
      serviceName: 'ingest',
      logLevel: props.logLevel,
    })
      .bindTable(props.table, 'readWrite')
      .bindBus(props.bus)
      .bindSecret(props.ingestTokenSecret, INGEST_TOKEN_SECRET_ARN_ENV);

    this.api = new SignalboxFunction(this, 'ApiFunction', {
      entry: 'functions/src/handlers/lambda/api.ts',
      description: 'Signalbox: read API under /api/*, dead-letter replay and rollout operations',
      serviceName: 'api',
      logLevel: props.logLevel,
    })
      .bindTable(props.table, 'readWrite')
      .bindBus(props.bus);

    this.store = new SignalboxFunction(this, 'StoreFunction', {
      entry: 'functions/src/handlers/lambda/store.ts',
      description: 'Signalbox: stores CDEvents from the bus and keeps the current-state views',
      serviceName: 'store',
      logLevel: props.logLevel,
      timeout: STORE_TIMEOUT,
      // Only asynchronous invocations use it (none in normal operation): the store queue below
      // feeds the function synchronously and has its own DLQ.
      deadLetterQueue: this.deadLetterQueue,
    }).bindTable(props.table, 'readWrite');

    this.storeQueueDeadLetters = new Queue(this, 'StoreQueueDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.storeQueue = new Queue(this, 'StoreQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's advice for a queue feeding a function: at least six times the function timeout (plus
      // the batching window), so a batch retried through throttling is not handed out twice.
      visibilityTimeout: Duration.seconds(6 * STORE_TIMEOUT.toSeconds() + STORE_QUEUE.maxBatchingWindowSeconds),
      deadLetterQueue: { queue: this.storeQueueDeadLetters, maxReceiveCount: STORE_QUEUE.maxReceiveCount },
    });
    // The handler answers the records to retry (all of them only when a dead letter cannot be
    // written); poison events become dead letters in the table and are not retried.
    this.store.function.addEventSource(
      new SqsEventSource(this.storeQueue, {
        batchSize: STORE_QUEUE.batchSize,
        maxBatchingWindow: Duration.seconds(STORE_QUEUE.maxBatchingWindowSeconds),
        reportBatchItemFailures: true,
      }),
    );

    this.addBusRules(props.bus);

    ({ httpApi: this.httpApi, stage: this.stage } = this.addHttpApi(props.authorizer));
  }

  private addBusRules(bus: IEventBus): void {
    // The store rule feeds the store queue (one store round per batch instead of per event); the
    // rules of other targets are wired by their own construct (e.g. monitoring).
    for (const busRule of BUS_RULES.filter((r) => r.target === 'store')) {
      this.addBusRule(bus, busRule, new SqsQueue(this.storeQueue, this.deliveryPolicy()));
    }
  }

  /** Retries and dead-letter queue of every rule target, for delivery to the target itself. */
  private deliveryPolicy(): TargetBaseProps {
    return { deadLetterQueue: this.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(6) };
  }

  /**
   * Creates the rules of `BUS_RULES` whose target is `target` (e.g. `alertEvents`), invoking the
   * Lambda `consumer` with the same retries and dead-letter queue as the store rule; for consumers that
   * other constructs own.
   */
  addBusRuleConsumer(bus: IEventBus, target: BusRule['target'], consumer: IFunction): Rule[] {
    return BUS_RULES.filter((busRule) => busRule.target === target).map((busRule) =>
      this.addBusRule(bus, busRule, new LambdaFunction(consumer, this.deliveryPolicy())),
    );
  }

  private addBusRule(bus: IEventBus, busRule: BusRule, target: IRuleTarget): Rule {
    return new Rule(this, busRule.id, {
      eventBus: bus,
      description: busRule.description,
      // BusRule patterns use content filters ($or, prefix, exists) that the EventPattern type
      // does not model; CDK passes unknown keys through unchanged.
      eventPattern: busRule.pattern as EventPattern,
      targets: [target],
    });
  }

  private addHttpApi(authorizer: IHttpRouteAuthorizer): { httpApi: HttpApi; stage: HttpStage } {
    const httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Signalbox HTTP API: producer ingest, the portal\'s read API and rollout operations',
      createDefaultStage: false,
    });

    const accessLogs = new LogGroup(this, 'HttpApiAccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            httpMethod: '$context.httpMethod',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });

    const ingestRoutes = httpApi.addRoutes({
      path: '/api/events',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('IngestIntegration', this.ingest.function),
    });
    for (const route of ingestRoutes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'Producers (CI/CD tools) cannot obtain Cognito tokens; the ingest function rejects any request without the producer bearer token it reads from Secrets Manager.',
      });
    }

    const apiIntegration = new HttpLambdaIntegration('ApiIntegration', this.api.function);
    // Every read goes through one proxy route behind the JWT authorizer; every write route of the
    // api function's table (`API_ROUTES`) gets its own route, so API Gateway answers other methods
    // and paths itself and a new write route is deployed with its code. Public routes (OpenAPI,
    // sign-in metadata) and token routes (agents' POST /api/observations) go without the
    // authorizer: the function checks their tokens. The function verifies user tokens again
    // (defence in depth; the same code runs locally).
    const open = (route: (typeof API_ROUTES)[number]) => requirementOf(route.action).kind !== 'role';
    httpApi.addRoutes({ path: '/api/{proxy+}', methods: [HttpMethod.GET], integration: apiIntegration, authorizer });
    for (const route of API_ROUTES.filter((r) => r.method !== 'GET' && !open(r))) {
      httpApi.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration: apiIntegration, authorizer });
    }
    const unauthorized = API_ROUTES.filter(open).flatMap((route) =>
      httpApi.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration: apiIntegration }),
    );
    for (const route of unauthorized) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'Public (OpenAPI document, sign-in metadata) or token-authenticated (signalbox-agent POST /api/observations, verified by the function against hashed, revocable tokens) route: no Cognito user is involved.',
      });
    }

    return { httpApi, stage };
  }
}
