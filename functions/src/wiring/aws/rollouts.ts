import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CloudWatchMetrics } from '../../adapters/aws/cloudwatch-metrics';
import { DynamoRolloutStore } from '../../adapters/aws/dynamo-rollout-store';
import { LambdaAliasTarget } from '../../adapters/aws/lambda-alias-target';
import { SfnRolloutRunner } from '../../adapters/aws/sfn-rollout-runner';
import { CompositeMetricProviders } from '../../adapters/composite-metric-providers';
import { CompositeTrafficTargets } from '../../adapters/composite-traffic-targets';
import { HttpJsonMetrics } from '../../adapters/http/http-json-metrics';
import { PrometheusMetrics } from '../../adapters/http/prometheus-metrics';
import { WebhookTarget } from '../../adapters/http/webhook-target';
import { loadAwsConfig } from '../../config';
import type { RolloutDeps } from '../../core/rollouts/deps';
import { awsDeps } from './base';
import { awsDocumentClient } from './dynamo';
import { webhookSecrets } from './secrets';

/**
 * The rollout composition root (API and task functions): ingest deps plus the rollout store, Step
 * Functions as runner, webhook and Lambda-alias targets, and the HTTP, Prometheus and CloudWatch
 * metric providers. Clients per region are built lazily and reused.
 */
export function awsRolloutDeps(serviceName: string): RolloutDeps {
  const config = loadAwsConfig();
  const base = awsDeps(serviceName);
  const doc = awsDocumentClient();
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
