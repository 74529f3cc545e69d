/**
 * The cost side of the portal's backend client: reads `/api/costs*` and reshapes the answers into
 * what the cost page renders (stacked chart columns with forecast and anomaly marks, breakdown rows).
 */
import type { CostAnomaly, CostImportRecord } from '../../functions/src/core/costs/model';
import type { CostForecast, CostGrouping, CostReport, DeploymentCost } from '../../functions/src/core/costs/report';
import { query, request } from './api';

export type { CostAnomaly, CostImportRecord, CostForecast, CostGrouping, CostReport, DeploymentCost };

export const WINDOWS = [30, 90] as const;
export const GROUPINGS: readonly CostGrouping[] = ['provider', 'environment', 'service'];

export interface CostFilters {
  days: 30 | 90;
  groupBy: CostGrouping;
}

/** Filters from the URL; unknown values fall back to the defaults (30 days by provider). */
export function costFiltersFrom(params: { get(name: string): string | null }): CostFilters {
  const groupBy = params.get('groupBy');
  return {
    days: params.get('days') === '90' ? 90 : 30,
    groupBy: GROUPINGS.includes(groupBy as CostGrouping) ? (groupBy as CostGrouping) : 'provider',
  };
}

export function costsHref(filters: CostFilters): string {
  return `/costs/${query({ days: filters.days === 30 ? null : filters.days, groupBy: filters.groupBy === 'provider' ? null : filters.groupBy })}`;
}

/** Everything the page shows, loaded together (one widget per part below). */
export interface CostView {
  report: CostReport;
  forecast: CostForecast;
  anomalies: CostAnomaly[];
}

export async function getCostView(filters: CostFilters, init: { signal?: AbortSignal } = {}): Promise<CostView> {
  const [report, forecast, anomalies] = await Promise.all([
    request<CostReport>(`/api/costs${query({ days: filters.days, groupBy: filters.groupBy })}`, init),
    request<CostForecast>('/api/costs/forecast', init),
    request<{ items: CostAnomaly[] }>(`/api/costs/anomalies${query({ days: filters.days })}`, init),
  ]);
  return { report, forecast, anomalies: anomalies.items };
}

export function getDeploymentCosts(days: number, init: { signal?: AbortSignal } = {}) {
  return request<{ from: string; to: string; currency: string; items: DeploymentCost[]; note: string }>(`/api/costs/deployments${query({ days })}`, init);
}

export function getCostImports(init: { signal?: AbortSignal } = {}) {
  return request<{ items: CostImportRecord[]; next: string | null }>('/api/costs/imports?limit=10', init);
}

/** `1234.5` → `$1,234.50` (or `1,234.50 EUR`). */
export function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: amount >= 1000 ? 0 : 2 }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

export function formatShare(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

const PALETTE = ['#3b6fd8', '#e07b39', '#2f9e6e', '#b5475d', '#7a5bc7', '#c9a227', '#3aa6b9', '#8a8f98'];

/** A stable colour per stacked key (`other` is grey). */
export function colourOf(key: string, keys: readonly string[]): string {
  if (key === 'other') return '#a7adb5';
  const i = keys.indexOf(key);
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length]!;
}

/** One column of the chart: a past day with stacked values, or a future day with a forecast. */
export interface ChartColumn {
  date: string;
  segments: { key: string; value: number }[];
  total: number;
  forecast: number | null;
  anomalies: CostAnomaly[];
}

/**
 * The chart's columns: the window's days (stacked by the report's keys) and, when the window ends
 * today, the rest of the month with the summed forecast (dashed on the chart).
 */
export function chartColumns(view: CostView): ChartColumn[] {
  const { report, forecast, anomalies } = view;
  const byDay = new Map<string, number>();
  for (const p of forecast.providers) for (const d of p.days) byDay.set(d.date, (byDay.get(d.date) ?? 0) + d.mean);
  const columns: ChartColumn[] = report.daily.map((d) => ({
    date: d.date,
    segments: report.keys.map((key) => ({ key, value: d.values[key] ?? 0 })),
    total: d.total,
    forecast: null,
    anomalies: anomalies.filter((a) => a.start <= d.date && a.end >= d.date),
  }));
  for (const [date, mean] of [...byDay.entries()].sort()) {
    const existing = columns.find((c) => c.date === date);
    if (existing) existing.forecast = mean;
    else if (date > report.to) columns.push({ date, segments: [], total: 0, forecast: mean, anomalies: [] });
  }
  return columns;
}
