import { Duration, RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { LogGroupLogDestination, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, type EventPattern, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUS_RULES } from '../../functions/src/shared/bus-rules';
import { LIVE_ENV } from '../../functions/src/shared/live';
import { SignalboxFunction } from './signalbox-function';

/** Stage throttling of the WebSocket API (messages per second, and burst): portals send a frame now and then. */
export const LIVE_THROTTLE = { rateLimit: 20, burstLimit: 50 } as const;
export const LIVE_STAGE_NAME = 'live';
/** What the answering and broadcasting functions may do on the stage's connections. */
export const LIVE_PUSH_ACTIONS = ['execute-api:ManageConnections'] as const;

export interface LiveUpdatesProps {
  table: ITable;
  bus: IEventBus;
  logLevel: string;
}

/**
 * Live updates for the portal: a WebSocket API ($connect / $disconnect / $default, one small
 * function each) whose connections and topics live in the table, and the broadcaster, target of
 * the `LiveUpdates` bus rule, which pushes CDEvent summaries, alert transitions, rollout steps and
 * check observations to the subscribers through the stage's management API.
 */
export class LiveUpdates extends Construct {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  readonly connect: SignalboxFunction;
  readonly disconnect: SignalboxFunction;
  readonly message: SignalboxFunction;
  readonly broadcast: SignalboxFunction;
  /** `wss://…/live`: what the portal connects to (`GET /api/live`). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: LiveUpdatesProps) {
    super(scope, id);

    const fn = (cid: string, entry: string, description: string, serviceName: string, timeout = Duration.seconds(10)) =>
      new SignalboxFunction(this, cid, { entry, description, serviceName, logLevel: props.logLevel, timeout, memorySize: 256 }).bindTable(
        props.table,
        'readWrite',
      );
    this.connect = fn('ConnectFunction', 'functions/src/handlers/lambda/live-connect.ts', 'Signalbox live: $connect registers the socket', 'live-connect');
    this.disconnect = fn('DisconnectFunction', 'functions/src/handlers/lambda/live-disconnect.ts', 'Signalbox live: $disconnect forgets the socket', 'live-disconnect');
    this.message = fn('MessageFunction', 'functions/src/handlers/lambda/live-message.ts', 'Signalbox live: subscribe / ping frames', 'live-message');
    this.broadcast = fn(
      'BroadcastFunction',
      'functions/src/handlers/lambda/live-broadcast.ts',
      'Signalbox live: pushes bus events to subscribed portals',
      'live-broadcast',
      Duration.seconds(30),
    );

    this.api = new WebSocketApi(this, 'Api', {
      description: 'Signalbox live updates for the portal (subscribe to alerts, health, rollouts, events)',
      routeSelectionExpression: '$request.body.action',
      connectRouteOptions: { integration: new WebSocketLambdaIntegration('ConnectIntegration', this.connect.function) },
      disconnectRouteOptions: { integration: new WebSocketLambdaIntegration('DisconnectIntegration', this.disconnect.function) },
      defaultRouteOptions: { integration: new WebSocketLambdaIntegration('DefaultIntegration', this.message.function) },
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: LIVE_STAGE_NAME,
      autoDeploy: true,
      throttle: LIVE_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            eventType: '$context.eventType',
            routeKey: '$context.routeKey',
            status: '$context.status',
            connectionId: '$context.connectionId',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    this.url = this.stage.url;

    // Only the functions that answer or broadcast post to connections (PostToConnection = POST), on this stage only.
    const apiLogicalId = Stack.of(this).resolve((this.api.node.defaultChild as CfnElement).logicalId) as string;
    const connections = Stack.of(this).formatArn({ service: 'execute-api', resource: this.api.apiId, resourceName: `${LIVE_STAGE_NAME}/POST/@connections/*` });
    for (const pusher of [this.message, this.broadcast]) {
      pusher.function.addEnvironment(LIVE_ENV.callbackUrl, this.stage.callbackUrl);
      pusher.function.addToRolePolicy(new PolicyStatement({ actions: [...LIVE_PUSH_ACTIONS], resources: [connections] }));
      Validations.of(pusher.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiLogicalId}>/${LIVE_STAGE_NAME}/POST/@connections/*]`,
        reason: "PostToConnection on this stage's @connections only; connection ids are random and known only at run time, so the last segment must be a wildcard.",
      });
    }

    for (const rule of BUS_RULES.filter((r) => r.target === 'live')) {
      new Rule(this, rule.id, {
        eventBus: props.bus,
        description: rule.description,
        eventPattern: rule.pattern as EventPattern,
        // Live messages are hints: a late one is worthless, so a short retry window and no DLQ.
        targets: [new LambdaFunction(this.broadcast.function, { retryAttempts: 2, maxEventAge: Duration.minutes(5) })],
      });
    }

    const routeReasons: Record<string, string> = {
      '$connect-Route':
        'The $connect function verifies the Cognito access token from the `token` query parameter (JWKS, issuer, client, expiry; role viewer or higher) and refuses the upgrade with 401/403; browsers cannot send an Authorization header on a WebSocket.',
      '$disconnect-Route': 'WebSocket APIs authorize at $connect only; $disconnect runs on a connection $connect accepted and only forgets it.',
      '$default-Route': 'WebSocket APIs authorize at $connect only; $default frames arrive on a connection $connect accepted (subscribe and ping only).',
    };
    for (const route of this.api.node.findAll()) {
      const reason = routeReasons[route.node.id];
      if (reason) Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason });
    }
  }
}
