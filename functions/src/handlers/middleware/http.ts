import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DependencyError, PayloadTooLargeError, RateLimitedError, SignalboxError } from '../../core/errors';
import type { Logger } from '../../core/ports/logger';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

const SECURITY_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { ...SECURITY_HEADERS, ...headers }, body: JSON.stringify(body) };
}

const STATUS: Record<string, number> = {
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  method_not_allowed: 405,
};

/** `Retry-After` (seconds) of a 503 whose error does not say how long to wait. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** What an operator needs from a dependency failure's cause (never sent to the caller). */
function causeOf(err: Error): Record<string, unknown> | undefined {
  const cause = err.cause as { name?: unknown; code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown } } | undefined;
  if (typeof cause !== 'object' || cause === null) return undefined;
  return { name: cause.name, code: cause.code, message: cause.message, httpStatusCode: cause.$metadata?.httpStatusCode };
}

/**
 * The one edge mapper: `SignalboxError`s become `{ error: { code, field, message } }` with a 4xx
 * for the caller's fault and a 503 otherwise (a dependency is down: the store, the bus; always
 * with `Retry-After`, the error's own or `DEFAULT_RETRY_AFTER_SECONDS`); anything else is a logged
 * 500 that says nothing internal.
 */
export function httpErrors(logger: Logger): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: async (request) => {
      const err = request.error;
      if (err instanceof SignalboxError) {
        const status = err.callerFault ? (STATUS[err.code] ?? 400) : 503;
        if (!err.callerFault) logger.error('dependency failure', { code: err.code, message: err.message, cause: causeOf(err) });
        const headers: Record<string, string> = err.code === 'unauthorized' ? { 'www-authenticate': 'Bearer' } : {};
        if (err instanceof PayloadTooLargeError) headers['x-max-body-bytes'] = String(err.limitBytes);
        if (err instanceof RateLimitedError) headers['retry-after'] = String(err.retryAfterSeconds);
        if (status === 503) headers['retry-after'] = String((err instanceof DependencyError ? err.retryAfterSeconds : undefined) ?? DEFAULT_RETRY_AFTER_SECONDS);
        request.response = json(status, { error: { code: err.code, field: err.field, message: err.message } }, headers);
        return;
      }
      logger.error('unhandled error', { name: (err as Error | null)?.name, message: (err as Error | null)?.message, stack: (err as Error | null)?.stack });
      request.response = json(500, { error: { code: 'internal', field: null, message: 'internal error; see the server log' } });
    },
  };
}

/** The request body as text (API Gateway base64-encodes binary media types). */
export function bodyText(event: HttpEvent): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** Header names lower-cased (HTTP API v2 already does; local and tests may not). */
export function lowerHeaders(event: HttpEvent): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}
