import { performance } from 'node:perf_hooks';
import { parseFireflyNamespaces, parseFireflyStatus } from '../../core/monitoring/collectors/firefly';
import type { FireflyCheckSpec, FireflyNamespaceProbe, FireflyOutcome } from '../../core/monitoring/model';
import { getJson, httpProblem, joinUrl } from './chain-http';

/** At most this many namespaces are probed one by one (the rest are only counted). */
export const MAX_FIREFLY_NAMESPACES = 20;

/**
 * Collects a FireFly node over its REST API: `GET /api/v1/status` and `GET /api/v1/namespaces` in
 * parallel, then `GET /api/v1/namespaces/{name}/status` for the required namespaces and the listed
 * ones (up to `MAX_FIREFLY_NAMESPACES`). Unreachable only when the status call cannot connect or
 * times out; HTTP errors are part of the outcome.
 */
export async function collectFirefly(spec: FireflyCheckSpec): Promise<FireflyOutcome> {
  const started = performance.now();
  const opts = { ...(spec.headers ? { headers: spec.headers } : {}), ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}) };
  const [statusGet, namespacesGet] = await Promise.all([getJson(joinUrl(spec.url, '/api/v1/status'), opts), getJson(joinUrl(spec.url, '/api/v1/namespaces'), opts)]);
  if (!statusGet.response.reachable) return statusGet.response;
  const status = statusGet.response.statusCode === 200 ? parseFireflyStatus(statusGet.json) : null;
  const namespaces = namespacesGet.response.reachable && namespacesGet.response.statusCode === 200 ? parseFireflyNamespaces(namespacesGet.json) : null;

  const toProbe = [...new Set([...(spec.namespaces ?? []), ...(namespaces ?? [])])].slice(0, Math.max(MAX_FIREFLY_NAMESPACES, spec.namespaces?.length ?? 0));
  // A required namespace the node does not list is reported as missing, not probed.
  const listed = toProbe.filter((n) => namespaces === null || namespaces.includes(n));
  const namespaceProbes = await Promise.all(
    listed.map(async (name): Promise<FireflyNamespaceProbe> => {
      const t0 = performance.now();
      const g = await getJson(joinUrl(spec.url, `/api/v1/namespaces/${encodeURIComponent(name)}/status`), opts);
      const durationMs = performance.now() - t0;
      const parsed = g.response.reachable && g.response.statusCode === 200 ? parseFireflyStatus(g.json) : null;
      const statusCode = g.response.reachable ? g.response.statusCode : undefined;
      if (parsed) return { name, ok: true, statusCode: statusCode!, durationMs, status: parsed };
      return { name, ok: false, ...(statusCode !== undefined ? { statusCode } : {}), error: g.response.reachable && g.response.statusCode === 200 ? 'not a status document' : httpProblem(g), durationMs };
    }),
  );
  return {
    reachable: true,
    durationMs: performance.now() - started,
    status,
    ...(status ? {} : { statusError: statusGet.response.statusCode === 200 ? 'not a FireFly status document' : httpProblem(statusGet) }),
    namespaces,
    ...(namespaces ? {} : { namespacesError: namespacesGet.response.reachable && namespacesGet.response.statusCode === 200 ? 'not a namespace list' : httpProblem(namespacesGet) }),
    namespaceProbes,
  };
}
