import { SNSClient } from '@aws-sdk/client-sns';
import { readMonitoringBundle } from '../../adapters/aws/bundled-monitoring-config';
import { DynamoAccessTokenStore } from '../../adapters/aws/dynamo-access-tokens';
import { DynamoAlertStore } from '../../adapters/aws/dynamo-alert-store';
import { DynamoCheckHistoryStore } from '../../adapters/aws/dynamo-check-history-store';
import { DynamoMonitorState } from '../../adapters/aws/dynamo-monitor-state';
import { DynamoSettingsStore } from '../../adapters/aws/dynamo-settings-store';
import { SnsNotifier } from '../../adapters/aws/sns-notifier';
import { SlackNotifier } from '../../adapters/http/slack-notifier';
import { WebhookNotifier } from '../../adapters/http/webhook-notifier';
import { NodeProbes } from '../../adapters/probes/node-probes';
import { loadAwsConfig, placeholdersFromEnv } from '../../config';
import { storeAgentTokens } from '../../core/auth/access-tokens';
import type { Deps } from '../../core/deps';
import { staticMonitoringConfig, type MonitoringConfigSnapshot, type MonitoringDeps } from '../../core/monitoring/deps';
import { resolveReceivers } from '../../core/monitoring/notify';
import type { Logger } from '../../core/ports/logger';
import type { Notifier } from '../../core/ports/notifier';
import { disabledEnvironments } from '../../core/settings/settings';
import { ALERT_TOPIC_PLACEHOLDER } from '../../shared/monitoring-bundle';
import { awsDocumentClient } from './dynamo';
import { webhookSecrets } from './secrets';

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
  const doc = awsDocumentClient();
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
