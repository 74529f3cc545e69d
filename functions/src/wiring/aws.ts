import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CloudWatchMetrics } from '../adapters/aws/cloudwatch-metrics';
import { DynamoRolloutStore } from '../adapters/aws/dynamo-rollout-store';
import { LambdaAliasTarget } from '../adapters/aws/lambda-alias-target';
import { SfnRolloutRunner } from '../adapters/aws/sfn-rollout-runner';
import { CompositeMetricProviders } from '../adapters/composite-metric-providers';
import { CompositeTrafficTargets } from '../adapters/composite-traffic-targets';
import { HttpJsonMetrics } from '../adapters/http/http-json-metrics';
import { PrometheusMetrics } from '../adapters/http/prometheus-metrics';
import { WebhookTarget } from '../adapters/http/webhook-target';
import type { RolloutDeps } from '../core/rollouts/deps';
import { randomUUID } from 'node:crypto';
import { documentClient, DynamoDeadLetterStore, DynamoEventStore, DynamoInventoryStore } from '../adapters/aws/dynamo-stores';
import { withStoreErrors } from '../adapters/aws/dynamo-errors';
import { DynamoDoraStore } from '../adapters/aws/dynamo-dora-store';
import { EventBridgeBus } from '../adapters/aws/eventbridge-bus';
import { powertoolsLogger } from '../adapters/aws/powertools-logger';
import { SecretsManagerProducerTokens } from '../adapters/aws/secrets-manager-producer-tokens';
import { loadAwsConfig, placeholdersFromEnv } from '../config';
import { SNSClient } from '@aws-sdk/client-sns';
import { readMonitoringBundle } from '../adapters/aws/bundled-monitoring-config';
import { DynamoAlertStore } from '../adapters/aws/dynamo-alert-store';
import { DynamoCheckHistoryStore } from '../adapters/aws/dynamo-check-history-store';
import { DynamoMonitorState } from '../adapters/aws/dynamo-monitor-state';
import { SnsNotifier } from '../adapters/aws/sns-notifier';
import { SlackNotifier } from '../adapters/http/slack-notifier';
import { WebhookNotifier } from '../adapters/http/webhook-notifier';
import { NodeProbes } from '../adapters/probes/node-probes';
import { staticMonitoringConfig, type MonitoringConfigSnapshot, type MonitoringDeps } from '../core/monitoring/deps';
import { resolveReceivers } from '../core/monitoring/notify';
import type { Logger } from '../core/ports/logger';
import type { Notifier } from '../core/ports/notifier';
import { ALERT_TOPIC_PLACEHOLDER } from '../shared/monitoring-bundle';
import type { Deps } from '../core/deps';
import { systemClock } from '../core/ports/clock';
import { ApiGatewayLivePusher } from '../adapters/aws/api-gateway-live-pusher';
import { DynamoLiveConnections } from '../adapters/aws/dynamo-live-connections';
import type { LiveDeps } from '../core/live/use-cases';
import { LIVE_ENV } from '../shared/live';
import { DynamoAccessTokenStore } from '../adapters/aws/dynamo-access-tokens';
import { JwksTokenVerifier } from '../adapters/http/jwks-token-verifier';
import { storeAgentTokens, storeProducerTokens } from '../core/auth/access-tokens';
import type { LiveAuthDeps } from '../core/live/use-cases';
import type { ProducerTokens } from '../core/ports/producer-tokens';
import type { ApiAuthDeps } from '../handlers/http/api';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoUserDirectory } from '../adapters/aws/cognito-user-directory';
import { DynamoAuditStore } from '../adapters/aws/dynamo-audit-store';
import { DynamoSettingsStore } from '../adapters/aws/dynamo-settings-store';
import type { MonitoringConfigProvider } from '../core/monitoring/deps';
import { disabledEnvironments } from '../core/settings/settings';
import type { AdminDeps } from '../handlers/http/admin-routes';

const refuseAll = { verify: async () => false };

/**
 * The user-token verifier for Cognito: the pool's JWKS (fetched over HTTPS, cached, refreshed on an
 * unknown kid), its issuer and the portal's app client; access and id tokens. Undefined without
 * the variables, so every user route answers 401 (fail closed).
 */
export function cognitoVerifier(env: Record<string, string | undefined> = process.env): JwksTokenVerifier | undefined {
  const issuer = env.SIGNALBOX_JWT_ISSUER;
  const clientId = env.SIGNALBOX_JWT_CLIENT_ID;
  if (!issuer || !clientId) return undefined;
  return new JwksTokenVerifier({ jwks: `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`, issuer, audiences: [clientId], tokenUse: ['access', 'id'] });
}

/**
 * Sign-in for the API function: the Cognito verifier, the producer/agent token store and what the
 * portal needs for the hosted UI (`GET /api/auth/config`). No rate limiter: API Gateway throttles.
 */
export function awsAuthDeps(env: Record<string, string | undefined> = process.env): ApiAuthDeps {
  const config = loadAwsConfig(env);
  const userTokens = cognitoVerifier(env);
  const issuer = config.SIGNALBOX_JWT_ISSUER;
  const poolId = issuer?.split('/').pop() ?? '';
  return {
    ...(userTokens ? { userTokens } : {}),
    accessTokens: new DynamoAccessTokenStore(documentClient(withStoreErrors(new DynamoDBClient({}))), config.TABLE_NAME),
    ...(config.SIGNALBOX_AUTH_DOMAIN && config.SIGNALBOX_JWT_CLIENT_ID
      ? {
          authConfig: {
            mode: 'cognito' as const,
            domain: config.SIGNALBOX_AUTH_DOMAIN,
            clientId: config.SIGNALBOX_JWT_CLIENT_ID,
            redirectPath: '/sign-in/',
            scopes: ['openid', 'email', 'profile'],
            region: poolId.split('_')[0] ?? '',
            userPoolId: poolId,
          },
        }
      : {}),
  };
}

/** The composition root for Lambda: AWS adapters from the validated environment. Built once per cold start. */
export function awsDeps(serviceName: string): Deps {
  const config = loadAwsConfig();
  const doc = documentClient(withStoreErrors(new DynamoDBClient({})));
  const accessTokens = new DynamoAccessTokenStore(doc, config.TABLE_NAME);
  // Tokens created through the admin API are in the table; the stack's Secrets Manager token stays
  // valid as the bootstrap producer token (rotate it there).
  const stored = storeProducerTokens({ accessTokens, clock: systemClock });
  const bootstrap: ProducerTokens = config.INGEST_TOKEN_SECRET_ARN ? new SecretsManagerProducerTokens(new SecretsManagerClient({}), config.INGEST_TOKEN_SECRET_ARN) : refuseAll;
  return {
    events: new DynamoEventStore(doc, config.TABLE_NAME),
    inventory: new DynamoInventoryStore(doc, config.TABLE_NAME),
    dora: new DynamoDoraStore(doc, config.TABLE_NAME),
    deadLetters: new DynamoDeadLetterStore(doc, config.TABLE_NAME),
    bus: new EventBridgeBus(new EventBridgeClient({}), config.EVENT_BUS_NAME),
    // Only the ingest function is given the secret; the others never verify producer tokens.
    producerTokens: { verify: async (token) => (await stored.verify(token)) || (await bootstrap.verify(token)) },
    clock: systemClock,
    logger: powertoolsLogger(serviceName),
    newId: randomUUID,
  };
}

/**
 * The rollout composition root (API and task functions): ingest deps plus the rollout store, Step
 * Functions as runner, webhook and Lambda-alias targets, and the HTTP, Prometheus and CloudWatch
 * metric providers. Clients per region are built lazily and reused.
 */
export function awsRolloutDeps(serviceName: string): RolloutDeps {
  const config = loadAwsConfig();
  const base = awsDeps(serviceName);
  const doc = documentClient(withStoreErrors(new DynamoDBClient({})));
  const perRegion = <C>(make: (region?: string) => C) => {
    const clients = new Map<string, C>();
    return (region?: string): C => {
      const key = region ?? '';
      if (!clients.has(key)) clients.set(key, make(region));
      return clients.get(key)!;
    };
  };
  const lambdaClient = perRegion((region) => new LambdaClient(region ? { region } : {}));
  const cloudWatchClient = perRegion((region) => new CloudWatchClient(region ? { region } : {}));
  const resolveSecret = webhookSecrets(config.SIGNALBOX_WEBHOOK_SECRET_PREFIX);
  const machines =
    config.SIGNALBOX_CANARY_STATE_MACHINE_ARN && config.SIGNALBOX_BLUE_GREEN_STATE_MACHINE_ARN
      ? { canary: config.SIGNALBOX_CANARY_STATE_MACHINE_ARN, blueGreen: config.SIGNALBOX_BLUE_GREEN_STATE_MACHINE_ARN }
      : null;
  const sfn = new SFNClient({});
  return {
    ...base,
    rollouts: new DynamoRolloutStore(doc, config.TABLE_NAME),
    rolloutRunner: machines
      ? new SfnRolloutRunner(sfn, machines)
      : // The task function only completes tokens; starting is the API's job.
        new SfnRolloutRunner(sfn, { canary: 'unset', blueGreen: 'unset' }),
    targets: new CompositeTrafficTargets({
      webhook: (spec) => new WebhookTarget(spec, { resolveSecret, logger: base.logger }),
      'lambda-alias': (spec) => new LambdaAliasTarget(spec, lambdaClient, { logger: base.logger }),
    }),
    metrics: new CompositeMetricProviders({
      http: new HttpJsonMetrics(),
      prometheus: new PrometheusMetrics(),
      'cloudwatch-metric': new CloudWatchMetrics(cloudWatchClient),
      'cloudwatch-alarm': new CloudWatchMetrics(cloudWatchClient),
    }),
    presets: () => [],
    ...(config.SIGNALBOX_PORTAL_URL ? { portalUrl: config.SIGNALBOX_PORTAL_URL } : {}),
  };
}

/**
 * Webhook signing keys from Secrets Manager, `<prefix><name>`, fetched once per cold start. A failed
 * lookup is not cached, so a secret created after the failure is found next time.
 */
function webhookSecrets(prefix: string, secrets: Pick<SecretsManagerClient, 'send'> = new SecretsManagerClient({})): (name: string) => Promise<string> {
  const cache = new Map<string, Promise<string>>();
  return (name) => {
    if (!cache.has(name)) {
      const value = secrets.send(new GetSecretValueCommand({ SecretId: `${prefix}${name}` })).then((out) => {
        if (!out.SecretString) throw new Error(`webhook secret ${name} has no string value`);
        return out.SecretString;
      });
      value.catch(() => cache.delete(name));
      cache.set(name, value);
    }
    return cache.get(name)!;
  };
}

/** What the notifiers of a deployed stack are built with. */
export interface AwsNotifierOptions {
  /** Signing keys of `webhook` receivers by secret name. */
  resolveSecret: (name: string) => Promise<string>;
  sns: Pick<SNSClient, 'send'>;
  logger: Logger;
}

/**
 * Notifiers by receiver name for the config's `notifications.receivers` (placeholders resolved by
 * `resolveReceivers`, as locally): `webhook` (signed with the Secrets Manager key
 * `<webhook prefix><secret>`, fetched at send time, so a key created later is found and a missing
 * one dead-letters), `slack`, and `sns` (`topicArn`; `${ALERTS_TOPIC_ARN}` is the stack's topic).
 * A receiver whose placeholder has no value is left out with a warning; the core skips routes to it.
 */
export function awsNotifiers(snapshot: MonitoringConfigSnapshot, options: AwsNotifierOptions): Map<string, Notifier> {
  const out = new Map<string, Notifier>();
  for (const receiver of resolveReceivers(snapshot)) {
    if ('skipped' in receiver) {
      options.logger.warn('notification receiver left out', { receiver: receiver.name, reason: receiver.skipped });
    } else if (receiver.type === 'sns') {
      out.set(receiver.name, new SnsNotifier(options.sns, receiver.topicArn));
    } else if (receiver.type === 'slack') {
      out.set(receiver.name, new SlackNotifier({ url: receiver.url, logger: options.logger }));
    } else {
      const { url, secret } = receiver;
      out.set(receiver.name, {
        send: async (payload) =>
          new WebhookNotifier({ url, logger: options.logger, ...(secret ? { secret: await options.resolveSecret(secret) } : {}) }).send(payload),
      });
    }
  }
  return out;
}

/**
 * The monitoring composition root (API, scheduled monitor and alert-events functions): the config
 * bundle deployed with the function (and its placeholders from the environment), the check
 * history, alert store and per-check run state in the table, real network probes, and notifiers
 * for the config's receivers.
 */
export function awsMonitoringDeps(base: Deps, env: Record<string, string | undefined> = process.env): MonitoringDeps {
  const config = loadAwsConfig(env);
  const doc = documentClient(withStoreErrors(new DynamoDBClient({})));
  const placeholders: Record<string, string> = {
    ...(config.SIGNALBOX_ALERT_TOPIC_ARN ? { [ALERT_TOPIC_PLACEHOLDER]: config.SIGNALBOX_ALERT_TOPIC_ARN } : {}),
    ...placeholdersFromEnv(env),
  };
  const snapshot = readMonitoringBundle(config.SIGNALBOX_MONITORING_CONFIG_FILE, placeholders);
  for (const error of snapshot.errors) base.logger.error('monitoring config unavailable', { error });
  return {
    monitoringConfig: staticMonitoringConfig(snapshot),
    // Environments an admin switched off (settings) are skipped by the check loop.
    disabledEnvironments: () => disabledEnvironments({ settings: new DynamoSettingsStore(doc, config.TABLE_NAME), monitoringConfig: staticMonitoringConfig(snapshot) }),
    probes: new NodeProbes(base.clock),
    checkHistory: new DynamoCheckHistoryStore(doc, config.TABLE_NAME),
    monitorState: new DynamoMonitorState(doc, config.TABLE_NAME),
    alertStore: new DynamoAlertStore(doc, config.TABLE_NAME),
    agentTokens: storeAgentTokens({ accessTokens: new DynamoAccessTokenStore(doc, config.TABLE_NAME), clock: base.clock }),
    notifiers: awsNotifiers(snapshot, {
      resolveSecret: webhookSecrets(config.SIGNALBOX_WEBHOOK_SECRET_PREFIX),
      sns: new SNSClient({}),
      logger: base.logger,
    }),
    deadLetters: base.deadLetters,
    bus: base.bus,
    clock: base.clock,
    logger: base.logger,
    newId: base.newId,
    ...(config.SIGNALBOX_PORTAL_URL ? { portalUrl: config.SIGNALBOX_PORTAL_URL } : {}),
  };
}

/**
 * The live-update functions' composition root ($connect, $disconnect, $default, broadcaster):
 * only the table (`TABLE_NAME`) and the WebSocket stage's callback URL; no bus, no secrets.
 */
export function awsLiveDeps(serviceName: string, env: Record<string, string | undefined> = process.env): LiveDeps {
  const table = env.TABLE_NAME;
  const callbackUrl = env[LIVE_ENV.callbackUrl];
  if (!table || !callbackUrl || !/^https:\/\//.test(callbackUrl)) {
    throw new Error(`Signalbox configuration is invalid: TABLE_NAME and ${LIVE_ENV.callbackUrl} (https://...) are required`);
  }
  return {
    liveConnections: new DynamoLiveConnections(documentClient(withStoreErrors(new DynamoDBClient({}))), table),
    livePusher: ApiGatewayLivePusher.forEndpoint(callbackUrl),
    clock: systemClock,
    logger: powertoolsLogger(serviceName),
  };
}

/** What `$connect` checks the `token` query parameter with: the same Cognito verifier as the API. */
export function awsLiveAuthDeps(env: Record<string, string | undefined> = process.env): LiveAuthDeps {
  const userTokens = cognitoVerifier(env);
  return userTokens ? { userTokens } : {};
}

/** `GET /api/live`'s answer in AWS: the WebSocket stage URL the stack gives the API function. */
export function awsLiveUrl(env: Record<string, string | undefined> = process.env): { liveUrl?: string } {
  const url = env[LIVE_ENV.url];
  return url ? { liveUrl: url } : {};
}

/**
 * The admin side of the API function (issue 5): the audit chain and the settings in the table, and
 * the users of the Cognito pool named by `SIGNALBOX_JWT_ISSUER` (ListUsersInGroup per role group;
 * without the variable `GET /api/admin/users` answers 503).
 */
export function awsAdminDeps(monitoringConfig: MonitoringConfigProvider, env: Record<string, string | undefined> = process.env): AdminDeps & Pick<MonitoringDeps, 'disabledEnvironments'> {
  const config = loadAwsConfig(env);
  const doc = documentClient(withStoreErrors(new DynamoDBClient({})));
  const settings = new DynamoSettingsStore(doc, config.TABLE_NAME);
  const poolId = config.SIGNALBOX_JWT_ISSUER?.replace(/\/$/, '').split('/').pop();
  return {
    audit: new DynamoAuditStore(doc, config.TABLE_NAME),
    settings,
    monitoringConfig,
    disabledEnvironments: () => disabledEnvironments({ settings, monitoringConfig }),
    ...(poolId ? { users: new CognitoUserDirectory(new CognitoIdentityProviderClient({}), poolId) } : {}),
    ...(config.SIGNALBOX_PORTAL_URL ? { portalUrl: config.SIGNALBOX_PORTAL_URL } : {}),
  };
}
