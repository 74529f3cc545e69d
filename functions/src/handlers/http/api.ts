import middy from '@middy/core';
import type { Deps } from '../../core/deps';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../../core/errors';
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

type Params = Record<string, string>;
type Query = Record<string, string | undefined>;

/** What a route may read of the request besides path and query. */
export interface RequestInfo {
  /** The JSON body; `ValidationError` (field `body`) when it is not JSON. `optional`: an empty body is `undefined`. */
  json(optional?: boolean): unknown;
  /**
   * Who acts, for attribution: the signed-in user's claims once sign-in exists (issue 5); until
   * then the `X-Signalbox-Actor` header (unauthenticated), else `anonymous`.
   */
  actor: string;
  /** A request header by lower-case name (e.g. `authorization` for agent tokens). */
  header(name: string): string | undefined;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** OpenAPI path template, e.g. `/api/events/{key}`. */
  path: string;
  run(deps: Deps, params: Params, query: Query, req: RequestInfo): Promise<{ status: number; body: unknown }>;
}

const ok = (body: unknown) => ({ status: 200, body });

/** Every route the api function serves. The OpenAPI document must describe exactly these (tested). */
export const API_ROUTES: readonly Route[] = [
  { method: 'GET', path: '/api/inventory', run: async (deps) => ok(await getInventory(deps)) },
  { method: 'GET', path: '/api/events', run: async (deps, _p, q) => ok(await listEvents(deps, q)) },
  { method: 'GET', path: '/api/events/{key}', run: async (deps, p) => ok(await getEvent(deps, p.key!)) },
  {
    method: 'GET',
    path: '/api/services/{name}',
    run: async (deps, p, q) => ok(await getService(deps, p.name!, { cursor: q.cursor, limit: q.limit })),
  },
  { method: 'GET', path: '/api/environments', run: async (deps) => ok(await listEnvironments(deps)) },
  { method: 'GET', path: '/api/dead-letters', run: async (deps, _p, q) => ok(await listDeadLetters(deps, q)) },
  {
    method: 'POST',
    path: '/api/dead-letters/{id}/replay',
    run: async (deps, p) => ok({ deadLetter: await replayDeadLetter(deps, p.id!) }),
  },
  { method: 'GET', path: '/api/dora', run: async (deps, _p, q) => ok(await getDoraReport(deps, q)) },
  { method: 'GET', path: '/api/openapi.json', run: async () => ok(openApiDocument()) },
  ...ROLLOUT_ROUTES,
  ...MONITORING_ROUTES,
  ...LIVE_ROUTES,
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

function requestInfo(event: HttpEvent): RequestInfo {
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
    actor: actorOf(event),
    header: (name) => lowerHeaders(event)[name.toLowerCase()],
  };
}

function actorOf(event: HttpEvent): string {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } } | undefined)?.authorizer?.jwt?.claims;
  const fromClaims = claims?.email ?? claims?.['cognito:username'] ?? claims?.sub;
  if (typeof fromClaims === 'string' && fromClaims) return fromClaims;
  const header = lowerHeaders(event)['x-signalbox-actor']?.trim();
  if (header && /^[\p{L}\p{N} ._@+-]{1,128}$/u.test(header)) return header;
  return 'anonymous';
}

/** The read API and operator actions other than ingest, one Lambda behind `/api/*`. */
export function createApiHandler(deps: Deps) {
  return middy<HttpEvent, HttpResult>()
    .use(httpErrors(deps.logger))
    .handler(async (event) => {
      const method = event.requestContext?.http?.method ?? 'GET';
      const path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
      const { route, params } = matchRoute(method, path);
      const result = await route.run(deps, params, event.queryStringParameters ?? {}, requestInfo(event));
      return json(result.status, result.body);
    });
}
