import { ValidationError } from '../errors';
import type { Page } from '../read-models';
import type { CostDeps } from './deps';
import { addDays, dayOf, dayRange, daysBetween, firstOfNextMonth, money } from './days';
import { COST_EXPLORER_SOURCE, type CostAnomaly, type CostImportRecord, type CostRow, type ForecastPoint } from './model';

export const COST_WINDOWS = [30, 90] as const;
export const COST_GROUPINGS = ['provider', 'environment', 'service'] as const;
export type CostGrouping = (typeof COST_GROUPINGS)[number];
export const COST_METRICS = ['billed', 'effective'] as const;
export type CostMetric = (typeof COST_METRICS)[number];
/** The chart stacks at most this many keys; the rest is summed as `other`. */
export const MAX_STACKED_KEYS = 8;
export const OTHER_KEY = 'other';

export interface CostShare {
  readonly key: string;
  readonly total: number;
  /** Of the window's total, 0..1. */
  readonly share: number;
}

export interface CostReport {
  readonly from: string;
  readonly to: string;
  readonly days: number;
  readonly groupBy: CostGrouping;
  readonly metric: CostMetric;
  readonly currency: string;
  readonly filters: { provider: string | null; environment: string | null; service: string | null };
  readonly total: number;
  /** Stack order of the chart (largest first; `other` last when keys were folded). */
  readonly keys: string[];
  /** Every day of the window, oldest first, even days without costs. */
  readonly daily: { date: string; total: number; values: Record<string, number> }[];
  readonly breakdowns: Record<CostGrouping, CostShare[]>;
  /** Costs in other currencies, left out of the totals above (never converted). */
  readonly otherCurrencies: { currency: string; total: number }[];
  /** Where the data came from: each source's newest day and import time. */
  readonly sources: { source: string; provider: string; lastDate: string; importedAt: string }[];
}

export interface CostReportInput {
  days?: string;
  groupBy?: string;
  metric?: string;
  provider?: string;
  environment?: string;
  service?: string;
}

function pick<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, field: string): T {
  if (value === undefined || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new ValidationError(`${field} must be one of ${allowed.join(', ')}`, field);
  return value as T;
}

/** `days` as 30 or 90. @throws ValidationError (field `days`). */
export function parseWindow(value: string | undefined): number {
  if (value === undefined || value === '') return 30;
  const n = Number(value);
  if (!(COST_WINDOWS as readonly number[]).includes(n)) throw new ValidationError('days must be 30 or 90', 'days');
  return n;
}

const sum = (xs: Iterable<number>) => {
  let t = 0;
  for (const x of xs) t += x;
  return t;
};

function mainCurrency(rows: readonly CostRow[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.currency, (counts.get(r.currency) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? 'USD';
}

function shares(rows: readonly CostRow[], by: CostGrouping, metric: CostMetric, total: number): CostShare[] {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r[by], (totals.get(r[by]) ?? 0) + r[metric]);
  return [...totals.entries()]
    .map(([key, t]) => ({ key, total: money(t), share: total > 0 ? money(t / total) : 0 }))
    .sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : 1));
}

/**
 * Costs by day × provider × environment × service for the last 30 or 90 days (today included),
 * stacked by `groupBy`, filtered by provider/environment/service, with breakdowns and shares. Reads
 * the window's days only (one store read per ~month of days), never the whole history.
 * @throws ValidationError for a bad `days`, `groupBy` or `metric`.
 */
export async function getCostReport(deps: CostDeps, input: CostReportInput): Promise<CostReport> {
  const days = parseWindow(input.days);
  const groupBy = pick(input.groupBy, COST_GROUPINGS, 'provider', 'groupBy');
  const metric = pick(input.metric, COST_METRICS, 'billed', 'metric');
  const to = dayOf(deps.clock.now());
  const from = addDays(to, -(days - 1));
  const stored = await deps.costs.listDays(from, to);
  const filters = { provider: input.provider || null, environment: input.environment || null, service: input.service || null };
  const all = stored.flatMap((d) => d.rows).filter((r) => (!filters.provider || r.provider === filters.provider) && (!filters.environment || r.environment === filters.environment) && (!filters.service || r.service === filters.service));
  const currency = mainCurrency(all);
  const rows = all.filter((r) => r.currency === currency);
  const other = new Map<string, number>();
  for (const r of all) if (r.currency !== currency) other.set(r.currency, (other.get(r.currency) ?? 0) + r[metric]);
  const total = money(sum(rows.map((r) => r[metric])));
  const breakdowns = {
    provider: shares(rows, 'provider', metric, total),
    environment: shares(rows, 'environment', metric, total),
    service: shares(rows, 'service', metric, total),
  };
  const ranked = breakdowns[groupBy].map((s) => s.key);
  const stacked = ranked.length > MAX_STACKED_KEYS ? [...ranked.slice(0, MAX_STACKED_KEYS - 1), OTHER_KEY] : ranked;
  const keep = new Set(stacked);
  const byDay = new Map<string, Record<string, number>>(dayRange(from, to).map((d) => [d, {}]));
  for (const r of rows) {
    const values = byDay.get(r.date);
    if (!values) continue;
    const key = keep.has(r[groupBy]) ? r[groupBy] : OTHER_KEY;
    values[key] = (values[key] ?? 0) + r[metric];
  }
  const daily = [...byDay.entries()].map(([date, values]) => {
    const rounded = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, money(v)]));
    return { date, total: money(sum(Object.values(values))), values: rounded };
  });
  const sources = new Map<string, { source: string; provider: string; lastDate: string; importedAt: string }>();
  for (const d of stored) {
    const prev = sources.get(d.source);
    if (!prev || d.date > prev.lastDate) sources.set(d.source, { source: d.source, provider: d.rows[0]?.provider ?? prev?.provider ?? (d.source === COST_EXPLORER_SOURCE ? 'aws' : d.source.split(':')[1] ?? ''), lastDate: d.date, importedAt: d.importedAt });
  }
  return {
    from, to, days, groupBy, metric, currency, filters, total,
    keys: stacked,
    daily,
    breakdowns: { ...breakdowns, service: breakdowns.service.slice(0, 50) },
    otherCurrencies: [...other.entries()].map(([c, t]) => ({ currency: c, total: money(t) })),
    sources: [...sources.values()].sort((a, b) => (a.source < b.source ? -1 : 1)),
  };
}

/** Days of history the anomaly flag compares a day with. */
export const ANOMALY_BASELINE_DAYS = 28;
/** A day needs at least this many baseline days with data to be judged. */
const ANOMALY_MIN_BASELINE = 14;

/** Daily totals (billed) per provider of the FOCUS sources (Cost Explorer has AWS's own detection). */
function focusSeries(rows: readonly CostRow[], currency: string): Map<string, Map<string, number>> {
  const series = new Map<string, Map<string, number>>();
  for (const r of rows) {
    if (r.source === COST_EXPLORER_SOURCE || r.currency !== currency) continue;
    const days = series.get(r.provider) ?? new Map<string, number>();
    days.set(r.date, (days.get(r.date) ?? 0) + r.billed);
    series.set(r.provider, days);
  }
  return series;
}

/**
 * Signalbox's own anomaly flag for FOCUS data: a provider's day is unusual when its billed total is
 * above mean + 3σ of the previous 28 days (at least 14 of them with data) and at least 10 % above
 * the mean (so a perfectly flat history does not flag cents).
 */
export function flagAnomalies(rows: readonly CostRow[], from: string, to: string, currency: string): CostAnomaly[] {
  const out: CostAnomaly[] = [];
  for (const [provider, days] of focusSeries(rows, currency)) {
    for (const date of dayRange(from, to)) {
      const value = days.get(date);
      if (value === undefined) continue;
      const base = dayRange(addDays(date, -ANOMALY_BASELINE_DAYS), addDays(date, -1)).flatMap((d) => (days.has(d) ? [days.get(d)!] : []));
      if (base.length < ANOMALY_MIN_BASELINE) continue;
      const mean = sum(base) / base.length;
      const sd = Math.sqrt(sum(base.map((x) => (x - mean) ** 2)) / base.length);
      if (value > mean + 3 * sd && value > mean * 1.1) {
        out.push({
          id: `signalbox:${provider}:${date}`, origin: 'signalbox', provider, start: date, end: date, subject: provider,
          actual: money(value), expected: money(mean), impact: money(value - mean), currency,
          description: `${value.toFixed(2)} ${currency} on ${date}; the previous ${base.length} days averaged ${mean.toFixed(2)} (σ ${sd.toFixed(2)})`,
        });
      }
    }
  }
  return out;
}

/**
 * Unusual days in the last 30 or 90 days: AWS Cost Anomaly Detection's anomalies (as last fetched)
 * and Signalbox's flag on FOCUS data (`flagAnomalies`), newest first.
 */
export async function getCostAnomalies(deps: CostDeps, input: { days?: string }): Promise<{ from: string; to: string; items: CostAnomaly[]; awsFetchedAt: string | null }> {
  const days = parseWindow(input.days ?? '90');
  const to = dayOf(deps.clock.now());
  const from = addDays(to, -(days - 1));
  const stored = await deps.costs.listDays(addDays(from, -ANOMALY_BASELINE_DAYS), to);
  const rows = stored.flatMap((d) => d.rows);
  const ours = flagAnomalies(rows, from, to, mainCurrency(rows));
  const insights = await deps.costs.getAwsInsights();
  const aws = (insights?.anomalies ?? []).filter((a) => a.end >= from && a.start <= to);
  const items = [...aws, ...ours].sort((a, b) => (a.start === b.start ? (a.id < b.id ? -1 : 1) : a.start < b.start ? 1 : -1));
  return { from, to, items, awsFetchedAt: insights?.fetchedAt ?? null };
}

export interface ProviderForecast {
  readonly provider: string;
  /** `aws-cost-explorer`: AWS's own forecast; `linear-30d`: a straight line fitted to the last 30 days (naive). */
  readonly method: 'aws-cost-explorer' | 'linear-30d';
  readonly monthToDate: number;
  readonly remaining: number;
  readonly monthTotal: number;
  /** Forecast days from today to the month's last day. */
  readonly days: ForecastPoint[];
}

export interface CostForecast {
  readonly month: string;
  readonly today: string;
  /** First day after the month (exclusive end). */
  readonly end: string;
  readonly currency: string;
  readonly metric: 'billed';
  readonly providers: ProviderForecast[];
  readonly monthToDate: number;
  readonly remaining: number;
  readonly monthTotal: number;
}

/** Least-squares line through (i, y_i); null with fewer than 7 points. */
function fitLine(points: readonly number[]): { a: number; b: number } | null {
  const n = points.length;
  if (n < 7) return null;
  const xs = points.map((_, i) => i);
  const mx = sum(xs) / n;
  const my = sum(points) / n;
  const sxx = sum(xs.map((x) => (x - mx) ** 2));
  const b = sxx === 0 ? 0 : sum(xs.map((x, i) => (x - mx) * (points[i]! - my))) / sxx;
  return { a: my - b * mx, b };
}

/**
 * This month's forecast per provider (billed cost, the main currency): AWS's own Cost Explorer
 * forecast when the daily pull fetched one today, otherwise (FOCUS providers, or AWS without Cost
 * Explorer) a naive straight line fitted to the provider's last 30 days, labelled `linear-30d`.
 */
export async function getCostForecast(deps: CostDeps): Promise<CostForecast> {
  const today = dayOf(deps.clock.now());
  const monthStart = `${today.slice(0, 7)}-01`;
  const end = firstOfNextMonth(today);
  const historyFrom = addDays(today, -30) < monthStart ? addDays(today, -30) : monthStart;
  const stored = await deps.costs.listDays(historyFrom, today);
  const rows = stored.flatMap((d) => d.rows);
  const currency = mainCurrency(rows);
  const insights = await deps.costs.getAwsInsights();
  const awsForecast = insights?.forecast && insights.forecast.start === today && insights.forecast.currency === currency ? insights.forecast : null;
  const providers = [...new Set(rows.filter((r) => r.currency === currency).map((r) => r.provider))].sort();
  const out: ProviderForecast[] = [];
  for (const provider of providers) {
    const daily = new Map<string, number>();
    for (const r of rows) if (r.provider === provider && r.currency === currency) daily.set(r.date, (daily.get(r.date) ?? 0) + r.billed);
    const monthToDate = money(sum(dayRange(monthStart, addDays(today, -1)).map((d) => daily.get(d) ?? 0)));
    let days: ForecastPoint[];
    let method: ProviderForecast['method'];
    if (provider === 'aws' && awsForecast) {
      method = 'aws-cost-explorer';
      days = [...awsForecast.days];
    } else {
      method = 'linear-30d';
      const history = dayRange(addDays(today, -30), addDays(today, -1)).map((d) => daily.get(d) ?? 0);
      const line = fitLine(history);
      days = dayRange(today, addDays(end, -1)).map((date) => {
        const x = history.length + daysBetween(today, date);
        const mean = line ? Math.max(0, line.a + line.b * x) : 0;
        return { date, mean: money(mean), lower: null, upper: null };
      });
    }
    const remaining = money(sum(days.map((d) => d.mean)));
    out.push({ provider, method, monthToDate, remaining, monthTotal: money(monthToDate + remaining), days });
  }
  const mtd = money(sum(out.map((p) => p.monthToDate)));
  const rem = money(sum(out.map((p) => p.remaining)));
  return { month: today.slice(0, 7), today, end, currency, metric: 'billed', providers: out, monthToDate: mtd, remaining: rem, monthTotal: money(mtd + rem) };
}

/** One version of one service in one environment, with the environment's spend while it ran. */
export interface DeploymentCost {
  readonly service: string;
  readonly environment: string;
  readonly version: string | null;
  /** When it was deployed, and when the next deployment to that environment replaced it (null: still running). */
  readonly since: string;
  readonly until: string | null;
  /** Days of the window it ran on. */
  readonly days: number;
  /** The environment's billed cost on those days (shared by everything running there). */
  readonly environmentCost: number;
  readonly currency: string;
}

/**
 * Cost per deployment: for each version of each service in each environment (from the deployment
 * history), the environment's billed cost on the UTC days of the window that version ran (from its
 * deployment day to the day the next one replaced it, both included). It answers "what did the
 * environment cost while this version ran", not a per-service share: cloud bills name cloud
 * services, not our services. At most 50 history rows per service are read.
 */
export async function getDeploymentCosts(deps: CostDeps, input: { days?: string }): Promise<{ from: string; to: string; currency: string; items: DeploymentCost[]; note: string }> {
  const window = parseWindow(input.days);
  const to = dayOf(deps.clock.now());
  const from = addDays(to, -(window - 1));
  const stored = await deps.costs.listDays(from, to);
  const rows = stored.flatMap((d) => d.rows);
  const currency = mainCurrency(rows);
  const envDay = new Map<string, number>();
  for (const r of rows) if (r.currency === currency) envDay.set(`${r.environment}\u0000${r.date}`, (envDay.get(`${r.environment}\u0000${r.date}`) ?? 0) + r.billed);
  const services = [...new Set((await deps.inventory.listCells()).map((c) => c.service))].sort();
  const items: DeploymentCost[] = [];
  for (const service of services) {
    const history = (await deps.inventory.listHistory(service, 50)).items.filter((h) => h.action !== 'published');
    const byEnv = new Map<string, typeof history>();
    for (const h of history) byEnv.set(h.environment, [...(byEnv.get(h.environment) ?? []), h]);
    for (const [environment, list] of byEnv) {
      const sorted = [...list].sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1));
      sorted.forEach((h, i) => {
        if (h.action === 'removed') return;
        const until = sorted[i + 1]?.timestamp ?? null;
        const first = dayOf(h.timestamp) < from ? from : dayOf(h.timestamp);
        const last = until ? (dayOf(until) > to ? to : dayOf(until)) : to;
        if (first > last) return;
        const ran = dayRange(first, last);
        items.push({
          service, environment, version: h.version, since: h.timestamp, until, days: ran.length,
          environmentCost: money(sum(ran.map((d) => envDay.get(`${environment}\u0000${d}`) ?? 0))), currency,
        });
      });
    }
  }
  items.sort((a, b) => (a.since < b.since ? 1 : -1));
  return { from, to, currency, items, note: 'environmentCost is the whole environment\'s billed cost on the days the version ran, shared by every service running there' };
}

/** The import history, newest first. */
export async function listCostImports(deps: CostDeps, input: { limit: number; cursor?: string }): Promise<Page<CostImportRecord>> {
  return deps.costs.listImports(input.limit, input.cursor);
}
