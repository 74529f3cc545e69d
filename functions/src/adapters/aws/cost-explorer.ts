import {
  GetAnomaliesCommand,
  GetCostAndUsageCommand,
  GetCostForecastCommand,
  type CostExplorerClient,
  type GetCostAndUsageCommandOutput,
} from '@aws-sdk/client-cost-explorer';
import type { CostAnomaly } from '../../core/costs/model';
import type { Billed, CostExplorer, CostExplorerGroup, CostExplorerGrouping } from '../../core/ports/cost-explorer';

/** Stops a runaway paging loop (each page is billed); far above any real month of daily groups. */
const MAX_PAGES = 50;

const amount = (v: { Amount?: string } | undefined) => Number(v?.Amount ?? 0) || 0;

/**
 * `CostExplorer` on the AWS SDK (`ce`, us-east-1). Every request is billed, so each method sends the
 * fewest requests it can and follows NextPageToken only while AWS returns one.
 */
export class AwsCostExplorer implements CostExplorer {
  constructor(private readonly client: Pick<CostExplorerClient, 'send'>) {}

  async dailyCosts(input: { start: string; end: string; grouping: CostExplorerGrouping }): Promise<Billed<CostExplorerGroup[]>> {
    const second = input.grouping.kind === 'tag' ? { Type: 'TAG' as const, Key: input.grouping.key } : { Type: 'DIMENSION' as const, Key: 'LINKED_ACCOUNT' as const };
    const groups: CostExplorerGroup[] = [];
    let token: string | undefined;
    let calls = 0;
    do {
      const out: GetCostAndUsageCommandOutput = await this.client.send(
        new GetCostAndUsageCommand({
          TimePeriod: { Start: input.start, End: input.end },
          Granularity: 'DAILY',
          Metrics: ['UnblendedCost', 'AmortizedCost'],
          // At most two GroupBy keys: service × environment tag (or linked account).
          GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }, second],
          ...(token ? { NextPageToken: token } : {}),
        }),
      );
      calls++;
      for (const period of out.ResultsByTime ?? []) {
        const date = period.TimePeriod?.Start ?? '';
        for (const g of period.Groups ?? []) {
          const [service = '', rawKey = ''] = g.Keys ?? [];
          // Tag group keys come as `<tag key>$<value>`; an empty value means untagged.
          const key = input.grouping.kind === 'tag' ? rawKey.slice(rawKey.indexOf('$') + 1) : rawKey;
          const unblended = g.Metrics?.UnblendedCost;
          groups.push({ date, service, key, unblended: amount(unblended), amortized: amount(g.Metrics?.AmortizedCost), currency: unblended?.Unit ?? 'USD' });
        }
      }
      token = out.NextPageToken || undefined;
      if (token && calls >= MAX_PAGES) throw new Error(`GetCostAndUsage returned more than ${MAX_PAGES} pages`);
    } while (token);
    return { value: groups, calls };
  }

  async forecast(input: { start: string; end: string }): Promise<Billed<{ currency: string; total: number; days: { date: string; mean: number; lower: number | null; upper: number | null }[] } | { unavailable: string }>> {
    try {
      const out = await this.client.send(
        new GetCostForecastCommand({ TimePeriod: { Start: input.start, End: input.end }, Metric: 'UNBLENDED_COST', Granularity: 'DAILY', PredictionIntervalLevel: 80 }),
      );
      return {
        calls: 1,
        value: {
          currency: out.Total?.Unit ?? 'USD',
          total: amount(out.Total),
          days: (out.ForecastResultsByTime ?? []).map((f) => ({
            date: f.TimePeriod?.Start ?? '',
            mean: Number(f.MeanValue ?? 0),
            lower: f.PredictionIntervalLowerBound === undefined ? null : Number(f.PredictionIntervalLowerBound),
            upper: f.PredictionIntervalUpperBound === undefined ? null : Number(f.PredictionIntervalUpperBound),
          })),
        },
      };
    } catch (error) {
      // Too little history (new accounts): a result, not a failure.
      if ((error as Error).name === 'DataUnavailableException') return { calls: 1, value: { unavailable: (error as Error).message || 'Cost Explorer has too little data to forecast' } };
      throw error;
    }
  }

  async anomalies(input: { start: string; end: string }): Promise<Billed<CostAnomaly[]>> {
    const items: CostAnomaly[] = [];
    let token: string | undefined;
    let calls = 0;
    do {
      const out = await this.client.send(new GetAnomaliesCommand({ DateInterval: { StartDate: input.start, EndDate: input.end }, ...(token ? { NextPageToken: token } : {}) }));
      calls++;
      for (const a of out.Anomalies ?? []) {
        const cause = a.RootCauses?.[0];
        const actual = a.Impact?.TotalActualSpend ?? 0;
        const expected = a.Impact?.TotalExpectedSpend ?? 0;
        const start = (a.AnomalyStartDate ?? '').slice(0, 10);
        items.push({
          id: `aws:${a.AnomalyId ?? ''}`,
          origin: 'aws',
          provider: 'aws',
          start,
          end: (a.AnomalyEndDate ?? a.AnomalyStartDate ?? '').slice(0, 10) || start,
          subject: cause?.Service ?? a.DimensionValue ?? 'AWS',
          actual,
          expected,
          impact: a.Impact?.TotalImpact ?? actual - expected,
          currency: 'USD',
          description: [cause?.Service, cause?.Region, cause?.LinkedAccountName ?? cause?.LinkedAccount, cause?.UsageType].filter(Boolean).join(' · ') || 'AWS Cost Anomaly Detection',
        });
      }
      token = out.NextPageToken || undefined;
      if (token && calls >= MAX_PAGES) throw new Error(`GetAnomalies returned more than ${MAX_PAGES} pages`);
    } while (token);
    return { value: items, calls };
  }
}
