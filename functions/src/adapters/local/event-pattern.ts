import { ValidationError } from '../../core/errors';

/**
 * EventBridge event-pattern matching for the in-process bus, written from the AWS documentation
 * ("Event patterns", "Content filtering", "Comparison operators"). Semantics:
 *
 * - A pattern object matches when every field it names matches (AND); nested objects address
 *   nested fields; `$or` (an array of two or more sub-patterns) matches when any alternative does.
 * - A field's array is an OR of matchers. When the event value is an array, the field matches if
 *   any element does; sub-patterns under an array of objects must match within one element.
 * - Only leaves (strings, numbers, booleans, null) are values: a field whose value is an object, an
 *   empty array or absent has no value, so only `{"exists": false}` matches it.
 */

type Scalar = string | number | boolean | null;
type ValueTest = (value: Scalar) => boolean;
/** A leaf condition receives every scalar at the field's path (empty when the field has none). */
type LeafTest = (values: readonly Scalar[]) => boolean;
/** An object condition receives the event value found at its path (maybe undefined). */
type ObjectTest = (value: unknown) => boolean;

/** Documented range of numeric matching: -5.0e9 to +5.0e9 inclusive. */
const NUMERIC_LIMIT = 5e9;
const OR_KEY = '$or';

class PatternError extends Error {}

function fail(path: string, reason: string): never {
  throw new PatternError(path ? `${path}: ${reason}` : reason);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is Scalar {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text;
}

// ---- event side ----------------------------------------------------------------------------------

function flattenArrays(value: readonly unknown[], out: unknown[] = []): unknown[] {
  for (const item of value) {
    if (Array.isArray(item)) flattenArrays(item, out);
    else out.push(item);
  }
  return out;
}

function scalarsAt(value: unknown): Scalar[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return flattenArrays(value).filter(isScalar);
  return isScalar(value) ? [value] : [];
}

function ownField(obj: Record<string, unknown> | undefined, key: string): unknown {
  return obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

// ---- pattern side: leaf operators ----------------------------------------------------------------

function requireString(value: unknown, path: string, what: string): string {
  if (typeof value !== 'string') fail(path, `${what} must be a string, got ${describe(value)}`);
  return value;
}

function requireStrings(value: unknown, path: string, what: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) {
    return value as string[];
  }
  fail(path, `${what} must be a string or a non-empty array of strings, got ${describe(value)}`);
}

const lower = (s: string): string => s.toLowerCase();

/** `{"prefix": "x"}` or `{"prefix": {"equals-ignore-case": "x"}}`; same shape for suffix. */
function affixTest(operand: unknown, path: string, op: 'prefix' | 'suffix'): ValueTest {
  const has =
    op === 'prefix'
      ? (s: string, affix: string) => s.startsWith(affix)
      : (s: string, affix: string) => s.endsWith(affix);
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') {
      fail(path, `"${op}" takes a string or {"equals-ignore-case": string}, got ${describe(operand)}`);
    }
    const affix = lower(requireString(operand['equals-ignore-case'], path, `"${op}" equals-ignore-case`));
    return (v) => typeof v === 'string' && has(lower(v), affix);
  }
  const affix = requireString(operand, path, `"${op}"`);
  return (v) => typeof v === 'string' && has(v, affix);
}

function ignoreCaseTest(operand: unknown, path: string): ValueTest {
  const wanted = new Set(requireStrings(operand, path, '"equals-ignore-case"').map(lower));
  return (v) => typeof v === 'string' && wanted.has(lower(v));
}

/**
 * `*` matches any run of characters (also none). `\*` is a literal asterisk and `\\` a backslash;
 * any other escape and two consecutive wildcards are rejected, as EventBridge does.
 */
function wildcardRegExp(source: string, path: string): RegExp {
  let regex = '';
  for (let i = 0; i < source.length; i += 1) {
    const ch = source[i] as string;
    if (ch === '\\') {
      const next = source[i + 1];
      if (next !== '*' && next !== '\\') {
        fail(path, `"wildcard" ${describe(source)} has a backslash escaping something other than * or \\`);
      }
      regex += next === '*' ? '\\*' : '\\\\';
      i += 1;
    } else if (ch === '*') {
      if (source[i + 1] === '*') fail(path, `"wildcard" ${describe(source)} has consecutive wildcards`);
      regex += '[\\s\\S]*';
    } else {
      regex += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${regex}$`, 'u');
}

function wildcardTest(operand: unknown, path: string): ValueTest {
  const regexes = requireStrings(operand, path, '"wildcard"').map((s) => wildcardRegExp(s, path));
  return (v) => typeof v === 'string' && regexes.some((r) => r.test(v));
}

function anythingButTest(operand: unknown, path: string): ValueTest {
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    const key = keys[0];
    if (keys.length !== 1) fail(path, `"anything-but" object must have exactly one operator`);
    let inner: ValueTest;
    switch (key) {
      case 'prefix':
      case 'suffix':
        inner = affixTest(requireString(operand[key], path, `"anything-but" ${key}`), path, key);
        break;
      case 'equals-ignore-case':
        inner = ignoreCaseTest(operand[key], path);
        break;
      case 'wildcard':
        inner = wildcardTest(operand[key], path);
        break;
      default:
        fail(path, `"anything-but" does not support ${describe(key)}`);
    }
    return (v) => !inner(v);
  }
  const excluded: unknown[] = Array.isArray(operand) ? operand : [operand];
  const allStrings = excluded.every((v) => typeof v === 'string');
  const allNumbers = excluded.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (excluded.length === 0 || !(allStrings || allNumbers)) {
    fail(
      path,
      `"anything-but" takes a string, a number, a non-empty list of only strings or only numbers, ` +
        `or {prefix|suffix|equals-ignore-case|wildcard}; got ${describe(operand)}`,
    );
  }
  // A value of another type (or null) is never equal to an excluded value, so it matches.
  return (v) => !excluded.includes(v);
}

const LOWER_OPS = new Set(['>', '>=']);
const UPPER_OPS = new Set(['<', '<=']);

function numericBound(op: unknown, n: unknown, path: string): ValueTest {
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    fail(path, `"numeric" operand of ${describe(op)} must be a number, got ${describe(n)}`);
  }
  if (Math.abs(n) > NUMERIC_LIMIT) fail(path, `"numeric" operand ${n} is outside -5e9..5e9`);
  const x = n;
  switch (op) {
    case '=':
      return (v) => v === x;
    case '<':
      return (v) => (v as number) < x;
    case '<=':
      return (v) => (v as number) <= x;
    case '>':
      return (v) => (v as number) > x;
    case '>=':
      return (v) => (v as number) >= x;
    default:
      fail(path, `"numeric" operator must be one of =, <, <=, >, >=; got ${describe(op)}`);
  }
}

function numericTest(operand: unknown, path: string): ValueTest {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    fail(path, `"numeric" takes [op, n] or [lower-op, n, upper-op, m], got ${describe(operand)}`);
  }
  const tests = [numericBound(operand[0], operand[1], path)];
  if (operand.length === 4) {
    const [op1, a, op2, b] = operand as [string, number, string, number];
    tests.push(numericBound(op2, b, path));
    if (!LOWER_OPS.has(op1) || !UPPER_OPS.has(op2)) {
      fail(path, `a "numeric" range must be a lower bound (> or >=) then an upper bound (< or <=)`);
    }
    if (a > b || (a === b && (op1 === '>' || op2 === '<'))) {
      fail(path, `"numeric" range ${describe(operand)} can match nothing`);
    }
  }
  return (v) => typeof v === 'number' && tests.every((t) => t(v));
}

// ---- IP addresses --------------------------------------------------------------------------------

interface IpAddress {
  bits: 32 | 128;
  value: bigint;
}

function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groupsOf(halves[0] as string);
  const tail = halves.length === 2 ? groupsOf(halves[1] as string) : [];
  const words: number[] = [];
  const all = [...head, ...tail];
  const last = all[all.length - 1];
  // An embedded IPv4 address (e.g. ::ffff:10.0.0.1) stands for the last two 16-bit groups.
  let v4Words: number[] = [];
  if (last !== undefined && last.includes('.')) {
    const v4 = parseIpv4(last);
    if (v4 === null) return null;
    v4Words = [Number(v4 >> 16n), Number(v4 & 0xffffn)];
    if (tail.length > 0) tail.pop();
    else head.pop();
  }
  for (const group of [...head, ...tail]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
  }
  const explicit = head.length + tail.length + v4Words.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return null;
  words.push(...head.map((g) => parseInt(g, 16)));
  for (let i = explicit; i < 8; i += 1) words.push(0);
  words.push(...tail.map((g) => parseInt(g, 16)), ...v4Words);
  return words.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
}

function parseIp(text: string): IpAddress | null {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === null ? null : { bits: 128, value };
  }
  const value = parseIpv4(text);
  return value === null ? null : { bits: 32, value };
}

function cidrTest(operand: unknown, path: string): ValueTest {
  const text = requireString(operand, path, '"cidr"');
  const [addressText, lengthText, extra] = text.split('/');
  const network = parseIp(addressText ?? '');
  if (network === null || extra !== undefined) fail(path, `"cidr" ${describe(text)} is not an IP address or CIDR block`);
  const prefix = lengthText === undefined ? network.bits : Number(lengthText);
  if (lengthText !== undefined && !/^\d{1,3}$/.test(lengthText)) fail(path, `"cidr" ${describe(text)} has a bad prefix length`);
  if (prefix > network.bits) fail(path, `"cidr" ${describe(text)} prefix length exceeds ${network.bits}`);
  const shift = BigInt(network.bits - prefix);
  const wanted = network.value >> shift;
  return (v) => {
    if (typeof v !== 'string') return false;
    const ip = parseIp(v);
    return ip !== null && ip.bits === network.bits && ip.value >> shift === wanted;
  };
}

// ---- pattern side: structure ---------------------------------------------------------------------

function compileLeaf(matchers: unknown[], path: string): LeafTest {
  if (matchers.length === 0) fail(path, 'an empty array matches nothing; list at least one value');
  const tests: LeafTest[] = matchers.map((m): LeafTest => {
    if (isScalar(m)) {
      const test: ValueTest = (v) => v === m;
      return (values) => values.some(test);
    }
    if (!isPlainObject(m)) fail(path, `${describe(m)} is neither a value nor an operator object`);
    const keys = Object.keys(m);
    if (keys.length !== 1) fail(path, `an operator object needs exactly one key, got ${describe(m)}`);
    const op = keys[0] as string;
    const operand = m[op];
    if (op === 'exists') {
      if (typeof operand !== 'boolean') fail(path, `"exists" takes true or false, got ${describe(operand)}`);
      return operand ? (values) => values.length > 0 : (values) => values.length === 0;
    }
    let test: ValueTest;
    switch (op) {
      case 'prefix':
      case 'suffix':
        test = affixTest(operand, path, op);
        break;
      case 'equals-ignore-case':
        test = ignoreCaseTest(requireString(operand, path, '"equals-ignore-case"'), path);
        break;
      case 'wildcard':
        test = wildcardTest(requireString(operand, path, '"wildcard"'), path);
        break;
      case 'anything-but':
        test = anythingButTest(operand, path);
        break;
      case 'numeric':
        test = numericTest(operand, path);
        break;
      case 'cidr':
        test = cidrTest(operand, path);
        break;
      default:
        fail(path, `unknown operator ${describe(op)}`);
    }
    return (values) => values.some(test);
  });
  return (values) => tests.some((t) => t(values));
}

/** Compiles the fields of one pattern object into a test of one event object (or undefined). */
function compileFields(pattern: unknown, path: string): (obj: Record<string, unknown> | undefined) => boolean {
  if (!isPlainObject(pattern)) fail(path, `a pattern must be a JSON object, got ${describe(pattern)}`);
  const keys = Object.keys(pattern);
  if (keys.length === 0) fail(path, 'a pattern object must name at least one field');
  const fieldTests: Array<(obj: Record<string, unknown> | undefined) => boolean> = [];
  for (const key of keys) {
    const value = pattern[key];
    const at = join(path, key);
    if (key === OR_KEY) {
      if (!Array.isArray(value) || value.length < 2) {
        fail(at, '"$or" must be an array of at least two pattern objects');
      }
      const alternatives = value.map((alt, i) => compileFields(alt, `${at}[${i}]`));
      fieldTests.push((obj) => alternatives.some((alt) => alt(obj)));
    } else if (Array.isArray(value)) {
      const leaf = compileLeaf(value, at);
      fieldTests.push((obj) => leaf(scalarsAt(ownField(obj, key))));
    } else if (isPlainObject(value)) {
      const nested = compileObject(value, at);
      fieldTests.push((obj) => nested(ownField(obj, key)));
    } else {
      fail(at, `must be an array of values or a nested pattern object, got ${describe(value)}`);
    }
  }
  return (obj) => fieldTests.every((t) => t(obj));
}

function compileObject(pattern: unknown, path: string): ObjectTest {
  const fields = compileFields(pattern, path);
  return (value) => {
    if (Array.isArray(value)) {
      const elements = flattenArrays(value);
      if (elements.length === 0) return fields(undefined);
      // All fields must match inside one element (EventBridge's array-consistent matching).
      return elements.some((el) => fields(isPlainObject(el) ? el : undefined));
    }
    return fields(isPlainObject(value) ? value : undefined);
  };
}

// ---- public API ----------------------------------------------------------------------------------

/** A compiled event pattern: true when the event matches. Never throws. */
export type EventPatternMatcher = (event: unknown) => boolean;

/**
 * Checks that `pattern` is an event pattern this matcher understands (the EventBridge operators
 * listed in the module comment). Returns null when it is, else a reason naming the field at fault.
 * Never throws.
 */
export function validateEventPattern(pattern: unknown): string | null {
  try {
    compileObject(pattern, '');
    return null;
  } catch (error) {
    if (error instanceof PatternError) return error.message;
    throw error;
  }
}

/**
 * Compiles `pattern` once for repeated matching.
 *
 * @throws ValidationError (code `invalid_event_pattern`, field `pattern`) when the pattern is
 *   invalid; the message is what {@link validateEventPattern} returns.
 */
export function compileEventPattern(pattern: unknown): EventPatternMatcher {
  let test: ObjectTest;
  try {
    test = compileObject(pattern, '');
  } catch (error) {
    if (error instanceof PatternError) {
      throw new ValidationError(`Invalid event pattern: ${error.message}`, 'pattern', 'invalid_event_pattern');
    }
    throw error;
  }
  return (event) => isPlainObject(event) && test(event);
}

/**
 * True when `event` (an EventBridge event envelope, or any JSON object) matches `pattern` with
 * EventBridge semantics. A non-object event matches nothing. Pure and deterministic.
 *
 * @throws ValidationError (code `invalid_event_pattern`) when the pattern is invalid.
 */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  return compileEventPattern(pattern)(event);
}
