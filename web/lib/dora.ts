/**
 * The DORA side of the portal's backend client: reads `GET /api/dora` and reshapes the report into
 * what the DORA page renders (cards with level badges, chart series, table rows). Uses the fetch
 * helpers of `api.ts`, so every failure is an `ApiError` with the server's field.
 */
import type { DoraLevel, DoraLevelBadge, DoraReport, DoraSeriesPoint } from '../../functions/src/core/dora/model';
import type { Inventory } from '@signalbox/read-models';
import { request, query } from './api';
import { absoluteTime } from './format';

export type { DoraLevel, DoraReport } from '../../functions/src/core/dora/model';

export const WINDOW_CHOICES = [7, 14, 30, 60, 90] as const;
export const DEFAULT_WINDOW = 30;

export interface DoraFilters {
  service: string | null;
  environment: string | null;
  windowDays: number;
}

/** Filters from the URL; an unknown window falls back to the default (the API would refuse it). */
export function filtersFrom(params: { get(name: string): string | null }): DoraFilters {
  const w = Number(params.get('windowDays'));
  return {
    service: params.get('service')?.trim() || null,
    environment: params.get('environment')?.trim() || null,
    windowDays: Number.isInteger(w) && w >= 1 && w <= 90 ? w : DEFAULT_WINDOW,
  };
}

export function doraHref(filters: Partial<DoraFilters>): string {
  const q = query({
    service: filters.service,
    environment: filters.environment,
    windowDays: filters.windowDays && filters.windowDays !== DEFAULT_WINDOW ? filters.windowDays : null,
  });
  return `/dora/${q}`;
}

export interface LevelView {
  level: DoraLevel;
  label: string;
  /** e.g. `DORA 2023 (published 2023-10): under one day`. */
  source: string;
}

export interface MetricCardView {
  id: 'deploymentFrequency' | 'leadTime' | 'changeFailureRate' | 'recoveryTime';
  title: string;
  value: string;
  detail: string;
  level: LevelView | null;
  /** What the number means, for the card's description. */
  definition: string;
}

export interface ChartPoint {
  /** `YYYY-MM-DD` (first day of the bucket). */
  date: string;
  label: string;
  value: number | null;
  /** Part of `value` drawn as "bad" (failed deployments). */
  bad?: number;
  text: string;
}

export interface ChartView {
  id: string;
  title: string;
  description: string;
  unit: string;
  points: ChartPoint[];
}

export interface DoraView {
  scopeText: string;
  environments: string[];
  rules: string[];
  thresholds: string;
  cards: MetricCardView[];
  charts: ChartView[];
  /** No production deployment and no change in the window. */
  empty: boolean;
  generatedAt: string;
}

const LEVEL_LABEL: Record<DoraLevel, string> = { elite: 'Elite', high: 'High', medium: 'Medium', low: 'Low' };

function levelView(badge: DoraLevelBadge | null): LevelView | null {
  if (!badge) return null;
  return { level: badge.level, label: LEVEL_LABEL[badge.level], source: `${badge.table} (published ${badge.publishedAt}): ${badge.band}` };
}

/** `45 min`, `5.5 h`, `3.2 d`. */
export function formatHours(hours: number | null): string {
  if (hours === null) return '—';
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${Math.round(hours * 10) / 10} h`;
  return `${Math.round((hours / 24) * 10) / 10} d`;
}

export function formatPercent(ratio: number | null): string {
  return ratio === null ? '—' : `${Math.round(ratio * 1000) / 10} %`;
}

const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

/** Weekly buckets ending with the window's last day (the first bucket may be shorter). */
function weekly(series: DoraSeriesPoint[]): DoraSeriesPoint[][] {
  const buckets: DoraSeriesPoint[][] = [];
  for (let end = series.length; end > 0; end -= 7) buckets.unshift(series.slice(Math.max(0, end - 7), end));
  return buckets;
}

/** Reshapes the API report into the page's view. Pure. */
export function toDoraView(report: DoraReport): DoraView {
  const m = report.metrics;
  const s = report.scope;
  const cards: MetricCardView[] = [
    {
      id: 'deploymentFrequency',
      title: 'Deployment frequency',
      value: plural(m.deploymentFrequency.value, 'deployment day'),
      detail: `${m.deploymentFrequency.perWeek} per week · ${plural(m.deploymentFrequency.deployments, 'deployment')} in ${s.windowDays} days`,
      level: levelView(m.deploymentFrequency.level),
      definition: 'Days with at least one production deployment (rollbacks not counted).',
    },
    {
      id: 'leadTime',
      title: 'Lead time for changes',
      value: formatHours(m.leadTime.value),
      detail: m.leadTime.changes ? `median of ${plural(m.leadTime.changes, 'change')}` : 'no change reached production in the window',
      level: levelView(m.leadTime.level),
      definition: 'Median time from change merged to its first production deployment.',
    },
    {
      id: 'changeFailureRate',
      title: 'Change failure rate',
      value: formatPercent(m.changeFailureRate.value),
      detail: m.changeFailureRate.deployments
        ? `${m.changeFailureRate.failed} of ${plural(m.changeFailureRate.deployments, 'deployment')} failed`
        : 'no production deployment in the window',
      level: levelView(m.changeFailureRate.level),
      definition: 'Production deployments followed by a rollback or a linked incident.',
    },
    {
      id: 'recoveryTime',
      title: 'Failed deployment recovery time',
      value: formatHours(m.recoveryTime.value),
      detail: `${plural(m.recoveryTime.recoveries, 'recovery', 'recoveries')}${m.recoveryTime.open ? ` · ${m.recoveryTime.open} still open` : ''}`,
      level: levelView(m.recoveryTime.level),
      definition: 'Median time from incident detected to resolved, or from rollback to the next good deployment.',
    },
  ];

  const day = (p: DoraSeriesPoint) => p.date.slice(5);
  const charts: ChartView[] = [
    {
      id: 'deployments',
      title: 'Deployments per day',
      description: `Production deployments on each of the ${s.windowDays} days; failed ones in red.`,
      unit: 'deployments',
      points: report.series.map((p) => ({
        date: p.date,
        label: day(p),
        value: p.deployments,
        bad: p.failedDeployments,
        text: `${plural(p.deployments, 'deployment')}${p.failedDeployments ? `, ${p.failedDeployments} failed` : ''}`,
      })),
    },
    {
      id: 'lead-time',
      title: 'Lead time (median per day)',
      description: 'Median hours from merge to production for the changes deployed each day; empty days had none.',
      unit: 'hours',
      points: report.series.map((p) => ({
        date: p.date,
        label: day(p),
        value: p.leadTimeHours,
        text: p.changes ? `${formatHours(p.leadTimeHours)} (${plural(p.changes, 'change')})` : 'no changes',
      })),
    },
    {
      id: 'failure-rate',
      title: 'Change failure rate (per week)',
      description: 'Failed / all production deployments, in weeks ending on the last day of the window.',
      unit: '%',
      points: weekly(report.series).map((week) => {
        const deployments = week.reduce((n, p) => n + p.deployments, 0);
        const failed = week.reduce((n, p) => n + p.failedDeployments, 0);
        return {
          date: week[0]!.date,
          label: `${day(week[0]!)}–${day(week.at(-1)!)}`,
          value: deployments ? Math.round((failed / deployments) * 1000) / 10 : null,
          text: deployments ? `${formatPercent(failed / deployments)} (${failed} of ${deployments})` : 'no deployments',
        };
      }),
    },
    {
      id: 'recovery',
      title: 'Recovery time (median per day)',
      description: 'Median hours of the recoveries completed each day; empty days had none.',
      unit: 'hours',
      points: report.series.map((p) => ({
        date: p.date,
        label: day(p),
        value: p.recoveryHours,
        text: p.recoveries ? `${formatHours(p.recoveryHours)} (${plural(p.recoveries, 'recovery', 'recoveries')})` : 'no recoveries',
      })),
    },
  ];

  const who = s.service ? `Service ${s.service}` : 'All services';
  const where = s.environment ? `in ${s.environment}` : 'in production';
  return {
    scopeText: `${who} ${where}, ${s.windowDays} days to ${absoluteTime(s.until)}`,
    environments: s.environments,
    rules: [`Production: ${s.production}.`, ...s.rules],
    thresholds: `${report.thresholds.name} (published ${report.thresholds.publishedAt}), from the ${report.thresholds.source}`,
    cards,
    charts,
    empty: m.deploymentFrequency.deployments === 0 && m.leadTime.changes === 0 && m.recoveryTime.recoveries === 0,
    generatedAt: report.generatedAt,
  };
}

type Options = { signal?: AbortSignal };

export async function getDoraView(filters: DoraFilters, opts: Options = {}): Promise<DoraView> {
  const report = await request<DoraReport>(
    `/api/dora${query({ service: filters.service, environment: filters.environment, windowDays: filters.windowDays })}`,
    opts,
  );
  return toDoraView(report);
}

/** Known services and environments, for the filter's suggestions. */
export async function getDoraChoices(opts: Options = {}): Promise<{ services: string[]; environments: string[] }> {
  const inventory = await request<Inventory>('/api/inventory', opts);
  return { services: inventory.services, environments: inventory.environments };
}
