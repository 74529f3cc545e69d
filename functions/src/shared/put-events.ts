import type { BusEvent } from '../core/ports/event-bus';

/*
 * PutEvents' entry rules, shared by the AWS bus and the local bus so both reject the same entries
 * with the same codes. Pure.
 */

/** PutEvents accepts at most 10 entries per request. */
export const PUT_EVENTS_MAX_ENTRIES = 10;
/** PutEvents limits one entry, and the entries of one request together, to 256 KB. */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * The size of a PutEvents entry as EventBridge computes it ("Calculating PutEvents event entry
 * size"): Time counts 14 bytes when present; Source, DetailType, Detail and each Resources item
 * count their UTF-8 bytes. EventBusName and TraceHeader do not count. Pure; never throws.
 */
export function putEventsEntrySize(entry: {
  Source?: string | undefined;
  DetailType?: string | undefined;
  Detail?: string | undefined;
  Time?: unknown;
  Resources?: readonly string[] | undefined;
}): number {
  let size = entry.Time !== undefined && entry.Time !== null ? 14 : 0;
  size += utf8Bytes(entry.Source ?? '') + utf8Bytes(entry.DetailType ?? '') + utf8Bytes(entry.Detail ?? '');
  for (const resource of entry.Resources ?? []) size += utf8Bytes(resource);
  return size;
}

/** A bus event turned into PutEvents form, or the per-entry error EventBridge would answer. */
export type CheckedEntry =
  | { ok: true; source: string; detailType: string; detail: string; time?: Date; resources?: string[]; size: number }
  | { ok: false; errorCode: string; errorMessage: string };

const invalid = (errorMessage: string): CheckedEntry => ({ ok: false, errorCode: 'InvalidArgument', errorMessage });

/**
 * Checks one bus event the way PutEvents checks an entry: non-empty `source` and `detailType`,
 * `detail` a JSON object (`MalformedDetail` otherwise), `time` a valid timestamp, `resources`
 * strings, and the entry at most 256 KB. Shared by the AWS and the local bus so both reject the
 * same entries with the same codes. Pure; never throws.
 */
export function checkBusEvent(event: BusEvent): CheckedEntry {
  if (typeof event.source !== 'string' || event.source.trim() === '') {
    return invalid('Parameter Source is not valid. Reason: Source is a required, non-empty string.');
  }
  if (typeof event.detailType !== 'string' || event.detailType.trim() === '') {
    return invalid('Parameter DetailType is not valid. Reason: DetailType is a required, non-empty string.');
  }
  const detailValue = event.detail;
  if (typeof detailValue !== 'object' || detailValue === null || Array.isArray(detailValue)) {
    return { ok: false, errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed: it must be a JSON object.' };
  }
  let detail: string;
  try {
    detail = JSON.stringify(detailValue);
  } catch (error) {
    return {
      ok: false,
      errorCode: 'MalformedDetail',
      errorMessage: `Detail is malformed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  let time: Date | undefined;
  if (event.time !== undefined) {
    time = new Date(event.time);
    if (typeof event.time !== 'string' || Number.isNaN(time.getTime())) {
      return invalid(`Parameter Time is not valid. Reason: ${JSON.stringify(event.time)} is not an RFC 3339 timestamp.`);
    }
  }
  if (event.resources !== undefined && (!Array.isArray(event.resources) || !event.resources.every((r) => typeof r === 'string'))) {
    return invalid('Parameter Resources is not valid. Reason: Resources must be an array of strings.');
  }
  const size = putEventsEntrySize({
    Source: event.source,
    DetailType: event.detailType,
    Detail: detail,
    Time: time,
    Resources: event.resources,
  });
  if (size > PUT_EVENTS_MAX_BYTES) {
    return invalid(`Entry size ${size} bytes exceeds the ${PUT_EVENTS_MAX_BYTES}-byte (256 KB) PutEvents limit.`);
  }
  return {
    ok: true,
    source: event.source,
    detailType: event.detailType,
    detail,
    ...(time !== undefined ? { time } : {}),
    ...(event.resources !== undefined ? { resources: [...event.resources] } : {}),
    size,
  };
}

