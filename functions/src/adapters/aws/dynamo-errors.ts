import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DependencyError } from '../../core/errors';

/** The `DependencyError.code` a store failure carries (answered 503 with `Retry-After`). */
export const STORE_UNAVAILABLE = 'store_unavailable';

/** Seconds a caller should wait before retrying: throttling clears fast, an outage less so. */
const RETRY_AFTER_SECONDS = { throttled: 2, unreachable: 5, 'timed out': 5, failing: 5 } as const;

type Reason = keyof typeof RETRY_AFTER_SECONDS;

/** DynamoDB error names that mean "the service cannot answer now", not "your request is wrong". */
const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'TooManyRequestsException']);
const FAILING = new Set(['ServiceUnavailable', 'ServiceUnavailableException', 'InternalServerError', 'InternalFailure', 'InternalServerErrorException']);
const TIMED_OUT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** Node/undici socket error codes of a store that cannot be reached or dropped the connection. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  errors?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function codeOf(error: ErrorLike): string | null {
  if (typeof error.code === 'string') return error.code;
  // Node's happy-eyeballs connect reports every address's failure in an AggregateError.
  if (Array.isArray(error.errors)) {
    for (const inner of error.errors as ErrorLike[]) if (inner && typeof inner.code === 'string') return inner.code;
  }
  return null;
}

/**
 * Why a DynamoDB client failure means the store is unavailable (connection refused or reset,
 * timeout, throttling, the service's 5xx), or null when it is something else: a conditional check,
 * a validation or transaction failure, a missing table are answers the stores handle themselves,
 * and anything unknown stays what it is (a bug answers 500, not 503).
 */
export function storeUnavailableReason(error: unknown): Reason | null {
  if (typeof error !== 'object' || error === null) return null;
  if (error instanceof DependencyError) return null;
  const e = error as ErrorLike;
  const name = typeof e.name === 'string' ? e.name : '';
  if (THROTTLED.has(name)) return 'throttled';
  if (FAILING.has(name)) return 'failing';
  if (TIMED_OUT.has(name)) return 'timed out';
  const code = codeOf(e);
  if (code && UNREACHABLE_CODES.has(code)) return 'unreachable';
  if (code && TIMEOUT_CODES.has(code)) return 'timed out';
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500 && status <= 599) return 'failing';
  return null;
}

/**
 * The `DependencyError` (code `store_unavailable`, the original as `cause`) a store failure becomes,
 * or the error unchanged when it is not one. The message says what is down and when to retry,
 * nothing about hosts, tables or keys.
 */
export function translateStoreError(error: unknown): unknown {
  const reason = storeUnavailableReason(error);
  if (!reason) return error;
  const retryAfterSeconds = RETRY_AFTER_SECONDS[reason];
  return new DependencyError(`the data store is unavailable (${reason}); retry in ${retryAfterSeconds} s`, null, {
    cause: error,
    code: STORE_UNAVAILABLE,
    retryAfterSeconds,
  });
}

const MIDDLEWARE_NAME = 'signalboxStoreUnavailable';

/**
 * Makes every command of `client` (and of document clients made `from` it, which share its
 * middleware stack) fail with a `DependencyError` (`store_unavailable`) when DynamoDB is
 * unreachable, times out, throttles or answers 5xx. Idempotent; returns the client.
 */
export function withStoreErrors<C extends DynamoDBClient>(client: C): C {
  // `override` replaces an earlier copy, so adding it twice is harmless.
  // Initialize step, high priority: the outermost layer, so it sees a failure after the SDK's own retries.
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw translateStoreError(error);
      }
    },
    { step: 'initialize', name: MIDDLEWARE_NAME, priority: 'high', override: true },
  );
  return client;
}
