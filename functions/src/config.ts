import * as z from 'zod';
import { MONITORING_ENV, MONITORING_BUNDLE_RUNTIME_PATH } from './shared/monitoring-bundle';

const awsSchema = z.object({
  TABLE_NAME: z.string().min(3),
  EVENT_BUS_NAME: z.string().min(1),
  INGEST_TOKEN_SECRET_ARN: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** Only the API function starts executions; the task function completes its own tokens. */
  SIGNALBOX_CANARY_STATE_MACHINE_ARN: z.string().startsWith('arn:').optional(),
  SIGNALBOX_BLUE_GREEN_STATE_MACHINE_ARN: z.string().startsWith('arn:').optional(),
  /** Where webhook signing secrets live in Secrets Manager (`<prefix><secretName>`). */
  SIGNALBOX_WEBHOOK_SECRET_PREFIX: z.string().default('signalbox/webhooks/'),
  /** Base URL of the portal, for links in emitted events (a custom domain; unset: the local default). */
  SIGNALBOX_PORTAL_URL: z.string().url().optional(),
  /** The monitoring config bundle (a Lambda layer file; see shared/monitoring-bundle.ts). */
  SIGNALBOX_MONITORING_CONFIG_FILE: z.string().min(1).default(MONITORING_BUNDLE_RUNTIME_PATH),
  /** The stack's alert topic; `sns` receivers without a `topicArn` publish there. */
  SIGNALBOX_ALERT_TOPIC_ARN: z.string().startsWith('arn:').optional(),
  /** Sign-in (issue 5): the Cognito user pool's issuer URL (`https://cognito-idp.<region>.amazonaws.com/<pool id>`); its JWKS is `<issuer>/.well-known/jwks.json`. */
  SIGNALBOX_JWT_ISSUER: z.string().url().optional(),
  /** The portal's app client id (access tokens carry it as `client_id`). */
  SIGNALBOX_JWT_CLIENT_ID: z.string().min(1).optional(),
  /** The hosted UI base URL (`https://<prefix>.auth.<region>.amazoncognito.com`), for `GET /api/auth/config`. */
  SIGNALBOX_AUTH_DOMAIN: z.string().url().optional(),
});

export type AwsConfig = z.infer<typeof awsSchema>;

/**
 * Reads the Lambda environment once, at cold start. Fails with the names of the missing or
 * malformed variables, so a misconfigured function says why before it handles anything.
 */
export function loadAwsConfig(env: Record<string, string | undefined> = process.env): AwsConfig {
  const parsed = awsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Signalbox configuration is invalid: ${problems}`);
  }
  return parsed.data;
}

/**
 * The values of the monitoring config's `${NAME}` placeholders from `SIGNALBOX_PLACEHOLDER_<NAME>`
 * variables (set by the stack from the `monitoringPlaceholders` context). Empty values count as unset.
 */
export function placeholdersFromEnv(env: Record<string, string | undefined> = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith(MONITORING_ENV.placeholderPrefix) || value === undefined || value === '') continue;
    out[key.slice(MONITORING_ENV.placeholderPrefix.length)] = value;
  }
  return out;
}

const localSchema = z.object({
  SIGNALBOX_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SIGNALBOX_HOST: z.string().default('127.0.0.1'),
  SIGNALBOX_DATA_DIR: z.string().default('.signalbox'),
  SIGNALBOX_DYNAMO_PORT: z.coerce.number().int().min(0).max(65535).default(4567),
  SIGNALBOX_INGEST_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

export type LocalConfig = z.infer<typeof localSchema>;

/** Reads the local runtime's environment; fails naming the variable. */
export function loadLocalConfig(env: Record<string, string | undefined> = process.env): LocalConfig {
  const parsed = localSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Signalbox configuration is invalid: ${problems}`);
  }
  return parsed.data;
}

const costSchema = z.object({
  /** The cost-allocation tag Cost Explorer groups by; empty: group by LINKED_ACCOUNT (mapped by `accounts:`). */
  SIGNALBOX_COST_TAG_KEY: z.string().default('signalbox:environment'),
  SIGNALBOX_COST_LOOKBACK_DAYS: z.coerce.number().int().min(1).max(90).default(14),
  SIGNALBOX_COST_UNSETTLED_DAYS: z.coerce.number().int().min(0).max(30).default(3),
  /** The bucket FOCUS exports are dropped into (the costs function reads `incoming/`). */
  SIGNALBOX_FOCUS_BUCKET: z.string().min(3).optional(),
});

export type CostConfig = z.infer<typeof costSchema>;

/** The cost settings of the Lambda environment (issue 5); fails naming the variable. */
export function loadCostConfig(env: Record<string, string | undefined> = process.env): CostConfig {
  const parsed = costSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Signalbox configuration is invalid: ${problems}`);
  }
  return parsed.data;
}
