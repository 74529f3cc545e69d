import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BusEvent, EventBus, PublishResult } from '../../core/ports/event-bus';
import { PUT_EVENTS_MAX_BYTES, PUT_EVENTS_MAX_ENTRIES, putEventsEntrySize } from '../../shared/put-events';

export interface PutEventsListenerOptions {
  /**
   * Bus names (or their ARNs' last part) an entry's `EventBusName` may name; an entry naming
   * another bus fails with `InvalidArgument`. Default: any name is taken to mean the local bus.
   */
  busNames?: readonly string[];
  /** Largest request body read, in bytes; default 1 MiB (256 KB of entries, JSON-escaped). */
  maxBodyBytes?: number;
}

const CONTENT_TYPE = 'application/x-amz-json-1.1';
const PUT_EVENTS_TARGET = 'AWSEvents.PutEvents';

interface WireEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Time?: number | string;
  Resources?: string[];
}

type WireResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: RequestError): void {
  send(res, error.status, { __type: error.type, message: error.message }, error.type);
}

const validation = (message: string) => new RequestError(400, 'ValidationException', message);

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep draining past the limit so the connection stays usable for the answer.
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) reject(new RequestError(413, 'ValidationException', `Request body exceeds ${limit} bytes`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseEntries(text: string): WireEntry[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw validation('The request body is not valid JSON');
  }
  if (!isObject(body) || !Array.isArray(body.Entries)) {
    throw validation("1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null");
  }
  const entries: unknown[] = body.Entries;
  if (entries.length < 1 || entries.length > PUT_EVENTS_MAX_ENTRIES) {
    throw validation(
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: ` +
        `Member must have length between 1 and ${PUT_EVENTS_MAX_ENTRIES} (got ${entries.length})`,
    );
  }
  return entries.map((entry, i) => {
    if (!isObject(entry)) throw validation(`Entries[${i}] must be an object`);
    for (const key of ['Source', 'DetailType', 'Detail', 'EventBusName', 'TraceHeader'] as const) {
      if (entry[key] !== undefined && typeof entry[key] !== 'string') throw validation(`Entries[${i}].${key} must be a string`);
    }
    const time = entry.Time;
    if (time !== undefined && typeof time !== 'number' && typeof time !== 'string') {
      throw validation(`Entries[${i}].Time must be a timestamp`);
    }
    const resources = entry.Resources;
    if (resources !== undefined && (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string'))) {
      throw validation(`Entries[${i}].Resources must be an array of strings`);
    }
    return entry as WireEntry;
  });
}

/** The AWS JSON protocol sends timestamps as epoch seconds; accept RFC 3339 strings as well. */
function toIsoTime(time: number | string): string {
  if (typeof time === 'string') return time;
  const date = new Date(time * 1000);
  return Number.isNaN(date.getTime()) ? String(time) : date.toISOString();
}

function busNameOf(nameOrArn: string): string {
  const marker = ':event-bus/';
  const at = nameOrArn.lastIndexOf(marker);
  return nameOrArn.startsWith('arn:') && at >= 0 ? nameOrArn.slice(at + marker.length) : nameOrArn;
}

function toWireResult(result: PublishResult | undefined): WireResult {
  if (result === undefined) return { ErrorCode: 'InternalFailure', ErrorMessage: 'The bus returned no result' };
  return 'eventId' in result ? { EventId: result.eventId } : { ErrorCode: result.errorCode, ErrorMessage: result.errorMessage };
}

async function handle(bus: EventBus, opts: PutEventsListenerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'POST' || path !== '/') {
    req.resume();
    throw new RequestError(404, 'UnknownOperationException', `No operation at ${req.method ?? ''} ${req.url ?? ''}`);
  }
  const target = req.headers['x-amz-target'];
  if (target !== PUT_EVENTS_TARGET) {
    req.resume();
    throw new RequestError(400, 'UnknownOperationException', `Unknown operation ${String(target)}; only ${PUT_EVENTS_TARGET} is served`);
  }
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType !== CONTENT_TYPE) {
    req.resume();
    throw validation(`Content-Type must be ${CONTENT_TYPE}`);
  }
  // Any SigV4 Authorization header is accepted unchecked: this endpoint serves one local process.
  const entries = parseEntries(await readBody(req, opts.maxBodyBytes ?? 1024 * 1024));

  const total = entries.reduce((sum, e) => sum + putEventsEntrySize(e), 0);
  if (total > PUT_EVENTS_MAX_BYTES) {
    throw validation(`Total size of the entries in the request is over the limit (${total} > ${PUT_EVENTS_MAX_BYTES} bytes)`);
  }

  const results: WireResult[] = new Array<WireResult>(entries.length);
  const forward: Array<{ index: number; event: BusEvent }> = [];
  entries.forEach((entry, index) => {
    if (opts.busNames && entry.EventBusName !== undefined && !opts.busNames.includes(busNameOf(entry.EventBusName))) {
      results[index] = { ErrorCode: 'InvalidArgument', ErrorMessage: `Event bus ${entry.EventBusName} does not exist.` };
      return;
    }
    let detail: unknown;
    if (entry.Detail !== undefined) {
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        results[index] = { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
        return;
      }
    }
    forward.push({
      index,
      event: {
        source: entry.Source ?? '',
        detailType: entry.DetailType ?? '',
        detail,
        ...(entry.Time !== undefined ? { time: toIsoTime(entry.Time) } : {}),
        ...(entry.Resources !== undefined ? { resources: entry.Resources } : {}),
      },
    });
  });

  if (forward.length > 0) {
    let published: PublishResult[];
    try {
      published = await bus.publish(forward.map((f) => f.event));
    } catch (error) {
      throw new RequestError(500, 'InternalException', `The bus failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    forward.forEach(({ index }, i) => {
      results[index] = toWireResult(published[i]);
    });
  }
  const failed = results.filter((r) => 'ErrorCode' in r).length;
  send(res, 200, { FailedEntryCount: failed, Entries: results });
}

/**
 * A `node:http` request listener that serves EventBridge `PutEvents` on the AWS JSON 1.1 protocol
 * (`POST /`, `X-Amz-Target: AWSEvents.PutEvents`), so AWS SDK clients pointed at it with
 * `endpoint` or `AWS_ENDPOINT_URL_EVENTBRIDGE` publish to `bus`. Signatures are not verified.
 *
 * Answers `200 {"FailedEntryCount", "Entries": [{"EventId"} | {"ErrorCode", "ErrorMessage"}]}`,
 * one result per entry in order (a `Detail` that is not JSON fails as `MalformedDetail`; the bus
 * judges the rest). Whole-request errors are AWS-shaped `{"__type", "message"}` with the type also
 * in `x-amzn-errortype`: 400 `ValidationException` for a bad body, 0 or more than 10 entries, or
 * more than 256 KB of entries; 400 `UnknownOperationException` for another target; 413 for a body
 * over `maxBodyBytes`; 500 `InternalException` when `bus.publish` throws. The listener never throws.
 */
export function createPutEventsListener(
  bus: EventBus,
  opts: PutEventsListenerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(bus, opts, req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(
        res,
        error instanceof RequestError
          ? error
          : new RequestError(500, 'InternalException', error instanceof Error ? error.message : String(error)),
      );
    });
  };
}
