import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { SignalboxConfig } from './config';
import { Portal } from './constructs/portal';
import { API_STATE_MACHINE_ACTIONS, ROLLOUT_MACHINE_ENV, RolloutEngine } from './constructs/rollout-engine';
import { SignalboxApi } from './constructs/signalbox-api';
import { StatefulResources } from './constructs/stateful-resources';
import { Monitoring } from './constructs/monitoring';
import { LiveUpdates } from './constructs/live-updates';
import { LIVE_ENV } from '../functions/src/shared/live';
import { readMonitoringContext } from './monitoring-config';
import { Identity } from './constructs/identity';
import { Costs, FOCUS_INCOMING_PREFIX } from './constructs/costs';

export interface SignalboxStackProps extends StackProps {
  config: SignalboxConfig;
}

/** One Signalbox instance: stateful resources, the stateless backend, the rollout machines, monitoring and the portal. */
export class SignalboxStack extends Stack {
  readonly stateful: StatefulResources;
  readonly backend: SignalboxApi;
  readonly rollouts: RolloutEngine;
  readonly monitoring: Monitoring;
  readonly portal: Portal;
  readonly live: LiveUpdates;
  readonly identity: Identity;
  readonly costs: Costs;

  constructor(scope: Construct, id: string, props: SignalboxStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.stateful = new StatefulResources(this, 'Stateful', {
      producerAccountIds: config.producerAccountIds,
      producerOrganizationId: config.producerOrganizationId,
    });

    this.identity = new Identity(this, 'Identity', {
      domainPrefix: (this.node.tryGetContext('authDomainPrefix') as string | undefined) ?? `signalbox-${this.account}`,
    });

    this.backend = new SignalboxApi(this, 'Backend', {
      table: this.stateful.table,
      bus: this.stateful.bus,
      ingestTokenSecret: this.stateful.ingestTokenSecret,
      logLevel: config.logLevel,
      authorizer: this.identity.authorizer,
    });
    this.identity.bindVerifier(this.backend.api.function);
    // The admin page's users and roles (GET /api/admin/users): Cognito ListUsersInGroup on this pool only.
    this.identity.userPool.grant(this.backend.api.function, 'cognito-idp:ListUsersInGroup');

    this.rollouts = new RolloutEngine(this, 'Rollouts', {
      table: this.stateful.table,
      bus: this.stateful.bus,
      logLevel: config.logLevel,
      lambdaTargets: config.rolloutLambdaTargets,
    });
    this.backend.api
      .bindStateMachine(this.rollouts.canary, ROLLOUT_MACHINE_ENV.canary, API_STATE_MACHINE_ACTIONS)
      .bindStateMachine(this.rollouts.blueGreen, ROLLOUT_MACHINE_ENV.blueGreen, API_STATE_MACHINE_ACTIONS);

    // Synth fails here when the signalbox/ config folder is invalid (file:line:column per problem).
    this.monitoring = new Monitoring(this, 'Monitoring', {
      table: this.stateful.table,
      bus: this.stateful.bus,
      logLevel: config.logLevel,
      context: readMonitoringContext(this.node),
    });
    // The API serves health and alerts from the config, and replays dead-lettered notifications.
    this.monitoring.bindConfig(this.backend.api).grantNotify(this.backend.api);
    this.backend.addBusRuleConsumer(this.stateful.bus, 'alertEvents', this.monitoring.alertEventsFunction.function);

    this.live = new LiveUpdates(this, 'Live', { table: this.stateful.table, bus: this.stateful.bus, logLevel: config.logLevel });
    this.backend.api.function.addEnvironment(LIVE_ENV.url, this.live.url);
    this.identity.bindVerifier(this.live.connect.function);

    this.portal = new Portal(this, 'Portal', {
      httpApi: this.backend.httpApi,
      webOutDir: config.webOutDir,
    });
    this.identity.setPortalUrl(`https://${this.portal.distribution.distributionDomainName}`);

    this.costs = new Costs(this, 'Costs', {
      table: this.stateful.table,
      bus: this.stateful.bus,
      logLevel: config.logLevel,
      monitoring: this.monitoring,
      accessLogsBucket: this.portal.logsBucket,
      deadLetterQueue: this.backend.deadLetterQueue,
      costTagKey: this.node.tryGetContext('costTagKey') as string | undefined,
    });
    new CfnOutput(this, 'FocusBucketName', { description: `Drop FinOps FOCUS exports (CSV or .csv.gz) under ${FOCUS_INCOMING_PREFIX} to import them`, value: this.costs.bucket.bucketName });
    new CfnOutput(this, 'UserPoolId', { description: 'Cognito user pool: add users to the viewer, operator or admin group', value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'SignInUrl', { description: 'Hosted UI base URL', value: this.identity.domain.baseUrl() });

    new CfnOutput(this, 'LiveUrl', { description: 'WebSocket URL of the portal live updates', value: this.live.url });
    new CfnOutput(this, 'ApiUrl', {
      description: 'HTTP API base URL (producers POST CDEvents to <ApiUrl>api/events)',
      value: this.backend.stage.url,
    });
    new CfnOutput(this, 'PortalUrl', {
      description: 'Portal URL (also serves /api/*)',
      value: `https://${this.portal.distribution.distributionDomainName}`,
    });
    new CfnOutput(this, 'EventBusName', { value: this.stateful.bus.eventBusName });
    new CfnOutput(this, 'EventBusArn', {
      description: 'Target of producers and peers that PutEvents directly',
      value: this.stateful.bus.eventBusArn,
    });
    new CfnOutput(this, 'IngestTokenSecretArn', {
      description: 'Secret holding the producer bearer token for POST /api/events',
      value: this.stateful.ingestTokenSecret.secretArn,
    });
    new CfnOutput(this, 'TableName', { value: this.stateful.table.tableName });
    new CfnOutput(this, 'CanaryStateMachineArn', { value: this.rollouts.canary.stateMachineArn });
    new CfnOutput(this, 'BlueGreenStateMachineArn', { value: this.rollouts.blueGreen.stateMachineArn });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.backend.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'AlertTopicArn', {
      description: 'SNS topic of alert notifications (sns receivers) and of the monitoring alarms; subscribe email here',
      value: this.monitoring.topic.topicArn,
    });
  }
}
