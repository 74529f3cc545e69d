import { aboveThreshold, conclude, failed, latencyFinding, type Finding } from '../evaluate';
import type { CactiCheckSpec, CactiHealth, CactiOutcome, CheckResult, Thresholds } from '../model';

const MIB = 1024 * 1024;

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Reads the API server's `HealthCheckResponse`: `{ success?, createdAt, memoryUsage: { rss,
 * heapTotal, heapUsed, external, arrayBuffers } }`. Returns null when neither `createdAt` nor
 * `memoryUsage` is there (not a Cacti health answer).
 */
export function parseCactiHealth(body: unknown): CactiHealth | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const doc = body as Record<string, unknown>;
  const mem = doc.memoryUsage && typeof doc.memoryUsage === 'object' ? (doc.memoryUsage as Record<string, unknown>) : null;
  const createdAt = typeof doc.createdAt === 'string' ? doc.createdAt : null;
  if (createdAt === null && mem === null) return null;
  return {
    success: typeof doc.success === 'boolean' ? doc.success : null,
    createdAt,
    memory: mem ? { rss: num(mem.rss), heapTotal: num(mem.heapTotal), heapUsed: num(mem.heapUsed), external: num(mem.external), arrayBuffers: num(mem.arrayBuffers) } : null,
  };
}

/** Path of a plugin's OpenAPI document on the API server (every Cacti web-service plugin has one). */
export function cactiPluginSpecPath(pkg: string): string {
  return `/api/v1/plugins/${pkg}/get-open-api-spec`;
}

function memoryFinding(label: string, mb: number, t: Thresholds | undefined): Finding {
  const status = aboveThreshold(mb, t);
  return { status, reason: `${label} ${mb} MiB above ${status === 'critical' ? t?.critical : t?.warning} MiB` };
}

/**
 * Evaluates a Cacti API server collection. Critical: unreachable, healthcheck not HTTP 200 or not a
 * health answer, `success: false`, an expected connector plugin not answering. Memory (`heapUsedMb`,
 * `rssMb`) and latency by their limits.
 *
 * Metrics: `health_success` (1/0), `heap_used_mb`, `heap_total_mb`, `rss_mb`, `external_mb`,
 * `connectors_expected`, `connectors_up`, `latency_ms`.
 */
export function evaluateCacti(spec: CactiCheckSpec, outcome: CactiOutcome, checkedAt: string): CheckResult {
  if (!outcome.reachable) return failed(outcome, spec.url, checkedAt);
  const metrics: Record<string, number> = { latency_ms: Math.round(outcome.durationMs) };
  const findings: Finding[] = [latencyFinding(outcome.durationMs, spec.latencyMs)];
  const h = outcome.health;
  if (outcome.statusCode !== 200 || !h) {
    findings.push({ status: 'critical', reason: `healthcheck: ${outcome.healthError ?? `HTTP ${outcome.statusCode}`}` });
  } else {
    metrics.health_success = h.success === false ? 0 : 1;
    if (h.success === false) findings.push({ status: 'critical', reason: 'healthcheck reports success: false' });
    const m = h.memory;
    const mb = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round((v / MIB) * 10) / 10);
    const heapUsed = mb(m?.heapUsed);
    const rss = mb(m?.rss);
    if (heapUsed !== null) metrics.heap_used_mb = heapUsed;
    if (mb(m?.heapTotal) !== null) metrics.heap_total_mb = mb(m?.heapTotal)!;
    if (rss !== null) metrics.rss_mb = rss;
    if (mb(m?.external) !== null) metrics.external_mb = mb(m?.external)!;
    if (spec.heapUsedMb) findings.push(heapUsed === null ? { status: 'unknown', reason: 'heap usage not reported' } : memoryFinding('heap used', heapUsed, spec.heapUsedMb));
    if (spec.rssMb) findings.push(rss === null ? { status: 'unknown', reason: 'resident set size not reported' } : memoryFinding('resident set', rss, spec.rssMb));
  }
  const up = outcome.connectors.filter((c) => c.present);
  metrics.connectors_expected = outcome.connectors.length;
  metrics.connectors_up = up.length;
  for (const c of outcome.connectors) {
    if (!c.present) findings.push({ status: 'critical', reason: `connector ${c.package} not available: ${c.error ?? `HTTP ${c.statusCode ?? '?'}`}` });
  }
  const heap = metrics.heap_used_mb !== undefined ? `, heap ${metrics.heap_used_mb} MiB` : '';
  return conclude(findings, `API server healthy${heap}, ${up.length}/${outcome.connectors.length} connectors up`, metrics, outcome.durationMs, checkedAt);
}
