import { ValidationError } from '../errors';
import { ALERT_LABELS, type Alert, type Matcher, type MatcherOp, type Silence, type SilenceState } from './model';

export const MAX_REGEX_LENGTH = 256;
/** Unbounded repetitions (`*`, `+`, `{n,}`, `{n,m}`) allowed in one pattern: two keep a match polynomial of degree 2 at most. */
export const MAX_REPETITIONS = 2;
export const MAX_MATCHERS = 32;
export const MAX_COMMENT = 2000;
const OPS: readonly MatcherOp[] = ['=', '!=', '=~', '!~'];
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Rejects regular expressions that can backtrack catastrophically or that are not plain label
 * patterns: longer than {@link MAX_REGEX_LENGTH}, back-references, lookaround, and any quantified
 * group that itself contains a quantifier or an alternation (`(a+)+`, `(a|aa)*`, `(x{1,3})+`) — the
 * shapes that make a backtracking engine exponential — and more than {@link MAX_REPETITIONS}
 * repetitions (`.*.*.*x` is polynomial of degree 3). Label values are at most 1,024 characters, so
 * an accepted pattern stays fast. Returns the reason, or null when accepted. Pure.
 */
export function unsafeRegexReason(pattern: string): string | null {
  if (pattern.length > MAX_REGEX_LENGTH) return `is longer than ${MAX_REGEX_LENGTH} characters`;
  if (/\\[1-9]|\\k</.test(pattern)) return 'uses a back-reference';
  if (/\(\?<?[=!]/.test(pattern)) return 'uses lookaround';
  // Per open group: does it contain a quantifier or an alternation?
  const stack: { risky: boolean }[] = [];
  let inClass = false;
  let repetitions = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
    } else if (c === '(') {
      stack.push({ risky: false });
    } else if (c === '|') {
      if (stack.length > 0) stack[stack.length - 1]!.risky = true;
    } else if (c === ')') {
      const group = stack.pop();
      const next = pattern[i + 1];
      const quantified = next === '*' || next === '+' || next === '?' || next === '{';
      if (group?.risky && quantified && next !== '?') return 'repeats a group that itself repeats or alternates (catastrophic backtracking)';
      // A repeated or risky group makes its enclosing group risky too.
      if (stack.length > 0 && (group?.risky || quantified)) stack[stack.length - 1]!.risky = true;
    }
    if (c === '*' || c === '+' || (c === '{' && /^\{\d*,/.test(pattern.slice(i)))) {
      repetitions += 1;
      if (repetitions > MAX_REPETITIONS) return `repeats more than ${MAX_REPETITIONS} times (polynomial backtracking)`;
    }
    if ((c === '*' || c === '+' || c === '{') && stack.length > 0) stack[stack.length - 1]!.risky = true;
  }
  return null;
}

/**
 * Compiles a matcher's regex anchored at both ends (`^(?:…)$`, as Alertmanager does: `=~ "prod"`
 * does not match `preprod`).
 *
 * @throws ValidationError (field given) when unsafe or not a valid regular expression.
 */
export function compileAnchored(pattern: string, field: string): RegExp {
  const unsafe = unsafeRegexReason(pattern);
  if (unsafe) throw new ValidationError(`regular expression ${unsafe}`, field, 'unsafe_regex');
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch (err) {
    throw new ValidationError(`is not a valid regular expression: ${(err as Error).message}`, field);
  }
}

/** A matcher ready to test label values (regexes compiled once). */
export type CompiledMatcher = Matcher & { test(value: string): boolean };

/**
 * Validates and compiles one matcher. A label the alert does not have matches as the empty value
 * (so `env!="prod"` matches an alert without `env`, `env=""` matches only those).
 *
 * @throws ValidationError naming `<field>.name|op|value`.
 */
export function compileMatcher(matcher: Matcher, field = 'matcher'): CompiledMatcher {
  if (typeof matcher !== 'object' || matcher === null) throw new ValidationError('must be an object {name, op, value}', field);
  if (typeof matcher.name !== 'string' || !LABEL_NAME.test(matcher.name)) {
    throw new ValidationError(`must be a label name matching ${LABEL_NAME.source}`, `${field}.name`);
  }
  if (!OPS.includes(matcher.op)) throw new ValidationError(`must be one of ${OPS.join(' ')}`, `${field}.op`);
  if (typeof matcher.value !== 'string') throw new ValidationError('must be a string', `${field}.value`);
  const { name, op, value } = matcher;
  if (op === '=') return { name, op, value, test: (v) => v === value };
  if (op === '!=') return { name, op, value, test: (v) => v !== value };
  const re = compileAnchored(value, `${field}.value`);
  return op === '=~' ? { name, op, value, test: (v) => re.test(v) } : { name, op, value, test: (v) => !re.test(v) };
}

/** The values matchers see: the labels plus the `severity` pseudo-label. */
export function matchableLabels(alert: Pick<Alert, 'labels' | 'severity'>): Record<string, string> {
  return { ...alert.labels, [ALERT_LABELS.severity]: alert.severity };
}

/** True when every matcher matches (absent labels read as ''). Pure. */
export function matchesAll(matchers: readonly CompiledMatcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchers.every((m) => m.test(labels[m.name] ?? ''));
}

export interface SilenceInput {
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

/**
 * Validates a silence: 1 to {@link MAX_MATCHERS} valid matchers of which at least one does not
 * match the empty value (a silence must not mute everything), `endsAt` after `startsAt`, a
 * non-empty `createdBy` and `comment`.
 *
 * @throws ValidationError with the field at fault (`matchers[1].value`, `endsAt`, ...).
 */
export function validateSilence(input: SilenceInput): void {
  if (!Array.isArray(input.matchers) || input.matchers.length === 0) throw new ValidationError('at least one matcher is required', 'matchers');
  if (input.matchers.length > MAX_MATCHERS) throw new ValidationError(`at most ${MAX_MATCHERS} matchers`, 'matchers');
  const compiled = input.matchers.map((m, i) => compileMatcher(m, `matchers[${i}]`));
  if (compiled.every((m) => m.test(''))) {
    throw new ValidationError('at least one matcher must not match the empty value (the silence would mute every alert)', 'matchers');
  }
  for (const field of ['startsAt', 'endsAt'] as const) {
    if (typeof input[field] !== 'string' || Number.isNaN(Date.parse(input[field]))) throw new ValidationError('must be an ISO 8601 timestamp', field);
  }
  if (Date.parse(input.endsAt) <= Date.parse(input.startsAt)) throw new ValidationError('must be after startsAt', 'endsAt');
  if (typeof input.createdBy !== 'string' || !input.createdBy.trim()) throw new ValidationError('is required', 'createdBy');
  if (typeof input.comment !== 'string' || !input.comment.trim()) throw new ValidationError('is required', 'comment');
  if (input.comment.length > MAX_COMMENT) throw new ValidationError(`at most ${MAX_COMMENT} characters`, 'comment');
}

/** pending / active / expired at `now`. Pure. */
export function silenceState(silence: Pick<Silence, 'startsAt' | 'endsAt'>, now: string): SilenceState {
  const t = Date.parse(now);
  if (t < Date.parse(silence.startsAt)) return 'pending';
  if (t >= Date.parse(silence.endsAt)) return 'expired';
  return 'active';
}

/** A compiled silence, so many alerts can be tested without recompiling regexes. */
export interface CompiledSilence {
  silence: Silence;
  matchers: CompiledMatcher[];
}

export function compileSilence(silence: Silence): CompiledSilence {
  return { silence, matchers: silence.matchers.map((m, i) => compileMatcher(m, `matchers[${i}]`)) };
}

/** Ids of the silences active at `now` that match the alert (labels + severity). Pure. */
export function silencedBy(alert: Pick<Alert, 'labels' | 'severity'>, silences: readonly CompiledSilence[], now: string): string[] {
  const labels = matchableLabels(alert);
  return silences.filter((s) => silenceState(s.silence, now) === 'active' && matchesAll(s.matchers, labels)).map((s) => s.silence.id);
}
