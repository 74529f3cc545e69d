import { ForbiddenError, UnauthorizedError } from '../errors';
import { ACTIONS, ROLES, type Action, type Principal, type Role } from './model';

/** Who may do an action: nobody needs credentials, a token of one kind, or a user role at least this big. */
export type Requirement = { readonly kind: 'public' } | { readonly kind: 'token'; readonly token: 'producer' | 'agent' } | { readonly kind: 'role'; readonly role: Role };

const role = (r: Role): Requirement => ({ kind: 'role', role: r });

/**
 * The one policy table (issue 5): every action → what it needs. Reads are for viewers, changes to
 * running things (rollouts, gates, alerts, silences, replays) for operators, administration
 * (settings, tokens, users, audit, cost imports) for admins. Ingest and agent pushes take their own
 * token kinds, never a user token.
 */
export const POLICY: Readonly<Record<Action, Requirement>> = {
  public: { kind: 'public' },
  'events:read': role('viewer'),
  'events:ingest': { kind: 'token', token: 'producer' },
  'deadLetters:read': role('viewer'),
  'deadLetters:replay': role('operator'),
  'rollouts:read': role('viewer'),
  'rollouts:start': role('operator'),
  'rollouts:operate': role('operator'),
  'gates:decide': role('operator'),
  'health:read': role('viewer'),
  'alerts:read': role('viewer'),
  'alerts:ack': role('operator'),
  'silences:write': role('operator'),
  'observations:push': { kind: 'token', token: 'agent' },
  'live:subscribe': role('viewer'),
  'costs:read': role('viewer'),
  'costs:import': role('admin'),
  'settings:read': role('viewer'),
  'settings:write': role('admin'),
  'tokens:read': role('admin'),
  'tokens:manage': role('admin'),
  'users:read': role('admin'),
  'audit:read': role('admin'),
  'audit:verify': role('admin'),
};

/** What `action` needs (see `POLICY`). */
export function requirementOf(action: Action): Requirement {
  const found = POLICY[action];
  // An action added to ACTIONS without a policy line is refused to everyone but admins (fail closed).
  return found ?? role('admin');
}

/** The smallest role allowed to do `action`; null for public and token actions. */
export function minimumRole(action: Action): Role | null {
  const r = requirementOf(action);
  return r.kind === 'role' ? r.role : null;
}

/** True when `have` is `need` or bigger. */
export function roleAtLeast(have: Role | null, need: Role): boolean {
  return have !== null && ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** Whether `principal` may do `action` (no throw). */
export function isAllowed(principal: Principal, action: Action): boolean {
  try {
    authorize(principal, action);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decides one request. Pure.
 *
 * @throws UnauthorizedError when the action needs credentials and the caller has none (anonymous).
 * @throws ForbiddenError when the caller is known but may not: a role too small (or none), a user
 *   on a token action, a token on a user action or a token of the other kind. The message names the
 *   action and what it needs.
 */
export function authorize(principal: Principal, action: Action): void {
  const need = requirementOf(action);
  if (need.kind === 'public') return;
  if (principal.kind === 'anonymous') {
    throw new UnauthorizedError(
      need.kind === 'token' ? `Authorization: Bearer <${need.token} token> is required for ${action}` : `Authorization: Bearer <access token> is required for ${action}`,
    );
  }
  if (need.kind === 'token') {
    if (principal.kind !== need.token) throw new ForbiddenError(`${action} needs a ${need.token} token; a ${principal.kind} credential may not do it`, action, `${need.token} token`);
    return;
  }
  if (principal.kind !== 'user') throw new ForbiddenError(`${action} needs a signed-in user with role ${need.role} or higher; a ${principal.kind} token may not do it`, action, need.role);
  if (!roleAtLeast(principal.role, need.role)) {
    throw new ForbiddenError(`${action} needs role ${need.role} or higher; ${principal.name} has ${principal.role ? `role ${principal.role}` : 'no role'}`, action, need.role);
  }
}

/** Every action with its requirement, in `ACTIONS` order (the portal and the docs list them). */
export function policyTable(): { action: Action; requirement: Requirement }[] {
  return ACTIONS.map((action) => ({ action, requirement: requirementOf(action) }));
}
