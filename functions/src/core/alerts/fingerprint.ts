import { createHash } from 'node:crypto';
import { ValidationError } from '../errors';
import { ALERT_LABELS, type Labels } from './model';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const MAX_LABELS = 64;
export const MAX_LABEL_VALUE = 1024;

/**
 * Checks a label set: Prometheus-style names, string values up to {@link MAX_LABEL_VALUE}
 * characters, at most {@link MAX_LABELS} labels, no `severity` (a field of its own).
 *
 * @throws ValidationError naming `<field>.<label>`.
 */
export function validateLabels(labels: unknown, field = 'labels'): Labels {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) throw new ValidationError('must be an object of string labels', field);
  const entries = Object.entries(labels as Record<string, unknown>);
  if (entries.length > MAX_LABELS) throw new ValidationError(`at most ${MAX_LABELS} labels`, field);
  for (const [name, value] of entries) {
    if (!LABEL_NAME.test(name)) throw new ValidationError(`label name ${JSON.stringify(name)} must match ${LABEL_NAME.source}`, `${field}.${name}`);
    if (name === ALERT_LABELS.severity) throw new ValidationError('severity is a field of the alert, not a label', `${field}.${name}`);
    if (typeof value !== 'string') throw new ValidationError('label values must be strings', `${field}.${name}`);
    if (value.length > MAX_LABEL_VALUE) throw new ValidationError(`label values are at most ${MAX_LABEL_VALUE} characters`, `${field}.${name}`);
  }
  return labels as Labels;
}

/**
 * The canonical text of a label set: names sorted by code unit, each name and value
 * length-prefixed (`<len>:<text>`), so no two different label sets share an encoding whatever
 * characters they contain (no separator to forge). Empty values are kept (they are distinct from
 * an absent label in the encoding, unlike Prometheus; callers should not send empty labels). Pure.
 */
export function canonicalLabels(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((name) => {
      const value = labels[name]!;
      return `${name.length}:${name}${value.length}:${value}`;
    })
    .join('');
}

/** The alert identity: sha256 (hex) of {@link canonicalLabels}. Independent of key order. Pure. */
export function fingerprint(labels: Labels): string {
  return createHash('sha256').update(canonicalLabels(labels), 'utf8').digest('hex');
}

/** sha256 (hex) of any text; used for group ids. Pure. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
