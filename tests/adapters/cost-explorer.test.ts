import { CostExplorerClient, GetAnomaliesCommand, GetCostAndUsageCommand, GetCostForecastCommand, DataUnavailableException, type GetCostAndUsageCommandInput, type Group } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsCostExplorer } from '../../functions/src/adapters/aws/cost-explorer';
import { InMemoryCostStore } from '../../functions/src/adapters/local/in-memory-cost-store';
import { allocationFromEnvironments } from '../../functions/src/core/costs/allocation';
import type { CostDeps } from '../../functions/src/core/costs/deps';
import { pullCostExplorer } from '../../functions/src/core/costs/pull-cost-explorer';
import type { InventoryStore } from '../../functions/src/core/ports/inventory-store';

const ce = mockClient(CostExplorerClient);
const money = (n: number) => ({ Amount: String(n), Unit: 'USD' });
const group = (service: string, tag: string, unblended: number, amortized = unblended): Group => ({ Keys: [service, `signalbox:environment$${tag}`], Metrics: { UnblendedCost: money(unblended), AmortizedCost: money(amortized) } });
const period = (start: string, end: string, groups: Group[]) => ({ TimePeriod: { Start: start, End: end }, Groups: groups, Estimated: false });

function deps(now: string, store = new InMemoryCostStore()): CostDeps & { costs: InMemoryCostStore } {
  let n = 0;
  return {
    costs: store,
    costAllocation: async () => allocationFromEnvironments([{ name: 'prod-aws-eu-west-1', accounts: ['200000000002'] }]),
    costExplorer: new AwsCostExplorer(new CostExplorerClient({ region: 'us-east-1' })),
    inventory: {} as InventoryStore,
    clock: { now: () => now },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    newId: () => `pull-${++n}`,
  };
}

const usageRequest = (start: string, end: string, token?: string): GetCostAndUsageCommandInput => ({
  TimePeriod: { Start: start, End: end },
  Granularity: 'DAILY',
  Metrics: ['UnblendedCost', 'AmortizedCost'],
  GroupBy: [
    { Type: 'DIMENSION', Key: 'SERVICE' },
    { Type: 'TAG', Key: 'signalbox:environment' },
  ],
  ...(token ? { NextPageToken: token } : {}),
});

beforeEach(() => {
  ce.reset();
  ce.on(GetCostForecastCommand).resolves({
    Total: money(300),
    ForecastResultsByTime: [
      { TimePeriod: { Start: '2026-11-23', End: '2026-11-24' }, MeanValue: '40', PredictionIntervalLowerBound: '30', PredictionIntervalUpperBound: '50' },
      { TimePeriod: { Start: '2026-11-24', End: '2026-11-25' }, MeanValue: '41' },
    ],
  });
  ce.on(GetAnomaliesCommand).resolves({ Anomalies: [] });
});

describe('pullCostExplorer with AwsCostExplorer', () => {
  it('pulls the lookback window once, pages through NextPageToken, then the forecast and anomalies: exact requests', async () => {
    ce.on(GetCostAndUsageCommand, usageRequest('2026-11-09', '2026-11-23'))
      .resolves({ ResultsByTime: [period('2026-11-09', '2026-11-10', [group('Amazon Elastic Compute Cloud - Compute', 'prod-aws-eu-west-1', 12.5, 11)])], NextPageToken: 'p2' });
    ce.on(GetCostAndUsageCommand, usageRequest('2026-11-09', '2026-11-23', 'p2')).resolves({
      ResultsByTime: [period('2026-11-09', '2026-11-10', [group('AWS Lambda', '', 0.5)]), period('2026-11-22', '2026-11-23', [group('Amazon Simple Storage Service', 'dev-aws-eu-central-1', 2)])],
    });
    ce.on(GetAnomaliesCommand, { DateInterval: { StartDate: '2026-10-24', EndDate: '2026-11-23' } }).resolvesOnce({
      Anomalies: [{ AnomalyId: 'a1', AnomalyStartDate: '2026-11-20', AnomalyEndDate: '2026-11-21', AnomalyScore: { MaxScore: 9, CurrentScore: 3 }, Impact: { MaxImpact: 80, TotalImpact: 120, TotalActualSpend: 200, TotalExpectedSpend: 80 }, MonitorArn: 'arn:m', RootCauses: [{ Service: 'Amazon EC2', Region: 'eu-west-1' }] }],
      NextPageToken: 'a2',
    });
    ce.on(GetAnomaliesCommand, { DateInterval: { StartDate: '2026-10-24', EndDate: '2026-11-23' }, NextPageToken: 'a2' }).resolves({ Anomalies: [] });
    const d = deps('2026-11-23T06:00:00.000Z');
    const result = await pullCostExplorer(d, { by: 'schedule' });

    expect(ce.commandCalls(GetCostAndUsageCommand).map((c) => c.args[0].input)).toEqual([usageRequest('2026-11-09', '2026-11-23'), usageRequest('2026-11-09', '2026-11-23', 'p2')]);
    expect(ce.commandCalls(GetCostForecastCommand).map((c) => c.args[0].input)).toEqual([
      { TimePeriod: { Start: '2026-11-23', End: '2026-12-01' }, Metric: 'UNBLENDED_COST', Granularity: 'DAILY', PredictionIntervalLevel: 80 },
    ]);
    expect(ce.commandCalls(GetAnomaliesCommand).map((c) => c.args[0].input)).toEqual([
      { DateInterval: { StartDate: '2026-10-24', EndDate: '2026-11-23' } },
      { DateInterval: { StartDate: '2026-10-24', EndDate: '2026-11-23' }, NextPageToken: 'a2' },
    ]);
    expect(result.record).toMatchObject({ status: 'imported', apiCalls: 5, rowsRead: 3 });
    expect(result.record.days).toHaveLength(14);

    const days = await d.costs.listDays('2026-11-01', '2026-11-30');
    expect(days).toHaveLength(14);
    expect(days[0]!.rows).toEqual([
      { date: '2026-11-09', provider: 'aws', environment: 'prod-aws-eu-west-1', service: 'Amazon Elastic Compute Cloud - Compute', account: '', region: '', currency: 'USD', billed: 12.5, effective: 11, source: 'aws-cost-explorer' },
      { date: '2026-11-09', provider: 'aws', environment: 'unallocated', service: 'AWS Lambda', account: '', region: '', currency: 'USD', billed: 0.5, effective: 0.5, source: 'aws-cost-explorer' },
    ]);
    expect(days[5]!.rows).toEqual([]);
    const insights = await d.costs.getAwsInsights();
    expect(insights?.forecast).toMatchObject({ total: 300, start: '2026-11-23', end: '2026-12-01', days: [{ date: '2026-11-23', mean: 40, lower: 30, upper: 50 }, { date: '2026-11-24', mean: 41, lower: null, upper: null }] });
    expect(insights?.anomalies).toEqual([
      { id: 'aws:a1', origin: 'aws', provider: 'aws', start: '2026-11-20', end: '2026-11-21', subject: 'Amazon EC2', actual: 200, expected: 80, impact: 120, currency: 'USD', description: 'Amazon EC2 · eu-west-1' },
    ]);
  });

  it('re-pulls only the unsettled days the next day, and skips forecast and anomalies on a second run the same day', async () => {
    const store = new InMemoryCostStore();
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [] });
    await pullCostExplorer(deps('2026-11-23T06:00:00.000Z', store), { by: 'schedule' });
    ce.resetHistory();
    const next = await pullCostExplorer(deps('2026-11-24T06:00:00.000Z', store), { by: 'schedule' });
    expect(ce.commandCalls(GetCostAndUsageCommand).map((c) => c.args[0].input)).toEqual([usageRequest('2026-11-21', '2026-11-24')]);
    expect(next.record.apiCalls).toBe(3);
    ce.resetHistory();
    const again = await pullCostExplorer(deps('2026-11-24T18:00:00.000Z', store), { by: 'schedule' });
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(1);
    expect(ce.commandCalls(GetCostForecastCommand)).toHaveLength(0);
    expect(ce.commandCalls(GetAnomaliesCommand)).toHaveLength(0);
    expect(again).toMatchObject({ insightsFetched: false, record: { apiCalls: 1 } });
  });

  it('fills a gap from its first missing day, and groups by LINKED_ACCOUNT mapped through accounts: without a tag key', async () => {
    const store = new InMemoryCostStore();
    await store.replaceDay({ source: 'aws-cost-explorer', date: '2026-11-15', rows: [], importId: 'x', importedAt: 'x' });
    const d = { ...deps('2026-11-16T06:00:00.000Z', store), costExplorerSettings: { grouping: { kind: 'account' as const }, lookbackDays: 2, unsettledDays: 1 } };
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [period('2026-11-14', '2026-11-15', [{ Keys: ['Amazon EC2', '200000000002'], Metrics: { UnblendedCost: money(3), AmortizedCost: money(2) } }])] });
    await pullCostExplorer(d, { by: 'schedule' });
    expect(ce.commandCalls(GetCostAndUsageCommand)[0]!.args[0].input).toEqual({
      TimePeriod: { Start: '2026-11-14', End: '2026-11-16' },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost', 'AmortizedCost'],
      GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }, { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' }],
    });
    const [day] = await store.listDays('2026-11-14', '2026-11-14');
    expect(day!.rows[0]).toMatchObject({ environment: 'prod-aws-eu-west-1', account: '200000000002' });
  });

  it('records a forecast Cost Explorer cannot make yet as unavailable, not as a failure', async () => {
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [] });
    ce.on(GetCostForecastCommand).rejects(new DataUnavailableException({ message: 'Insufficient amount of historical data', $metadata: {} }));
    const d = deps('2026-11-23T06:00:00.000Z');
    await pullCostExplorer(d, { by: 'schedule' });
    expect(await d.costs.getAwsInsights()).toMatchObject({ forecast: null, forecastUnavailable: 'Insufficient amount of historical data' });
  });

  it('records a failed pull in the history and throws a DependencyError', async () => {
    ce.on(GetCostAndUsageCommand).rejects(new Error('AccessDenied'));
    const d = deps('2026-11-23T06:00:00.000Z');
    await expect(pullCostExplorer(d, { by: 'schedule' })).rejects.toMatchObject({ name: 'DependencyError' });
    expect((await d.costs.listImports(5)).items[0]).toMatchObject({ status: 'failed', problems: [{ message: 'AccessDenied' }] });
  });
});
