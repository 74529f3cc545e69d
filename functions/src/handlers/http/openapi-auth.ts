/** OpenAPI 3.1 fragments for sign-in and tokens (issue 5), merged into the document in `openapi.ts`. */
import type { Action } from '../../core/auth/model';
import { requirementOf } from '../../core/auth/policy';

const json = (schema: unknown) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => ({ description, content: json(ref('ErrorResponse')) });
const nullableString = { type: ['string', 'null'] };

export const authSchemas = {
  AuthConfig: {
    oneOf: [
      {
        type: 'object',
        required: ['mode', 'signInUrl', 'tokenUrl', 'usersUrl'],
        additionalProperties: false,
        properties: {
          mode: { const: 'local' },
          signInUrl: { type: 'string', description: 'POST {email} → {token, user, expiresAt} (local issuer; demo users)' },
          tokenUrl: { type: 'string', description: 'GET ?role=viewer|operator|admin → {token} (scripts)' },
          usersUrl: { type: 'string', description: 'GET → {items: [{email, name, role}]}' },
        },
      },
      {
        type: 'object',
        required: ['mode', 'domain', 'clientId', 'redirectPath', 'scopes', 'region', 'userPoolId'],
        additionalProperties: false,
        properties: {
          mode: { const: 'cognito' },
          domain: { type: 'string', description: 'Hosted UI base URL, e.g. https://<prefix>.auth.<region>.amazoncognito.com' },
          clientId: { type: 'string' },
          redirectPath: { type: 'string', description: 'Callback path on the portal (authorization code + PKCE)' },
          scopes: { type: 'array', items: { type: 'string' } },
          region: { type: 'string' },
          userPoolId: { type: 'string' },
        },
      },
    ],
  },
  AccessToken: {
    type: 'object',
    required: ['id', 'name', 'kind', 'agent', 'createdBy', 'createdAt', 'lastUsedAt', 'revokedAt'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      kind: { enum: ['producer', 'agent'] },
      agent: { ...nullableString, description: 'The agent an agent token reports for (`*`: any, the bootstrap token)' },
      createdBy: { type: 'string' },
      createdAt: { type: 'string' },
      lastUsedAt: { ...nullableString, description: 'Updated at most once a minute' },
      revokedAt: nullableString,
      revokedBy: nullableString,
    },
  },
};

export const authPaths = {
  '/api/auth/config': {
    get: {
      operationId: 'getAuthConfig',
      summary: 'How the portal signs in: local issuer or Cognito hosted UI',
      security: [],
      responses: { '200': { description: 'Sign-in metadata', content: json(ref('AuthConfig')) }, '503': error('Sign-in is not configured') },
    },
  },
  '/api/admin/tokens': {
    get: {
      operationId: 'listAccessTokens',
      summary: 'Producer and agent tokens, newest first (never the secrets)',
      responses: {
        '200': { description: 'Tokens', content: json({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('AccessToken') } } }) },
      },
    },
    post: {
      operationId: 'createAccessToken',
      summary: 'Create a producer or agent token; the secret is in this answer only',
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['name', 'kind'],
          additionalProperties: false,
          properties: { name: { type: 'string', maxLength: 80 }, kind: { enum: ['producer', 'agent'] }, agent: { type: 'string', description: 'Required for kind agent' } },
        }),
      },
      responses: {
        '201': {
          description: 'Created',
          content: json({ type: 'object', required: ['token', 'secret'], properties: { token: ref('AccessToken'), secret: { type: 'string', description: 'Shown once; stored only as SHA-256' } } }),
        },
        '400': error('Invalid name, kind or agent'),
      },
    },
  },
  '/api/admin/tokens/{id}': {
    delete: {
      operationId: 'revokeAccessToken',
      summary: 'Revoke a token (idempotent); it is refused from then on',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '200': { description: 'Revoked', content: json({ type: 'object', required: ['token'], properties: { token: ref('AccessToken') } }) },
        '404': error('No such token'),
      },
    },
  },
};

export const authSecuritySchemes = {
  userToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A signed-in user\'s access token (Cognito, or the local issuer: GET /local/token?role=...)' },
};

type Operation = { security?: unknown; responses?: Record<string, unknown>; description?: string; 'x-signalbox-action'?: string };

/**
 * Adds what the policy says to every operation: its action (`x-signalbox-action`), its security
 * requirement (none for public, the producer/agent token, or a user JWT) and the 401/403/429
 * answers. `actionOf` looks the operation's route up (unknown routes are left as they are).
 */
export function withSecurity<T extends { paths: Record<string, Record<string, Operation>> }>(doc: T, actionOf: (method: string, path: string) => Action | undefined): T {
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const action = actionOf(method.toUpperCase(), path);
      if (!action) continue;
      const need = requirementOf(action);
      op['x-signalbox-action'] = action;
      if (need.kind === 'public') {
        op.security = [];
        continue;
      }
      op.security = need.kind === 'token' ? [{ [need.token === 'producer' ? 'producerToken' : 'agentToken']: [] }] : [{ userToken: [] }];
      const responses = (op.responses ??= {});
      responses['401'] ??= error('Missing, expired or invalid bearer token');
      responses['403'] ??= error(need.kind === 'role' ? `The role is too small: needs ${need.role} or higher (action ${action})` : `Needs a ${need.token} token (action ${action})`);
      responses['429'] ??= { ...error('Too many requests (local token bucket; API Gateway throttling in AWS)'), headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } } };
    }
  }
  return doc;
}
