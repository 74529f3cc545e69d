import { isMap, type Node, type YAMLMap } from 'yaml';
import type { Threshold } from './model';
import { placeholderProblem } from './placeholders';
import { join, type Fields, type Reader } from './read';

/** Value readers shared by the config sections (checks, chain checks, notifications). */

/** The value of an optional key, read when present and not null. */
export function opt<T>(f: Fields, key: string, read: (node: Node) => T | undefined): T | undefined {
  const node = f.value(key);
  return node === undefined || node === null ? undefined : read(node);
}

/** The value of a required key; an issue on the map naming the key when it is missing or null. */
export function need<T>(r: Reader, f: Fields, map: Node, field: string, key: string, read: (node: Node, field: string) => T | undefined): T | undefined {
  const node = f.value(key);
  if (node === undefined || node === null) return r.fail(map, join(field, key), `${join(field, key)} is required`);
  return read(node, join(field, key));
}

/**
 * A URL with `${NAME}` placeholders: a leading placeholder stands for a whole base URL
 * (`${DEMO_PROXY_URL}/health`), any other for a part; the scheme must be one of `protocols`.
 */
export function url(r: Reader, node: Node, field: string, protocols: readonly string[]): string | undefined {
  const text = r.string(node, field);
  if (text === undefined) return undefined;
  const problem = placeholderProblem(text);
  if (problem) return r.fail(node, field, `${field}: ${problem}`);
  // Placeholders stand for a whole base URL when leading (`${DEMO_PROXY_URL}/health`), else a part.
  const probe = text.replace(/^\$\{[A-Z0-9_]+\}/, 'http://placeholder.invalid').replace(/\$\{[A-Z0-9_]+\}/g, 'placeholder');
  let parsed: URL;
  try {
    parsed = new URL(probe);
  } catch {
    return r.fail(node, field, `${field}: "${text}" is not a URL`);
  }
  if (!protocols.includes(parsed.protocol)) return r.fail(node, field, `${field}: "${text}" must use ${protocols.map((p) => p.slice(0, -1)).join(' or ')}`);
  return text;
}

/** `2m` (critical only) or `{warning: 30s, critical: 2m}`: an "above" threshold in seconds. */
export function readSecondsThreshold(r: Reader, node: Node, field: string): Threshold | undefined {
  if (!isMap(node)) {
    const critical = r.duration(node, field, { min: 1 });
    return critical === undefined ? undefined : { direction: 'above', critical };
  }
  const f = r.fields(node as YAMLMap<Node, Node | null>, field, ['warning', 'critical']);
  const warning = opt(f, 'warning', (n) => r.duration(n, join(field, 'warning'), { min: 1 }));
  const critical = opt(f, 'critical', (n) => r.duration(n, join(field, 'critical'), { min: 1 }));
  if (warning === undefined && critical === undefined) return r.fail(node, field, `${field} needs warning and/or critical`);
  if (warning !== undefined && critical !== undefined && warning > critical) return r.fail(f.value('warning')!, join(field, 'warning'), `${join(field, 'warning')} (${warning}s) must be at most critical (${critical}s)`);
  return { direction: 'above', ...(warning !== undefined ? { warning } : {}), ...(critical !== undefined ? { critical } : {}) };
}
