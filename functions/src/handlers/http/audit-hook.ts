import type { Principal } from '../../core/auth/model';
import { ANONYMOUS } from '../../core/auth/model';
import { minimumRole, requirementOf } from '../../core/auth/policy';
import { resolvePrincipal, type IdentityDeps } from '../../core/auth/principal';
import { actorOf, recordAudit, type AuditAction, type AuditDeps } from '../../core/audit';
import type { Deps } from '../../core/deps';
import type { Logger } from '../../core/ports/logger';
import { bodyText, httpErrors, json, lowerHeaders, type HttpEvent, type HttpResult } from '../middleware/http';
import type { Route } from './api';

/** Whether calls of this route are audited: every non-GET route but token pushes (ingest, agent observations are data, not actions). */
export function isAuditedRoute(route: Pick<Route, 'method' | 'action'>): boolean {
  return route.method !== 'GET' && requirementOf(route.action).kind !== 'token';
}

/**
 * Whether a failed audit write fails the request. Admin actions: yes (500, audit is not optional).
 * Operator actions: no — the action has already happened, and a 500 would invite a retry of a
 * non-idempotent action (a second rollout, silence or token); the answer keeps its status, carries
 * `x-signalbox-audit: failed`, and the full entry is logged at error level so it can be restored.
 */
export function auditFailureFailsRequest(action: AuditAction): boolean {
  return action.startsWith('local:') ? false : minimumRole(action as Parameters<typeof minimumRole>[0]) === 'admin';
}

/** Path parameters that name what is done, not what it is done to. */
const VERB_PARAMS = new Set(['verb', 'decision']);

/** `rollout/<id>`, `silence/<id>`, `alert/<fp>`, `setting/<kind>/<name>`, `token/<id>`, `dead-letter/<id>`: from the path, else the created item's id. */
export function resourceOf(routePath: string, params: Record<string, string>, responseBody: unknown): string {
  const segments = routePath.replace(/^\/api\//, '').split('/').filter((s) => s !== 'admin');
  const singular = (s: string) => (s.endsWith('ies') ? `${s.slice(0, -3)}y` : s.endsWith('s') ? s.slice(0, -1) : s);
  const parts: string[] = [];
  let head: string | null = null;
  for (const segment of segments) {
    const param = /^\{(\w+)\}$/.exec(segment)?.[1];
    if (param && VERB_PARAMS.has(param)) break;
    if (param) {
      if (parts.length === 0 && head) parts.push(singular(head));
      parts.push(params[param] ?? '');
    } else if (parts.length === 0) {
      head = segment;
    } else {
      // The resource ends at the first literal after its id: `/ack`, `/replay`, `/gates/...` say what was done.
      break;
    }
  }
  if (parts.length) return parts.join('/');
  const created = responseBody && typeof responseBody === 'object' ? (responseBody as Record<string, unknown>) : {};
  const inner = Object.values(created).find((v) => v && typeof v === 'object' && typeof (v as Record<string, unknown>).id === 'string') as Record<string, unknown> | undefined;
  const id = typeof created.id === 'string' ? created.id : typeof inner?.id === 'string' ? inner.id : null;
  return id ? `${singular(head ?? 'api')}/${id}` : singular(head ?? 'api');
}

function parametersOf(event: HttpEvent, params: Record<string, string>): unknown {
  const text = bodyText(event);
  let body: unknown;
  if (text.trim() === '') body = undefined;
  else {
    try {
      body = JSON.parse(text);
    } catch {
      body = '[not JSON]';
    }
  }
  return { ...(Object.keys(params).length ? { path: params } : {}), ...(body !== undefined ? { body } : {}) };
}

function errorCodeOf(result: HttpResult): string | null {
  if ((result.statusCode ?? 200) < 400) return null;
  try {
    const code = (JSON.parse(String(result.body ?? '')) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : 'error';
  } catch {
    return 'error';
  }
}

/** The answer the edge mapper gives for `error` (the same middleware the handler uses). */
async function responseForError(logger: Logger, event: HttpEvent, error: unknown): Promise<HttpResult> {
  const request = { event, context: {}, response: undefined as HttpResult | undefined, error, internal: {} };
  await httpErrors(logger).onError!(request as never);
  if (!request.response) throw error;
  return request.response;
}

/** The caller of a request that failed before the route ran (401/403/429): resolved again, anonymous when that fails too. */
async function principalAfterFailure(deps: Deps, route: Route, event: HttpEvent): Promise<Principal> {
  const sourceIp = event.requestContext?.http?.sourceIp ?? null;
  try {
    return await resolvePrincipal(deps as Deps & IdentityDeps, { action: route.action, authorization: lowerHeaders(event).authorization, sourceIp });
  } catch {
    return { ...ANONYMOUS, sourceIp };
  }
}

function auditDepsOf(deps: Deps): AuditDeps | null {
  const d = deps as Deps & Partial<AuditDeps>;
  return d.audit ? { audit: d.audit, clock: deps.clock, logger: deps.logger } : null;
}

export interface AuditedCall {
  event: HttpEvent;
  route: Route;
  params: Record<string, string>;
}

/**
 * Runs one API call and, for audited routes ({@link isAuditedRoute}), appends its audit entry
 * after it ran — success and failure alike (the error is mapped to its HTTP answer first, so the
 * entry has the status the caller gets). `run` authenticates, authorizes and runs the route, and
 * returns the principal with the answer.
 */
export async function runAudited(deps: Deps, call: AuditedCall, run: () => Promise<{ principal: Principal; response: HttpResult }>): Promise<HttpResult> {
  if (!isAuditedRoute(call.route)) return (await run()).response;
  let principal: Principal | null = null;
  let response: HttpResult;
  try {
    ({ principal, response } = await run());
  } catch (error) {
    response = await responseForError(deps.logger, call.event, error);
  }
  principal ??= await principalAfterFailure(deps, call.route, call.event);
  let responseBody: unknown = null;
  try {
    responseBody = JSON.parse(String(response.body ?? 'null'));
  } catch {
    responseBody = null;
  }
  const input = {
    actor: actorOf(principal),
    sourceIp: call.event.requestContext?.http?.sourceIp ?? principal.sourceIp ?? null,
    action: call.route.action as AuditAction,
    resource: resourceOf(call.route.path, call.params, (response.statusCode ?? 200) < 400 ? responseBody : null),
    parameters: parametersOf(call.event, call.params),
    outcome: { status: response.statusCode ?? 200, error: errorCodeOf(response) },
  };
  return finishAudit(deps, input, response);
}

/** Appends the entry; applies the failure policy ({@link auditFailureFailsRequest}). */
export async function finishAudit(deps: Deps, input: Parameters<typeof recordAudit>[1], response: HttpResult): Promise<HttpResult> {
  const auditDeps = auditDepsOf(deps);
  try {
    if (!auditDeps) throw new Error('no audit store is configured in this runtime');
    await recordAudit(auditDeps, input);
    return response;
  } catch (error) {
    deps.logger.error('writing the audit entry failed', { error: (error as Error).message, entry: input });
    if (auditFailureFailsRequest(input.action)) {
      return json(500, { error: { code: 'audit_failed', field: null, message: 'the action could not be written to the audit log, so it is reported as failed; see the server log' } });
    }
    return { ...response, headers: { ...response.headers, 'x-signalbox-audit': 'failed' } };
  }
}

/**
 * Audits one call of a local-only operator endpoint (`/local/demo/...`, never deployed): action
 * `local:demo`, the caller from its bearer token when it has a valid one (else anonymous). These
 * endpoints are not authorized, so an audit failure is only logged.
 */
export async function auditLocalCall(
  deps: Deps,
  call: { method: string; path: string; status: number; sourceIp: string | null; authorization: string | undefined; resource: string; parameters: unknown },
): Promise<void> {
  if (call.method === 'GET') return;
  let principal: Principal = { ...ANONYMOUS, sourceIp: call.sourceIp };
  try {
    principal = await resolvePrincipal(deps as Deps & IdentityDeps, { action: 'rollouts:operate', authorization: call.authorization, sourceIp: call.sourceIp });
  } catch {
    // An invalid token on an unauthenticated endpoint: recorded as anonymous.
  }
  const input = {
    actor: actorOf(principal),
    sourceIp: call.sourceIp,
    action: 'local:demo' as AuditAction,
    resource: call.resource,
    parameters: call.parameters,
    outcome: { status: call.status, error: call.status >= 400 ? 'error' : null },
  };
  await finishAudit(deps, input, json(call.status, null));
}
