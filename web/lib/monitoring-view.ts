/**
 * The pure side of the portal's monitoring client: the API's response shapes and the helpers the
 * health, system, check and alert pages share (since-when, roll-up walks, filters, chart series,
 * matchers). No fetch, no React: tests import it directly.
 */
import type { AlertSeverity, AlertState, AlertView, Matcher, MatcherOp, Silence, SilenceState } from '../../functions/src/core/alerts/model';

export type { Alert, AlertSeverity, AlertState, AlertView, Matcher, MatcherOp } from '../../functions/src/core/alerts/model';

// ---- API response shapes ------------------------------------------------------------------------
// The API's own types (type-only imports: erased from the bundle).
import type { CheckStatus } from '../../functions/src/core/monitoring/model';
import type { CheckSummary, HealthView, SystemView, CheckHistoryView } from '../../functions/src/core/monitoring/health';
import type { HistoryBucket, MetricStats, StripSlot, Uptime } from '../../functions/src/core/monitoring/history';
import type { FlappingVerdict } from '../../functions/src/core/monitoring/flapping';
import type { CheckHealth, Culprit, HealthNode } from '../../functions/src/core/systems/rollup';
export type { CheckStatus, CheckSummary, HealthView, SystemView, CheckHistoryView, HistoryBucket, MetricStats, StripSlot, Uptime, FlappingVerdict, CheckHealth, Culprit, HealthNode };

/** A silence as listed: the stored silence and its state now (mirrors `SilenceView` of the API). */
export interface SilenceView extends Silence {
  state: SilenceState;
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

/** Statuses, worst first (the filter's order). Mirrors `CHECK_STATUSES`, a value that cannot cross by type import. */
export const STATUSES: readonly CheckStatus[] = ['critical', 'warning', 'unknown', 'ok'];
export const ALERT_STATE_NAMES: readonly AlertState[] = ['firing', 'acknowledged', 'resolved'];
export const SEVERITIES: readonly AlertSeverity[] = ['critical', 'error', 'warning', 'info'];
export const MATCHER_OPS: readonly MatcherOp[] = ['=', '!=', '=~', '!~'];

/** Polling fallback while the live socket is not connected. */
export const FALLBACK_REFRESH_MS = 15_000;

/** The ranges of the check page and the bucket resolution each reads. */
export const HISTORY_RANGES = {
  '1h': { label: '1 hour', ms: 3_600_000, minutes: 1 },
  '24h': { label: '24 hours', ms: 24 * 3_600_000, minutes: 1 },
  '7d': { label: '7 days', ms: 7 * 24 * 3_600_000, minutes: 15 },
  '30d': { label: '30 days', ms: 30 * 24 * 3_600_000, minutes: 60 },
} as const;
export type HistoryRange = keyof typeof HISTORY_RANGES;
export const DEFAULT_RANGE: HistoryRange = '24h';

export function isHistoryRange(value: string | null | undefined): value is HistoryRange {
  return !!value && Object.hasOwn(HISTORY_RANGES, value);
}

/** Up (ok or warning) over up plus down (critical) results; unknown counts for neither. Pure. */
export function uptimeOf(buckets: readonly HistoryBucket[]): Uptime {
  let up = 0;
  let down = 0;
  let unknown = 0;
  for (const b of buckets) {
    up += b.statusCounts.ok + b.statusCounts.warning;
    down += b.statusCounts.critical;
    unknown += b.statusCounts.unknown;
  }
  return { percent: up + down === 0 ? null : (up * 100) / (up + down), up, down, unknown };
}

// ---- pure helpers -----------------------------------------------------------------------------

/** The badge tone of a status (shares the rollout phase colours). */
export function statusTone(status: CheckStatus | 'none' | AlertView['status']): 'good' | 'waiting' | 'bad' | 'neutral' | 'running' {
  switch (status) {
    case 'ok':
    case 'resolved':
      return 'good';
    case 'warning':
    case 'acknowledged':
      return 'waiting';
    case 'critical':
    case 'firing':
      return 'bad';
    case 'silenced':
    case 'inhibited':
      return 'running';
    default:
      return 'neutral';
  }
}

/** Since when a check has had its current status, as far as its strip tells. */
export interface Since {
  /** Start of the current status run; null when unknown (no result yet). */
  iso: string | null;
  /** True when the strip is all the current status: the run started at or before `iso`. */
  atLeast: boolean;
}

/**
 * The server's `since` when it has one; otherwise walks the strip back from the newest slot while slots have the current status (or no data); the
 * run starts at the end of the last slot with another status. Slots are one minute, their status
 * the worst of the minute, so this is to the minute. Pure.
 */
export function sinceOf(check: Pick<CheckSummary, 'status' | 'checkedAt' | 'strip' | 'since'>): Since {
  if (!check.checkedAt) return { iso: null, atLeast: false };
  // The server's record of the status change is exact; the strip is the fallback for older rows.
  if (check.since) return { iso: check.since, atLeast: false };
  const strip = check.strip;
  let earliest: string | null = null;
  let earliestIndex = -1;
  for (let i = strip.length - 1; i >= 0; i--) {
    const slot = strip[i]!;
    if (slot.status === 'none') continue;
    if (slot.status !== check.status) return { iso: earliest ?? slot.end, atLeast: false };
    earliest = slot.start;
    earliestIndex = i;
  }
  // The whole window has the status only when its first slot has data; otherwise the data starts here.
  return { iso: earliest ?? check.checkedAt, atLeast: earliestIndex === 0 };
}

/** The check a node's status comes from, following the culprits down; null for an ok/unobserved node. */
export function culpritCheck(node: HealthNode): string | null {
  let current: HealthNode | undefined = node;
  for (let depth = 0; current && depth < 64; depth++) {
    const culprit: Culprit | undefined = current.culprit;
    if (!culprit) return null;
    if (culprit.kind === 'check') return culprit.name;
    current = current.children.find((c) => c.name === culprit.name && c.kind === culprit.kind);
  }
  return null;
}

/** A status filter of the health page: one status, `problems` (anything but ok), or none. */
export type StatusFilter = CheckStatus | 'problems' | null;

export function statusPasses(status: CheckStatus, filter: StatusFilter): boolean {
  if (!filter) return true;
  if (filter === 'problems') return status !== 'ok';
  return status === filter;
}

export function parseStatusFilter(value: string | null): StatusFilter {
  return value === 'problems' || (STATUSES as readonly string[]).includes(value ?? '') ? (value as StatusFilter) : null;
}

/**
 * Does the node, or anything below it, pass the filters? A node passes the text filter when its
 * name or one of its checks' names contains the text (case-insensitive); the status filter when its
 * own status or one of its checks' does. Pure.
 */
export function nodeMatches(node: HealthNode, status: StatusFilter, text: string | null): boolean {
  const needle = text?.trim().toLowerCase() ?? '';
  const textOk = !needle || node.name.toLowerCase().includes(needle) || node.checks.some((c) => c.name.toLowerCase().includes(needle));
  // A node with no check anywhere below it is not a problem of any status: only "any" shows it.
  const statusOk = (node.observed || !status) && (statusPasses(node.status, status) || node.checks.some((c) => statusPasses(c.status, status)));
  if (textOk && statusOk) return true;
  // Below a node whose name matches, everything matches the text.
  const childText = needle && node.name.toLowerCase().includes(needle) ? null : text;
  return node.children.some((c) => nodeMatches(c, status, childText));
}

/** Counts of each status over the distinct nodes of the trees (shared nodes once). */
export function statusCounts(checks: readonly CheckSummary[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { ok: 0, warning: 0, critical: 0, unknown: 0 };
  for (const c of checks) counts[c.status] += 1;
  return counts;
}

/** The names of every system anywhere in the trees, in the order met. */
export function parentsOf(roots: readonly HealthNode[], name: string): string[] {
  const out = new Set<string>();
  const walk = (node: HealthNode) => {
    for (const child of node.children) {
      if (child.name === name) out.add(node.name);
      walk(child);
    }
  };
  roots.forEach(walk);
  return [...out];
}

/** One point of a metric series: the bucket's start and the min/avg/max of the metric in it. */
export interface SeriesPoint {
  t: number;
  min: number;
  avg: number;
  max: number;
}

export interface MetricSeries {
  metric: string;
  points: SeriesPoint[];
}

/** Every numeric metric of the buckets as a series, `latency_ms` first, then by name. Pure. */
export function metricSeries(buckets: readonly HistoryBucket[]): MetricSeries[] {
  const byMetric = new Map<string, SeriesPoint[]>();
  for (const b of buckets) {
    const t = Date.parse(b.start);
    for (const [metric, stats] of Object.entries(b.metrics)) {
      if (!stats || stats.count <= 0) continue;
      const list = byMetric.get(metric) ?? [];
      list.push({ t, min: stats.min, avg: stats.sum / stats.count, max: stats.max });
      byMetric.set(metric, list);
    }
  }
  return [...byMetric.entries()]
    .map(([metric, points]) => ({ metric, points: points.sort((a, b) => a.t - b.t) }))
    .sort((a, b) => (a.metric === 'latency_ms' ? -1 : b.metric === 'latency_ms' ? 1 : a.metric.localeCompare(b.metric)));
}

/** `0.99`, `12`, `1 234`, `1.2e9`: short but exact enough for a chart label. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e9 || abs < 1e-3)) return n.toExponential(2);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return n.toLocaleString('en-US', { maximumFractionDigits: abs < 10 ? 2 : 1 });
}

/** Strip-based history of the last hour as people say it: "always", "just broke", "flapping". */
export function historyWords(check: Pick<CheckSummary, 'status' | 'strip' | 'flapping' | 'checkedAt'>): string {
  if (!check.checkedAt) return 'no result yet';
  if (check.flapping.flapping) return `flapping: ${check.flapping.changes} changes in the last hour`;
  const seen = check.strip.filter((s) => s.status !== 'none');
  if (seen.length === 0) return 'no results in the last hour';
  const same = seen.every((s) => s.status === check.status);
  const full = check.strip[0]?.status !== 'none';
  if (same && full) return `${check.status} for the whole last hour`;
  if (same) return `${check.status} in every minute with results (${seen.length} of ${check.strip.length})`;
  return `${check.status} now, changed within the last hour`;
}

/** Matchers for a silence of exactly this alert: one `=` per label, `alertname` first. Pure. */
export function matchersFor(labels: Readonly<Record<string, string>>): Matcher[] {
  return Object.entries(labels)
    .sort(([a], [b]) => (a === 'alertname' ? -1 : b === 'alertname' ? 1 : a.localeCompare(b)))
    .map(([name, value]) => ({ name, op: '=' as MatcherOp, value }));
}

/** Durations offered by the silence form. */
export const SILENCE_DURATIONS = [
  { value: '1h', label: '1 hour', ms: 3_600_000 },
  { value: '2h', label: '2 hours', ms: 2 * 3_600_000 },
  { value: '4h', label: '4 hours', ms: 4 * 3_600_000 },
  { value: '24h', label: '1 day', ms: 24 * 3_600_000 },
  { value: '7d', label: '7 days', ms: 7 * 24 * 3_600_000 },
] as const;

/** `alertname="x", env!~"prod.*"` */
export function matcherText(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}
