import type { DoraChangeEntry, DoraDay, DoraDeploymentEntry, DoraIncidentEntry, DoraReport, DoraSeriesPoint } from './model';
import { levelFor, type DoraThresholdTable } from './thresholds';

export interface DoraReportOptions {
  service: string | null;
  /** When given, exactly this environment counts (production or not); otherwise the production ones. */
  environment: string | null;
  windowDays: number;
  /** End of the window, sortable UTC (`toSortableUtc`). */
  until: string;
  isProduction: (environment: string) => boolean;
  /** The production rule in words, for the report. */
  productionText: string;
  /** An incident links to the latest production deployment before it when detected at most this many hours after it. */
  incidentLinkHours: number;
  /** Days before the window that `days` covers (for linking); only used in the rules text. */
  lookbackDays: number;
  thresholds: DoraThresholdTable;
  generatedAt: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Milliseconds of a sortable UTC string (nanoseconds cut to milliseconds). */
export function msOf(sortable: string): number {
  return Date.parse(`${sortable.slice(0, 23)}Z`);
}

/** `YYYY-MM-DD` moved by `delta` days. */
export function addDays(day: string, delta: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + delta * DAY_MS).toISOString().slice(0, 10);
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (value: number | null, digits: number) => (value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits);
const byTime = <T extends { at: string; key: string }>(a: T, b: T) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

interface Deployment extends DoraDeploymentEntry {
  service: string;
  failed: boolean;
  /** When the failure ended and from when it is measured; null while open or when not failed. */
  recovery: { from: string; until: string } | null;
}

interface Incident {
  id: string;
  detectedAt: string;
  resolvedAt: string | null;
}

/** Pairs the detected and resolved entries of each incident: the earliest of each, resolution after detection. */
function incidentsOf(entries: DoraIncidentEntry[]): Incident[] {
  const byId = new Map<string, { detected: string[]; resolved: string[] }>();
  for (const e of entries) {
    const sides = byId.get(e.incident) ?? { detected: [], resolved: [] };
    sides[e.phase].push(e.at);
    byId.set(e.incident, sides);
  }
  const out: Incident[] = [];
  for (const [id, sides] of byId) {
    if (sides.detected.length === 0) continue;
    const detectedAt = sides.detected.sort()[0]!;
    const resolvedAt = sides.resolved.sort().find((t) => t >= detectedAt) ?? null;
    out.push({ id, detectedAt, resolvedAt });
  }
  return out;
}

/**
 * Marks the deployments of one service in one environment failed or not, and when each failure
 * recovered. A deployment failed when a rollback follows it before the next deployment, or an
 * incident is detected while it is the latest deployment and at most `linkHours` after it.
 * Recovery: incidents detected → (all) resolved; without incidents, rollback → next deployment
 * that did not fail.
 */
function judge(deploys: Deployment[], rollbacks: DoraDeploymentEntry[], incidents: Incident[], linkHours: number): void {
  const linked = new Map<Deployment, Incident[]>();
  for (const incident of incidents) {
    let latest: Deployment | undefined;
    for (const d of deploys) if (d.at <= incident.detectedAt) latest = d;
    if (latest && msOf(incident.detectedAt) - msOf(latest.at) <= linkHours * HOUR_MS) {
      linked.set(latest, [...(linked.get(latest) ?? []), incident]);
    }
  }
  const rollbackOf = new Map<Deployment, DoraDeploymentEntry>();
  deploys.forEach((d, i) => {
    const nextAt = deploys[i + 1]?.at;
    const r = rollbacks.find((rb) => rb.at > d.at && (nextAt === undefined || rb.at < nextAt));
    if (r) rollbackOf.set(d, r);
    d.failed = r !== undefined || linked.has(d);
  });
  deploys.forEach((d, i) => {
    if (!d.failed) return;
    const incs = linked.get(d);
    if (incs) {
      if (incs.every((x) => x.resolvedAt !== null)) {
        const from = incs.map((x) => x.detectedAt).sort()[0]!;
        const until = incs.map((x) => x.resolvedAt!).sort().at(-1)!;
        d.recovery = { from, until };
      }
      return;
    }
    const r = rollbackOf.get(d)!;
    const good = deploys.slice(i + 1).find((next) => next.at > r.at && !next.failed);
    if (good) d.recovery = { from: r.at, until: good.at };
  });
}

/**
 * Computes the DORA report from the day items of the window and the look-back before it. Pure and
 * order-free: entries are de-duplicated by event key, and every link (change → deployment,
 * deployment → rollback or incident) is decided here from event times, so duplicates and late
 * events give the same report as an in-order history.
 */
export function computeDoraReport(days: readonly DoraDay[], opts: DoraReportOptions): DoraReport {
  const untilDay = opts.until.slice(0, 10);
  const fromDay = addDays(untilDay, -(opts.windowDays - 1));
  const from = `${fromDay}T00:00:00.000000000Z`;
  const inScope = (env: string) => (opts.environment ? env === opts.environment : opts.isProduction(env));
  const inWindow = (at: string) => at >= from && at <= opts.until;

  const seen = new Set<string>();
  const deployments = new Map<string, Deployment[]>();
  const rollbacks = new Map<string, DoraDeploymentEntry[]>();
  const incidentEntries = new Map<string, DoraIncidentEntry[]>();
  const changes = new Map<string, DoraChangeEntry[]>();
  const environments = new Set<string>();
  const push = <T>(map: Map<string, T[]>, key: string, value: T) => map.set(key, [...(map.get(key) ?? []), value]);

  for (const day of days) {
    if (opts.service && day.service !== opts.service) continue;
    for (const entry of day.entries) {
      if (seen.has(entry.key) || entry.at > opts.until) continue;
      seen.add(entry.key);
      if (entry.type === 'change') {
        push(changes, day.service, entry);
        continue;
      }
      if (!inScope(entry.environment)) continue;
      environments.add(entry.environment);
      const group = `${day.service}\u001f${entry.environment}`;
      if (entry.type === 'incident') push(incidentEntries, group, entry);
      else if (entry.rollback) push(rollbacks, group, entry);
      else push(deployments, group, { ...entry, service: day.service, failed: false, recovery: null });
    }
  }

  const allDeploys: Deployment[] = [];
  for (const [group, list] of deployments) {
    list.sort(byTime);
    judge(list, (rollbacks.get(group) ?? []).sort(byTime), incidentsOf(incidentEntries.get(group) ?? []), opts.incidentLinkHours);
    allDeploys.push(...list);
  }

  // Lead time: each change to the first deployment of its service, in any counted environment, at or after the merge.
  const deploysByService = new Map<string, Deployment[]>();
  for (const d of allDeploys) push(deploysByService, d.service, d);
  const leadSamples: { day: string; hours: number }[] = [];
  for (const [service, list] of changes) {
    const deploys = (deploysByService.get(service) ?? []).sort(byTime);
    for (const change of list) {
      const first = deploys.find((d) => d.at >= change.at);
      if (first && inWindow(first.at)) leadSamples.push({ day: first.at.slice(0, 10), hours: (msOf(first.at) - msOf(change.at)) / HOUR_MS });
    }
  }

  const windowDeploys = allDeploys.filter((d) => inWindow(d.at));
  const failed = windowDeploys.filter((d) => d.failed);
  const recoveries = allDeploys
    .filter((d) => d.recovery && inWindow(d.recovery.until))
    .map((d) => ({ day: d.recovery!.until.slice(0, 10), hours: (msOf(d.recovery!.until) - msOf(d.recovery!.from)) / HOUR_MS }));
  const deploymentDays = new Set(windowDeploys.map((d) => d.at.slice(0, 10)));

  const series: DoraSeriesPoint[] = [];
  for (let i = 0; i < opts.windowDays; i++) {
    const date = addDays(fromDay, i);
    const deploysToday = windowDeploys.filter((d) => d.at.startsWith(date));
    const leadToday = leadSamples.filter((s) => s.day === date).map((s) => s.hours);
    const recoveredToday = recoveries.filter((s) => s.day === date).map((s) => s.hours);
    series.push({
      date,
      deployments: deploysToday.length,
      failedDeployments: deploysToday.filter((d) => d.failed).length,
      changes: leadToday.length,
      leadTimeHours: round(median(leadToday), 2),
      recoveries: recoveredToday.length,
      recoveryHours: round(median(recoveredToday), 2),
    });
  }

  const perWeek = (deploymentDays.size / opts.windowDays) * 7;
  const leadMedian = median(leadSamples.map((s) => s.hours));
  const cfr = windowDeploys.length ? failed.length / windowDeploys.length : null;
  const recoveryMedian = median(recoveries.map((s) => s.hours));
  const t = opts.thresholds;

  return {
    scope: {
      service: opts.service,
      environment: opts.environment,
      environments: [...environments].sort(),
      production: opts.environment ? `only ${opts.environment} (chosen explicitly)` : opts.productionText,
      windowDays: opts.windowDays,
      from: `${fromDay}T00:00:00.000Z`,
      until: `${opts.until.slice(0, 23)}Z`,
      rules: [
        'A change.merged belongs to the service named like its repository (last path segment); its lead time runs from the merge to the first counted deployment of that service at or after it.',
        `A deployment failed when the next deploying event of that service there is a rollback, or when an incident of that service there is detected at most ${opts.incidentLinkHours} h after it (and before the next deployment).`,
        'Recovery runs from incident detected to resolved; for a failure without an incident, from the rollback to the next deployment that did not fail.',
        `Events up to ${opts.lookbackDays} days before the window are read to link them; a change merged earlier than that is not counted.`,
      ],
    },
    thresholds: { name: t.name, publishedAt: t.publishedAt, source: t.source },
    metrics: {
      deploymentFrequency: {
        value: deploymentDays.size,
        unit: 'days',
        perWeek: round(perWeek, 2)!,
        deployments: windowDeploys.length,
        level: levelFor('deploymentFrequency', perWeek, t),
      },
      leadTime: { value: round(leadMedian, 2), unit: 'hours', changes: leadSamples.length, level: levelFor('leadTime', leadMedian, t) },
      changeFailureRate: {
        value: round(cfr, 4),
        unit: 'ratio',
        failed: failed.length,
        deployments: windowDeploys.length,
        level: levelFor('changeFailureRate', cfr, t),
      },
      recoveryTime: {
        value: round(recoveryMedian, 2),
        unit: 'hours',
        recoveries: recoveries.length,
        open: failed.filter((d) => !d.recovery).length,
        level: levelFor('recoveryTime', recoveryMedian, t),
      },
    },
    series,
    generatedAt: opts.generatedAt,
  };
}
