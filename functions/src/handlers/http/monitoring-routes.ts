import type { MonitoringDeps } from '../../core/monitoring/deps';
import { getCheckHistory, getHealth, getSystem } from '../../core/monitoring/health';
import type { Deps } from '../../core/deps';
import { DependencyError, ValidationError } from '../../core/errors';
import { acknowledgeAlert, createSilence, deleteSilence, expireSilence, listAlertViews, listSilences } from '../../core/monitoring/alert-use-cases';
import { ingestObservations } from '../../core/monitoring/ingest-observations';
import { parseLimit } from '../../core/use-cases/read-side';
import type { Route } from './api';
import { commentOf } from './body';

/** The monitoring deps, or a 503-mapped error where a runtime has not wired monitoring (AWS, until it is). */
function monitoring(deps: Deps): MonitoringDeps {
  const m = deps as Partial<MonitoringDeps>;
  if (!m.monitoringConfig || !m.checkHistory || !m.probes) throw new DependencyError('monitoring is not configured in this deployment', null, { code: 'monitoring_unavailable' });
  return deps as unknown as MonitoringDeps;
}

/** Monitoring routes (issue 4): the health tree, one system, one check's history, alerts. */
export const MONITORING_ROUTES: readonly Route[] = [
  { method: 'GET', path: '/api/health', action: 'health:read', run: async (deps) => ({ status: 200, body: await getHealth(monitoring(deps)) }) },
  { method: 'GET', path: '/api/systems/{id}', action: 'health:read', run: async (deps, p) => ({ status: 200, body: await getSystem(monitoring(deps), p.id!) }) },
  {
    method: 'GET',
    path: '/api/checks/{id}/history',
    action: 'health:read',
    run: async (deps, p, q) => ({
      status: 200,
      body: await getCheckHistory(monitoring(deps), p.id!, {
        from: q.from || undefined,
        to: q.to || undefined,
        minutes: q.minutes || undefined,
        limit: q.limit || undefined,
        cursor: q.cursor || undefined,
      }),
    }),
  },
  {
    method: 'GET',
    path: '/api/alerts',
    action: 'alerts:read',
    run: async (deps, _p, q) => ({
      status: 200,
      body: await listAlertViews(monitoring(deps), {
        state: q.state || undefined,
        environment: q.environment || undefined,
        limit: parseLimit(q.limit),
        cursor: q.cursor || undefined,
      }),
    }),
  },
  {
    method: 'POST',
    path: '/api/alerts/{fingerprint}/ack',
    action: 'alerts:ack',
    run: async (deps, p, _q, req) => ({
      status: 200,
      body: await acknowledgeAlert(monitoring(deps), { fingerprint: p.fingerprint!, by: req.actor, comment: commentOf(req.json(true)) }),
    }),
  },
  {
    method: 'POST',
    path: '/api/silences',
    action: 'silences:write',
    run: async (deps, _p, _q, req) => {
      const body = req.json();
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body must be a JSON object', 'body');
      const b = body as Record<string, unknown>;
      return { status: 201, body: await createSilence(monitoring(deps), { matchers: b.matchers, startsAt: b.startsAt, endsAt: b.endsAt, comment: b.comment }, req.actor) };
    },
  },
  {
    method: 'GET',
    path: '/api/silences',
    action: 'alerts:read',
    run: async (deps, _p, q) => ({
      status: 200,
      body: await listSilences(monitoring(deps), { scope: q.scope || undefined, limit: parseLimit(q.limit), cursor: q.cursor || undefined }),
    }),
  },
  { method: 'POST', path: '/api/silences/{id}/expire', action: 'silences:write', run: async (deps, p, _q, req) => ({ status: 200, body: await expireSilence(monitoring(deps), p.id!, req.actor) }) },
  { method: 'DELETE', path: '/api/silences/{id}', action: 'silences:write', run: async (deps, p, _q, req) => ({ status: 200, body: await deleteSilence(monitoring(deps), p.id!, req.actor) }) },
  {
    method: 'POST',
    path: '/api/observations',
    action: 'observations:push',
    run: async (deps, _p, _q, req) => {
      const m = monitoring(deps);
      // Without a bearer header the answer is 401 before the body is looked at.
      const authorization = req.header('authorization');
      const out = await ingestObservations(m, { authorization, body: authorization ? req.json() : undefined });
      return { status: 200, body: { agent: out.agent, accepted: out.accepted, duplicates: out.duplicates, alertTransitions: out.alertTransitions.length } };
    },
  },
];
