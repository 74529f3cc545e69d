import { DependencyError, ValidationError } from '../errors';
import type { AuditHead, StoredAuditEntry } from '../ports/audit-store';
import { parseLimit } from '../use-cases/read-side';
import type { AuditDeps } from './deps';
import { GENESIS_HASH, hashOfEntry, redactParameters, type AuditEntry, type AuditInput } from './model';

/** How often `recordAudit` retries after losing the race for the next seq. */
const MAX_APPEND_ATTEMPTS = 25;
/** Entries read per page when verifying. */
export const VERIFY_PAGE = 500;

/** The last entry as the store has it: the head marker, then forward while entries follow it. */
async function findTail(deps: AuditDeps): Promise<AuditHead> {
  let tail = (await deps.audit.head()) ?? { seq: 0, hash: GENESIS_HASH };
  // The head lags the last entry when a writer stopped between its two writes, or a racer has not
  // moved it yet: step forward over what exists.
  for (;;) {
    const next = await deps.audit.get(tail.seq + 1);
    if (!next) return tail;
    tail = { seq: next.seq, hash: next.entry?.hash ?? '' };
  }
}

/**
 * Appends one entry to the audit log: the next seq after the last entry, chained to its hash, the
 * parameters redacted and size-capped, `at` from the clock unless given. Concurrent writers are
 * ordered by a conditional write on the entry's seq; the loser re-reads the tail and retries.
 * Not idempotent: each call is a new entry.
 *
 * @returns the entry as stored.
 * @throws DependencyError when the store fails or the race is lost too often.
 */
export async function recordAudit(deps: AuditDeps, input: AuditInput): Promise<AuditEntry> {
  const parameters = redactParameters(input.parameters ?? null);
  for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
    const tail = await findTail(deps);
    const unhashed: Omit<AuditEntry, 'hash'> = {
      seq: tail.seq + 1,
      at: input.at ?? deps.clock.now(),
      actor: input.actor,
      sourceIp: input.sourceIp,
      action: input.action,
      resource: input.resource,
      parameters,
      outcome: input.outcome,
      prevHash: tail.hash,
    };
    const entry: AuditEntry = { ...unhashed, hash: hashOfEntry(unhashed) };
    if (await deps.audit.append(entry)) {
      try {
        await deps.audit.advanceHead({ seq: entry.seq, hash: entry.hash });
      } catch (error) {
        // The entry is in; a lagging head is caught up by the next append.
        deps.logger.warn('moving the audit head failed', { seq: entry.seq, error: (error as Error).message });
      }
      return entry;
    }
  }
  throw new DependencyError('the audit log is too busy: could not append after many attempts', null, { code: 'audit_contention' });
}

/** Why verification stopped. */
export type AuditBreak = 'hash' | 'link' | 'gap' | 'missing';

export interface AuditVerification {
  ok: boolean;
  /** Entries checked before the first problem (all of them when ok). */
  checked: number;
  /** The last seq of an intact chain (0 when empty or broken at the first entry). */
  lastSeq: number;
  /** The head marker's seq, null when there is none. */
  headSeq: number | null;
  /**
   * The first problem: `hash` — the entry's content does not match its hash (edited, or moved to
   * another seq); `link` — its `prevHash` is not the previous entry's hash (re-linked, reordered,
   * or the head's hash does not match a re-hashed last entry); `gap` — an entry is missing before
   * later ones (deleted); `missing` — the head names entries that are not there (truncated tail).
   */
  firstBad?: { seq: number; reason: AuditBreak };
}

/**
 * Walks the whole chain from seq 1 in pages of {@link VERIFY_PAGE}, recomputing every hash and
 * link, then compares the end with the head marker. Reads only; safe to run at any time (entries
 * appended during the walk are checked if reached).
 *
 * Limit: an attacker who deletes the tail AND rewinds the head marker consistently is not seen;
 * that needs the head anchored outside the store.
 */
export async function verifyAudit(deps: AuditDeps): Promise<AuditVerification> {
  // The head is read first: it is only ever written after its entry, so every entry it names must
  // be reached by the walk below, whatever is appended meanwhile.
  const head = await deps.audit.head();
  let expected = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  let hashAtHead: string | null = null;
  const fail = (seq: number, reason: AuditBreak): AuditVerification => ({ ok: false, checked, lastSeq: expected - 1, headSeq: head?.seq ?? null, firstBad: { seq, reason } });
  for (;;) {
    const page: StoredAuditEntry[] = await deps.audit.range({ order: 'asc', after: expected - 1, limit: VERIFY_PAGE });
    for (const stored of page) {
      if (stored.seq > expected) return fail(expected, 'gap');
      if (stored.seq < expected) return fail(stored.seq, 'link');
      const entry = stored.entry;
      if (!entry || entry.seq !== stored.seq || hashOfEntry(entry) !== entry.hash) return fail(stored.seq, 'hash');
      if (entry.prevHash !== prevHash) return fail(stored.seq, 'link');
      if (head && entry.seq === head.seq) hashAtHead = entry.hash;
      prevHash = entry.hash;
      expected++;
      checked++;
    }
    if (page.length < VERIFY_PAGE) break;
  }
  const lastSeq = expected - 1;
  if (head && head.seq > lastSeq) return fail(lastSeq + 1, 'missing');
  // A re-hashed entry at the head keeps its links but not the hash the head recorded.
  if (head && head.seq > 0 && hashAtHead !== head.hash) return fail(head.seq, 'link');
  return { ok: true, checked, lastSeq, headSeq: head?.seq ?? null };
}

/** Filters of `listAudit`; all optional, combined with AND. */
export interface AuditFilter {
  /** The actor's subject or name, exactly. */
  actor?: string;
  /** The action, exactly (e.g. `settings:write`). */
  action?: string;
  /** Resources starting with this (e.g. `setting/` or `rollout/r-1`). */
  resource?: string;
  /** `success` (status < 400), `failure` (≥ 400), or one HTTP status (e.g. `403`). */
  outcome?: string;
  /** Recorded at or after (RFC 3339 or YYYY-MM-DD). */
  from?: string;
  /** Recorded at or before (RFC 3339 or YYYY-MM-DD, a date meaning the whole day). */
  to?: string;
}

export interface AuditPage {
  items: AuditEntry[];
  /** Pass as `cursor` for older entries; null at the start of the log. */
  next: string | null;
}

/** Entries read at most per request while filtering; a sparse filter answers a short page with a cursor. */
const MAX_SCANNED = 2000;

function instant(value: string | undefined, field: string, end: boolean): number | undefined {
  if (value === undefined || value === '') return undefined;
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T${end ? '23:59:59.999' : '00:00:00.000'}Z` : value;
  const t = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(t)) throw new ValidationError(`${field} must be an RFC 3339 timestamp or YYYY-MM-DD`, field);
  return t;
}

function encodeCursor(before: number): string {
  return Buffer.from(JSON.stringify({ b: before })).toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { b?: unknown };
    if (typeof value.b !== 'number' || !Number.isInteger(value.b) || value.b < 1) throw new Error('shape');
    return value.b;
  } catch {
    throw new ValidationError('cursor is not a cursor this API returned', 'cursor', 'invalid_cursor');
  }
}

/** Validates the filters of `GET /api/audit` (ValidationError naming the parameter). */
export function parseAuditQuery(q: Record<string, string | undefined>): AuditFilter & { limit: number; cursor?: string } {
  const outcome = q.outcome || undefined;
  if (outcome !== undefined && !/^(success|failure|[1-5]\d\d)$/.test(outcome)) throw new ValidationError('outcome must be success, failure or an HTTP status', 'outcome');
  const from = instant(q.from, 'from', false);
  const to = instant(q.to, 'to', true);
  if (from !== undefined && to !== undefined && from > to) throw new ValidationError('from must not be after to', 'from');
  return {
    limit: parseLimit(q.limit),
    cursor: q.cursor || undefined,
    actor: q.actor || undefined,
    action: q.action || undefined,
    resource: q.resource || undefined,
    outcome,
    from: q.from || undefined,
    to: q.to || undefined,
  };
}

function matches(entry: AuditEntry, f: AuditFilter, from: number | undefined, to: number | undefined): boolean {
  if (f.actor !== undefined && entry.actor.subject !== f.actor && entry.actor.name !== f.actor) return false;
  if (f.action !== undefined && entry.action !== f.action) return false;
  if (f.resource !== undefined && !entry.resource.startsWith(f.resource)) return false;
  if (f.outcome === 'success' && entry.outcome.status >= 400) return false;
  if (f.outcome === 'failure' && entry.outcome.status < 400) return false;
  if (f.outcome !== undefined && /^\d+$/.test(f.outcome) && entry.outcome.status !== Number(f.outcome)) return false;
  const at = Date.parse(entry.at);
  if (from !== undefined && at < from) return false;
  if (to !== undefined && at > to) return false;
  return true;
}

/**
 * The log newest first, filtered, paged by an opaque cursor. Reads at most {@link MAX_SCANNED}
 * entries per call, so a filter matching little answers a short (even empty) page with a `next`.
 * Unreadable entries are skipped here (verification reports them).
 *
 * @throws ValidationError for a bad limit, cursor, outcome or time (field named).
 */
export async function listAudit(deps: AuditDeps, query: AuditFilter & { limit: number; cursor?: string }): Promise<AuditPage> {
  const from = instant(query.from, 'from', false);
  const to = instant(query.to, 'to', true);
  let before = query.cursor ? decodeCursor(query.cursor) : undefined;
  const items: AuditEntry[] = [];
  let scanned = 0;
  for (;;) {
    const chunk = Math.min(200, MAX_SCANNED - scanned);
    const page = await deps.audit.range({ order: 'desc', ...(before !== undefined ? { before } : {}), limit: chunk });
    for (const stored of page) {
      scanned++;
      before = stored.seq;
      if (stored.entry && matches(stored.entry, query, from, to)) items.push(stored.entry);
      if (items.length === query.limit) return { items, next: stored.seq > 1 ? encodeCursor(stored.seq) : null };
    }
    if (page.length < chunk) return { items, next: null };
    if (scanned >= MAX_SCANNED) return { items, next: before !== undefined && before > 1 ? encodeCursor(before) : null };
  }
}
