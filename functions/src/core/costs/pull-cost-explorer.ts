import { DependencyError } from '../errors';
import { environmentOf } from './allocation';
import { DEFAULT_COST_EXPLORER_SETTINGS, type CostDeps } from './deps';
import { addDays, dayOf, dayRange, firstOfNextMonth, money } from './days';
import { toCostDays } from './import-focus';
import { COST_EXPLORER_SOURCE, type AwsCostInsights, type CostImportRecord, type CostRow } from './model';

/** What one pull did (also the import-history record). */
export interface CostExplorerPullResult {
  readonly record: CostImportRecord;
  /** The GetCostAndUsage period pulled (`end` exclusive), or null when nothing was due. */
  readonly period: { start: string; end: string } | null;
  /** Whether the forecast and anomalies were fetched this run (once per UTC day). */
  readonly insightsFetched: boolean;
}

/**
 * The daily Cost Explorer pull. Calls as few (billed) requests as it can:
 *
 * - GetCostAndUsage once (plus one per extra page) for one period: from the oldest day of the last
 *   `lookbackDays` that is not stored yet, or the first of the last `unsettledDays` (AWS still
 *   revises those), to today (exclusive: today is incomplete). Closed days already stored are never
 *   pulled again unless a gap forces the period to start before them. DAILY, UnblendedCost and
 *   AmortizedCost, grouped by SERVICE and the environment tag (one request with both dimensions, so
 *   each row has a service AND an environment; Cost Explorer allows two GroupBy keys);
 * - GetCostForecast (today to the end of the month, DAILY) and GetAnomalies (the last 30 days), only
 *   when they were not fetched yet today.
 *
 * So a normal run costs 3 requests ($0.03), a second run the same day 1. Every day of the period is
 * replaced whole (idempotent per day; a day without costs becomes an empty day).
 * @throws DependencyError when Cost Explorer is not wired (local runtime) or a call fails.
 */
export async function pullCostExplorer(deps: CostDeps, input: { by: string }): Promise<CostExplorerPullResult> {
  const ce = deps.costExplorer;
  if (!ce) throw new DependencyError('Cost Explorer is not available in this runtime', null, { code: 'costs_unavailable' });
  const settings = deps.costExplorerSettings ?? DEFAULT_COST_EXPLORER_SETTINGS;
  const startedAt = deps.clock.now();
  const id = deps.newId();
  const today = dayOf(startedAt);
  const yesterday = addDays(today, -1);
  const windowStart = addDays(today, -settings.lookbackDays);
  const stored = new Set((await deps.costs.listMarkers(windowStart, yesterday, COST_EXPLORER_SOURCE)).map((m) => m.date));
  const unsettledFrom = addDays(today, -settings.unsettledDays);
  const due = dayRange(windowStart, yesterday).filter((d) => !stored.has(d) || d >= unsettledFrom);
  let calls = 0;
  let rowsRead = 0;
  const written: string[] = [];
  let period: { start: string; end: string } | null = null;
  let insightsFetched = false;
  try {
    if (due.length > 0) {
      period = { start: due[0]!, end: today };
      const allocation = await deps.costAllocation();
      const groups = await ce.dailyCosts({ ...period, grouping: settings.grouping });
      calls += groups.calls;
      rowsRead = groups.value.length;
      const rows: CostRow[] = groups.value.map((g) => ({
        date: g.date,
        provider: 'aws',
        environment:
          settings.grouping.kind === 'tag' ? environmentOf({ ...allocation, tagKeys: [settings.grouping.key] }, { [settings.grouping.key]: g.key }, []) : environmentOf(allocation, {}, [g.key]),
        service: g.service,
        account: settings.grouping.kind === 'account' ? g.key : '',
        region: '',
        currency: g.currency,
        billed: money(g.unblended),
        effective: money(g.amortized),
        source: COST_EXPLORER_SOURCE,
      }));
      const byDay = new Map(toCostDays(rows, id, startedAt).map((d) => [d.date, d]));
      for (const date of dayRange(period.start, yesterday)) {
        await deps.costs.replaceDay(byDay.get(date) ?? { source: COST_EXPLORER_SOURCE, date, rows: [], importId: id, importedAt: startedAt });
        written.push(`${COST_EXPLORER_SOURCE}@${date}`);
      }
    }
    const previous = await deps.costs.getAwsInsights();
    if (!previous || dayOf(previous.fetchedAt) !== today) {
      const forecast = await ce.forecast({ start: today, end: firstOfNextMonth(today) });
      const anomalies = await ce.anomalies({ start: addDays(today, -30), end: today });
      calls += forecast.calls + anomalies.calls;
      const f = forecast.value;
      const insights: AwsCostInsights =
        'unavailable' in f
          ? { fetchedAt: startedAt, forecast: null, forecastUnavailable: f.unavailable, anomalies: anomalies.value }
          : { fetchedAt: startedAt, forecast: { currency: f.currency, total: f.total, start: today, end: firstOfNextMonth(today), days: f.days }, anomalies: anomalies.value };
      await deps.costs.putAwsInsights(insights);
      insightsFetched = true;
    }
  } catch (error) {
    const message = (error as Error).message;
    deps.logger.error('Cost Explorer pull failed', { error: message, calls });
    const record: CostImportRecord = {
      id, kind: 'cost-explorer', name: COST_EXPLORER_SOURCE, origin: 'schedule', startedAt, finishedAt: deps.clock.now(), status: 'failed', rowsRead,
      days: written, problems: [{ file: COST_EXPLORER_SOURCE, line: null, field: null, message }], problemCount: 1, apiCalls: calls, by: input.by,
    };
    await deps.costs.recordImport(record).catch(() => undefined);
    throw error instanceof DependencyError ? error : new DependencyError(`Cost Explorer pull failed: ${message}`, null, { cause: error });
  }
  const record: CostImportRecord = {
    id, kind: 'cost-explorer', name: COST_EXPLORER_SOURCE, origin: 'schedule', startedAt, finishedAt: deps.clock.now(), status: 'imported', rowsRead,
    days: written, problems: [], problemCount: 0, apiCalls: calls, by: input.by,
  };
  await deps.costs.recordImport(record);
  deps.logger.info('Cost Explorer pull done', { period, days: written.length, apiCalls: calls, insightsFetched });
  return { record, period, insightsFetched };
}

