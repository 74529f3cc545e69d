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
import { DynamoDoraStore } from '../adapters/aws/dynamo-dora-store';
import { EventBridgeBus } from '../adapters/aws/eventbridge-bus';
import { powertoolsLogger } from '../adapters/aws/powertools-logger';
import { SecretsManagerProducerTokens } from '../adapters/aws/secrets-manager-producer-tokens';
import { loadAwsConfig } from '../config';
import type { Deps } from '../core/deps';
import { systemClock } from '../core/ports/clock';

const refuseAll = { verify: async () => false };

/** The composition root for Lambda: AWS adapters from the validated environment. Built once per cold start. */
export function awsDeps(serviceName: string): Deps {
  const config = loadAwsConfig();
  const doc = documentClient(new DynamoDBClient({}));
  return {
    events: new DynamoEventStore(doc, config.TABLE_NAME),
    inventory: new DynamoInventoryStore(doc, config.TABLE_NAME),
    dora: new DynamoDoraStore(doc, config.TABLE_NAME),
    deadLetters: new DynamoDeadLetterStore(doc, config.TABLE_NAME),
    bus: new EventBridgeBus(new EventBridgeClient({}), config.EVENT_BUS_NAME),
    // Only the ingest function is given the secret; the others never verify producer tokens.
    producerTokens: config.INGEST_TOKEN_SECRET_ARN
      ? new SecretsManagerProducerTokens(new SecretsManagerClient({}), config.INGEST_TOKEN_SECRET_ARN)
      : refuseAll,
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
  const doc = documentClient(new DynamoDBClient({}));
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
  const secrets = new SecretsManagerClient({});
  const secretCache = new Map<string, Promise<string>>();
  const resolveSecret = (name: string): Promise<string> => {
    if (!secretCache.has(name)) {
      const value = secrets
        .send(new GetSecretValueCommand({ SecretId: `${config.SIGNALBOX_WEBHOOK_SECRET_PREFIX}${name}` }))
        .then((out) => {
          if (!out.SecretString) throw new Error(`webhook secret ${name} has no string value`);
          return out.SecretString;
        });
      // A failed lookup is not cached, so a secret created after the failure is found next time.
      value.catch(() => secretCache.delete(name));
      secretCache.set(name, value);
    }
    return secretCache.get(name)!;
  };
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
