import type { Violation } from '../read-models';
import { CUSTOM_EVENTS, STANDARD_EVENTS } from './catalog';
import type { EventRule, Rule } from './catalog';
import type { LinksRule, ObjectRule, StringRule } from './catalog/rules';
import { isDateTime, isUri, isUriReference } from './formats';

/** The parts of a CDEvents type string. */
export interface ParsedCdeventType {
  /** True for `dev.cdeventsx.*` (custom) types. */
  custom: boolean;
  /** `service`, `pipelinerun`, ... or `<tool>-<subject>` for custom types. */
  subject: string;
  predicate: string;
  /** The event type's own version, `M.m.p` (not the spec version). */
  version: string;
}

/** The outcome of validating one event against the CDEvents schema its `context.type` selects. */
export interface ValidationResult {
  valid: boolean;
  /**
   * The schema used: the full type string for standard events (`dev.cdevents.service.deployed.0.3.0`),
   * `dev.cdeventsx@0.4.1` or `dev.cdeventsx@0.5.1` for custom events; null when no schema fits.
   */
  schemaId: string | null;
  /** Every violation found (not only the first), in document order; empty when valid. */
  violations: Violation[];
}

const STANDARD_TYPE = /^dev\.cdevents\.([a-zA-Z][a-zA-Z0-9]*)\.([a-zA-Z][a-zA-Z0-9]*)\.(\d+\.\d+\.\d+)$/;
const CUSTOM_TYPE = /^dev\.cdeventsx\.([a-zA-Z0-9]+-[a-zA-Z0-9]+)\.([a-zA-Z][a-zA-Z0-9]*)\.(\d+\.\d+\.\d+)$/;
const CUSTOM_PREFIX = 'dev.cdeventsx.';

/**
 * Splits a CDEvents type string: `dev.cdevents.<subject>.<predicate>.<M.m.p>` or
 * `dev.cdeventsx.<tool>-<subject>.<predicate>.<M.m.p>`. Returns null for anything else. This is
 * a shape check, looser than the schemas (any `M.m.p`, digits allowed in names): whether the type
 * is one Signalbox knows is {@link validateCdevent}'s business. Pure.
 */
export function parseCdeventType(type: string): ParsedCdeventType | null {
  const custom = CUSTOM_TYPE.exec(type);
  if (custom) return { custom: true, subject: custom[1]!, predicate: custom[2]!, version: custom[3]! };
  const standard = STANDARD_TYPE.exec(type);
  if (standard) return { custom: false, subject: standard[1]!, predicate: standard[2]!, version: standard[3]! };
  return null;
}

/**
 * Every standard (`dev.cdevents.*`) type string the validator has a schema for: the 39 types of
 * spec 0.3.0, then the 45 of 0.4.1, then the 45 of 0.5.1. A fresh array on each call. Pure.
 */
export function knownCdeventTypes(): string[] {
  return [...STANDARD_EVENTS.keys()];
}

/** `subject.predicate` → the type versions known for it, for "did you mean" hints. */
const VERSIONS_BY_KIND: ReadonlyMap<string, string[]> = (() => {
  const index = new Map<string, string[]>();
  for (const type of STANDARD_EVENTS.keys()) {
    const parsed = parseCdeventType(type)!;
    const kind = `${parsed.subject}.${parsed.predicate}`;
    index.set(kind, [...(index.get(kind) ?? []), parsed.version]);
  }
  return index;
})();

/**
 * Validates one CDEvent (the document with `context` and `subject`, without any CloudEvents
 * envelope) against the official schema selected by its full `context.type`:
 * - a `dev.cdevents.*` type must be one of {@link knownCdeventTypes} (spec 0.3.0, 0.4.1 or 0.5.1;
 *   0.5.0 events validate with the 0.5.1 rules, which have the same type versions);
 * - a `dev.cdeventsx.*` type uses the 0.4.1 custom-event rules when the context has `version` and
 *   no `specversion`, the 0.5.1 rules otherwise.
 *
 * Reports every violation with its JSONPath (`$.context.links[1].from`). An unknown or missing
 * type gives `schemaId: null` and one violation at `$.context.type`; a non-object gives one at `$`.
 * Agrees with the official JSON schemas (draft 2020-12, ajv-formats full formats) on valid/invalid.
 * Pure and idempotent: never throws, never mutates `event`, no I/O.
 */
export function validateCdevent(event: unknown): ValidationResult {
  if (!isObject(event)) return invalid(null, '$', 'must be a JSON object (a CDEvent with context and subject)');
  const selected = selectSchema(event);
  if ('violation' in selected) return { valid: false, schemaId: null, violations: [selected.violation] };
  const violations: Violation[] = [];
  check(selected.document, event, '$', violations);
  return { valid: violations.length === 0, schemaId: selected.schemaId, violations };
}

function invalid(schemaId: string | null, path: string, message: string): ValidationResult {
  return { valid: false, schemaId, violations: [{ path, message }] };
}

function selectSchema(event: Record<string, unknown>): EventRule | { violation: Violation } {
  const path = '$.context.type';
  const context = event.context;
  if (context === undefined) return { violation: { path, message: 'is required (the event has no context)' } };
  if (!isObject(context)) return { violation: { path, message: 'is required ($.context is not an object)' } };
  const type = context.type;
  if (type === undefined) return { violation: { path, message: 'is required' } };
  if (typeof type !== 'string') return { violation: { path, message: 'must be a string' } };
  if (type.startsWith(CUSTOM_PREFIX)) {
    const legacy = has(context, 'version') && !has(context, 'specversion');
    return CUSTOM_EVENTS[legacy ? '0.4.1' : '0.5.1'];
  }
  const rule = STANDARD_EVENTS.get(type);
  if (rule) return rule;
  return { violation: { path, message: unknownTypeMessage(type) } };
}

function unknownTypeMessage(type: string): string {
  const shown = JSON.stringify(type.length > 120 ? `${type.slice(0, 120)}...` : type);
  const parsed = parseCdeventType(type);
  if (!parsed) {
    return `${shown} is not a CDEvents type (dev.cdevents.<subject>.<predicate>.<M.m.p> or dev.cdeventsx.<tool>-<subject>.<predicate>.<M.m.p>)`;
  }
  const versions = VERSIONS_BY_KIND.get(`${parsed.subject}.${parsed.predicate}`);
  if (versions) return `unknown version ${parsed.version} of ${parsed.subject}.${parsed.predicate}; known versions: ${versions.join(', ')}`;
  return `unknown CDEvents type ${shown} (not in spec 0.3.0, 0.4.1 or 0.5.1)`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Present, as JSON Schema's `required` sees it (an `undefined` value counts as absent). */
function has(object: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(object, key) && object[key] !== undefined;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function child(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function check(rule: Rule, value: unknown, path: string, out: Violation[]): void {
  switch (rule.kind) {
    case 'string':
      return checkString(rule, value, path, out);
    case 'object':
      return checkObject(rule, value, path, out);
    case 'array':
      if (!Array.isArray(value)) {
        out.push({ path, message: 'must be an array' });
        return;
      }
      value.forEach((item, i) => check(rule.items, item, `${path}[${i}]`, out));
      return;
    case 'object-or-string':
      if (typeof value !== 'string' && !isObject(value)) out.push({ path, message: 'must be an object or a string' });
      return;
    case 'links':
      return checkLinks(rule, value, path, out);
  }
}

const FORMAT_MESSAGES = {
  'date-time': 'must be an RFC 3339 date-time with a time zone (e.g. 2024-05-16T09:30:00Z)',
  uri: 'must be an absolute URI (RFC 3986, with a scheme, e.g. https://example.com/x)',
  'uri-reference': 'must be a URI reference (RFC 3986, e.g. /event/source/123 or https://example.com/x)',
} as const;

const FORMAT_CHECKS = { 'date-time': isDateTime, uri: isUri, 'uri-reference': isUriReference } as const;

function checkString(rule: StringRule, value: unknown, path: string, out: Violation[]): void {
  if (typeof value !== 'string') {
    out.push({ path, message: 'must be a string' });
    return;
  }
  if (rule.nonEmpty && value.length === 0) {
    out.push({ path, message: 'must not be empty' });
    return;
  }
  if (rule.oneOf && !rule.oneOf.includes(value)) {
    const message = rule.oneOf.length === 1 ? `must be ${rule.oneOf[0]}` : `must be one of ${rule.oneOf.join(', ')}`;
    out.push({ path, message });
    return;
  }
  if (rule.pattern && !rule.pattern.regex.test(value)) {
    out.push({ path, message: `must have the form ${rule.pattern.shape}` });
    return;
  }
  if (rule.format && !FORMAT_CHECKS[rule.format](value)) out.push({ path, message: FORMAT_MESSAGES[rule.format] });
}

function checkObject(rule: ObjectRule, value: unknown, path: string, out: Violation[]): void {
  if (!isObject(value)) {
    out.push({ path, message: 'must be an object' });
    return;
  }
  for (const name of rule.required) {
    if (!has(value, name)) out.push({ path: child(path, name), message: 'is required' });
  }
  for (const key of Object.keys(value)) {
    const field = Object.hasOwn(rule.fields, key) ? rule.fields[key] : undefined;
    if (field) check(field, value[key], child(path, key), out);
    else if (!rule.open) out.push({ path: child(path, key), message: `unexpected property '${key}'` });
  }
}

function checkLinks(rule: LinksRule, value: unknown, path: string, out: Violation[]): void {
  if (!Array.isArray(value)) {
    out.push({ path, message: 'must be an array' });
    return;
  }
  const linkTypes = Object.keys(rule.variants);
  value.forEach((link, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(link)) {
      out.push({ path: at, message: 'must be an object' });
      return;
    }
    // The three link kinds are told apart by linkType alone, so checking the one it names is exact.
    const linkType = link.linkType;
    if (linkType === undefined) {
      out.push({ path: `${at}.linkType`, message: `is required (one of ${linkTypes.join(', ')})` });
      return;
    }
    const variant = typeof linkType === 'string' && Object.hasOwn(rule.variants, linkType) ? rule.variants[linkType] : undefined;
    if (!variant) {
      out.push({ path: `${at}.linkType`, message: `must be one of ${linkTypes.join(', ')}` });
      return;
    }
    check(variant, link, at, out);
  });
}
