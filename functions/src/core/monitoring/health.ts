import type { CheckConfig } from '../config/model';
import { NotFoundError, ValidationError } from '../errors';
import type { LatestCheckStatus } from '../ports/check-history-store';
import type { Page } from '../read-models';
import { buildSystemGraph, type SystemGraph } from '../systems/graph';
import { rollUp, type CheckStatusInput, type HealthNode } from '../systems/rollup';
import type { MonitoringDeps } from './deps';
import { detectFlapping, type FlappingPolicy, type FlappingVerdict } from './flapping';
import { bucketStart, historyStrip, normalizeHistoryRange, uptime, type BucketMinutes, type HistoryBucket, type StripSlot, type Uptime } from './history';
import type { CheckStatus } from './model';
import { agentStaleness } from './ingest-observations';

/** The window of the history strips on the health page: the last hour in 60 one-minute slots. */
export const STRIP_WINDOW_MINUTES = 60;
export const STRIP_SLOTS = 60;
/** "Flapping": 4 or more status changes within the strip's hour. */
export const FLAPPING_POLICY: FlappingPolicy = { windowSeconds: STRIP_WINDOW_MINUTES * 60, minChanges: 4 };

/** One check as the health views show it. */
export interface CheckSummary {
  name: string;
  type: CheckConfig['type'];
  description: string | null;
  service: string | null;
  environment: string | null;
  intervalSeconds: number;
  /** The agent that runs this check and pushes its results; null when the server runs it. */
  agent: string | null;
  /** `unknown` with "no result yet" before the first run (for an agent's check also when its results stop). */
  status: CheckStatus;
  message: string;
  checkedAt: string | null;
  /** When the check entered its current status (null before a result, or when an agent's results stopped). */
  since: string | null;
  metrics: Record<string, number>;
  /** The last hour, oldest slot first. */
  strip: StripSlot[];
  /** Counted over one-minute buckets (their last status), so at most one change per minute. */
  flapping: FlappingVerdict;
}

export interface HealthView {
  generatedAt: string;
  /** Problems of the config folder (`file:line:column field: message`); the valid part is shown. */
  configErrors: readonly string[];
  /** One tree per root system; every layer (system, subsystem, service, check) is kept. */
  roots: readonly HealthNode[];
  checks: CheckSummary[];
}

export interface SystemView {
  generatedAt: string;
  system: HealthNode;
  /** The checks anywhere under the system. */
  checks: CheckSummary[];
}

export interface CheckHistoryQuery {
  from?: string;
  to?: string;
  /** Bucket resolution 1, 15 or 60 (text from a query string is accepted). */
  minutes?: string | number;
  limit?: string | number;
  cursor?: string;
}

export interface CheckHistoryView extends Page<HistoryBucket> {
  checkId: string;
  from: string;
  to: string;
  minutes: BucketMinutes;
  /** Over the buckets of this page. */
  uptime: Uptime;
}

const EMPTY_GRAPH: SystemGraph = { systems: new Map(), roots: [] };

async function snapshotAndGraph(deps: MonitoringDeps) {
  const snapshot = await deps.monitoringConfig.current();
  let graph = EMPTY_GRAPH;
  const errors = [...snapshot.errors];
  try {
    graph = buildSystemGraph(snapshot.config);
  } catch (error) {
    // parseConfig reports cycles as issues already; this only guards a provider that did not.
    if (!(error instanceof ValidationError)) throw error;
    errors.push(error.message);
  }
  return { snapshot, graph, errors };
}

async function summaries(deps: MonitoringDeps, checks: readonly CheckConfig[], now: string): Promise<CheckSummary[]> {
  const latest = new Map<string, LatestCheckStatus>((await deps.checkHistory.latest(checks.map((c) => c.name))).map((l) => [l.checkId, l]));
  // The strip ends with the current minute's bucket: [start of the minute after now - 60 min, that).
  const toMs = Date.parse(bucketStart(now, 1)) + 60_000;
  const to = new Date(toMs).toISOString();
  const from = new Date(toMs - STRIP_WINDOW_MINUTES * 60_000).toISOString();
  return Promise.all(
    checks.map(async (check) => {
      const page = await deps.checkHistory.range(check.name, { from, to, minutes: 1, limit: STRIP_WINDOW_MINUTES });
      const l = latest.get(check.name);
      const stale = agentStaleness(check, l, now);
      return {
        name: check.name,
        type: check.type,
        description: check.description ?? null,
        service: check.service ?? null,
        environment: check.environment ?? null,
        intervalSeconds: check.intervalSeconds,
        agent: check.agent ?? null,
        status: stale?.status ?? l?.status ?? 'unknown',
        message: stale?.message ?? l?.message ?? 'no result yet',
        checkedAt: l?.checkedAt ?? null,
        since: stale ? null : (l?.since ?? null),
        metrics: l?.metrics ?? {},
        strip: historyStrip(page.items, from, to, STRIP_SLOTS),
        flapping: detectFlapping(
          page.items.map((b) => ({ status: b.lastStatus, checkedAt: b.lastCheckedAt })),
          FLAPPING_POLICY,
          now,
        ),
      } satisfies CheckSummary;
    }),
  );
}

async function statusesOf(deps: MonitoringDeps, checks: readonly CheckConfig[], now: string): Promise<Map<string, CheckStatusInput>> {
  const latest = await deps.checkHistory.latest(checks.map((c) => c.name));
  const byName = new Map(checks.map((c) => [c.name, c]));
  return new Map(latest.map((l) => [l.checkId, agentStaleness(byName.get(l.checkId) ?? { intervalSeconds: 0 }, l, now) ?? { status: l.status, message: l.message }]));
}

/**
 * The health page: the systems graph rolled up with every check's latest status (checks without a
 * result are `unknown`), plus each check's last-hour strip and flapping verdict. Reads the history
 * store only (one batch for the latest statuses, one query per check); never probes.
 */
export async function getHealth(deps: MonitoringDeps): Promise<HealthView> {
  const { snapshot, graph, errors } = await snapshotAndGraph(deps);
  const now = deps.clock.now();
  const checks = snapshot.config.checks;
  const summary = await summaries(deps, checks, now);
  const statuses = new Map<string, CheckStatusInput>(summary.filter((s) => s.checkedAt !== null).map((s) => [s.name, { status: s.status, message: s.message }]));
  return { generatedAt: now, configErrors: errors, roots: rollUp(graph, statuses).roots, checks: summary };
}

function checksUnder(node: HealthNode, out: Set<string>): Set<string> {
  for (const c of node.checks) out.add(c.name);
  for (const child of node.children) checksUnder(child, out);
  return out;
}

/**
 * One system with everything under it (subsystems, services, checks) and the summaries of those
 * checks. `NotFoundError` (field `id`) for a system the config does not declare.
 */
export async function getSystem(deps: MonitoringDeps, id: string): Promise<SystemView> {
  const { snapshot, graph } = await snapshotAndGraph(deps);
  if (!graph.systems.has(id)) throw new NotFoundError(`no system ${id} in the config`, 'id');
  const now = deps.clock.now();
  const statuses = await statusesOf(deps, snapshot.config.checks, now);
  const system = rollUp(graph, statuses).systems.get(id)!;
  const names = checksUnder(system, new Set());
  const checks = await summaries(deps, snapshot.config.checks.filter((c) => names.has(c.name)), now);
  return { generatedAt: now, system, checks };
}

function toNumber(value: string | number | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw new ValidationError(`${field} must be a number`, field, `invalid_${field}`);
  return n;
}

/**
 * One check's history buckets starting within `[from, to)` (default: the last 24 hours up to now, one-minute
 * buckets, 100 per page), newest first, with the uptime over the page. `NotFoundError` (field
 * `id`) for a check the config does not declare; `ValidationError` with the field for a bad range.
 */
export async function getCheckHistory(deps: MonitoringDeps, id: string, query: CheckHistoryQuery = {}): Promise<CheckHistoryView> {
  const snapshot = await deps.monitoringConfig.current();
  if (!snapshot.config.checks.some((c) => c.name === id)) throw new NotFoundError(`no check ${id} in the config`, 'id');
  const now = deps.clock.now();
  // Default end: just after now, so the bucket of the current minute is included.
  const to = query.to || new Date(Date.parse(now) + 1).toISOString();
  const from = query.from || new Date(Date.parse(to) - 24 * 3_600_000).toISOString();
  const minutes = toNumber(query.minutes, 'minutes');
  const range = normalizeHistoryRange({ from, to, limit: toNumber(query.limit, 'limit') ?? 100, ...(minutes !== undefined ? { minutes } : {}) });
  const page = await deps.checkHistory.range(id, { ...range, ...(query.cursor ? { cursor: query.cursor } : {}) });
  return { checkId: id, from: range.from, to: range.to, minutes: range.minutes, items: page.items, next: page.next, uptime: uptime(page.items, range.from, range.to) };
}
