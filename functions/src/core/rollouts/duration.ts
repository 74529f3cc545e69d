import { ValidationError } from '../errors';
import type { DurationText } from './model';

/** Longest duration a spec may name: a Step Functions execution lasts at most one year. */
export const MAX_DURATION_SECONDS = 365 * 86_400;

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3_600, d: 86_400 };
const PART = /(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)/y;
const MAX_TEXT = 64;

function invalid(value: unknown, field: string, why: string): never {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value) : String(value);
  throw new ValidationError(
    `${field}: ${shown} is not a duration (${why}); use a number of seconds or text like "30s", "5m", "1h30m", "2d"`,
    field,
    'invalid_duration',
  );
}

/**
 * Parses a spec duration into whole seconds, rounding a fraction up (`"250ms"` → 1).
 *
 * Accepts a non-negative number of seconds, a string of digits (seconds), or one or more
 * `<number><unit>` parts with units `ms`, `s`, `m`, `h`, `d` (`"1h30m"`, `"1h 30m"`, `"1.5m"`).
 *
 * @throws ValidationError (`invalid_duration`, on `field`) for anything else, negative or
 *   non-finite numbers, and durations over {@link MAX_DURATION_SECONDS}.
 */
export function parseDuration(value: DurationText, field: string): number {
  let seconds: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) invalid(value, field, 'must be a non-negative number');
    seconds = value;
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') invalid(value, field, 'empty');
    if (text.length > MAX_TEXT) invalid(value, field, `longer than ${MAX_TEXT} characters`);
    if (/^\d+$/.test(text)) {
      seconds = Number(text);
    } else {
      seconds = 0;
      const seen = new Set<string>();
      let at = 0;
      while (at < text.length) {
        PART.lastIndex = at;
        const match = PART.exec(text);
        if (!match) invalid(value, field, `unexpected ${JSON.stringify(text.slice(at, at + 8))} at position ${at + 1}`);
        const unit = match[2]!;
        if (seen.has(unit)) invalid(value, field, `unit ${unit} given twice`);
        seen.add(unit);
        seconds += Number(match[1]) * UNIT_SECONDS[unit]!;
        at = PART.lastIndex;
        while (text[at] === ' ') at++;
      }
    }
  } else {
    return invalid(value, field, 'must be a number or a string');
  }
  // Round away float noise first ("0.1h" is 360 s, not 361), then a real fraction up.
  const whole = Math.ceil(Math.round(seconds * 1_000) / 1_000);
  if (whole > MAX_DURATION_SECONDS) invalid(value, field, `longer than ${MAX_DURATION_SECONDS / 86_400} days`);
  return whole;
}

/** Formats whole seconds for people: `"1h 30m"`, `"45s"`, `"2d 3h"`, `"0s"`. Fractions round up. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '0s';
  let rest = Math.ceil(seconds);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join(' ');
}
