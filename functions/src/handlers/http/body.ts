import { ValidationError } from '../../core/errors';

/** The optional `{"comment": "..."}` body of operator actions (verbs, gate decisions, acks). */
export function commentOf(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('body must be a JSON object like {"comment": "..."}', 'body');
  const value = (body as Record<string, unknown>).comment;
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 2000) throw new ValidationError('comment must be a string of at most 2000 characters', 'comment');
  return value;
}
