/**
 * The vocabulary of the CDEvents catalog: a small, declarative description of what each field of an
 * event must be. The catalog modules describe every event type with these rules; the validator walks
 * them. Only what the CDEvents schemas actually use is expressible here.
 */

export type StringFormat = 'date-time' | 'uri' | 'uri-reference';

export interface StringRule {
  kind: 'string';
  /** At least one character. */
  nonEmpty?: boolean;
  format?: StringFormat;
  /** The only values allowed. */
  oneOf?: readonly string[];
  /** A shape the whole string must have, with its human description. */
  pattern?: { regex: RegExp; shape: string };
}

export interface ObjectRule {
  kind: 'object';
  fields: Readonly<Record<string, Rule>>;
  required: readonly string[];
  /** Open objects accept keys not listed in `fields`; CDEvents objects are closed unless stated. */
  open: boolean;
}

export interface ArrayRule {
  kind: 'array';
  items: Rule;
}

/** `customData`: any JSON object, or a string (base64 when the data is not JSON). */
export interface ObjectOrStringRule {
  kind: 'object-or-string';
}

/** `context.links`: embedded links, each a PATH, RELATION or END link chosen by its `linkType`. */
export interface LinksRule {
  kind: 'links';
  variants: Readonly<Record<string, ObjectRule>>;
}

export type Rule = StringRule | ObjectRule | ArrayRule | ObjectOrStringRule | LinksRule;

/** One event schema: the whole document, keyed in the catalog by its `context.type`. */
export interface EventRule {
  /** `dev.cdevents.<subject>.<predicate>.<version>`, or `dev.cdeventsx@<spec version>` for custom events. */
  schemaId: string;
  /** The spec release this schema comes from. */
  specRelease: '0.3.0' | '0.4.1' | '0.5.1';
  document: ObjectRule;
}

const REQUIRED = Symbol('required');

/** A field rule marked as required by the object that holds it. */
export interface Required {
  [REQUIRED]: true;
  rule: Rule;
}

/** Marks a field as required inside {@link closed} / {@link open}. */
export function required(rule: Rule): Required {
  return { [REQUIRED]: true, rule };
}

function isRequired(entry: Rule | Required): entry is Required {
  return (entry as Required)[REQUIRED] === true;
}

function object(entries: Readonly<Record<string, Rule | Required>>, isOpen: boolean): ObjectRule {
  const fields: Record<string, Rule> = {};
  const names: string[] = [];
  for (const [name, entry] of Object.entries(entries)) {
    if (isRequired(entry)) {
      fields[name] = entry.rule;
      names.push(name);
    } else {
      fields[name] = entry;
    }
  }
  return { kind: 'object', fields, required: names, open: isOpen };
}

/** An object with exactly these keys (`additionalProperties: false`). */
export function closed(entries: Readonly<Record<string, Rule | Required>> = {}): ObjectRule {
  return object(entries, false);
}

/** An object that also accepts keys not listed. */
export function open(entries: Readonly<Record<string, Rule | Required>> = {}): ObjectRule {
  return object(entries, true);
}

/** Any string, empty included. */
export const text: StringRule = { kind: 'string' };
/** A string of at least one character. */
export const nonEmpty: StringRule = { kind: 'string', nonEmpty: true };
/** An absolute URI (may be empty by the rule, but the empty string is never a URI). */
export const uri: StringRule = { kind: 'string', format: 'uri' };
/** A non-empty absolute URI. */
export const nonEmptyUri: StringRule = { kind: 'string', nonEmpty: true, format: 'uri' };
/** A non-empty URI reference (absolute, or relative such as `/event/source/123`). */
export const nonEmptyUriReference: StringRule = { kind: 'string', nonEmpty: true, format: 'uri-reference' };
/** An RFC 3339 date-time with a zone. */
export const dateTime: StringRule = { kind: 'string', format: 'date-time' };
/** A JSON object or a string. */
export const objectOrString: ObjectOrStringRule = { kind: 'object-or-string' };

/** A string restricted to `values`. */
export function oneOf(...values: string[]): StringRule {
  return { kind: 'string', oneOf: values };
}

/** A non-empty string restricted to `values` (used for the v0.3/v0.4 `subject.type`). */
export function nonEmptyOneOf(...values: string[]): StringRule {
  return { kind: 'string', nonEmpty: true, oneOf: values };
}

/** An array whose items all follow `items`. */
export function arrayOf(items: Rule): ArrayRule {
  return { kind: 'array', items };
}
