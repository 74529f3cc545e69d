import { isMap, isScalar, isSeq, type LineCounter, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { ValidationError } from '../errors';
import { parseDuration } from '../rollouts/duration';
import type { ConfigIssue, Labels, SourceLocation } from './model';

/**
 * Small typed readers over yaml's AST that record issues (with file, line and column) instead of
 * throwing, so one pass reports every problem. Each reader returns `undefined` after recording.
 */
export class Reader {
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    readonly issues: ConfigIssue[],
  ) {}

  at(node: Node | null | undefined, fallback?: Node | null): SourceLocation {
    const offset = node?.range?.[0] ?? fallback?.range?.[0] ?? 0;
    return this.offset(offset);
  }

  offset(offset: number): SourceLocation {
    const pos = this.lines.linePos(offset);
    return { file: this.file, line: pos.line, column: pos.col };
  }

  fail(node: Node | null | undefined, field: string, message: string, fallback?: Node | null): undefined {
    this.issues.push({ ...this.at(node, fallback), field, message });
    return undefined;
  }

  map(node: Node | null, field: string, parent?: Node | null): YAMLMap<Node, Node | null> | undefined {
    if (isMap(node)) return node as YAMLMap<Node, Node | null>;
    return this.fail(node, field, `${field} must be a mapping${describe(node)}`, parent);
  }

  seq(node: Node | null, field: string, parent?: Node | null): YAMLSeq<Node | null> | undefined {
    if (isSeq(node)) return node as YAMLSeq<Node | null>;
    return this.fail(node, field, `${field} must be a list${describe(node)}`, parent);
  }

  /**
   * The entries of a mapping by key. Unknown keys, non-text keys and missing required keys are
   * issues (an unknown key at the key, a missing one at the mapping).
   */
  fields(map: YAMLMap<Node, Node | null>, field: string, allowed: readonly string[], required: readonly string[] = []): Fields {
    const out = new Fields();
    for (const pair of map.items) {
      const key = pair.key as Node | null;
      const name = isScalar(key) ? key.value : undefined;
      if (typeof name !== 'string') {
        this.fail(key, field, `${field}: keys must be text`, map);
        continue;
      }
      const path = join(field, name);
      if (!allowed.includes(name)) {
        this.fail(key, path, `unknown key "${name}" in ${field || 'the file'}; allowed: ${allowed.join(', ')}`, map);
        continue;
      }
      out.set(name, { key: key as Node, value: (pair.value as Node | null) ?? null });
    }
    for (const name of required) {
      if (!out.has(name) || isNull(out.get(name)!.value)) this.fail(map, join(field, name), `${join(field, name)} is required`);
    }
    return out;
  }

  string(node: Node | null, field: string, options: { pattern?: RegExp; patternText?: string; max?: number } = {}): string | undefined {
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== 'string') return this.fail(node, field, `${field} must be text${describe(node)}`);
    if (value.trim() === '') return this.fail(node, field, `${field} must not be empty`);
    if (options.max !== undefined && value.length > options.max) return this.fail(node, field, `${field} is longer than ${options.max} characters`);
    if (options.pattern && !options.pattern.test(value)) {
      return this.fail(node, field, `${field}: "${value}" is not ${options.patternText ?? `of the form ${options.pattern.source}`}`);
    }
    return value;
  }

  name(node: Node | null, field: string): string | undefined {
    return this.string(node, field, { pattern: NAME, patternText: 'a name (lower-case letters, digits, "-" and ".", starting with a letter or digit, at most 63 characters)', max: 63 });
  }

  oneOf<T extends string>(node: Node | null, field: string, values: readonly T[]): T | undefined {
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
    return this.fail(node, field, `${field} must be one of ${values.join(', ')}${describe(node)}`);
  }

  number(node: Node | null, field: string, options: { integer?: boolean; min?: number; max?: number } = {}): number | undefined {
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) return this.fail(node, field, `${field} must be a number${describe(node)}`);
    if (options.integer && !Number.isInteger(value)) return this.fail(node, field, `${field} must be a whole number, got ${value}`);
    if (options.min !== undefined && value < options.min) return this.fail(node, field, `${field} must be at least ${options.min}, got ${value}`);
    if (options.max !== undefined && value > options.max) return this.fail(node, field, `${field} must be at most ${options.max}, got ${value}`);
    return value;
  }

  boolean(node: Node | null, field: string): boolean | undefined {
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== 'boolean') return this.fail(node, field, `${field} must be true or false${describe(node)}`);
    return value;
  }

  /** Seconds from `30s`, `5m`, `1h30m` or a number of seconds. */
  duration(node: Node | null, field: string, options: { min?: number } = {}): number | undefined {
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== 'string' && typeof value !== 'number') return this.fail(node, field, `${field} must be a duration such as "30s" or "5m"${describe(node)}`);
    try {
      const seconds = parseDuration(value, field);
      if (options.min !== undefined && seconds < options.min) return this.fail(node, field, `${field} must be at least ${options.min}s, got ${seconds}s`);
      return seconds;
    } catch (error) {
      if (error instanceof ValidationError) return this.fail(node, field, error.message);
      throw error;
    }
  }

  /** A list of texts, each read by `item`; entries that fail are left out. */
  list<T>(node: Node | null, field: string, item: (node: Node | null, field: string) => T | undefined): { value: T; node: Node | null }[] | undefined {
    const seq = this.seq(node, field);
    if (!seq) return undefined;
    const out: { value: T; node: Node | null }[] = [];
    seq.items.forEach((entry, i) => {
      const value = item(entry, `${field}[${i}]`);
      if (value !== undefined) out.push({ value, node: entry });
    });
    return out;
  }

  /** `key: value` texts; numbers and booleans are turned into text, other values are issues. */
  labels(node: Node | null, field: string): Labels | undefined {
    const map = this.map(node, field);
    if (!map) return undefined;
    const out: Record<string, string> = {};
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key !== 'string' || !LABEL_KEY.test(key)) {
        this.fail(pair.key as Node, field, `${field}: label keys must be text of letters, digits, "-", "_", "." and "/", got ${JSON.stringify(key ?? null)}`, map);
        continue;
      }
      const value = isScalar(pair.value) ? pair.value.value : undefined;
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        this.fail(pair.value as Node | null, join(field, key), `${join(field, key)} must be text`, pair.key as Node);
        continue;
      }
      out[key] = String(value);
    }
    return out;
  }
}

export class Fields extends Map<string, { key: Node; value: Node | null }> {
  /** The value node of `name`, or undefined when absent or explicitly null. */
  value(name: string): Node | null | undefined {
    const entry = this.get(name);
    if (!entry || isNull(entry.value)) return undefined;
    return entry.value;
  }
}

export const NAME = /^[a-z0-9][a-z0-9.-]*$/;
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

export function join(field: string, key: string): string {
  return field === '' ? key : `${field}.${key}`;
}

export function isNull(node: Node | null | undefined): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

function describe(node: Node | null | undefined): string {
  if (isNull(node)) return ', got nothing';
  if (isMap(node)) return ', got a mapping';
  if (isSeq(node)) return ', got a list';
  if (isScalar(node)) return `, got ${JSON.stringify(node.value)}`;
  return '';
}
