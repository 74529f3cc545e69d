import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/src/core/errors';
import { formatDuration, MAX_DURATION_SECONDS, parseDuration } from '../../functions/src/core/rollouts/duration';

describe('parseDuration', () => {
  it.each([
    [0, 0],
    [45, 45],
    [1.2, 2],
    ['0s', 0],
    ['30', 30],
    ['30s', 30],
    ['5m', 300],
    ['1h', 3_600],
    ['1h30m', 5_400],
    ['1h 30m', 5_400],
    [' 2m 5s ', 125],
    ['250ms', 1],
    ['1s500ms', 2],
    ['1000ms', 1],
    ['1.5m', 90],
    ['0.1h', 360],
    ['.5s', 1],
    ['2d', 172_800],
    ['1d2h3m4s', 93_784],
    ['365d', MAX_DURATION_SECONDS],
  ] as const)('reads %j as %i seconds', (text, seconds) => {
    expect(parseDuration(text, 'steps[0].pause.duration')).toBe(seconds);
  });

  it.each([
    [''],
    ['   '],
    ['5'.repeat(100)],
    ['5x'],
    ['m5'],
    ['5 minutes'],
    ['1h1h'],
    ['-5s'],
    ['5s-'],
    ['1e3s'],
    ['366d'],
    [-1],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [MAX_DURATION_SECONDS + 1],
  ] as const)('rejects %j naming the field', (text) => {
    let caught: unknown;
    try {
      parseDuration(text, 'steps[2].pause.duration');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect(caught).toMatchObject({ field: 'steps[2].pause.duration', code: 'invalid_duration' });
    expect((caught as Error).message).toMatch(/^steps\[2\]\.pause\.duration: .* is not a duration/);
  });

  it('rejects values that are neither numbers nor strings', () => {
    expect(() => parseDuration({} as unknown as string, 'interval')).toThrow(ValidationError);
    expect(() => parseDuration(null as unknown as string, 'interval')).toThrow(/interval: null is not a duration/);
  });

  it('says where text stops making sense', () => {
    expect(() => parseDuration('1h3x', 'gate.timeout')).toThrow(/unexpected "3x" at position 3/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [-3, '0s'],
    [Number.NaN, '0s'],
    [45, '45s'],
    [60, '1m'],
    [5_400, '1h 30m'],
    [3_661, '1h 1m 1s'],
    [172_800 + 3 * 3_600, '2d 3h'],
    [0.2, '1s'],
  ] as const)('formats %d seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const seconds of [1, 59, 61, 3_599, 3_601, 86_399, 90_061]) {
      expect(parseDuration(formatDuration(seconds), 'x')).toBe(seconds);
    }
  });
});
