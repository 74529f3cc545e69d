import { createHash } from 'node:crypto';
import type { ErrorBody, EventSummary, Violation } from '../read-models';
import { versionOfArtifact } from './artifact';
import type { ExtractedEvent, ReceivedAs } from './envelope';
import { toSortableUtc } from './time';
import { parseCdeventType, validateCdevent } from './validator';

/** An event ready to store: identity, order, the derived summary, and what was wrong with it. */
export interface PreparedEvent {
  key: string;
  id: string;
  source: string;
  type: string;
  subject: string;
  predicate: string;
  timestamp: string;
  /** Sortable UTC form of the timestamp (9 fractional digits), or of the ingest time when unusable. */
  sortTime: string;
  /** Total order for "late events never overwrite newer state": time, then source, then id. */
  orderKey: string;
  subjectId: string;
  service: string | null;
  environment: string | null;
  artifactId: string | null;
  version: string | null;
  outcome: string | null;
  chainId: string | null;
  specVersion: string | null;
  violations: Violation[];
  receivedAs: ReceivedAs;
  raw: unknown;
  cdevent: Record<string, unknown>;
  customData: unknown;
}

/** The largest single event accepted (EventBridge takes 256 KB per entry, DynamoDB 400 KB per item). */
export const MAX_EVENT_BYTES = 128 * 1024;

/** The longest service or environment name (UTF-8 bytes) an event may carry. */
export const MAX_NAME_BYTES = 256;

/**
 * The storage key of an event: a digest of `context.source` and `context.id`, which the spec makes
 * globally unique. The same source + id always gives the same key, so storing is idempotent.
 */
export function eventKey(source: string, id: string): string {
  // Length-prefixed, so no choice of characters in source or id can make two pairs collide.
  return 'e' + createHash('sha256').update(`${source.length}:${source}`).update(id).digest('hex').slice(0, 40);
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function lonelySurrogate(field: string): ErrorBody {
  return { code: 'invalid_unicode', field, message: `${field} holds a lone UTF-16 surrogate (e.g. "\\ud800"); send well-formed Unicode` };
}

function obj(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Outcomes differ by spec line (0.4 tests said pass/fail) and producers vary case. */
function normaliseOutcome(value: unknown): string | null {
  const text = str(value)?.toLowerCase() ?? null;
  if (text === 'pass') return 'success';
  if (text === 'fail') return 'failure';
  return text;
}

/**
 * Validates and derives everything Signalbox needs from one extracted event. Rejects (returns an
 * `ErrorBody`) only what cannot be used at all: no CDEvent type, no id or no source. Everything else
 * is kept, with its violations. Pure apart from hashing; `ingestedAt` orders events whose own
 * timestamp is unusable.
 */
export function prepareEvent(extracted: ExtractedEvent, ingestedAt: string): PreparedEvent | { error: ErrorBody } {
  if (!extracted.ok) return { error: extracted.error };
  const { cdevent } = extracted;
  const size = Buffer.byteLength(JSON.stringify(extracted.raw));
  if (size > MAX_EVENT_BYTES) {
    return {
      error: {
        code: 'event_too_large',
        field: '$',
        message: `an event may be at most ${MAX_EVENT_BYTES} bytes; this one is ${size}`,
      },
    };
  }
  const context = obj(cdevent.context);
  const subjectDoc = obj(cdevent.subject);
  const content = obj(subjectDoc.content);
  const type = str(context.type);
  if (!type) return { error: { code: 'missing_type', field: 'context.type', message: 'context.type is required' } };
  const parsed = parseCdeventType(type);
  if (!parsed) {
    return {
      error: {
        code: 'not_a_cdevent',
        field: 'context.type',
        message: `context.type ${JSON.stringify(type.slice(0, 200))} is not a CDEvents type (dev.cdevents.<subject>.<predicate>.<version> or dev.cdeventsx.<tool>-<subject>.<predicate>.<version>)`,
      },
    };
  }
  const id = typeof context.id === 'number' ? String(context.id) : str(context.id);
  if (!id) return { error: { code: 'missing_id', field: 'context.id', message: 'context.id is required to identify the event' } };
  const source = str(context.source);
  if (!source) {
    return { error: { code: 'missing_source', field: 'context.source', message: 'context.source is required to identify the event' } };
  }

  // Identity and key parts must be well-formed Unicode: a lone surrogate (JSON allows "\ud800")
  // turns into U+FFFD on the way to UTF-8, so "a\ud800" and "a\ud801" would hash to one key and
  // the second event would answer duplicate — a silent loss. Refused with the field instead.
  const identity: [string, string][] = [
    ['context.id', id],
    ['context.source', source],
    ['context.type', type],
  ];
  for (const [field, text] of identity) {
    if (LONE_SURROGATE.test(text)) return { error: lonelySurrogate(field) };
  }

  const validation = validateCdevent(cdevent);
  const violations = [...extracted.envelopeViolations, ...validation.violations];
  const timestamp = typeof context.timestamp === 'string' ? context.timestamp : '';
  const sortTime = toSortableUtc(timestamp) ?? toSortableUtc(ingestedAt)!;

  const subject = parsed.subject;
  const subjectId = str(subjectDoc.id) ?? '';
  const environment =
    str(obj(content.environment).id) ?? (subject === 'environment' && subjectId ? subjectId : null);
  let service: string | null = null;
  if (subject === 'service') service = subjectId || null;
  else if (subject === 'incident') service = str(obj(content.service).id);
  // Service and environment names become parts of DynamoDB keys (a sort key holds at most 1 024
  // bytes): refuse what could never be stored rather than accept it and dead-letter it later.
  const names: [string, string | null][] = [
    [subject === 'incident' ? 'subject.content.service.id' : 'subject.id', service],
    [str(obj(content.environment).id) ? 'subject.content.environment.id' : 'subject.id', environment],
  ];
  for (const [field, name] of names) {
    if (name !== null && LONE_SURROGATE.test(name)) return { error: lonelySurrogate(field) };
    if (name !== null && Buffer.byteLength(name) > MAX_NAME_BYTES) {
      return { error: { code: 'name_too_long', field, message: `a service or environment name may be at most ${MAX_NAME_BYTES} bytes; this one is ${Buffer.byteLength(name)}` } };
    }
  }
  let artifactId = str(content.artifactId);
  if (!artifactId && subject === 'artifact') artifactId = subjectId || null;

  return {
    key: eventKey(source, id),
    id,
    source,
    type,
    subject,
    predicate: parsed.predicate,
    timestamp,
    sortTime,
    orderKey: `${sortTime}\u001f${source}\u001f${id}`,
    subjectId,
    service,
    environment,
    artifactId,
    version: versionOfArtifact(artifactId),
    outcome: normaliseOutcome(content.outcome),
    chainId: str(context.chainId) ?? str(context.chain_id),
    specVersion: str(context.specversion) ?? str(context.version),
    violations,
    receivedAs: extracted.receivedAs,
    raw: extracted.raw,
    cdevent,
    customData: cdevent.customData,
  };
}

/** The timeline row of a prepared (or stored) event. */
export function summarise(event: PreparedEvent, ingestedAt: string): EventSummary {
  return {
    key: event.key,
    id: event.id,
    source: event.source,
    type: event.type,
    subject: event.subject,
    predicate: event.predicate,
    timestamp: event.timestamp,
    subjectId: event.subjectId,
    service: event.service,
    environment: event.environment,
    artifactId: event.artifactId,
    version: event.version,
    outcome: event.outcome,
    valid: event.violations.length === 0,
    violationCount: event.violations.length,
    ingestedAt,
    specVersion: event.specVersion,
  };
}

/**
 * The normalised CDEvent shown beside the raw one: the document without its envelope and without
 * `null` values (producers send `null` for absent optional fields; the schemas allow neither).
 */
export function normalise(cdevent: unknown): unknown {
  if (Array.isArray(cdevent)) return cdevent.map(normalise);
  if (typeof cdevent === 'object' && cdevent !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(cdevent)) if (v !== null) out[k] = normalise(v);
    return out;
  }
  return cdevent;
}
