import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { NotFoundError, ValidationError } from '../errors';
import type { AccessTokenKind, AccessTokenRecord, AccessTokenStore } from '../ports/access-tokens';
import type { AgentTokens } from '../ports/agent-tokens';
import type { Clock } from '../ports/clock';
import type { ProducerTokens } from '../ports/producer-tokens';
import type { Principal } from './model';

/** What the token use cases need. */
export interface AccessTokenDeps {
  accessTokens: AccessTokenStore;
  clock: Clock;
}

/** Last use is written at most this often per token (one write per minute, not per request). */
export const LAST_USED_INTERVAL_MS = 60_000;

const TOKEN = /^sbt\.([a-f0-9]{12})\.([A-Za-z0-9_-]{43})$/;
const NAME = /^[\p{L}\p{N} ._@+:/-]{1,80}$/u;
const AGENT = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;

/** Hex SHA-256 of a secret: what the store keeps. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * The id a secret is stored under: the id inside `sbt.<id>.<random>` secrets, or for the older
 * free-form bootstrap tokens (the `ingest-token` / `agent-token` files) one derived from its hash.
 */
export function tokenIdOf(secret: string): string {
  const m = TOKEN.exec(secret);
  return m ? m[1]! : `boot-${hashSecret(secret).slice(0, 16)}`;
}

/** A token as the API shows it: everything but the hash. */
export type AccessTokenView = Omit<AccessTokenRecord, 'hash'>;

export function viewOf(record: AccessTokenRecord): AccessTokenView {
  const { hash: _hash, ...view } = record;
  return view;
}

/**
 * Creates a producer or agent token: 32 random bytes, shown once (`secret`), stored as SHA-256.
 *
 * @throws ValidationError (`name`, `kind`, `agent`) for a bad request.
 */
export async function createAccessToken(
  deps: AccessTokenDeps,
  input: { name: unknown; kind: unknown; agent?: unknown; createdBy: string },
): Promise<{ token: AccessTokenView; secret: string }> {
  if (typeof input.name !== 'string' || !NAME.test(input.name)) throw new ValidationError('name must be 1 to 80 letters, digits, spaces or ._@+:/-', 'name');
  if (input.kind !== 'producer' && input.kind !== 'agent') throw new ValidationError('kind must be producer or agent', 'kind');
  let agent: string | null = null;
  if (input.kind === 'agent') {
    if (typeof input.agent !== 'string' || !AGENT.test(input.agent)) throw new ValidationError('agent must be the agent\'s name (lower-case letters, digits, "-" and ".")', 'agent');
    agent = input.agent;
  } else if (input.agent !== undefined && input.agent !== null) {
    throw new ValidationError('agent is only for kind agent', 'agent');
  }
  const id = randomBytes(6).toString('hex');
  const secret = `sbt.${id}.${randomBytes(32).toString('base64url')}`;
  const record: AccessTokenRecord = {
    id,
    name: input.name,
    kind: input.kind,
    agent,
    hash: hashSecret(secret),
    createdBy: input.createdBy,
    createdAt: deps.clock.now(),
    lastUsedAt: null,
    revokedAt: null,
    revokedBy: null,
  };
  await deps.accessTokens.create(record);
  return { token: viewOf(record), secret };
}

/**
 * Puts a token that exists outside the store (the bootstrap `ingest-token` / `agent-token` files,
 * `SIGNALBOX_INGEST_TOKEN`) into it, hashed. Idempotent: an existing record (even revoked) is left
 * as it is, so a revoked bootstrap token stays revoked across restarts.
 */
export async function ensureBootstrapToken(
  deps: AccessTokenDeps,
  input: { secret: string; kind: AccessTokenKind; name: string },
): Promise<AccessTokenView> {
  const id = tokenIdOf(input.secret);
  const existing = await deps.accessTokens.get(id);
  if (existing) return viewOf(existing);
  const record: AccessTokenRecord = {
    id,
    name: input.name,
    kind: input.kind,
    agent: input.kind === 'agent' ? '*' : null,
    hash: hashSecret(input.secret),
    createdBy: 'bootstrap',
    createdAt: deps.clock.now(),
    lastUsedAt: null,
    revokedAt: null,
    revokedBy: null,
  };
  await deps.accessTokens.create(record);
  return viewOf(record);
}

/** Every token, newest first, without hashes. */
export async function listAccessTokens(deps: AccessTokenDeps): Promise<{ items: AccessTokenView[] }> {
  return { items: (await deps.accessTokens.list()).map(viewOf) };
}

/**
 * Revokes a token; it is refused from then on. Idempotent (a second call answers the first
 * revocation). @throws NotFoundError (`id`).
 */
export async function revokeAccessToken(deps: AccessTokenDeps, input: { id: string; by: string }): Promise<AccessTokenView> {
  const out = await deps.accessTokens.revoke(input.id, deps.clock.now(), input.by);
  if (!out) throw new NotFoundError(`no token ${input.id}`, 'id');
  return viewOf(out);
}

/**
 * The token record for a presented secret when it is a live token of `kind` (and, for agents,
 * valid for `agent` when given): hash compared in constant time, not revoked. Records the use
 * (at most once a minute). Null otherwise; never throws for a bad secret.
 */
export async function verifyAccessToken(
  deps: AccessTokenDeps,
  input: { secret: string; kind: AccessTokenKind; agent?: string },
  /** Token id → when this process last recorded its use: skips the store write within the interval. */
  touched?: Map<string, number>,
): Promise<AccessTokenRecord | null> {
  if (input.secret.length < 16 || input.secret.length > 256) return null;
  const record = await deps.accessTokens.get(tokenIdOf(input.secret));
  if (!record) return null;
  const presented = Buffer.from(hashSecret(input.secret), 'hex');
  const stored = Buffer.from(record.hash, 'hex');
  if (stored.length !== presented.length || !timingSafeEqual(stored, presented)) return null;
  if (record.revokedAt || record.kind !== input.kind) return null;
  if (input.agent !== undefined && record.kind === 'agent' && record.agent !== '*' && record.agent !== input.agent) return null;
  const now = deps.clock.now();
  const nowMs = Date.parse(now);
  const last = touched?.get(record.id);
  // "Last used" has minute resolution: a process that recorded it less than a minute ago does
  // not ask the store again (it would refuse the write anyway), saving a request per call.
  if (last === undefined || !(nowMs - last < LAST_USED_INTERVAL_MS && nowMs >= last)) {
    await deps.accessTokens.touch(record.id, now, LAST_USED_INTERVAL_MS);
    if (touched) {
      if (touched.size > 10_000) touched.clear();
      touched.set(record.id, nowMs);
    }
  }
  return record;
}

/** The principal of a verified producer or agent token. */
export function tokenPrincipal(record: AccessTokenRecord, sourceIp: string | null): Principal {
  return { kind: record.kind, subject: record.id, name: record.name, role: null, sourceIp };
}

/** The existing `ProducerTokens` port answered by the store (ingest keeps its port). */
export function storeProducerTokens(deps: AccessTokenDeps): ProducerTokens {
  const touched = new Map<string, number>();
  return { verify: async (token) => (await verifyAccessToken(deps, { secret: token, kind: 'producer' }, touched)) !== null };
}

/** The existing `AgentTokens` port answered by the store (`POST /api/observations` keeps its port). */
export function storeAgentTokens(deps: AccessTokenDeps): AgentTokens {
  const touched = new Map<string, number>();
  return { verify: async (agent, token) => (await verifyAccessToken(deps, { secret: token, kind: 'agent', agent }, touched)) !== null };
}
