import middy from '@middy/core';
import type { Deps } from '../../core/deps';
import { PayloadTooLargeError, RateLimitedError, ValidationError } from '../../core/errors';
import type { RateLimiter } from '../../core/ports/rate-limiter';
import { authorizeProducer, ingestEvents, MAX_BODY_BYTES } from '../../core/use-cases/ingest-events';
import { bodyText, httpErrors, json, lowerHeaders, type HttpEvent, type HttpResult } from '../middleware/http';

/**
 * `POST /api/events`: a producer sends one CDEvent, a CloudEvent (structured or binary) or a batch.
 * Answers 202 with one result per event; 400 only when nothing can be used; 401 without a valid
 * producer token; 413 over the size limit; 415 for a compressed (`Content-Encoding`) body.
 */
export function createIngestHandler(deps: Deps & { rateLimiter?: RateLimiter }) {
  return middy<HttpEvent, HttpResult>()
    .use(httpErrors(deps.logger))
    .handler(async (event) => {
      const headers = lowerHeaders(event);
      // Producers are few and batch; their budget is per source address (locally; API Gateway throttles in AWS).
      const limited = deps.rateLimiter?.take(`ip:${event.requestContext?.http?.sourceIp ?? 'unknown'}`, 'ingest');
      if (limited && !limited.ok) throw new RateLimitedError(`too many ingest requests; retry in ${limited.retryAfterSeconds} s`, limited.retryAfterSeconds);
      await authorizeProducer(deps, headers.authorization);
      // Bodies are never inflated (a few compressed bytes can expand to gigabytes): refuse, unread.
      const encoding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
      if (encoding !== 'identity' && encoding !== '') {
        throw new ValidationError(`Content-Encoding ${encoding} is not accepted; send the JSON uncompressed`, 'content-encoding', 'unsupported_media_type');
      }
      const declared = Number(headers['content-length'] ?? '0');
      if (declared > MAX_BODY_BYTES) {
        throw new PayloadTooLargeError(`request body is ${declared} bytes; the limit is ${MAX_BODY_BYTES}`, MAX_BODY_BYTES);
      }
      const result = await ingestEvents(deps, { headers, body: bodyText(event) });
      return json(202, result);
    });
}
