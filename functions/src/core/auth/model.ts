/**
 * Who calls Signalbox and what they may do (issue 5). The policy table (`policy.ts`) maps each
 * action to the smallest role allowed; every API route declares its action.
 */

/** User roles, smallest first: each role may do everything the roles before it may. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Everything a caller can ask for. `public` needs no credentials (the OpenAPI document, sign-in
 * metadata); `events:ingest` and `observations:push` are for producer and agent tokens, the rest for
 * signed-in users.
 */
export const ACTIONS = [
  'public',
  'events:read',
  'events:ingest',
  'deadLetters:read',
  'deadLetters:replay',
  'rollouts:read',
  'rollouts:start',
  'rollouts:operate',
  'gates:decide',
  'health:read',
  'alerts:read',
  'alerts:ack',
  'silences:write',
  'observations:push',
  'live:subscribe',
  'costs:read',
  'costs:import',
  'settings:read',
  'settings:write',
  'tokens:read',
  'tokens:manage',
  'users:read',
  'audit:read',
  'audit:verify',
] as const;
export type Action = (typeof ACTIONS)[number];

/** The authenticated caller of one request. */
export interface Principal {
  /** `user`: a person with a JWT; `producer`/`agent`: an ingest or agent token; `anonymous`: none. */
  readonly kind: 'user' | 'producer' | 'agent' | 'anonymous';
  /** Stable id: the JWT `sub`, or the token id. */
  readonly subject: string;
  /** What people read in the audit log and action logs: email/username, or the token's name. */
  readonly name: string;
  /** The user's role (highest of their groups); null for tokens and anonymous callers. */
  readonly role: Role | null;
  /** The client address as the edge saw it (API Gateway `sourceIp`, the socket locally). */
  readonly sourceIp: string | null;
}

/** The caller before authentication. */
export const ANONYMOUS: Principal = { kind: 'anonymous', subject: 'anonymous', name: 'anonymous', role: null, sourceIp: null };
