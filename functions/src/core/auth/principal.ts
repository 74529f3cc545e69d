import { UnauthorizedError } from '../errors';
import type { AccessTokenStore } from '../ports/access-tokens';
import { systemClock, type Clock } from '../ports/clock';
import type { TokenClaims, TokenVerifier } from '../ports/token-verifier';
import { tokenPrincipal, verifyAccessToken } from './access-tokens';
import { ANONYMOUS, ROLES, type Action, type Principal, type Role } from './model';
import { requirementOf } from './policy';

/** The highest role among the user's groups (`cognito:groups` ∩ ROLES); null without one. */
export function roleOfGroups(groups: unknown): Role | null {
  if (!Array.isArray(groups)) return null;
  let best = -1;
  for (const g of groups) {
    const i = ROLES.indexOf(g as Role);
    if (i > best) best = i;
  }
  return best >= 0 ? ROLES[best]! : null;
}

/** The principal of verified JWT claims. */
export function userPrincipal(claims: TokenClaims, sourceIp: string | null): Principal {
  const name = [claims.email, claims.username, claims['cognito:username'], claims.sub].find((v): v is string => typeof v === 'string' && v !== '')!;
  return { kind: 'user', subject: claims.sub, name, role: roleOfGroups(claims['cognito:groups']), sourceIp };
}

/** The bearer credential of an `Authorization` header, or null (absent); `UnauthorizedError` when malformed. */
export function bearerOf(authorization: string | undefined): string | null {
  if (authorization === undefined || authorization.trim() === '') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!m) throw new UnauthorizedError('the Authorization header must be "Bearer <token>"');
  return m[1]!;
}

/** What resolving a caller needs: the user-token verifier and the producer/agent token store. */
export interface IdentityDeps {
  userTokens?: TokenVerifier;
  accessTokens?: AccessTokenStore;
  /** For the last-use time of producer/agent tokens; default the system clock. */
  clock?: Clock;
}

/**
 * Who calls, for a request on a route with `action`: nobody for public actions; for token actions
 * (`events:ingest`, `observations:push`) the producer/agent token from the store; otherwise the
 * user of the bearer JWT. Without a credential the caller is `ANONYMOUS` (the policy then answers
 * 401).
 *
 * @throws UnauthorizedError for a credential that is present but not valid (bad signature,
 *   expired, revoked, wrong kind), or when this runtime has no verifier for it (fail closed).
 */
export async function resolvePrincipal(deps: IdentityDeps, input: { action: Action; authorization: string | undefined; sourceIp: string | null }): Promise<Principal> {
  const need = requirementOf(input.action);
  const anonymous: Principal = { ...ANONYMOUS, sourceIp: input.sourceIp };
  if (need.kind === 'public') return anonymous;
  const secret = bearerOf(input.authorization);
  if (secret === null) return anonymous;
  if (need.kind === 'token') {
    if (!deps.accessTokens) throw new UnauthorizedError(`${need.token} tokens are not configured in this deployment`);
    const record = await verifyAccessToken({ accessTokens: deps.accessTokens, clock: deps.clock ?? systemClock }, { secret, kind: need.token });
    if (!record) throw new UnauthorizedError(`the ${need.token} token is not valid (unknown, revoked or of another kind)`);
    return tokenPrincipal(record, input.sourceIp);
  }
  if (!deps.userTokens) throw new UnauthorizedError('sign-in is not configured in this deployment');
  return userPrincipal(await deps.userTokens.verify(secret), input.sourceIp);
}
