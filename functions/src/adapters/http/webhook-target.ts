import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { DependencyError, ValidationError } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/ports/logger';
import type { HookResult, HookType, TargetContext, TrafficSplit, TrafficTarget } from '../../core/ports/traffic-target';
import type { TargetSpec } from '../../core/rollouts/model';

export type WebhookTargetSpec = Extract<TargetSpec, { type: 'webhook' }>;

/** The `type` of a webhook call: a Flagger-like hook, or one of the traffic operations. */
export type WebhookCallType = HookType | 'set-weight' | 'get-weight' | 'deploy-preview' | 'scale-down';

/** The JSON body of every call Signalbox makes to the owner's endpoint. */
export interface WebhookPayload {
  type: WebhookCallType;
  rollout: string;
  environment: string;
  service: string;
  phase: string;
  step: number;
  /** set-weight: the requested split. Otherwise the split the rollout believes is in force, or null when unknown. */
  weights: TrafficSplit | null;
  metadata: Record<string, string>;
  /** What runs as stable and what is being rolled out, so the owner knows what to deploy or route to. */
  versions: {
    stable: { artifactId: string | null; version: string | null };
    canary: { artifactId: string; version: string | null };
  };
  /** Only for scale-down: which version to retire. */
  which?: 'stable' | 'canary';
}

export const SIGNATURE_HEADER = 'x-signalbox-signature';
export const TIMESTAMP_HEADER = 'x-signalbox-timestamp';
/** Same value on every retry of one call, so owners can deduplicate. */
export const DELIVERY_HEADER = 'x-signalbox-delivery';

export interface WebhookTargetOptions {
  /** Looks up a signing secret by name (Secrets Manager in AWS, a local file in `npm start`). */
  resolveSecret?: (name: string) => Promise<string>;
  logger?: Logger;
  /** First backoff delay; doubles per retry. Default 250 ms. */
  backoffMs?: number;
  /** Unix time in seconds for the signature timestamp; injectable for tests. */
  nowSeconds?: () => number;
}

const DEFAULT_TIMEOUT_SECONDS = 10;
const DEFAULT_RETRIES = 2;
const MAX_BACKOFF_MS = 5_000;
const MAX_MESSAGE_CHARS = 300;

/** `sha256=<hex>` over `timestamp + "." + body`. */
export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Checks an `X-Signalbox-Signature` header in constant time. With `toleranceSeconds`, also refuses
 * a timestamp further than that from `nowSeconds` (replay protection is the receiver's choice).
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string,
  body: string,
  header: string | null | undefined,
  options: { toleranceSeconds?: number; nowSeconds?: number } = {},
): boolean {
  if (!header || !/^\d+$/.test(timestamp)) return false;
  if (options.toleranceSeconds !== undefined) {
    const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
    if (Math.abs(now - Number(timestamp)) > options.toleranceSeconds) return false;
  }
  const expected = Buffer.from(signWebhookBody(secret, timestamp, body));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface CallOutcome {
  status: number;
  text: string;
}

class RetryableStatus extends Error {
  constructor(readonly outcome: CallOutcome) {
    super(`HTTP ${outcome.status}`);
  }
}

/**
 * The `webhook` traffic target: every operation is a signed JSON POST to the owner's endpoint, so a
 * rollout can move traffic on any cloud. 2xx = done / proceed.
 *
 * Each call has its own timeout (`timeoutSeconds`, default 10) and is retried with exponential
 * backoff (`retries`, default 2) on network errors, timeouts, 5xx and 429 — never on other 4xx.
 * The traffic methods throw `DependencyError` (code `TARGET_UNAVAILABLE`) when no 2xx arrives;
 * `hook()` answers `{ proceed: false, message }` for a non-2xx answer and throws only when the
 * endpoint cannot be reached at all. Every method is idempotent if the owner's endpoint is
 * (a retried call carries the same `X-Signalbox-Delivery` id). Secrets are never logged.
 */
export class WebhookTarget implements TrafficTarget {
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly logger: Logger;

  constructor(
    private readonly spec: WebhookTargetSpec,
    private readonly options: WebhookTargetOptions = {},
  ) {
    this.timeoutMs = Math.max(1, Math.round((spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000));
    this.retries = Math.max(0, Math.floor(spec.retries ?? DEFAULT_RETRIES));
    this.logger = options.logger ?? silentLogger;
  }

  async setWeight(ctx: TargetContext, canaryWeight: number): Promise<TrafficSplit> {
    if (!isPercent(canaryWeight)) throw new ValidationError(`weight must be 0–100, got ${canaryWeight}`, 'weight');
    const requested = { stable: 100 - canaryWeight, canary: canaryWeight };
    const outcome = await this.callOrThrow(this.payload(ctx, 'set-weight', requested));
    return parseWeights(outcome.text) ?? requested;
  }

  async getWeight(ctx: TargetContext): Promise<TrafficSplit> {
    const outcome = await this.callOrThrow(this.payload(ctx, 'get-weight', ctx.weights ?? null));
    const weights = parseWeights(outcome.text);
    if (!weights) {
      throw new DependencyError(`Webhook target ${this.where()} answered get-weight without {"weights":{"stable","canary"}}`, 'target.url', {
        code: 'TARGET_UNAVAILABLE',
      });
    }
    return weights;
  }

  async deployPreview(ctx: TargetContext): Promise<void> {
    await this.callOrThrow(this.payload(ctx, 'deploy-preview', ctx.weights ?? null));
  }

  async scaleDown(ctx: TargetContext, which: 'stable' | 'canary'): Promise<void> {
    await this.callOrThrow({ ...this.payload(ctx, 'scale-down', ctx.weights ?? null), which });
  }

  async hook(ctx: TargetContext, type: HookType): Promise<HookResult> {
    const outcome = await this.call(this.payload(ctx, type, ctx.weights ?? null));
    if (outcome.status >= 200 && outcome.status < 300) return { proceed: true };
    return { proceed: false, message: `${type} hook answered HTTP ${outcome.status}${excerpt(outcome.text)}` };
  }

  private payload(ctx: TargetContext, type: WebhookCallType, weights: TrafficSplit | null): WebhookPayload {
    return {
      type,
      rollout: ctx.rolloutId,
      environment: ctx.environment,
      service: ctx.service,
      phase: ctx.phase,
      step: ctx.step,
      weights,
      metadata: { ...this.spec.metadata, ...ctx.metadata },
      versions: { stable: ctx.stable, canary: ctx.canary },
    };
  }

  private async callOrThrow(payload: WebhookPayload): Promise<CallOutcome> {
    const outcome = await this.call(payload);
    if (outcome.status >= 200 && outcome.status < 300) return outcome;
    throw new DependencyError(
      `Webhook target ${this.where()} answered ${payload.type} with HTTP ${outcome.status}${excerpt(outcome.text)}`,
      'target.url',
      { code: 'TARGET_UNAVAILABLE' },
    );
  }

  /**
   * Sends one logical call with retries. Returns the last answer (2xx, a non-retryable status, or a
   * retryable one once retries are spent); throws DependencyError when no answer ever arrived.
   */
  private async call(payload: WebhookPayload): Promise<CallOutcome> {
    const body = JSON.stringify(payload);
    const delivery = randomUUID();
    const secret = this.spec.secretName ? await this.secret(this.spec.secretName) : null;
    let lastFailure: unknown = null;

    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) await sleep(Math.min(MAX_BACKOFF_MS, (this.options.backoffMs ?? 250) * 2 ** (attempt - 1)));
      try {
        const outcome = await this.send(body, delivery, secret);
        if (outcome.status === 429 || outcome.status >= 500) throw new RetryableStatus(outcome);
        return outcome;
      } catch (error) {
        lastFailure = error;
        this.logger.warn('webhook target call failed', {
          host: this.where(),
          type: payload.type,
          attempt: attempt + 1,
          of: this.retries + 1,
          error: error instanceof RetryableStatus ? error.message : describe(error),
        });
      }
    }
    if (lastFailure instanceof RetryableStatus) return lastFailure.outcome;
    throw new DependencyError(
      `Webhook target ${this.where()} unreachable for ${payload.type} after ${this.retries + 1} attempt(s): ${describe(lastFailure)}`,
      'target.url',
      { cause: lastFailure, code: 'TARGET_UNAVAILABLE' },
    );
  }

  private async send(body: string, delivery: string, secret: string | null): Promise<CallOutcome> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'signalbox-rollouts',
      [DELIVERY_HEADER]: delivery,
    };
    if (secret !== null) {
      // Fresh per attempt: a receiver with a freshness window must not refuse a late retry.
      const timestamp = String(this.options.nowSeconds?.() ?? Math.floor(Date.now() / 1000));
      headers[TIMESTAMP_HEADER] = timestamp;
      headers[SIGNATURE_HEADER] = signWebhookBody(secret, timestamp, body);
    }
    const response = await fetch(this.spec.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    return { status: response.status, text: (await response.text()).slice(0, 64 * 1024) };
  }

  private async secret(name: string): Promise<string> {
    if (!this.options.resolveSecret) {
      throw new DependencyError(`No secret resolver configured for webhook secret ${name}`, 'target.secretName', { code: 'TARGET_UNAVAILABLE' });
    }
    try {
      return await this.options.resolveSecret(name);
    } catch (error) {
      throw new DependencyError(`Webhook secret ${name} could not be read`, 'target.secretName', { cause: error, code: 'TARGET_UNAVAILABLE' });
    }
  }

  /** Origin only: paths and query strings may carry tokens. */
  private where(): string {
    try {
      return new URL(this.spec.url).origin;
    } catch {
      return '(invalid url)';
    }
  }
}

function parseWeights(text: string): TrafficSplit | null {
  if (!text) return null;
  try {
    const parsed = JSON.parse(text) as { weights?: { stable?: unknown; canary?: unknown } } | null;
    const w = parsed?.weights;
    if (w && isPercent(w.stable) && isPercent(w.canary)) return { stable: w.stable, canary: w.canary };
  } catch {
    // Not JSON: the owner answered 2xx with something else; the requested split stands.
  }
  return null;
}

function excerpt(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return '';
  return `: ${trimmed.length > MAX_MESSAGE_CHARS ? `${trimmed.slice(0, MAX_MESSAGE_CHARS)}…` : trimmed}`;
}

function isPercent(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 100;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.name}: ${error.message} (${cause.message})` : `${error.name}: ${error.message}`;
  }
  return String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
