/**
 * The audit log (issue 5): one entry per admin or operator action, append-only and hash-chained.
 *
 * Each entry's `hash` is SHA-256 (hex) over the canonical JSON (object keys sorted, no spaces) of
 * every field but `hash`; `prevHash` is the previous entry's `hash` (the first entry's is
 * {@link GENESIS_HASH}). Editing, deleting, reordering or re-linking an entry breaks the chain at
 * that entry (`verifyAudit`).
 */
import { createHash } from 'node:crypto';
import type { Action, Principal, Role } from '../auth/model';

/** `prevHash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** An action in the log: an API action, or a local-only operator endpoint (`local:demo`). */
export type AuditAction = Action | `local:${string}`;

/** Who acted, copied from the request's principal. */
export interface AuditActor {
  subject: string;
  name: string;
  kind: Principal['kind'];
  role: Role | null;
}

/** How the call ended: the HTTP status and, for a failure, the error code of the answer. */
export interface AuditOutcome {
  status: number;
  error: string | null;
}

/** One entry of the log. */
export interface AuditEntry {
  /** 1, 2, 3, ... without gaps. */
  seq: number;
  /** When it was recorded (ISO 8601 UTC). */
  at: string;
  actor: AuditActor;
  /** The client address the edge saw, when known. */
  sourceIp: string | null;
  action: AuditAction;
  /** What was acted on: `rollout/<id>`, `silence/<id>`, `alert/<fp>`, `setting/<kind>/<name>`, `token/<id>`, ... */
  resource: string;
  /** Path parameters and body, secrets redacted, size-capped (JSON). */
  parameters: unknown;
  outcome: AuditOutcome;
  prevHash: string;
  hash: string;
}

/** An entry before it is chained: what the caller tells `recordAudit`. */
export type AuditInput = Omit<AuditEntry, 'seq' | 'at' | 'prevHash' | 'hash'> & { at?: string };

/**
 * JSON with object keys sorted at every level and no whitespace, so the same value always gives the
 * same text. `undefined` object members are dropped (as JSON.stringify does); non-finite numbers
 * become null.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== 'function')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The hash an entry must carry: SHA-256 hex over the canonical JSON of everything but `hash`. */
export function hashOfEntry(entry: Omit<AuditEntry, 'hash'> & { hash?: string }): string {
  const { hash: _hash, ...rest } = entry;
  return createHash('sha256').update(canonicalJson(rest), 'utf8').digest('hex');
}

const SECRET_KEY = /token|secret|password|passwd|authorization|api[-_]?key|credential|cookie|private[-_]?key/i;
export const REDACTED = '[redacted]';
/** Longest string kept whole in parameters. */
export const MAX_PARAMETER_STRING = 1000;
/** Largest parameters (canonical JSON bytes) kept; larger ones are replaced by a summary. */
export const MAX_PARAMETERS_BYTES = 8 * 1024;
const MAX_DEPTH = 8;

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length > MAX_PARAMETER_STRING ? `${value.slice(0, MAX_PARAMETER_STRING)}…[${value.length} chars]` : value;
  if (value === null || typeof value !== 'object') return typeof value === 'number' && !Number.isFinite(value) ? null : value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined ? REDACTED : redactValue(v, depth + 1);
  }
  return out;
}

/**
 * Parameters as the log keeps them: every member whose name looks like a secret (token, secret,
 * password, authorization, api key, credential, cookie, private key) becomes `"[redacted]"` at any
 * depth, long strings are cut, and anything larger than {@link MAX_PARAMETERS_BYTES} is replaced by
 * `{ "[truncated]": <bytes>, "keys": [...] }`. Pure.
 */
export function redactParameters(value: unknown): unknown {
  const redacted = redactValue(value, 0);
  const size = Buffer.byteLength(canonicalJson(redacted), 'utf8');
  if (size <= MAX_PARAMETERS_BYTES) return redacted;
  const keys = redacted && typeof redacted === 'object' && !Array.isArray(redacted) ? Object.keys(redacted).slice(0, 50) : [];
  return { '[truncated]': size, keys };
}

/** The actor of a principal. */
export function actorOf(principal: Pick<Principal, 'subject' | 'name' | 'kind' | 'role'>): AuditActor {
  return { subject: principal.subject, name: principal.name, kind: principal.kind, role: principal.role };
}
