import { DependencyError } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/ports/logger';
import { NOTIFIER_UNAVAILABLE, type NotificationPayload, type Notifier } from '../../core/ports/notifier';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhookBody } from './webhook-target';

/** Options shared by the HTTP notifiers. */
export interface HttpNotifierOptions {
  /** Per-attempt timeout. Default 10 000 ms. */
  timeoutMs?: number;
  /** Retries after the first attempt on network errors, timeouts, 5xx and 429. Default 3. */
  retries?: number;
  /** First backoff delay; doubles per retry, capped at 30 s. Default 500 ms. */
  backoffMs?: number;
  /** Longest `Retry-After` honoured; a longer one is cut to this. Default 60 000 ms. */
  maxRetryAfterMs?: number;
  /** Injectable for tests (no real waiting). */
  sleep?: (ms: number) => Promise<void>;
  logger?: Logger;
}

export interface WebhookNotifierOptions extends HttpNotifierOptions {
  url: string;
  /** Signs every request (HMAC-SHA256, as the rollout webhook target) when given. */
  secret?: string;
  /** Unix seconds for the signature timestamp; injectable for tests. */
  nowSeconds?: () => number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RETRIES = 3;
const DEFAULT_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

export interface PostOutcome {
  status: number;
  text: string;
  attempts: number;
}

/**
 * `Retry-After` as milliseconds: delay-seconds, or an HTTP date relative to now; null when absent
 * or unreadable.
 */
export function parseRetryAfter(header: string | null, nowMs: number = Date.now()): number | null {
  if (header === null) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/**
 * POSTs `body` as JSON with retries: exponential backoff on network errors, timeouts, 5xx and 429
 * (waiting `Retry-After` instead when the answer carries one, up to `maxRetryAfterMs`), never on
 * another 4xx. `headers` is called per attempt (fresh signature timestamps). Returns the 2xx
 * answer; throws `DependencyError` (code `NOTIFIER_UNAVAILABLE`, field `field`) otherwise. The
 * error message names the origin only (paths may carry tokens, e.g. Slack webhook URLs).
 */
export async function postJsonWithRetries(
  url: string,
  body: string,
  headers: () => Record<string, string>,
  options: HttpNotifierOptions,
  field: string,
): Promise<PostOutcome> {
  const retries = Math.max(0, Math.floor(options.retries ?? DEFAULT_RETRIES));
  const timeoutMs = Math.max(1, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const logger = options.logger ?? silentLogger;
  const where = origin(url);
  let last = 'no attempt';
  let wait: number | null = null;

  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) {
      const backoff = Math.min(MAX_BACKOFF_MS, (options.backoffMs ?? DEFAULT_BACKOFF_MS) * 2 ** (attempt - 1));
      await sleep(wait !== null ? Math.min(wait, options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS) : backoff);
    }
    wait = null;
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'signalbox-alerts', ...headers() },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      text = (await response.text()).slice(0, 4096);
    } catch (error) {
      last = describe(error);
      logger.warn('notifier call failed', { host: where, attempt: attempt + 1, of: retries + 1, error: last });
      continue;
    }
    if (status >= 200 && status < 300) return { status, text, attempts: attempt + 1 };
    last = `HTTP ${status}${excerpt(text)}`;
    if (status !== 429 && status < 500) {
      throw new DependencyError(`Notifier endpoint ${where} refused the notification: ${last}`, field, { code: NOTIFIER_UNAVAILABLE });
    }
    wait = parseRetryAfter(retryAfter);
    logger.warn('notifier call failed', { host: where, attempt: attempt + 1, of: retries + 1, error: `HTTP ${status}` });
  }
  throw new DependencyError(`Notifier endpoint ${where} failed after ${retries + 1} attempt(s): ${last}`, field, { code: NOTIFIER_UNAVAILABLE });
}

/**
 * Generic webhook receiver: POSTs the {@link NotificationPayload} as JSON. With a `secret`, each
 * attempt carries `X-Signalbox-Timestamp` and `X-Signalbox-Signature` (`sha256=` HMAC over
 * `timestamp.body`, verifiable with `verifyWebhookSignature`). `X-Signalbox-Delivery` is the
 * payload id: the same on every retry and on a dead-letter replay, so receivers can deduplicate.
 */
export class WebhookNotifier implements Notifier {
  constructor(private readonly options: WebhookNotifierOptions) {}

  async send(payload: NotificationPayload): Promise<void> {
    const body = JSON.stringify(payload);
    const { secret, nowSeconds } = this.options;
    await postJsonWithRetries(
      this.options.url,
      body,
      () => {
        const headers: Record<string, string> = { [DELIVERY_HEADER]: payload.id };
        if (secret !== undefined) {
          const timestamp = String(nowSeconds?.() ?? Math.floor(Date.now() / 1000));
          headers[TIMESTAMP_HEADER] = timestamp;
          headers[SIGNATURE_HEADER] = signWebhookBody(secret, timestamp, body);
        }
        return headers;
      },
      this.options,
      'receiver.url',
    );
  }
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid url)';
  }
}

function excerpt(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return '';
  return `: ${trimmed.length > 200 ? `${trimmed.slice(0, 200)}…` : trimmed}`;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.name}: ${error.message} (${cause.message})` : `${error.name}: ${error.message}`;
  }
  return String(error);
}
