import type { ErrorBody, Violation } from '../read-models';

/** How an event reached Signalbox. */
export type ReceivedAs = 'bare' | 'structured' | 'binary' | 'eventbridge';

/** One event taken out of a request: the CDEvent, plus what the envelope said about it. */
export type ExtractedEvent =
  | {
      ok: true;
      /** The CDEvent document (context, subject, customData...). */
      cdevent: Record<string, unknown>;
      /** The item exactly as received (the envelope too). */
      raw: unknown;
      receivedAs: ReceivedAs;
      /** Envelope problems (e.g. `ce-id` differs from `context.id`): recorded, not fatal. */
      envelopeViolations: Violation[];
    }
  | { ok: false; raw: unknown; error: ErrorBody };

export interface ParsedRequest {
  batch: boolean;
  items: ExtractedEvent[];
}

const CE_ATTRIBUTES = ['id', 'source', 'type', 'subject', 'time'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rejected(raw: unknown, field: string | null, message: string, code = 'unusable_event'): ExtractedEvent {
  return { ok: false, raw, error: { code, field, message } };
}

/**
 * The CloudEvents attributes a CDEvent must mirror (cloudevents-binding: id, source, type,
 * subject, time). A mismatch is recorded as a violation, not a rejection: the spec says MUST, but
 * real producers deviate and the CDEvent itself stays usable.
 */
function crossCheck(ce: Record<string, unknown>, cdevent: Record<string, unknown>, prefix: string): Violation[] {
  const context = isObject(cdevent.context) ? cdevent.context : {};
  const subject = isObject(cdevent.subject) ? cdevent.subject : {};
  const expected: Record<(typeof CE_ATTRIBUTES)[number], unknown> = {
    id: context.id,
    source: context.source,
    type: context.type,
    subject: subject.id,
    time: context.timestamp,
  };
  const out: Violation[] = [];
  for (const name of CE_ATTRIBUTES) {
    const actual = ce[name];
    if (actual === undefined) continue;
    if (actual !== expected[name]) {
      const mirrored = name === 'subject' ? 'subject.id' : name === 'time' ? 'context.timestamp' : `context.${name}`;
      out.push({
        path: `${prefix}${name}`,
        message: `CloudEvents ${name} ${JSON.stringify(actual)} must equal ${mirrored} ${JSON.stringify(expected[name])}`,
      });
    }
  }
  return out;
}

function decodeBase64Json(value: string): unknown {
  const text = Buffer.from(value, 'base64').toString('utf8');
  return JSON.parse(text);
}

/**
 * A CloudEvents structured-mode envelope (`specversion` 1.0, or the legacy 0.3) whose `data` is the
 * CDEvent. When `data` has no `context` (a legacy producer that put the CDEvent fields in CloudEvents
 * attributes), the context is rebuilt from the attributes and the violation says so.
 */
function fromStructured(envelope: Record<string, unknown>, raw: unknown, receivedAs: ReceivedAs): ExtractedEvent {
  let data: unknown = envelope.data;
  if (data === undefined && typeof envelope.data_base64 === 'string') {
    try {
      data = decodeBase64Json(envelope.data_base64);
    } catch {
      return rejected(raw, 'data_base64', 'data_base64 is not base64-encoded JSON');
    }
  }
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      return rejected(raw, 'data', 'data is a string that is not JSON');
    }
  }
  if (isObject(data) && isObject(data.context)) {
    return { ok: true, cdevent: data, raw, receivedAs, envelopeViolations: crossCheck(envelope, data, '$ce.') };
  }
  return fromAttributes(envelope, isObject(data) ? data : {}, raw, receivedAs);
}

/** Legacy shape: the CDEvent's context lives in CloudEvents attributes, `data` is the subject or its content. */
function fromAttributes(
  attributes: Record<string, unknown>,
  data: Record<string, unknown>,
  raw: unknown,
  receivedAs: ReceivedAs,
): ExtractedEvent {
  const subject = isObject(data.subject)
    ? data.subject
    : { id: attributes.subject, content: isObject(data.content) ? data.content : data };
  const context: Record<string, unknown> = {
    specversion: attributes.cdeventsspecversion ?? attributes.cdeventversion ?? undefined,
    id: attributes.id,
    source: attributes.source,
    type: attributes.type,
    timestamp: attributes.time,
  };
  for (const key of Object.keys(context)) if (context[key] === undefined) delete context[key];
  const cdevent: Record<string, unknown> = { context, subject };
  return {
    ok: true,
    cdevent,
    raw,
    receivedAs,
    envelopeViolations: [
      { path: '$.context', message: 'no CDEvent context in the CloudEvent data; rebuilt from CloudEvents attributes' },
    ],
  };
}

function looksLikeCloudEvent(value: Record<string, unknown>): boolean {
  return typeof value.specversion === 'string' && /^(1\.0|0\.3)$/.test(value.specversion) && ('data' in value || 'data_base64' in value || (typeof value.type === 'string' && !isObject(value.context)));
}

function looksLikeEventBridge(value: Record<string, unknown>): boolean {
  return 'detail' in value && ('detail-type' in value || 'DetailType' in value || 'source' in value);
}

/** Takes one JSON value of a request apart: bare CDEvent, structured CloudEvent, or EventBridge envelope. */
export function extractEvent(item: unknown): ExtractedEvent {
  if (!isObject(item)) return rejected(item, '$', 'an event must be a JSON object');
  if (looksLikeEventBridge(item)) {
    let detail: unknown = item.detail;
    if (typeof detail === 'string') {
      try {
        detail = JSON.parse(detail);
      } catch {
        return rejected(item, 'detail', 'EventBridge detail is a string that is not JSON');
      }
    }
    if (!isObject(detail)) return rejected(item, 'detail', 'EventBridge detail must be a JSON object');
    if (looksLikeCloudEvent(detail)) return fromStructured(detail, item, 'eventbridge');
    return { ok: true, cdevent: detail, raw: item, receivedAs: 'eventbridge', envelopeViolations: [] };
  }
  if (looksLikeCloudEvent(item)) return fromStructured(item, item, 'structured');
  return { ok: true, cdevent: item, raw: item, receivedAs: 'bare', envelopeViolations: [] };
}

/**
 * How deeply one event's JSON may nest. Real CDEvents nest a handful of levels; without a bound a
 * small body (`{"a":` × 10 000) makes every recursive step after parsing (serialising, validating)
 * overflow the stack.
 */
export const MAX_EVENT_DEPTH = 64;

/** Whether `value` nests more than `max` objects/arrays deep; iterative, so any depth is safe. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

function tooDeep(raw: unknown): ExtractedEvent | null {
  if (!nestsDeeperThan(raw, MAX_EVENT_DEPTH)) return null;
  // The raw value is not kept: anything that walks it recursively would overflow.
  return rejected(null, '$', `an event may nest at most ${MAX_EVENT_DEPTH} levels deep`, 'event_too_deep');
}

/** Request headers, names lower-cased. */
export type Headers = Record<string, string | undefined>;

function mediaType(headers: Headers): string {
  return (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Parses a `POST /api/events` body into events. Accepts a bare CDEvent, a CloudEvents structured
 * event, CloudEvents binary mode (`ce-*` headers + CDEvent body), a JSON array or
 * `application/cloudevents-batch+json` batch, and EventBridge envelopes (inside batches too).
 * Throws `ValidationError`-shaped `ErrorBody` via the returned `error` only per item; the whole
 * request fails (returned as `{ error }`) when the body is not JSON or a batch is not an array.
 */
export function parseIngestRequest(
  headers: Headers,
  body: string,
  maxBatch: number,
): ParsedRequest | { error: ErrorBody } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return {
      error: { code: 'invalid_json', field: 'body', message: `request body is not JSON: ${(err as Error).message}` },
    };
  }
  const type = mediaType(headers);
  if (type === 'application/cloudevents-batch+json' && !Array.isArray(json)) {
    return { error: { code: 'invalid_batch', field: 'body', message: 'a CloudEvents batch must be a JSON array' } };
  }
  if (Array.isArray(json)) {
    if (json.length === 0) return { error: { code: 'empty_batch', field: 'body', message: 'the batch is empty' } };
    if (json.length > maxBatch) {
      return {
        error: {
          code: 'batch_too_large',
          field: 'body',
          message: `a batch holds at most ${maxBatch} events; this one has ${json.length}`,
        },
      };
    }
    return { batch: true, items: json.map((item) => tooDeep(item) ?? extractEvent(item)) };
  }
  const deep = tooDeep(json);
  if (deep) return { batch: false, items: [deep] };
  if (headers['ce-specversion'] !== undefined) return { batch: false, items: [fromBinary(headers, json)] };
  return { batch: false, items: [extractEvent(json)] };
}

/** CloudEvents HTTP binary mode: attributes in `ce-*` headers, the CDEvent as the body. */
function fromBinary(headers: Headers, body: unknown): ExtractedEvent {
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('ce-') && value !== undefined) attributes[name.slice(3)] = value;
  }
  const raw = { headers: attributes, body };
  if (!isObject(body)) return rejected(raw, 'body', 'binary-mode body must be a JSON object (the CDEvent)');
  if (isObject(body.context)) {
    return {
      ok: true,
      cdevent: body,
      raw,
      receivedAs: 'binary',
      envelopeViolations: crossCheck(attributes, body, 'ce-'),
    };
  }
  return fromAttributes(attributes, body, raw, 'binary');
}
