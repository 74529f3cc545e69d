import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchMetrics } from '../../functions/src/adapters/aws/cloudwatch-metrics';
import { CompositeMetricProviders } from '../../functions/src/adapters/composite-metric-providers';
import { HttpJsonMetrics } from '../../functions/src/adapters/http/http-json-metrics';
import { PrometheusMetrics, prometheusQueryUrl } from '../../functions/src/adapters/http/prometheus-metrics';
import { DependencyError, ValidationError } from '../../functions/src/core/errors';
import type { MetricProviders, MetricQueryContext } from '../../functions/src/core/ports/metric-providers';
import { parseJsonPath, readJsonPath } from '../../functions/src/core/rollouts/json-path';
import type { MetricProviderSpec } from '../../functions/src/core/rollouts/model';

const ctx: MetricQueryContext = {
  rolloutId: 'r1',
  service: 'checkout',
  environment: 'prod',
  target: { type: 'local-proxy', proxy: 'demo' },
  stableVersion: 'pkg:generic/checkout@1.0.0',
  canaryVersion: 'pkg:generic/checkout@1.1.0',
  since: '2026-11-23T10:00:00.000Z',
};

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('resolved');
}

// ---------------------------------------------------------------------------------------------
// A real loopback HTTP server whose answers each test sets
// ---------------------------------------------------------------------------------------------

type Route = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Route>();
const seen: { url: string; headers: IncomingMessage['headers'] }[] = [];
let server: Server;
let base: string;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Route => (_, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const route = routes.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (route) route(req, res);
    else json(404, { error: 'no route' })(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  routes.clear();
  seen.length = 0;
});

describe('readJsonPath', () => {
  const doc = { data: { errorRate: 0.02, 'error-rate': '0.5', list: [{ v: 1 }, { v: 2 }] }, 'a.b': 3 };

  it.each([
    ['$', doc],
    ['$.data.errorRate', 0.02],
    ["$['data']['error-rate']", '0.5'],
    ['$["a.b"]', 3],
    ['$.data.list[1].v', 2],
    ['$.data.list[-1].v', 2],
    ['{$.data.errorRate}', 0.02],
    ['$.data.error-rate', '0.5'],
  ])('%s', (path, expected) => {
    expect(readJsonPath(doc, path)).toEqual(expected);
  });

  it.each([
    ['$.data.missing', /no value at \$\.data\.missing: \$\.data has no member "missing"/],
    ['$.data.list[5]', /\$\.data\.list has 2 element/],
    ['$.data[0]', /\$\.data is not a list/],
    ['$.constructor', /has no member "constructor"/],
    ['$.data.errorRate.__proto__', /has no member "__proto__"/],
  ])('%s fails', (path, message) => {
    expect(() => readJsonPath(doc, path)).toThrow(message);
  });

  it.each([['data.x'], ['$..x'], ['$.a[*]'], ['$.a[?(@.b)]'], ['$.'], ['$x']])('rejects the unsupported path %s', (path) => {
    expect(() => parseJsonPath(path)).toThrow(/JSONPath/);
  });
});

describe('HttpJsonMetrics', () => {
  const provider = (extra: Partial<Extract<MetricProviderSpec, { type: 'http' }>> = {}): MetricProviderSpec => ({
    type: 'http',
    url: `${base}/metrics?window=5m`,
    jsonPath: '$.data.errorRate',
    ...extra,
  });
  const http = new HttpJsonMetrics();

  it('reads the number at the JSON path and sends the headers', async () => {
    routes.set('/metrics', json(200, { data: { errorRate: 0.031 } }));
    await expect(http.measure(provider({ headers: { authorization: 'Bearer t0k' } }), ctx)).resolves.toEqual({ value: 0.031 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('/metrics?window=5m');
    expect(seen[0]!.headers.authorization).toBe('Bearer t0k');
    expect(seen[0]!.headers.accept).toBe('application/json');
  });

  it('accepts a numeric string and bracket paths', async () => {
    routes.set('/metrics', json(200, { 'error-rate': [' 0.5 '] }));
    await expect(http.measure(provider({ jsonPath: "$['error-rate'][0]" }), ctx)).resolves.toEqual({ value: 0.5 });
  });

  it.each([
    ['a non-2xx status, named', json(503, { message: 'down' }), /GET http:\/\/127\.0\.0\.1:\d+\/metrics answered 503/],
    ['a body that is not JSON', json(200, '<html>ok</html>'), /did not answer JSON/],
    ['no value at the path', json(200, { data: {} }), /no value at \$\.data\.errorRate: \$\.data has no member "errorRate"/],
    ['a value that is not a number', json(200, { data: { errorRate: 'n/a' } }), /the value at \$\.data\.errorRate is "n\/a", not a finite number/],
    ['a null value', json(200, { data: { errorRate: null } }), /is null, not a finite number/],
    ['an object value', json(200, { data: { errorRate: { v: 1 } } }), /is an object, not a finite number/],
    ['a body over the size limit', json(200, { data: { errorRate: 1, pad: 'x'.repeat(1_100_000) } }), /more than the 1048576 bytes allowed/],
  ])('fails on %s', async (_, route, message) => {
    routes.set('/metrics', route);
    const error = await failure(http.measure(provider(), ctx));
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ code: 'metric_unavailable', field: 'provider' });
    expect(error.message).toMatch(message);
    // The query string may carry a token: messages leave it out.
    expect(error.message).not.toContain('window=5m');
  });

  it('gives up after timeoutSeconds when the endpoint does not answer', async () => {
    routes.set('/slow', () => undefined);
    const error = await failure(http.measure(provider({ url: `${base}/slow`, timeoutSeconds: 1 }), ctx));
    expect(error).toBeInstanceOf(DependencyError);
    expect(error.message).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/slow timed out after 1 s/);
  });

  it('reports a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failure(http.measure(provider({ url: `http://127.0.0.1:${port}/x` }), ctx));
    expect(error.message).toMatch(/failed: ECONNREFUSED/);
  });

  it('refuses other provider types', async () => {
    await expect(http.measure({ type: 'prometheus', address: base, query: 'up' }, ctx)).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('PrometheusMetrics', () => {
  const prom = new PrometheusMetrics();
  const QUERY = 'sum(rate(http_requests_total{job="checkout",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="checkout"}[5m]))';
  const provider = (address = base): MetricProviderSpec => ({ type: 'prometheus', address, query: QUERY });
  const vector = (...values: string[]) => ({
    status: 'success',
    data: { resultType: 'vector', result: values.map((v, i) => ({ metric: { i: String(i) }, value: [1_763_892_000.123, v] })) },
  });

  it('builds the instant-query URL, keeping a path prefix', () => {
    expect(prometheusQueryUrl('http://prom:9090', 'up == 1')).toBe('http://prom:9090/api/v1/query?query=up+%3D%3D+1');
    expect(prometheusQueryUrl('http://prom:9090/prometheus/', 'up')).toBe('http://prom:9090/prometheus/api/v1/query?query=up');
  });

  it('sends the query and reads the first sample of a vector', async () => {
    routes.set('/api/v1/query', json(200, vector('0.0125', '0.9')));
    await expect(prom.measure(provider(), ctx)).resolves.toEqual({ value: 0.0125 });
    expect(seen).toHaveLength(1);
    const url = new URL(seen[0]!.url, base);
    expect(url.pathname).toBe('/api/v1/query');
    expect(url.searchParams.get('query')).toBe(QUERY);
  });

  it('reads a scalar', async () => {
    routes.set('/prom/api/v1/query', json(200, { status: 'success', data: { resultType: 'scalar', result: [1_763_892_000, '42'] } }));
    await expect(prom.measure(provider(`${base}/prom`), ctx)).resolves.toEqual({ value: 42 });
  });

  it.each([
    ['an empty vector', json(200, vector()), /no data for sum\(rate/],
    ['a query error', json(400, { status: 'error', errorType: 'bad_data', error: 'parse error at char 5' }), /answered 400: bad_data: parse error at char 5/],
    ['a server error', json(503, 'unavailable'), /answered 503$/],
    ['status error with 200', json(200, { status: 'error', errorType: 'timeout', error: 'query timed out' }), /answered 200: timeout: query timed out/],
    ['a matrix', json(200, { status: 'success', data: { resultType: 'matrix', result: [] } }), /answered a matrix result; use a query that returns an instant vector or a scalar/],
    ['NaN', json(200, vector('NaN')), /is "NaN", not a finite number/],
    ['+Inf', json(200, vector('+Inf')), /is "\+Inf", not a finite number/],
    ['not Prometheus', json(200, { hello: 'world' }), /did not answer a Prometheus query result/],
  ])('fails on %s', async (_, route, message) => {
    routes.set('/api/v1/query', route);
    const error = await failure(prom.measure(provider(), ctx));
    expect(error).toBeInstanceOf(DependencyError);
    expect(error.message).toMatch(/^Prometheus http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query/);
    expect(error.message).toMatch(message);
  });
});

describe('CloudWatchMetrics', () => {
  const cwMock = mockClient(CloudWatchClient);
  const regions: (string | undefined)[] = [];
  const clock = { now: () => '2026-11-23T10:05:00.000Z' };
  const cw = new CloudWatchMetrics((region) => {
    regions.push(region);
    return new CloudWatchClient({ region: region ?? 'us-east-1' });
  }, clock);

  beforeEach(() => {
    cwMock.reset();
  });

  afterAll(() => {
    cwMock.restore();
  });

  const errorsMetric: MetricProviderSpec = {
    type: 'cloudwatch-metric',
    namespace: 'AWS/Lambda',
    metricName: 'Errors',
    dimensions: { FunctionName: 'checkout', Resource: 'checkout:live' },
    stat: 'Sum',
  };

  it('queries one MetricStat over the last period and returns the newest datapoint', async () => {
    cwMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'm0', Values: [3, 7], Timestamps: [new Date(), new Date()], StatusCode: 'Complete' }] });
    await expect(cw.measure(errorsMetric, ctx)).resolves.toEqual({ value: 3 });
    expect(cwMock).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    expect(cwMock.commandCalls(GetMetricDataCommand)[0]!.args[0].input).toEqual({
      MetricDataQueries: [
        {
          Id: 'm0',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Lambda',
              MetricName: 'Errors',
              Dimensions: [
                { Name: 'FunctionName', Value: 'checkout' },
                { Name: 'Resource', Value: 'checkout:live' },
              ],
            },
            Period: 300,
            Stat: 'Sum',
          },
          ReturnData: true,
        },
      ],
      StartTime: new Date('2026-11-23T10:00:00.000Z'),
      EndTime: new Date('2026-11-23T10:05:00.000Z'),
      ScanBy: 'TimestampDescending',
    });
  });

  it('uses periodSeconds and leaves out empty dimensions', async () => {
    cwMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'm0', Values: [0.25] }] });
    const p: MetricProviderSpec = { type: 'cloudwatch-metric', namespace: 'Shop', metricName: 'Latency', stat: 'p95', periodSeconds: 60 };
    await expect(cw.measure(p, ctx)).resolves.toEqual({ value: 0.25 });
    expect(cwMock).toHaveReceivedCommandWith(GetMetricDataCommand, {
      MetricDataQueries: [{ Id: 'm0', MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Latency' }, Period: 60, Stat: 'p95' }, ReturnData: true }],
      StartTime: new Date('2026-11-23T10:04:00.000Z'),
      EndTime: new Date('2026-11-23T10:05:00.000Z'),
      ScanBy: 'TimestampDescending',
    });
  });

  it('fails when no datapoint falls in the window', async () => {
    cwMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'm0', Values: [], Timestamps: [] }] });
    const error = await failure(cw.measure(errorsMetric, ctx));
    expect(error).toBeInstanceOf(DependencyError);
    expect(error.message).toBe('CloudWatch has no datapoints for AWS/Lambda Errors Sum in the last 300 s');
  });

  it('wraps an SDK error', async () => {
    cwMock.on(GetMetricDataCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' }));
    const error = await failure(cw.measure(errorsMetric, ctx));
    expect(error).toBeInstanceOf(DependencyError);
    expect(error.message).toBe('CloudWatch GetMetricData failed: AccessDenied: User is not authorized');
  });

  it.each([
    ['ALARM', 1],
    ['OK', 0],
  ] as const)('reads an alarm in %s as %i', async (state, value) => {
    cwMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'checkout-5xx', StateValue: state }] });
    await expect(cw.measure({ type: 'cloudwatch-alarm', alarmName: 'checkout-5xx' }, ctx)).resolves.toEqual({ value });
    expect(cwMock).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 1);
    expect(cwMock.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input).toEqual({
      AlarmNames: ['checkout-5xx'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
  });

  it('reads a composite alarm', async () => {
    cwMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [{ AlarmName: 'checkout-health', StateValue: 'ALARM' }] });
    await expect(cw.measure({ type: 'cloudwatch-alarm', alarmName: 'checkout-health' }, ctx)).resolves.toEqual({ value: 1 });
  });

  it.each([
    ['INSUFFICIENT_DATA', { MetricAlarms: [{ AlarmName: 'a', StateValue: 'INSUFFICIENT_DATA' as const, StateReason: 'no datapoints' }] }, 'CloudWatch alarm a has insufficient data: no datapoints'],
    ['a missing alarm', { MetricAlarms: [], CompositeAlarms: [] }, 'CloudWatch alarm a does not exist'],
  ])('fails on %s', async (_, answer, message) => {
    cwMock.on(DescribeAlarmsCommand).resolves(answer);
    const error = await failure(cw.measure({ type: 'cloudwatch-alarm', alarmName: 'a' }, ctx));
    expect(error).toBeInstanceOf(DependencyError);
    expect(error.message).toBe(message);
  });

  it('builds one client per region', async () => {
    regions.length = 0;
    cwMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }] });
    const fresh = new CloudWatchMetrics((region) => {
      regions.push(region);
      return new CloudWatchClient({ region: region ?? 'us-east-1' });
    }, clock);
    for (const region of [undefined, 'eu-west-1', undefined, 'eu-west-1', 'us-west-2']) {
      await fresh.measure({ type: 'cloudwatch-alarm', alarmName: 'a', ...(region ? { region } : {}) }, ctx);
    }
    expect(regions).toEqual([undefined, 'eu-west-1', 'us-west-2']);
  });

  it('refuses other provider types', async () => {
    await expect(cw.measure({ type: 'http', url: base, jsonPath: '$' }, ctx)).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('CompositeMetricProviders', () => {
  const calls: string[] = [];
  const fixed = (name: string, value: number, samples?: number): MetricProviders => ({
    measure: async (provider) => {
      calls.push(`${name}:${provider.type}`);
      return samples === undefined ? { value } : { value, samples };
    },
  });

  beforeEach(() => {
    calls.length = 0;
  });

  it('dispatches on provider.type', async () => {
    const composite = new CompositeMetricProviders({ http: fixed('h', 1), signalbox: fixed('s', 0.5, 30) });
    await expect(composite.measure({ type: 'http', url: base, jsonPath: '$' }, ctx)).resolves.toEqual({ value: 1 });
    await expect(composite.measure({ type: 'signalbox', query: 'error-rate' }, ctx)).resolves.toEqual({ value: 0.5, samples: 30 });
    expect(calls).toEqual(['h:http', 's:signalbox']);
    expect(composite.types()).toEqual(['http', 'signalbox']);
  });

  it('names a type this runtime does not serve', async () => {
    const composite = new CompositeMetricProviders({ http: fixed('h', 1), prometheus: undefined });
    for (const type of ['prometheus', 'cloudwatch-alarm', 'constructor']) {
      const error = await failure(composite.measure({ type, alarmName: 'a' } as unknown as MetricProviderSpec, ctx));
      expect(error).toBeInstanceOf(DependencyError);
      expect(error.message).toBe(`provider type ${type} is not available in this runtime`);
    }
    expect(calls).toEqual([]);
  });

  it('refuses a value that is not a finite number unless samples let the analysis judge it', async () => {
    const nan = new CompositeMetricProviders({ http: fixed('h', Number.NaN), signalbox: fixed('s', Number.NaN, 0) });
    await expect(nan.measure({ type: 'http', url: base, jsonPath: '$' }, ctx)).rejects.toThrow('provider http returned NaN, not a finite number');
    await expect(nan.measure({ type: 'signalbox', query: 'error-rate' }, ctx)).resolves.toEqual({ value: Number.NaN, samples: 0 });
  });

  it('passes provider errors through', async () => {
    const composite = new CompositeMetricProviders({ http: { measure: () => Promise.reject(new Error('boom')) } });
    await expect(composite.measure({ type: 'http', url: base, jsonPath: '$' }, ctx)).rejects.toThrow('boom');
  });
});
