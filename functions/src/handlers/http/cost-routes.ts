import { costDeps } from '../../core/costs/deps';
import { importFocusFile, requireFileName } from '../../core/costs/import-focus';
import { getCostAnomalies, getCostForecast, getCostReport, getDeploymentCosts, listCostImports } from '../../core/costs/report';
import { DependencyError, PayloadTooLargeError } from '../../core/errors';
import { parseLimit } from '../../core/use-cases/read-side';
import { focusText, MAX_FOCUS_UPLOAD_BYTES } from '../../shared/focus-body';
import type { Route } from './api';

const ok = (body: unknown) => ({ status: 200, body });

/** Costs (issue 5): the report, forecast, anomalies, cost per deployment, and FOCUS imports. */
export const COST_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/api/costs',
    action: 'costs:read',
    run: async (deps, _p, q) =>
      ok(await getCostReport(costDeps(deps), { days: q.days, groupBy: q.groupBy, metric: q.metric, provider: q.provider, environment: q.environment, service: q.service })),
  },
  { method: 'GET', path: '/api/costs/forecast', action: 'costs:read', run: async (deps) => ok(await getCostForecast(costDeps(deps))) },
  { method: 'GET', path: '/api/costs/anomalies', action: 'costs:read', run: async (deps, _p, q) => ok(await getCostAnomalies(costDeps(deps), { days: q.days })) },
  { method: 'GET', path: '/api/costs/deployments', action: 'costs:read', run: async (deps, _p, q) => ok(await getDeploymentCosts(costDeps(deps), { days: q.days })) },
  {
    method: 'GET',
    path: '/api/costs/imports',
    action: 'costs:read',
    run: async (deps, _p, q) => ok(await listCostImports(costDeps(deps), { limit: parseLimit(q.limit), cursor: q.cursor || undefined })),
  },
  {
    method: 'POST',
    path: '/api/costs/imports',
    action: 'costs:import',
    run: async (deps, _p, q, req) => {
      const cost = costDeps(deps);
      const name = requireFileName(q.name);
      const body = req.bytes();
      if (body.length > MAX_FOCUS_UPLOAD_BYTES) throw new PayloadTooLargeError(`the upload is larger than ${MAX_FOCUS_UPLOAD_BYTES} bytes`, MAX_FOCUS_UPLOAD_BYTES);
      const record = await importFocusFile(cost, { name, origin: 'upload', text: await focusText(body), by: req.actor });
      if (record.status === 'failed') throw new DependencyError(record.problems[0]?.message ?? 'the import failed', null, { code: 'import_failed' });
      return { status: record.status === 'imported' ? 201 : 422, body: record };
    },
  },
];
