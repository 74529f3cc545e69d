import { ValidationError } from '../errors';

/**
 * The condition language of analysis metrics (`successCondition`, `failureCondition`), as people
 * write Argo Rollouts conditions: `result < 0.05`, `result.errorRate <= 0.01 && result.p95 < 300`,
 * `len(result) > 0 and result[0] >= 0.99`, `all(result, # < 0.05)`.
 *
 * A small parser and tree-walking evaluator: no `eval`, no `Function`, no access to prototypes,
 * bounded source length and nesting depth. Grammar, loosest binding first:
 *
 *   cond ?: · `||` `or` · `&&` `and` · `==` `!=` · `<` `<=` `>` `>=` · `+` `-` · `*` `/` `%` ·
 *   unary `!` `not` `-` · postfix `.name` `[index]` · literals, `result`, `#`, `( … )`, calls
 *
 * Functions: `len(x)`, `isNaN(x)`, `abs(x)`, `floor(x)`, `ceil(x)`, `round(x)`, `min(a, b, …)`,
 * `max(a, b, …)` (or of one list), `default(x, fallback)` (fallback when x is missing or null), and
 * `all(list, pred)`, `any(list, pred)`, `none(list, pred)` where `#` in `pred` is the element
 * (`{ pred }` braces as in expr-lang are accepted too).
 */

/** Longest condition accepted (the spec's limit for condition strings). */
export const MAX_CONDITION_LENGTH = 1024;
/** Deepest nesting of the parse tree; guards the recursive parser and evaluator. */
export const MAX_CONDITION_DEPTH = 32;
/** Most evaluation steps one evaluation may take (nested all()/any() over lists multiply). */
export const MAX_EVALUATION_STEPS = 100_000;

/** An evaluation failure: the measurement is recorded as Error with this message. */
export class ConditionError extends Error {
  constructor(
    message: string,
    /** True when a member or index was missing (what `default()` forgives). */
    readonly missing = false,
  ) {
    super(message);
    this.name = 'ConditionError';
  }
}

type Value = unknown;

type Node =
  | { k: 'lit'; v: number | string | boolean | null; s: number; e: number }
  | { k: 'result'; s: number; e: number }
  | { k: 'elem'; s: number; e: number }
  | { k: 'member'; obj: Node; name: string; s: number; e: number }
  | { k: 'index'; obj: Node; idx: Node; s: number; e: number }
  | { k: 'unary'; op: '!' | '-'; arg: Node; s: number; e: number }
  | { k: 'binary'; op: BinaryOp; l: Node; r: Node; s: number; e: number }
  | { k: 'logic'; op: '&&' | '||'; l: Node; r: Node; s: number; e: number }
  | { k: 'cond'; test: Node; then: Node; else: Node; s: number; e: number }
  | { k: 'call'; fn: FunctionName; args: Node[]; s: number; e: number };

type BinaryOp = '+' | '-' | '*' | '/' | '%' | '<' | '<=' | '>' | '>=' | '==' | '!=';

type Token =
  | { t: 'num'; v: number; s: number; e: number }
  | { t: 'str'; v: string; s: number; e: number }
  | { t: 'id'; v: string; s: number; e: number }
  | { t: 'op'; v: string; s: number; e: number }
  | { t: 'end'; s: number; e: number };

const FUNCTIONS = {
  len: [1, 1],
  isNaN: [1, 1],
  abs: [1, 1],
  floor: [1, 1],
  ceil: [1, 1],
  round: [1, 1],
  min: [1, 16],
  max: [1, 16],
  default: [2, 2],
  all: [2, 2],
  any: [2, 2],
  none: [2, 2],
} as const;
type FunctionName = keyof typeof FUNCTIONS;
const PREDICATE_FUNCTIONS = new Set<FunctionName>(['all', 'any', 'none']);

/** Names that would reach the object machinery rather than the measured data. */
function forbiddenName(name: string): boolean {
  return name.startsWith('__') || name === 'constructor' || name === 'prototype';
}

const OPERATORS = ['<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '!', '(', ')', '[', ']', '{', '}', ',', '.', '?', ':', '#'];
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };

class CompileError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i))!;
      i += m[0].length;
      if (/[A-Za-z_$]/.test(src[i] ?? '')) throw new CompileError(`unexpected ${JSON.stringify(src[i])} after a number`, i);
      tokens.push({ t: 'num', v: Number(m[0]), s: start, e: i });
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i))!;
      i += m[0].length;
      tokens.push({ t: 'id', v: m[0], s: start, e: i });
      continue;
    }
    if (c === '"' || c === "'") {
      let text = '';
      i++;
      for (;;) {
        const ch = src[i];
        if (ch === undefined) throw new CompileError('unterminated string', start);
        if (ch === c) break;
        if (ch === '\\') {
          const esc = src[i + 1];
          if (esc === undefined || ESCAPES[esc] === undefined) throw new CompileError(`unknown escape \\${esc ?? ''}`, i);
          text += ESCAPES[esc];
          i += 2;
          continue;
        }
        text += ch;
        i++;
      }
      i++;
      tokens.push({ t: 'str', v: text, s: start, e: i });
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) {
      const hint = c === '=' ? ' (use == to compare)' : c === '&' ? ' (use &&)' : c === '|' ? ' (use ||)' : '';
      throw new CompileError(`unexpected ${JSON.stringify(c)}${hint}`, i);
    }
    i += op.length;
    tokens.push({ t: 'op', v: op, s: start, e: i });
  }
  tokens.push({ t: 'end', s: src.length, e: src.length });
  return tokens;
}

class Parser {
  private pos = 0;
  private depth = 0;
  private predicateDepth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.expression();
    const next = this.peek();
    if (next.t !== 'end') throw new CompileError(`unexpected ${describe(next)}`, next.s);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    return this.tokens[this.pos++]!;
  }

  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }

  private isWord(v: string): boolean {
    const t = this.peek();
    return t.t === 'id' && t.v === v;
  }

  private expect(v: string): Token {
    const t = this.next();
    if (t.t !== 'op' || t.v !== v) throw new CompileError(`expected ${JSON.stringify(v)} but found ${describe(t)}`, t.s);
    return t;
  }

  private enter(at: number): void {
    if (++this.depth > MAX_CONDITION_DEPTH) throw new CompileError(`nested deeper than ${MAX_CONDITION_DEPTH} levels`, at);
  }

  private expression(): Node {
    this.enter(this.peek().s);
    const test = this.or();
    let node = test;
    if (this.isOp('?')) {
      this.next();
      const then = this.expression();
      this.expect(':');
      const otherwise = this.expression();
      node = { k: 'cond', test, then, else: otherwise, s: test.s, e: otherwise.e };
    }
    this.depth--;
    return node;
  }

  private or(): Node {
    let l = this.and();
    while (this.isOp('||') || this.isWord('or')) {
      this.next();
      const r = this.and();
      l = { k: 'logic', op: '||', l, r, s: l.s, e: r.e };
    }
    return l;
  }

  private and(): Node {
    let l = this.equality();
    while (this.isOp('&&') || this.isWord('and')) {
      this.next();
      const r = this.equality();
      l = { k: 'logic', op: '&&', l, r, s: l.s, e: r.e };
    }
    return l;
  }

  private binaryLevel(ops: readonly BinaryOp[], operand: () => Node): Node {
    let l = operand();
    for (;;) {
      const t = this.peek();
      if (t.t !== 'op' || !ops.includes(t.v as BinaryOp)) return l;
      this.next();
      const r = operand();
      l = { k: 'binary', op: t.v as BinaryOp, l, r, s: l.s, e: r.e };
    }
  }

  private equality(): Node {
    return this.binaryLevel(['==', '!='], () => this.relational());
  }

  private relational(): Node {
    return this.binaryLevel(['<', '<=', '>', '>='], () => this.additive());
  }

  private additive(): Node {
    return this.binaryLevel(['+', '-'], () => this.multiplicative());
  }

  private multiplicative(): Node {
    return this.binaryLevel(['*', '/', '%'], () => this.unary());
  }

  private unary(): Node {
    const t = this.peek();
    if ((t.t === 'op' && (t.v === '!' || t.v === '-')) || (t.t === 'id' && t.v === 'not')) {
      this.next();
      this.enter(t.s);
      const arg = this.unary();
      this.depth--;
      return { k: 'unary', op: t.v === '-' ? '-' : '!', arg, s: t.s, e: arg.e };
    }
    return this.postfix();
  }

  private postfix(): Node {
    let node = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const name = this.next();
        if (name.t !== 'id') throw new CompileError(`expected a member name after "." but found ${describe(name)}`, name.s);
        if (forbiddenName(name.v)) throw new CompileError(`member ${JSON.stringify(name.v)} is not allowed`, name.s);
        node = { k: 'member', obj: node, name: name.v, s: node.s, e: name.e };
      } else if (this.isOp('[')) {
        const open = this.next();
        this.enter(open.s);
        const idx = this.expression();
        this.depth--;
        if (idx.k === 'lit' && typeof idx.v === 'string' && forbiddenName(idx.v)) {
          throw new CompileError(`member ${JSON.stringify(idx.v)} is not allowed`, idx.s);
        }
        const close = this.expect(']');
        node = { k: 'index', obj: node, idx, s: node.s, e: close.e };
      } else {
        return node;
      }
    }
  }

  private primary(): Node {
    const t = this.next();
    switch (t.t) {
      case 'num':
        return { k: 'lit', v: t.v, s: t.s, e: t.e };
      case 'str':
        return { k: 'lit', v: t.v, s: t.s, e: t.e };
      case 'end':
        throw new CompileError('the condition ends too early', t.s);
      case 'id':
        return this.identifier(t);
      case 'op':
        if (t.v === '(') {
          const inner = this.expression();
          const close = this.expect(')');
          return { ...inner, s: t.s, e: close.e };
        }
        if (t.v === '#') {
          if (this.predicateDepth === 0) throw new CompileError('# (the element) is only defined inside all(), any() and none()', t.s);
          return { k: 'elem', s: t.s, e: t.e };
        }
        throw new CompileError(`unexpected ${describe(t)}`, t.s);
    }
  }

  private identifier(t: Token & { t: 'id' }): Node {
    switch (t.v) {
      case 'result':
        return { k: 'result', s: t.s, e: t.e };
      case 'true':
        return { k: 'lit', v: true, s: t.s, e: t.e };
      case 'false':
        return { k: 'lit', v: false, s: t.s, e: t.e };
      case 'null':
      case 'nil':
        return { k: 'lit', v: null, s: t.s, e: t.e };
    }
    if (Object.hasOwn(FUNCTIONS, t.v)) {
      if (!this.isOp('(')) throw new CompileError(`${t.v} is a function: call it as ${t.v}(…)`, t.s);
      return this.call(t.v as FunctionName, t);
    }
    throw new CompileError(`unknown name ${JSON.stringify(t.v)} (the measured value is "result")`, t.s);
  }

  private call(fn: FunctionName, t: Token): Node {
    this.expect('(');
    const args: Node[] = [];
    const predicate = PREDICATE_FUNCTIONS.has(fn);
    while (!this.isOp(')')) {
      if (args.length > 0) this.expect(',');
      if (predicate && args.length === 1) {
        this.predicateDepth++;
        const braced = this.isOp('{');
        if (braced) this.next();
        args.push(this.expression());
        if (braced) this.expect('}');
        this.predicateDepth--;
      } else {
        args.push(this.expression());
      }
    }
    const close = this.expect(')');
    const [lo, hi] = FUNCTIONS[fn];
    if (args.length < lo || args.length > hi) {
      const wanted = lo === hi ? `${lo}` : `${lo} to ${hi}`;
      throw new CompileError(`${fn}() takes ${wanted} argument${hi === 1 ? '' : 's'}, not ${args.length}`, t.s);
    }
    return { k: 'call', fn, args, s: t.s, e: close.e };
  }
}

function describe(t: Token): string {
  switch (t.t) {
    case 'end':
      return 'the end';
    case 'num':
      return `number ${t.v}`;
    case 'str':
      return `string ${JSON.stringify(t.v)}`;
    default:
      return JSON.stringify(t.v);
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

function kind(v: Value): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : 'number';
  return typeof v === 'object' ? 'object' : typeof v;
}

function show(v: Value): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v ?? null);
  return `a ${kind(v)}`;
}

function isRecord(v: Value): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Evaluator {
  constructor(private readonly src: string) {}

  private text(n: Node): string {
    return this.src.slice(n.s, n.e).trim();
  }

  private number(n: Node, v: Value, what: string): number {
    if (typeof v !== 'number') throw new ConditionError(`${what} needs a number but ${this.text(n)} is ${show(v)}`);
    return v;
  }

  private boolean(n: Node, v: Value, what: string): boolean {
    if (typeof v !== 'boolean') throw new ConditionError(`${what} needs true or false but ${this.text(n)} is ${show(v)}`);
    return v;
  }

  private member(n: Node, obj: Value, key: string): Value {
    if (forbiddenName(key)) throw new ConditionError(`member ${JSON.stringify(key)} is not allowed`);
    if (!isRecord(obj)) throw new ConditionError(`cannot read ${JSON.stringify(key)} of ${this.text(n)}: it is ${show(obj)}`, obj === null || obj === undefined);
    if (!Object.hasOwn(obj, key)) throw new ConditionError(`${this.text(n)} has no member ${JSON.stringify(key)}`, true);
    return obj[key];
  }

  private steps = 0;

  eval(n: Node, elem: Value): Value {
    if (++this.steps > MAX_EVALUATION_STEPS) throw new ConditionError(`the condition takes more than ${MAX_EVALUATION_STEPS} steps`);
    switch (n.k) {
      case 'lit':
        return n.v;
      case 'result':
        return this.root;
      case 'elem':
        return elem;
      case 'member':
        return this.member(n.obj, this.eval(n.obj, elem), n.name);
      case 'index': {
        const obj = this.eval(n.obj, elem);
        const idx = this.eval(n.idx, elem);
        if (Array.isArray(obj)) {
          if (typeof idx !== 'number' || !Number.isInteger(idx)) throw new ConditionError(`a list index must be a whole number, not ${show(idx)}`);
          const at = idx < 0 ? obj.length + idx : idx;
          if (at < 0 || at >= obj.length) throw new ConditionError(`index ${idx} is out of range: ${this.text(n.obj)} has ${obj.length} element(s)`, true);
          return obj[at];
        }
        if (typeof idx === 'string') return this.member(n.obj, obj, idx);
        throw new ConditionError(`cannot index ${this.text(n.obj)} (${show(obj)}) with ${show(idx)}`);
      }
      case 'unary': {
        const v = this.eval(n.arg, elem);
        return n.op === '-' ? -this.number(n.arg, v, 'unary -') : !this.boolean(n.arg, v, 'not');
      }
      case 'logic': {
        const what = n.op === '&&' ? 'and' : 'or';
        const l = this.boolean(n.l, this.eval(n.l, elem), what);
        if (n.op === '&&' ? !l : l) return l;
        return this.boolean(n.r, this.eval(n.r, elem), what);
      }
      case 'cond':
        return this.boolean(n.test, this.eval(n.test, elem), '?:') ? this.eval(n.then, elem) : this.eval(n.else, elem);
      case 'binary':
        return this.binary(n, this.eval(n.l, elem), this.eval(n.r, elem));
      case 'call':
        return this.call(n, elem);
    }
  }

  private root: Value = undefined;

  run(tree: Node, result: Value): Value {
    this.root = result;
    return this.eval(tree, undefined);
  }

  private binary(n: Node & { k: 'binary' }, l: Value, r: Value): Value {
    switch (n.op) {
      case '==':
      case '!=': {
        for (const [side, v] of [
          [n.l, l],
          [n.r, r],
        ] as const) {
          if (typeof v === 'object' && v !== null) throw new ConditionError(`${n.op} compares numbers, strings, booleans and null, but ${this.text(side)} is ${show(v)}`);
        }
        const equal = (l ?? null) === (r ?? null);
        return n.op === '==' ? equal : !equal;
      }
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const bothStrings = typeof l === 'string' && typeof r === 'string';
        if (!bothStrings) {
          this.number(n.l, l, n.op);
          this.number(n.r, r, n.op);
        }
        const a = l as number | string;
        const b = r as number | string;
        return n.op === '<' ? a < b : n.op === '<=' ? a <= b : n.op === '>' ? a > b : a >= b;
      }
      case '+':
        if (typeof l === 'string' && typeof r === 'string') return l + r;
        return this.number(n.l, l, '+') + this.number(n.r, r, '+');
      case '-':
        return this.number(n.l, l, '-') - this.number(n.r, r, '-');
      case '*':
        return this.number(n.l, l, '*') * this.number(n.r, r, '*');
      case '/':
        return this.number(n.l, l, '/') / this.number(n.r, r, '/');
      case '%':
        return this.number(n.l, l, '%') % this.number(n.r, r, '%');
    }
  }

  private call(n: Node & { k: 'call' }, elem: Value): Value {
    const [first, second] = n.args as [Node, Node | undefined];
    if (n.fn === 'default') {
      try {
        const v = this.eval(first, elem);
        if (v !== null && v !== undefined) return v;
      } catch (error) {
        if (!(error instanceof ConditionError && error.missing)) throw error;
      }
      return this.eval(second!, elem);
    }
    const v = this.eval(first, elem);
    switch (n.fn) {
      case 'len':
        if (Array.isArray(v) || typeof v === 'string') return v.length;
        if (isRecord(v)) return Object.keys(v).length;
        throw new ConditionError(`len() needs a list, string or object but ${this.text(first)} is ${show(v)}`);
      case 'isNaN':
        return Number.isNaN(this.number(first, v, 'isNaN()'));
      case 'abs':
        return Math.abs(this.number(first, v, 'abs()'));
      case 'floor':
        return Math.floor(this.number(first, v, 'floor()'));
      case 'ceil':
        return Math.ceil(this.number(first, v, 'ceil()'));
      case 'round':
        return Math.round(this.number(first, v, 'round()'));
      case 'min':
      case 'max': {
        const values =
          n.args.length === 1 && Array.isArray(v)
            ? v.map((x) => this.number(first, x, `${n.fn}()`))
            : n.args.map((a, i) => this.number(a, i === 0 ? v : this.eval(a, elem), `${n.fn}()`));
        if (values.length === 0) throw new ConditionError(`${n.fn}() of an empty list`);
        return n.fn === 'min' ? Math.min(...values) : Math.max(...values);
      }
      case 'all':
      case 'any':
      case 'none': {
        if (!Array.isArray(v)) throw new ConditionError(`${n.fn}() needs a list but ${this.text(first)} is ${show(v)}`);
        for (const item of v) {
          const hit = this.boolean(second!, this.eval(second!, item), `${n.fn}()`);
          if (n.fn === 'all' && !hit) return false;
          if (n.fn === 'any' && hit) return true;
          if (n.fn === 'none' && hit) return false;
        }
        return n.fn !== 'any';
      }
    }
  }
}

/**
 * Compiles a condition once; the returned function evaluates it against a measured `result`.
 *
 * @throws ValidationError (`invalid_condition`, on `field`) when the source is empty, longer than
 *   {@link MAX_CONDITION_LENGTH}, nested deeper than {@link MAX_CONDITION_DEPTH} or not valid; the
 *   message gives the 1-based position of the problem.
 * @returns a pure function that returns the boolean outcome or throws {@link ConditionError} when
 *   the condition cannot be evaluated on that result (missing member, a type mismatch, a
 *   non-boolean outcome).
 */
export function compileCondition(source: string, field: string): (result: unknown) => boolean {
  const invalid = (message: string): never => {
    throw new ValidationError(`${field}: ${message}`, field, 'invalid_condition');
  };
  if (typeof source !== 'string' || source.trim() === '') return invalid('the condition is empty');
  if (source.length > MAX_CONDITION_LENGTH) return invalid(`the condition is longer than ${MAX_CONDITION_LENGTH} characters`);
  let tree: Node;
  try {
    tree = new Parser(tokenize(source)).parse();
  } catch (error) {
    if (error instanceof CompileError) return invalid(`${error.message} at position ${error.at + 1} of ${JSON.stringify(source.length > 80 ? `${source.slice(0, 80)}…` : source)}`);
    throw error;
  }
  return (result: unknown) => {
    const value = new Evaluator(source).run(tree, result);
    if (typeof value !== 'boolean') throw new ConditionError(`the condition gave ${show(value)}, not true or false`);
    return value;
  };
}
