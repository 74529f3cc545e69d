import { type CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DependencyError, ValidationError } from '../../core/errors';
import { type Clock, systemClock } from '../../core/ports/clock';
import type { MetricProviders, MetricQueryContext, MetricValue } from '../../core/ports/metric-providers';
import type { MetricProviderSpec } from '../../core/rollouts/model';

/** Default window of a `cloudwatch-metric` measurement (Argo's CloudWatch provider default: 5 min). */
export const DEFAULT_CLOUDWATCH_PERIOD_SECONDS = 300;

const unavailable = (message: string, cause?: unknown) =>
  new DependencyError(message, 'provider', { code: 'metric_unavailable', ...(cause === undefined ? {} : { cause }) });

function sdkFailure(call: string, error: unknown): DependencyError {
  const e = error as { name?: string; message?: string };
  return unavailable(`CloudWatch ${call} failed: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`, error);
}

/**
 * The `cloudwatch-metric` and `cloudwatch-alarm` metric providers.
 *
 * - `cloudwatch-metric`: one `GetMetricData` MetricStat query (`stat` over `periodSeconds`, default
 *   300) for the window `[now - period, now]`, newest first; the value is the newest datapoint.
 * - `cloudwatch-alarm`: `DescribeAlarms` for the named metric or composite alarm: 1 in ALARM, 0 when
 *   OK.
 *
 * Clients come from the factory per region (`region` of the provider, else the factory's default)
 * and are reused. No samples are reported.
 *
 * @throws DependencyError (`metric_unavailable`) when the call fails, no datapoint falls in the
 *   window, the alarm does not exist or is in INSUFFICIENT_DATA; ValidationError for another
 *   provider type.
 */
export class CloudWatchMetrics implements MetricProviders {
  private readonly clients = new Map<string, CloudWatchClient>();

  constructor(
    private readonly clientFor: (region?: string) => CloudWatchClient,
    private readonly clock: Clock = systemClock,
  ) {}

  private client(region: string | undefined): CloudWatchClient {
    const key = region ?? '';
    let client = this.clients.get(key);
    if (!client) {
      client = this.clientFor(region);
      this.clients.set(key, client);
    }
    return client;
  }

  async measure(provider: MetricProviderSpec, _ctx: MetricQueryContext): Promise<MetricValue> {
    switch (provider.type) {
      case 'cloudwatch-metric':
        return this.metric(provider);
      case 'cloudwatch-alarm':
        return this.alarm(provider);
      default:
        throw new ValidationError(`CloudWatchMetrics serves cloudwatch-metric and cloudwatch-alarm, not ${provider.type}`, 'provider.type');
    }
  }

  private async metric(p: Extract<MetricProviderSpec, { type: 'cloudwatch-metric' }>): Promise<MetricValue> {
    const period = p.periodSeconds ?? DEFAULT_CLOUDWATCH_PERIOD_SECONDS;
    const end = new Date(this.clock.now());
    const start = new Date(end.getTime() - period * 1_000);
    const dimensions = Object.entries(p.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value }));
    const command = new GetMetricDataCommand({
      MetricDataQueries: [
        {
          Id: 'm0',
          MetricStat: {
            Metric: { Namespace: p.namespace, MetricName: p.metricName, ...(dimensions.length ? { Dimensions: dimensions } : {}) },
            Period: period,
            Stat: p.stat,
          },
          ReturnData: true,
        },
      ],
      StartTime: start,
      EndTime: end,
      ScanBy: 'TimestampDescending',
    });
    let out;
    try {
      out = await this.client(p.region).send(command);
    } catch (error) {
      throw sdkFailure('GetMetricData', error);
    }
    const series = out.MetricDataResults?.find((r) => r.Id === 'm0') ?? out.MetricDataResults?.[0];
    const value = series?.Values?.[0];
    const what = `${p.namespace} ${p.metricName} ${p.stat}`;
    if (value === undefined) {
      const note = series?.Messages?.map((m) => m.Value).filter(Boolean).join('; ');
      throw unavailable(`CloudWatch has no datapoints for ${what} in the last ${period} s${note ? ` (${note})` : ''}`);
    }
    if (!Number.isFinite(value)) throw unavailable(`CloudWatch returned ${value} for ${what}`);
    return { value };
  }

  private async alarm(p: Extract<MetricProviderSpec, { type: 'cloudwatch-alarm' }>): Promise<MetricValue> {
    let out;
    try {
      out = await this.client(p.region).send(
        new DescribeAlarmsCommand({ AlarmNames: [p.alarmName], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
      );
    } catch (error) {
      throw sdkFailure('DescribeAlarms', error);
    }
    const alarm = out.MetricAlarms?.find((a) => a.AlarmName === p.alarmName) ?? out.CompositeAlarms?.find((a) => a.AlarmName === p.alarmName);
    if (!alarm) throw unavailable(`CloudWatch alarm ${p.alarmName} does not exist`);
    switch (alarm.StateValue) {
      case 'ALARM':
        return { value: 1 };
      case 'OK':
        return { value: 0 };
      case 'INSUFFICIENT_DATA':
        throw unavailable(`CloudWatch alarm ${p.alarmName} has insufficient data${alarm.StateReason ? `: ${alarm.StateReason}` : ''}`);
      default:
        throw unavailable(`CloudWatch alarm ${p.alarmName} is in state ${String(alarm.StateValue)}`);
    }
  }
}
