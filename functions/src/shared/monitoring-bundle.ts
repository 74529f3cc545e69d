import type { SignalboxConfig } from '../core/config/model';

/**
 * The parsed `signalbox/` config folder as deployed to AWS: CDK parses the folder at synth (and
 * fails the synth on any issue), writes this JSON into a Lambda layer, and the functions read it
 * from `/opt` (`adapters/aws/bundled-monitoring-config.ts`). Shared by both sides so they cannot
 * drift.
 */
export interface MonitoringConfigBundle {
  readonly format: typeof MONITORING_BUNDLE_FORMAT;
  readonly version: typeof MONITORING_BUNDLE_VERSION;
  /** Which folder it came from (relative to the repository), for people reading logs. */
  readonly origin: string;
  readonly config: SignalboxConfig;
}

export const MONITORING_BUNDLE_FORMAT = 'signalbox-monitoring-config';
export const MONITORING_BUNDLE_VERSION = 1;

/** The file inside the layer's asset directory; a layer's content is mounted under `/opt`. */
export const MONITORING_BUNDLE_PATH_IN_LAYER = 'signalbox/monitoring-config.json';
/** Where the functions find it at run time. */
export const MONITORING_BUNDLE_RUNTIME_PATH = `/opt/${MONITORING_BUNDLE_PATH_IN_LAYER}`;

/** Environment variables of the monitoring functions; `functions/src/config.ts` reads the same names. */
export const MONITORING_ENV = {
  /** Path of the bundle (default {@link MONITORING_BUNDLE_RUNTIME_PATH}). */
  configFile: 'SIGNALBOX_MONITORING_CONFIG_FILE',
  /** ARN of the stack's alert topic (SNS receivers without a `topicArn` publish there). */
  alertTopicArn: 'SIGNALBOX_ALERT_TOPIC_ARN',
  /** `SIGNALBOX_PLACEHOLDER_<NAME>` holds the value of `${NAME}` in the config's URLs and hosts. */
  placeholderPrefix: 'SIGNALBOX_PLACEHOLDER_',
} as const;

/** The placeholder the stack's alert topic ARN is always available as (`topicArn: ${ALERTS_TOPIC_ARN}`). */
export const ALERT_TOPIC_PLACEHOLDER = 'ALERTS_TOPIC_ARN';
