import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/src/core/errors';
import { compileCondition, ConditionError, MAX_CONDITION_LENGTH } from '../../functions/src/core/rollouts/expression';

const FIELD = 'analysisTemplates[0].metrics[0].successCondition';
const run = (source: string, result: unknown) => compileCondition(source, FIELD)(result);

function compileError(source: string): ValidationError {
  try {
    compileCondition(source, FIELD);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error(`compiled: ${source}`);
}

function evalError(source: string, result: unknown): ConditionError {
  const fn = compileCondition(source, FIELD);
  try {
    fn(result);
  } catch (error) {
    expect(error).toBeInstanceOf(ConditionError);
    return error as ConditionError;
  }
  throw new Error(`evaluated: ${source}`);
}

describe('compileCondition', () => {
  const metrics = { errorRate: 0.02, p95: 250, 'error-rate': 0.5, ok: true, name: 'web', list: [0.1, 0.2, 0.3], nested: { a: [{ b: 7 }] }, none: null };

  it.each([
    ['result < 0.05', 0.01, true],
    ['result < 0.05', 0.05, false],
    ['result <= 0.05', 0.05, true],
    ['result > 0.05', 0.31, true],
    ['result >= 100', 99, false],
    ['result == 1', 1, true],
    ['result != 1', 1, false],
    ['result == 0.0', 0, true],
    ['result * 100 < 5', 0.04, true],
    ['result + 1 - 2 * 3 / 4 == result - 0.5', 7, true],
    ['result % 2 == 1', 7, true],
    ['-result < 0', 3, true],
    ['--result == 3', 3, true],
    ['1e-3 < result', 0.01, true],
    ['.5 == result', 0.5, true],
    ['(result + 1) * 2 == 6', 2, true],
    ['result.errorRate <= 0.01 && result.p95 < 300', metrics, false],
    ['result.errorRate <= 0.05 and result.p95 < 300', metrics, true],
    ['result.errorRate > 0.05 || result.p95 > 200', metrics, true],
    ['result.errorRate > 0.05 or result.p95 > 300', metrics, false],
    ['!(result > 1)', 0, true],
    ['not (result > 1)', 0, true],
    ['not result.ok', metrics, false],
    ['result["error-rate"] == 0.5', metrics, true],
    ["result['error-rate'] == 0.5", metrics, true],
    ['result.list[0] == 0.1', metrics, true],
    ['result.list[-1] == 0.3', metrics, true],
    ['result.nested.a[0].b == 7', metrics, true],
    ['result[0] >= 0.99', [0.995], true],
    ['result.name == "web"', metrics, true],
    ["result.name == 'w' + 'eb'", metrics, true],
    ['result.name < "x"', metrics, true],
    ['result.none == null', metrics, true],
    ['result.none == nil', metrics, true],
    ['result.ok == true', metrics, true],
    ['result == "1"', 1, false],
    ['len(result.list) == 3', metrics, true],
    ['len(result.name) == 3', metrics, true],
    ['len(result) == 8', metrics, true],
    ['isNaN(result)', Number.NaN, true],
    ['isNaN(result)', 1, false],
    ['result < 0.05', Number.NaN, false],
    ['abs(result) < 1', -0.5, true],
    ['floor(result) == 1 && ceil(result) == 2 && round(result) == 2', 1.5, true],
    ['min(result, 10) == 3 && max(result, 10) == 10', 3, true],
    ['max(result.list) == 0.3 && min(result.list) == 0.1', metrics, true],
    ['min(1, 2, result) == 0', 0, true],
    ['all(result.list, # < 0.5)', metrics, true],
    ['all(result.list, {# < 0.25})', metrics, false],
    ['any(result.list, # > 0.25)', metrics, true],
    ['none(result.list, # > 0.25)', metrics, false],
    ['all(result, # > 1)', [], true],
    ['any(result, # > 1)', [], false],
    ['all(result, any(#, # > 2))', [[1, 3], [4]], true],
    ['default(result.missing, 0) == 0', metrics, true],
    ['default(result.none, 5) == 5', metrics, true],
    ['default(result.p95, 0) == 250', metrics, true],
    ['result > 1 ? result < 10 : result == 0', 5, true],
    ['result > 1 ? result < 10 : result == 0', 0, true],
    ['result > 1 ? result < 10 : result == 0', 0.5, false],
    ['true', null, true],
    ['false || result == null', null, true],
    ['  result\n  < 1\t', 0, true],
  ] as const)('%s with %j is %s', (source, result, expected) => {
    expect(run(source, result)).toBe(expected);
  });

  it('binds operators as people expect', () => {
    expect(run('1 + 2 * 3 == 7', null)).toBe(true);
    expect(run('true || false && false', null)).toBe(true);
    expect(run('(true || false) && false', null)).toBe(false);
    expect(run('10 - 2 - 3 == 5', null)).toBe(true);
    expect(run('8 / 4 / 2 == 1', null)).toBe(true);
    expect(run('1 < 2 == true', null)).toBe(true);
  });

  it('short-circuits: the right side is not evaluated when the left decides', () => {
    expect(run('result == null || result.x > 1', null)).toBe(true);
    expect(run('result != null && result.x > 1', null)).toBe(false);
  });

  it('compiles once and evaluates many times', () => {
    const fn = compileCondition('result < 0.05', FIELD);
    expect([0.01, 0.1, 0.04, 0.05].map(fn)).toEqual([true, false, true, false]);
  });

  describe('rejects bad conditions with the field, code and position', () => {
    it.each([
      ['', /empty/],
      ['   ', /empty/],
      ['result <', /ends too early at position 9/],
      ['result < 0.05)', /unexpected "\)" at position 14/],
      ['(result < 0.05', /expected "\)" but found the end at position 15/],
      ['result = 1', /unexpected "=" \(use == to compare\) at position 8/],
      ['result === 1', /unexpected "=" \(use == to compare\) at position 10/],
      ['result & 1', /use &&/],
      ['result | 1', /use \|\|/],
      ['value < 1', /unknown name "value" \(the measured value is "result"\) at position 1/],
      ['process.exit(1)', /unknown name "process"/],
      ['result < 1 1', /unexpected number 1 at position 12/],
      ['result.', /expected a member name after "\." but found the end/],
      ['result.1', /unexpected number 0.1 at position 7/],
      ['"abc', /unterminated string at position 1/],
      ['"a\\q" == result', /unknown escape \\q/],
      ['len(result, 1) > 0', /len\(\) takes 1 argument, not 2/],
      ['default(result) > 0', /default\(\) takes 2 arguments, not 1/],
      ['min() > 0', /min\(\) takes 1 to 16 arguments, not 0/],
      ['len > 0', /len is a function/],
      ['# > 1', /only defined inside all\(\)/],
      ['result < 5x', /after a number/],
      ['result ? 1', /expected ":"/],
      ['result @ 1', /unexpected "@"/],
    ])('%j', (source, message) => {
      const error = compileError(source);
      expect(error.field).toBe(FIELD);
      expect(error.code).toBe('invalid_condition');
      expect(error.message).toMatch(new RegExp(`^${FIELD.replace(/[[\].]/g, '\\$&')}: `));
      expect(error.message).toMatch(message);
    });
  });

  describe('hostile input', () => {
    it.each([
      'result.__proto__',
      'result.constructor',
      'result.constructor.constructor("return process")()',
      'result.prototype',
      'result.__defineGetter__',
      'result["__proto__"] == null',
      "result['constructor'] == null",
      'len.constructor',
    ])('refuses to compile %s', (source) => {
      expect(compileError(source).message).toMatch(/not allowed|is a function|unexpected/);
    });

    it('refuses prototype members reached through computed keys at run time', () => {
      expect(evalError('result["__pro" + "to__"] == null', {}).message).toMatch(/not allowed/);
      expect(evalError('result["con" + "structor"] == null', {}).message).toMatch(/not allowed/);
      // Inherited members are not data: only own properties are readable.
      expect(evalError('result["toString"] == null', {}).message).toMatch(/has no member "toString"/);
      expect(evalError('result["hasOwnProperty"] == null', {}).message).toMatch(/has no member/);
      expect(evalError('len(result["valueOf"]) > 0', [1]).message).toMatch(/a list index must be a whole number, not "valueOf"/);
    });

    it('does not touch Object.prototype whatever the result holds', () => {
      const result = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as unknown;
      expect(run('result.x == 1', result)).toBe(true);
      expect(evalError('result.polluted', result).message).toMatch(/no member "polluted"/);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('limits nesting depth', () => {
      const deep = `${'('.repeat(200)}result${')'.repeat(200)} > 1`;
      expect(compileError(deep).message).toMatch(/nested deeper than 32 levels/);
      expect(compileError(`${'!'.repeat(100)}true`).message).toMatch(/nested deeper/);
      expect(compileError(`${'result['.repeat(60)}0${']'.repeat(60)} > 1`).message).toMatch(/nested deeper/);
      expect(compileError(`${'len('.repeat(60)}result${')'.repeat(60)} > 1`).message).toMatch(/nested deeper/);
      expect(run(`${'('.repeat(20)}result${')'.repeat(20)} > 1`, 2)).toBe(true);
    });

    it('limits length', () => {
      const long = `result > 0${' && result > 0'.repeat(200)}`;
      expect(long.length).toBeGreaterThan(MAX_CONDITION_LENGTH);
      expect(compileError(long).message).toMatch(/longer than 1024 characters/);
      const justFits = `result > 0${' && result > 0'.repeat(70)}`;
      expect(justFits.length).toBeLessThanOrEqual(MAX_CONDITION_LENGTH);
      expect(run(justFits, 1)).toBe(true);
      expect(run(`${'1 + '.repeat(250)}0 == 250`, null)).toBe(true);
    });

    it('bounds the work of nested list functions', () => {
      const list = Array.from({ length: 100 }, (_, i) => i);
      expect(run('all(result, # >= 0)', list)).toBe(true);
      expect(evalError('all(result, all(result, all(result, # >= 0)))', list).message).toMatch(/more than 100000 steps/);
    });

    it('does not run JavaScript', () => {
      for (const source of ['eval("1")', 'Function("return 1")()', 'this.x', 'globalThis', 'require("fs")', '`x`', 'result => 1']) {
        expect(() => compileCondition(source, FIELD)).toThrow(ValidationError);
      }
    });
  });

  describe('evaluation errors say why', () => {
    it.each([
      ['result.errorRate < 0.05', {}, /result has no member "errorRate"/, true],
      ['result.errorRate < 0.05', 0.3, /cannot read "errorRate" of result: it is 0\.3/, false],
      ['result.a.b < 1', { a: null }, /cannot read "b" of result\.a: it is null/, true],
      ['result[3] < 1', [1, 2], /index 3 is out of range: result has 2 element/, true],
      ['result[0.5] < 1', [1, 2], /whole number/, false],
      ['result[0] < 1', 5, /cannot index result \(5\) with 0/, false],
      ['result.list < 1', { list: [] }, /< needs a number but result\.list is a list/, false],
      ['result < 1', 'abc', /< needs a number but result is "abc"/, false],
      ['result < "a"', 1, /< needs a number but "a" is "a"/, false],
      ['result + 1 > 0', true, /\+ needs a number/, false],
      ['result && true', 1, /and needs true or false but result is 1/, false],
      ['not result', 1, /not needs true or false/, false],
      ['result == result', { a: 1 }, /== compares numbers, strings, booleans and null, but result is a object/, false],
      ['len(result) > 0', 5, /len\(\) needs a list, string or object but result is 5/, false],
      ['all(result, # > 1)', 5, /all\(\) needs a list/, false],
      ['all(result, #)', [1], /all\(\) needs true or false/, false],
      ['isNaN(result)', 'x', /isNaN\(\) needs a number/, false],
      ['max(result) > 0', [], /max\(\) of an empty list/, false],
      ['default(result.a, 0) < result.b', { a: 1 }, /has no member "b"/, true],
      ['default(len(result), 0) > 1', 5, /len\(\) needs/, false],
    ] as const)('%s with %j', (source, result, message, missing) => {
      const error = evalError(source, result);
      expect(error.message).toMatch(message);
      expect(error.missing).toBe(missing);
    });

    it('a result that is not a boolean is an error', () => {
      expect(evalError('result', 0.3).message).toBe('the condition gave 0.3, not true or false');
      expect(evalError('result + 1', 1).message).toMatch(/gave 2, not true or false/);
      expect(evalError('result.x', { x: 'yes' }).message).toMatch(/gave "yes"/);
      expect(evalError('result > 1 ? 1 : false', 2).message).toMatch(/gave 1/);
    });
  });
});
