import middy from '@middy/core';
import type { Deps } from '../../core/deps';
import { NotFoundError, PayloadTooLargeError, RateLimitedError, UnauthorizedError, ValidationError } from '../../core/errors';
import type { Action, Principal } from '../../core/auth/model';
import { authorize, requirementOf } from '../../core/auth/policy';
import { resolvePrincipal } from '../../core/auth/principal';
import type { AccessTokenStore } from '../../core/ports/access-tokens';
import type { RateLimiter, RouteClass } from '../../core/ports/rate-limiter';
import type { TokenVerifier } from '../../core/ports/token-verifier';
import {
  getEvent,
  getInventory,
  getService,
  listDeadLetters,
  listEnvironments,
  listEvents,
  replayDeadLetter,
} from '../../core/use-cases/read-side';
import { bodyText, httpErrors, json, lowerHeaders, type HttpEvent, type HttpResult } from '../middleware/http';
import { getDoraReport } from '../../core/dora/get-dora-report';
import { openApiDocument } from './openapi';
import { ROLLOUT_ROUTES } from './rollout-routes';
import { MONITORING_ROUTES } from './monitoring-routes';
import { LIVE_ROUTES } from './live-routes';
import { COST_ROUTES } from './cost-routes';
import { AUTH_ROUTES, type AuthConfig } from './auth-routes';
import { ADMIN_ROUTES } from './admin-routes';
import { runAudited } from './audit-hook';

type Params = Record<string, string>;
type Query = Record<string, string | undefined>;

/** What a route may read of the request besides path and query. */
export interface RequestInfo {
  /** The JSON body; `ValidationError` (field `body`) when it is not JSON. `optional`: an empty body is `undefined`. */
  json(optional?: boolean): unknown;
  /** Who acts, for attribution: `principal.name` (the user's email/username, or the token's name). */
  actor: string;
  /** The authenticated caller, already authorized for the route's action (`ANONYMOUS` on public routes). */
  principal: Principal;
  /** A request header by lower-case name (e.g. `authorization` for agent tokens). */
  header(name: string): string | undefined;
  /** The raw body bytes (uploads such as gzip FOCUS files); the route caps their size itself. */
  bytes(): Uint8Array;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** OpenAPI path template, e.g. `/api/events/{key}`. */
  path: string;
  /** What the route does, for the policy table (`core/auth/policy.ts`): checked before `run`. */
  action: Action;
  run(deps: Deps, params: Params, query: Query, req: RequestInfo): Promise<{ status: number; body: unknown }>;
}

const ok = (body: unknown) => ({ status: 200, body });

/** Every route the api function serves. The OpenAPI document must describe exactly these (tested). */
export const API_ROUTES: readonly Route[] = [
  { method: 'GET', path: '/api/inventory', action: 'events:read', run: async (deps) => ok(await getInventory(deps)) },
  { method: 'GET', path: '/api/events', action: 'events:read', run: async (deps, _p, q) => ok(await listEvents(deps, q)) },
  { method: 'GET', path: '/api/events/{key}', action: 'events:read', run: async (deps, p) => ok(await getEvent(deps, p.key!)) },
  {
    method: 'GET',
    path: '/api/services/{name}',
    action: 'events:read',
    run: async (deps, p, q) => ok(await getService(deps, p.name!, { cursor: q.cursor, limit: q.limit })),
  },
  { method: 'GET', path: '/api/environments', action: 'events:read', run: async (deps) => ok(await listEnvironments(deps)) },
  { method: 'GET', path: '/api/dead-letters', action: 'deadLetters:read', run: async (deps, _p, q) => ok(await listDeadLetters(deps, q)) },
  {
    method: 'POST',
    path: '/api/dead-letters/{id}/replay',
    action: 'deadLetters:replay',
    run: async (deps, p) => ok({ deadLetter: await replayDeadLetter(deps, p.id!) }),
  },
  { method: 'GET', path: '/api/dora', action: 'events:read', run: async (deps, _p, q) => ok(await getDoraReport(deps, q)) },
  { method: 'GET', path: '/api/openapi.json', action: 'public', run: async () => ok(openApiDocument()) },
  ...ROLLOUT_ROUTES,
  ...MONITORING_ROUTES,
  ...LIVE_ROUTES,
  ...COST_ROUTES,
  ...AUTH_ROUTES,
  ...ADMIN_ROUTES,
];

const compiled = API_ROUTES.map((route) => {
  const names: string[] = [];
  const pattern = route.path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, names, regex: new RegExp(`^${pattern}/?$`) };
});

/** Finds the route for a method and path; throws `NotFoundError` or a 405-mapped error. */
export function matchRoute(method: string, path: string): { route: Route; params: Params } {
  let pathMatched = false;
  for (const { route, names, regex } of compiled) {
    const m = regex.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params: Params = {};
    names.forEach((name, i) => {
      try {
        params[name] = decodeURIComponent(m[i + 1]!);
      } catch {
        throw new ValidationError(`path parameter ${name} is not valid percent-encoding`, name);
      }
    });
    return { route, params };
  }
  if (pathMatched) throw new ValidationError(`${method} is not allowed on ${path}`, 'method', 'method_not_allowed');
  throw new NotFoundError(`no route ${method} ${path}`, 'path');
}

const MAX_API_BODY_BYTES = 256 * 1024;

function requestInfo(event: HttpEvent, principal: Principal): RequestInfo {
  return {
    json(optional = false) {
      const text = bodyText(event);
      if (text.length > MAX_API_BODY_BYTES) throw new PayloadTooLargeError(`body is larger than ${MAX_API_BODY_BYTES} bytes`, MAX_API_BODY_BYTES);
      if (text.trim() === '') {
        if (optional) return undefined;
        throw new ValidationError('body is required (JSON)', 'body', 'required');
      }
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new ValidationError('body is not valid JSON', 'body', 'invalid_json');
      }
    },
    actor: principal.name,
    principal,
    header: (name) => lowerHeaders(event)[name.toLowerCase()],
    bytes: () => (event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : new Uint8Array(0)),
  };
}

/**
 * What the dispatcher reads of the deps to authenticate: the user-token (JWT) verifier, the
 * producer/agent token store, a rate limiter (local runtime only; API Gateway throttles in AWS)
 * and the sign-in metadata. Without a verifier every non-public route answers 401 (fail closed).
 */
export interface ApiAuthDeps {
  userTokens?: TokenVerifier;
  accessTokens?: AccessTokenStore;
  rateLimiter?: RateLimiter;
  authConfig?: AuthConfig;
}

/** The rate-limit budget a route spends. */
export function routeClassOf(route: Pick<Route, 'method' | 'action'>): RouteClass {
  if (requirementOf(route.action).kind === 'token') return 'ingest';
  return route.method === 'GET' ? 'reads' : 'writes';
}

function spend(limiter: RateLimiter | undefined, client: string, routeClass: RouteClass): void {
  if (!limiter) return;
  const out = limiter.take(client, routeClass);
  if (!out.ok) throw new RateLimitedError(`too many ${routeClass} requests; retry in ${out.retryAfterSeconds} s`, out.retryAfterSeconds);
}

/**
 * Authenticates and authorizes one request for `route`: resolves the principal from the bearer
 * credential (JWT for user actions, producer/agent token for token actions), spends the client's
 * rate budget (by principal subject, else by source IP — failed sign-ins spend the IP's), then
 * applies the policy. Throws 401/403/429-mapped errors.
 */
export async function authenticate(deps: Deps & ApiAuthDeps, route: Route, event: HttpEvent): Promise<Principal> {
  const sourceIp = event.requestContext?.http?.sourceIp ?? null;
  const routeClass = routeClassOf(route);
  let principal: Principal;
  try {
    principal = await resolvePrincipal(deps, { action: route.action, authorization: lowerHeaders(event).authorization, sourceIp });
  } catch (err) {
    if (err instanceof UnauthorizedError) spend(deps.rateLimiter, `ip:${sourceIp ?? 'unknown'}`, routeClass);
    throw err;
  }
  spend(deps.rateLimiter, principal.kind === 'anonymous' ? `ip:${sourceIp ?? 'unknown'}` : `${principal.kind}:${principal.subject}`, routeClass);
  authorize(principal, route.action);
  return principal;
}

/** The read API and operator actions other than ingest, one Lambda behind `/api/*`. */
export function createApiHandler(deps: Deps & ApiAuthDeps) {
  return middy<HttpEvent, HttpResult>()
    .use(httpErrors(deps.logger))
    .handler(async (event) => {
      const method = event.requestContext?.http?.method ?? 'GET';
      const path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
      const { route, params } = matchRoute(method, path);
      // Every non-GET call is audited after it ran, refusals (401/403/429) and failures included.
      return runAudited(deps, { event, route, params }, async () => {
        const principal = await authenticate(deps, route, event);
        const result = await route.run(deps, params, event.queryStringParameters ?? {}, requestInfo(event, principal));
        return { principal, response: json(result.status, result.body) };
      });
    });
}
