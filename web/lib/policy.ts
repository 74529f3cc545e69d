/**
 * The portal's view of the policy and of its own token, without the DOM (tests import it).
 * `auth.ts` builds the session on it.
 */
import type { Action, Role } from '../../functions/src/core/auth/model';

/**
 * The smallest role per action: a copy of `functions/src/core/auth/policy.ts` for the bundle
 * (values cannot cross from the core into the static site); `tests/web/auth.test.ts` keeps the two
 * equal. The server decides; this only hides what would be refused.
 */
export const MINIMUM_ROLE: Readonly<Record<Action, Role | 'public' | 'token'>> = {
  public: 'public',
  'events:read': 'viewer',
  'events:ingest': 'token',
  'deadLetters:read': 'viewer',
  'deadLetters:replay': 'operator',
  'rollouts:read': 'viewer',
  'rollouts:start': 'operator',
  'rollouts:operate': 'operator',
  'gates:decide': 'operator',
  'health:read': 'viewer',
  'alerts:read': 'viewer',
  'alerts:ack': 'operator',
  'silences:write': 'operator',
  'observations:push': 'token',
  'live:subscribe': 'viewer',
  'costs:read': 'viewer',
  'costs:import': 'admin',
  'settings:read': 'viewer',
  'settings:write': 'admin',
  'tokens:read': 'admin',
  'tokens:manage': 'admin',
  'users:read': 'admin',
  'audit:read': 'admin',
  'audit:verify': 'admin',
};

const ROLE_ORDER: readonly Role[] = ['viewer', 'operator', 'admin'];

/** Whether `role` may do `action` (the policy table's rule). */
export function roleMay(role: Role | null, action: Action): boolean {
  const need = MINIMUM_ROLE[action];
  if (need === 'public') return true;
  if (need === 'token' || role === null) return false;
  return ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(need);
}

/** What the signed-in tab keeps. */
export interface StoredSession {
  token: string;
  user: { name: string; role: Role | null };
  /** ISO time the token expires. */
  expiresAt: string;
}


/** The claims the portal reads from its own token (display only; the server verifies). */
export function claimsOf(token: string): Record<string, unknown> | null {
  try {
    const part = token.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    return JSON.parse(decodeURIComponent(escape(json))) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Builds the session of a token (name and role from its claims, like the server does). */
export function sessionOf(token: string): StoredSession | null {
  const c = claimsOf(token);
  if (!c || typeof c.exp !== 'number') return null;
  const groups = Array.isArray(c['cognito:groups']) ? (c['cognito:groups'] as unknown[]) : [];
  const role = [...ROLE_ORDER].reverse().find((r) => groups.includes(r)) ?? null;
  const name = [c.email, c.username, c['cognito:username'], c.sub].find((v): v is string => typeof v === 'string' && v !== '') ?? 'unknown';
  return { token, user: { name, role }, expiresAt: new Date(c.exp * 1000).toISOString() };
}

