/**
 * The JSONPath subset metric providers read a value with: `$`, `.name`, `['name']`, `["name"]`
 * and `[index]` (negative counts from the end), e.g. `$.data.result[0].value[1]`,
 * `$['error-rate']`. Argo's `{$.a.b}` braces are accepted. No wildcards, filters or recursion.
 */

export type JsonPathStep = string | number;

const MAX_PATH = 512;

/**
 * Parses a path into its steps.
 * @throws Error naming the position when the path is outside the subset.
 */
export function parseJsonPath(path: string): JsonPathStep[] {
  let text = path.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1).trim();
  if (text.length > MAX_PATH) throw new Error(`JSONPath longer than ${MAX_PATH} characters`);
  if (text[0] !== '$') throw new Error(`JSONPath ${path} must start with $`);
  const steps: JsonPathStep[] = [];
  let i = 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '.') {
      const m = /^[A-Za-z0-9_$-]+/.exec(text.slice(i + 1));
      if (!m) throw new Error(`JSONPath ${path}: expected a name after "." at position ${i + 1}`);
      steps.push(m[0]);
      i += 1 + m[0].length;
    } else if (c === '[') {
      const rest = text.slice(i);
      const index = /^\[\s*(-?\d+)\s*\]/.exec(rest);
      const quoted = /^\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\]/.exec(rest);
      if (index) {
        steps.push(Number(index[1]));
        i += index[0].length;
      } else if (quoted) {
        steps.push((quoted[1] ?? quoted[2]!).replace(/\\(.)/g, '$1'));
        i += quoted[0].length;
      } else {
        throw new Error(`JSONPath ${path}: expected [index] or ['name'] at position ${i + 1}`);
      }
    } else {
      throw new Error(`JSONPath ${path}: unexpected ${JSON.stringify(c)} at position ${i + 1}`);
    }
  }
  return steps;
}

/**
 * The value at `path` in a parsed JSON document; only own properties are followed.
 * @throws Error saying which step found nothing.
 */
export function readJsonPath(document: unknown, path: string): unknown {
  let current = document;
  let at = '$';
  for (const step of parseJsonPath(path)) {
    if (typeof step === 'number') {
      if (!Array.isArray(current)) throw new Error(`no value at ${path}: ${at} is not a list`);
      const index = step < 0 ? current.length + step : step;
      if (index < 0 || index >= current.length) throw new Error(`no value at ${path}: ${at} has ${current.length} element(s)`);
      current = current[index];
      at += `[${step}]`;
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, step)) {
        throw new Error(`no value at ${path}: ${at} has no member ${JSON.stringify(step)}`);
      }
      current = (current as Record<string, unknown>)[step];
      at += /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`;
    }
  }
  return current;
}

/**
 * A metric value: a finite number, or a string holding one (Prometheus and many JSON APIs send
 * numbers as strings).
 * @throws Error when the value is anything else.
 */
export function toMetricNumber(value: unknown, what: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
    throw new Error(`${what} is ${shown}, not a finite number`);
  }
  return n;
}
