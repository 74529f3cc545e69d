import { performance } from 'node:perf_hooks';
import { cactiPluginSpecPath, parseCactiHealth } from '../../core/monitoring/collectors/cacti';
import type { CactiCheckSpec, CactiConnectorProbe, CactiOutcome } from '../../core/monitoring/model';
import { getJson, httpProblem, joinUrl } from './chain-http';

function operations(doc: unknown): number | undefined {
  // Some plugin versions send the document as a JSON string.
  const value = typeof doc === 'string' ? (() => { try { return JSON.parse(doc) as unknown; } catch { return undefined; } })() : doc;
  const paths = value && typeof value === 'object' ? (value as Record<string, unknown>).paths : undefined;
  if (!paths || typeof paths !== 'object') return undefined;
  return Object.values(paths as Record<string, unknown>).reduce<number>((n, ops) => n + (ops && typeof ops === 'object' ? Object.keys(ops).length : 0), 0);
}

/**
 * Collects a Cacti API server: `GET /api/v1/api-server/healthcheck` and, in parallel, each expected
 * connector's `GET /api/v1/plugins/{package}/get-open-api-spec` (a plugin is present when that
 * answers 200). Unreachable only when the healthcheck cannot connect or times out.
 */
export async function collectCacti(spec: CactiCheckSpec): Promise<CactiOutcome> {
  const started = performance.now();
  const opts = { ...(spec.headers ? { headers: spec.headers } : {}), ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}) };
  const [health, ...plugins] = await Promise.all([
    getJson(joinUrl(spec.url, '/api/v1/api-server/healthcheck'), opts),
    ...(spec.connectors ?? []).map(async (pkg) => {
      const t0 = performance.now();
      return { pkg, get: await getJson(joinUrl(spec.url, cactiPluginSpecPath(pkg)), opts), durationMs: performance.now() - t0 };
    }),
  ]);
  if (!health.response.reachable) return health.response;
  const connectors = plugins.map(({ pkg, get, durationMs }): CactiConnectorProbe => {
    const statusCode = get.response.reachable ? get.response.statusCode : undefined;
    const present = statusCode === 200;
    const ops = present ? operations(get.json) : undefined;
    return {
      package: pkg,
      present,
      ...(statusCode !== undefined ? { statusCode } : {}),
      ...(present ? {} : { error: httpProblem(get) }),
      ...(ops !== undefined ? { operations: ops } : {}),
      durationMs,
    };
  });
  const parsed = health.response.statusCode === 200 ? parseCactiHealth(health.json) : null;
  return {
    reachable: true,
    durationMs: performance.now() - started,
    statusCode: health.response.statusCode,
    health: parsed,
    ...(parsed ? {} : { healthError: health.response.statusCode === 200 ? 'not a healthcheck answer' : httpProblem(health) }),
    connectors,
  };
}
