import { createAccessToken, listAccessTokens, revokeAccessToken } from '../../core/auth/access-tokens';
import type { AccessTokenStore } from '../../core/ports/access-tokens';
import { DependencyError, ValidationError } from '../../core/errors';
import type { Deps } from '../../core/deps';
import type { Route } from './api';

/**
 * What the portal needs to sign in (`GET /api/auth/config`): locally, the local issuer's sign-in
 * endpoints; in AWS, the Cognito hosted UI (domain, app client, redirect) for the code flow with PKCE.
 */
export type AuthConfig =
  | { mode: 'local'; signInUrl: string; tokenUrl: string; usersUrl: string }
  | { mode: 'cognito'; domain: string; clientId: string; redirectPath: string; scopes: string[]; region: string; userPoolId: string };

/** What the auth routes read of the deps. */
export interface AuthRouteDeps {
  authConfig?: AuthConfig;
  accessTokens?: AccessTokenStore;
}

function tokens(deps: Deps) {
  const d = deps as Deps & AuthRouteDeps;
  if (!d.accessTokens) throw new DependencyError('producer and agent tokens are not configured in this deployment', null, { code: 'tokens_unavailable' });
  return { accessTokens: d.accessTokens, clock: deps.clock };
}

/** Sign-in metadata and the admin API of producer and agent tokens (issue 5). */
export const AUTH_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/api/auth/config',
    action: 'public',
    run: async (deps) => {
      const config = (deps as Deps & AuthRouteDeps).authConfig;
      if (!config) throw new DependencyError('sign-in is not configured in this deployment', null, { code: 'auth_unavailable' });
      return { status: 200, body: config };
    },
  },
  { method: 'GET', path: '/api/admin/tokens', action: 'tokens:read', run: async (deps) => ({ status: 200, body: await listAccessTokens(tokens(deps)) }) },
  {
    method: 'POST',
    path: '/api/admin/tokens',
    action: 'tokens:manage',
    run: async (deps, _p, _q, req) => {
      const body = req.json();
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body must be a JSON object {name, kind, agent?}', 'body');
      const b = body as Record<string, unknown>;
      for (const key of Object.keys(b)) if (!['name', 'kind', 'agent'].includes(key)) throw new ValidationError(`unknown field ${key}; allowed: name, kind, agent`, key);
      return { status: 201, body: await createAccessToken(tokens(deps), { name: b.name, kind: b.kind, agent: b.agent, createdBy: req.principal.name }) };
    },
  },
  {
    method: 'DELETE',
    path: '/api/admin/tokens/{id}',
    action: 'tokens:manage',
    run: async (deps, p, _q, req) => ({ status: 200, body: { token: await revokeAccessToken(tokens(deps), { id: p.id!, by: req.principal.name }) } }),
  },
];
