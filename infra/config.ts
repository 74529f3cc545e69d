import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node } from 'constructs';

/** The repository root: NodejsFunction entries, the lock file and `web/out` are resolved from it. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Context keys the app reads (`cdk.json` "context", or `-c key=value`). */
export const CONTEXT_KEYS = {
  producerAccountIds: 'producerAccountIds',
  producerOrganizationId: 'producerOrganizationId',
  webOutDir: 'webOutDir',
  logLevel: 'logLevel',
  rolloutLambdaTargets: 'rolloutLambdaTargets',
} as const;

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything the stack takes from context, parsed and validated once. */
export interface SignalboxConfig {
  /** AWS accounts allowed to `events:PutEvents` on the bus. */
  producerAccountIds: string[];
  /** AWS Organization whose principals may `events:PutEvents` on the bus. */
  producerOrganizationId?: string;
  /** Absolute path of the static portal build; deployed only if it exists at synth time. */
  webOutDir: string;
  logLevel: LogLevel;
  /**
   * Lambda functions (ARNs) whose aliases rollouts with a `lambda-alias` target may shift; the
   * rollout task function may read and update their aliases and list their versions, nothing else.
   */
  rolloutLambdaTargets: string[];
}

/** Reads the context keys of `cdk.json` so tests synthesize with the same feature flags as the CLI. */
export function readCdkJsonContext(): Record<string, unknown> {
  const file = join(REPO_ROOT, 'cdk.json');
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> };
  return parsed.context ?? {};
}

/**
 * Parses the app's context. Throws with the key's name when a value is malformed, so a typo in
 * `-c` fails the synth instead of silently opening or closing the bus policy.
 */
export function readConfig(node: Node): SignalboxConfig {
  const organizationId = optionalString(node.tryGetContext(CONTEXT_KEYS.producerOrganizationId));
  if (organizationId !== undefined && !/^o-[a-z0-9]{10,32}$/.test(organizationId)) {
    throw new Error(`Context ${CONTEXT_KEYS.producerOrganizationId} must look like o-xxxxxxxxxx, got "${organizationId}"`);
  }
  const logLevel = (optionalString(node.tryGetContext(CONTEXT_KEYS.logLevel)) ?? 'INFO').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new Error(`Context ${CONTEXT_KEYS.logLevel} must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const webOutDir = optionalString(node.tryGetContext(CONTEXT_KEYS.webOutDir)) ?? 'web/out';
  return {
    producerAccountIds: parseAccountIds(node.tryGetContext(CONTEXT_KEYS.producerAccountIds)),
    producerOrganizationId: organizationId,
    webOutDir: isAbsolute(webOutDir) ? webOutDir : resolve(REPO_ROOT, webOutDir),
    logLevel: logLevel as LogLevel,
    rolloutLambdaTargets: parseLambdaArns(node.tryGetContext(CONTEXT_KEYS.rolloutLambdaTargets)),
  };
}

/** Accepts a JSON list (cdk.json), a JSON list in a string, or a comma-separated string (`-c`). */
function parseList(raw: unknown, key: string): string[] {
  if (raw === undefined || raw === null || raw === '') return [];
  let values: unknown = raw;
  if (typeof raw === 'string') {
    values = raw.trim().startsWith('[') ? JSON.parse(raw) : raw.split(',');
  }
  if (!Array.isArray(values)) {
    throw new Error(`Context ${key} must be a list or a comma-separated string`);
  }
  return values.map((value) => String(value).trim()).filter((value) => value !== '');
}

function parseAccountIds(raw: unknown): string[] {
  const ids = parseList(raw, CONTEXT_KEYS.producerAccountIds);
  for (const id of ids) {
    if (!/^\d{12}$/.test(id)) {
      throw new Error(`Context ${CONTEXT_KEYS.producerAccountIds} holds "${id}", which is not a 12-digit AWS account id`);
    }
  }
  return [...new Set(ids)];
}

// An unqualified function ARN, or one with a version or alias qualifier.
const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/;

function parseLambdaArns(raw: unknown): string[] {
  const arns = parseList(raw, CONTEXT_KEYS.rolloutLambdaTargets);
  for (const arn of arns) {
    if (!LAMBDA_FUNCTION_ARN.test(arn)) {
      throw new Error(`Context ${CONTEXT_KEYS.rolloutLambdaTargets} holds "${arn}", which is not a Lambda function ARN`);
    }
  }
  return [...new Set(arns)];
}

function optionalString(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const value = String(raw).trim();
  return value === '' ? undefined : value;
}
