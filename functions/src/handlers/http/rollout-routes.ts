import { ValidationError } from '../../core/errors';
import type { RolloutDeps } from '../../core/rollouts/deps';
import type { RolloutPhase } from '../../core/rollouts/model';
import { decideGate, getRollout, listRollouts, operateRollout, retryRollout, startRollout, undoRollout } from '../../core/rollouts/operate';
import { parseRolloutSpec } from '../../core/rollouts/spec';
import { parseLimit } from '../../core/use-cases/read-side';
import type { Route } from './api';
import { commentOf } from './body';

const PHASES: readonly string[] = ['Progressing', 'Paused', 'Healthy', 'Degraded', 'Aborted', 'Promoted', 'RolledBack', 'active', 'finished'];
const VERBS = ['promote', 'promote-full', 'pause', 'resume', 'abort', 'retry', 'undo'] as const;

/** Rollout routes (issue 3): start, list, read, operator verbs and gate decisions. */
export const ROLLOUT_ROUTES: readonly Route[] = [
  {
    method: 'POST',
    path: '/api/rollouts',
    action: 'rollouts:start',
    run: async (deps, _p, _q, req) => {
      const spec = parseRolloutSpec(req.json());
      return { status: 201, body: await startRollout(deps as RolloutDeps, { spec, actor: req.actor }) };
    },
  },
  {
    method: 'GET',
    path: '/api/rollouts',
    action: 'rollouts:read',
    run: async (deps, _p, q) => {
      if (q.status && !PHASES.includes(q.status)) throw new ValidationError(`status must be one of ${PHASES.join(', ')}`, 'status');
      return {
        status: 200,
        body: await listRollouts(deps as RolloutDeps, {
          status: (q.status || undefined) as RolloutPhase | 'active' | 'finished' | undefined,
          service: q.service || undefined,
          environment: q.environment || undefined,
          limit: parseLimit(q.limit),
          cursor: q.cursor || undefined,
        }),
      };
    },
  },
  { method: 'GET', path: '/api/rollout-presets', action: 'rollouts:read', run: async (deps) => ({ status: 200, body: { items: (deps as RolloutDeps).presets() } }) },
  { method: 'GET', path: '/api/rollouts/{id}', action: 'rollouts:read', run: async (deps, p) => ({ status: 200, body: await getRollout(deps as RolloutDeps, p.id!) }) },
  {
    method: 'POST',
    path: '/api/rollouts/{id}/{verb}',
    action: 'rollouts:operate',
    run: async (deps, p, _q, req) => {
      const verb = p.verb as (typeof VERBS)[number];
      if (!VERBS.includes(verb)) throw new ValidationError(`unknown action ${p.verb}; one of ${VERBS.join(', ')}`, 'verb');
      const input = { id: p.id!, actor: req.actor, comment: commentOf(req.json(true)) };
      const rd = deps as RolloutDeps;
      if (verb === 'retry') return { status: 201, body: await retryRollout(rd, input) };
      if (verb === 'undo') return { status: 201, body: await undoRollout(rd, input) };
      return { status: 200, body: await operateRollout(rd, { ...input, verb }) };
    },
  },
  {
    method: 'POST',
    path: '/api/rollouts/{id}/gates/{gate}/{decision}',
    action: 'gates:decide',
    run: async (deps, p, _q, req) => {
      if (p.decision !== 'approve' && p.decision !== 'reject') throw new ValidationError('decision must be approve or reject', 'decision');
      return {
        status: 200,
        body: await decideGate(deps as RolloutDeps, {
          id: p.id!,
          gate: p.gate!,
          decision: p.decision,
          actor: req.actor,
          comment: commentOf(req.json(true)),
        }),
      };
    },
  },
];
