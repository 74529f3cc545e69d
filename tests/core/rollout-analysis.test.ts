import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/src/core/errors';
import {
  analysisPhase,
  assessMeasurement,
  describeAnalysis,
  MAX_MEASUREMENTS,
  newMetricResult,
  nextMeasurementAt,
  recordMeasurement,
  resolveMetrics,
  terminateMetric,
} from '../../functions/src/core/rollouts/analysis';
import type { MetricValue } from '../../functions/src/core/ports/metric-providers';
import type { AnalysisPhase, AnalysisRunStatus, AnalysisTemplate, Measurement, MetricResult, MetricSpec } from '../../functions/src/core/rollouts/model';

const T0 = '2026-11-23T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1_000).toISOString();

const httpMetric = (extra: Partial<MetricSpec> = {}): MetricSpec => ({
  name: 'error-rate',
  provider: { type: 'http', url: 'http://metrics.local/q', jsonPath: '$.errorRate' },
  successCondition: 'result < 0.05',
  ...extra,
});

const measurement = (phase: AnalysisPhase, finishedAfter = 0, value: number | null = 0.01): Measurement => ({
  phase,
  value: phase === 'Error' ? null : value,
  startedAt: at(finishedAfter),
  finishedAt: at(finishedAfter),
  ...(phase === 'Error' ? { message: 'connection refused' } : {}),
});

/** Folds a sequence of measurement phases into a result, returning the phase after each. */
function fold(metric: MetricSpec, phases: AnalysisPhase[]): { result: MetricResult; trail: AnalysisPhase[] } {
  let result = newMetricResult(metric.name);
  const trail: AnalysisPhase[] = [];
  phases.forEach((phase, i) => {
    result = recordMeasurement(metric, result, measurement(phase, i * 60));
    trail.push(result.phase);
  });
  return { result, trail };
}

describe('resolveMetrics', () => {
  const templates: AnalysisTemplate[] = [
    {
      name: 'http-errors',
      args: [{ name: 'service' }, { name: 'threshold', value: '0.05' }],
      metrics: [
        {
          name: 'error-rate',
          provider: {
            type: 'http',
            url: 'http://metrics.local/{{args.service}}/errors?max={{ args.threshold }}',
            jsonPath: '$.rate',
            headers: { 'X-Service': '{{args.service}}' },
          },
          successCondition: 'result < 0.05',
        },
      ],
    },
    {
      name: 'prom-latency',
      args: [{ name: 'service', value: 'default-svc' }],
      metrics: [
        {
          name: 'latency',
          provider: { type: 'prometheus', address: 'http://prom.local', query: 'p95{job="{{args.service}}",env="{{args.env}}"}' },
          failureCondition: 'result > 300',
        },
      ],
    },
    {
      name: 'cw',
      metrics: [
        {
          name: 'alarm',
          provider: { type: 'cloudwatch-metric', namespace: 'AWS/Lambda', metricName: 'Errors', stat: 'Sum', dimensions: { FunctionName: '{{args.fn}}' } },
          failureCondition: 'result > 0',
        },
      ],
    },
    { name: 'dup', metrics: [{ name: 'latency', provider: { type: 'signalbox', query: 'latency-p95-ms' }, successCondition: 'result < 1' }] },
  ];

  it('merges the templates in order and substitutes arguments in every provider string', () => {
    const metrics = resolveMetrics(
      { templates: ['http-errors', 'prom-latency'], args: [{ name: 'service', value: 'checkout' }, { name: 'env', value: 'prod' }] },
      templates,
      'steps[1].analysis',
    );
    expect(metrics).toEqual([
      {
        name: 'error-rate',
        provider: { type: 'http', url: 'http://metrics.local/checkout/errors?max=0.05', jsonPath: '$.rate', headers: { 'X-Service': 'checkout' } },
        successCondition: 'result < 0.05',
      },
      { name: 'latency', provider: { type: 'prometheus', address: 'http://prom.local', query: 'p95{job="checkout",env="prod"}' }, failureCondition: 'result > 300' },
    ]);
    // The templates themselves are untouched.
    expect((templates[0]!.metrics[0]!.provider as { url: string }).url).toContain('{{args.service}}');
  });

  it('lets ref args override template defaults', () => {
    const [metric] = resolveMetrics({ templates: ['http-errors'], args: [{ name: 'service', value: 's' }, { name: 'threshold', value: '0.2' }] }, templates, 'a');
    expect((metric!.provider as { url: string }).url).toBe('http://metrics.local/s/errors?max=0.2');
  });

  it('uses a template default when the ref gives none', () => {
    expect(() => resolveMetrics({ templates: ['prom-latency'] }, templates, 'analysis')).toThrow(/\{\{args\.env\}\} in metric latency/);
    const [metric] = resolveMetrics({ templates: ['prom-latency'], args: [{ name: 'env', value: 'dev' }] }, templates, 'analysis');
    expect((metric!.provider as { query: string }).query).toBe('p95{job="default-svc",env="dev"}');
  });

  it.each([
    [{ templates: ['http-errors'] }, 'steps[1].analysis.args', 'missing_argument', /argument service of template http-errors has no value/],
    [{ templates: ['cw'] }, 'steps[1].analysis.args', 'missing_argument', /\{\{args\.fn\}\} in metric alarm of template cw has no value/],
    [{ templates: ['http-errors', 'nope'], args: [{ name: 'service', value: 'x' }] }, 'steps[1].analysis.templates[1]', 'unknown_template', /unknown analysis template nope \(known: http-errors/],
    [{ templates: ['prom-latency', 'dup'], args: [{ name: 'env', value: 'x' }] }, 'steps[1].analysis.templates[1]', 'duplicate_metric', /metric latency of template dup is also defined by template prom-latency/],
  ])('rejects %j on %s', (ref, field, code, message) => {
    let caught: unknown;
    try {
      resolveMetrics(ref, templates, 'steps[1].analysis');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect(caught).toMatchObject({ field, code });
    expect((caught as Error).message).toMatch(message);
  });

  it('names the missing templates list when the spec has none', () => {
    expect(() => resolveMetrics({ templates: ['x'] }, [], 'analysis')).toThrow(/defines no analysisTemplates/);
  });
});

describe('assessMeasurement', () => {
  const both = httpMetric({ successCondition: 'result < 0.05', failureCondition: 'result > 0.2' });
  const onlySuccess = httpMetric({ successCondition: 'result < 0.05' });
  const onlyFailure = httpMetric({ successCondition: undefined, failureCondition: 'result > 0.05' });
  const signalbox = (extra: Partial<MetricSpec> = {}) => httpMetric({ provider: { type: 'signalbox', query: 'error-rate' }, ...extra });

  it.each([
    ['only success, true', onlySuccess, { value: 0.01 }, 'Successful', 'successCondition result < 0.05'],
    ['only success, false', onlySuccess, { value: 0.3 }, 'Failed', 'successCondition result < 0.05 is false'],
    ['only failure, true', onlyFailure, { value: 0.31 }, 'Failed', 'failureCondition result > 0.05'],
    ['only failure, false', onlyFailure, { value: 0.01 }, 'Successful', 'failureCondition result > 0.05 is false'],
    ['both, success holds', both, { value: 0.01 }, 'Successful', 'successCondition result < 0.05'],
    ['both, failure holds', both, { value: 0.5 }, 'Failed', 'failureCondition result > 0.2'],
    ['both, neither holds', both, { value: 0.1 }, 'Inconclusive', 'neither successCondition result < 0.05 nor failureCondition result > 0.2 holds'],
    ['failure wins over success', httpMetric({ successCondition: 'result >= 0', failureCondition: 'result > 0.2' }), { value: 0.5 }, 'Failed', 'failureCondition result > 0.2'],
    ['http ignores samples by default', onlySuccess, { value: 0.01, samples: 3 }, 'Successful', 'successCondition result < 0.05'],
    ['signalbox: too few requests is not Successful', signalbox(), { value: 0, samples: 7 }, 'Inconclusive', 'only 7 requests (need 20)'],
    ['signalbox: enough requests', signalbox(), { value: 0, samples: 20 }, 'Successful', 'successCondition result < 0.05'],
    ['signalbox: few requests still fail', signalbox(), { value: 0.5, samples: 4 }, 'Failed', 'successCondition result < 0.05 is false (only 4 requests)'],
    ['signalbox: no requests, no value', signalbox(), { value: Number.NaN, samples: 0 }, 'Inconclusive', 'only 0 requests (need 20)'],
    ['signalbox: explicit minSamples', signalbox({ minSamples: 5 }), { value: 0, samples: 5 }, 'Successful', 'successCondition result < 0.05'],
    ['signalbox: minSamples 0 disables the rule', signalbox({ minSamples: 0 }), { value: 0, samples: 0 }, 'Successful', 'successCondition result < 0.05'],
    ['signalbox: no samples reported', signalbox(), { value: 0 }, 'Successful', 'successCondition result < 0.05'],
    ['http with minSamples', httpMetric({ minSamples: 100 }), { value: 0, samples: 99 }, 'Inconclusive', 'only 99 samples (need 100)'],
    ['not a finite number', onlySuccess, { value: Number.POSITIVE_INFINITY }, 'Error', 'the provider returned Infinity, not a finite number'],
    ['NaN', onlySuccess, { value: Number.NaN }, 'Error', 'the provider returned NaN, not a finite number'],
  ] as const)('%s → %s', (_, metric, value, phase, message) => {
    const m = assessMeasurement(metric, { value }, at(0), at(1));
    expect(m).toMatchObject({ phase, message, startedAt: at(0), finishedAt: at(1) });
    const { samples } = value as MetricValue;
    if (samples !== undefined) expect(m.samples).toBe(samples);
  });

  it('records a provider error as Error with its message', () => {
    expect(assessMeasurement(onlySuccess, { error: 'GET http://x answered 503' }, at(0), at(2))).toEqual({
      phase: 'Error',
      value: null,
      startedAt: at(0),
      finishedAt: at(2),
      message: 'GET http://x answered 503',
    });
  });

  it('records a condition that cannot be evaluated as Error', () => {
    const m = assessMeasurement(httpMetric({ successCondition: 'result.errorRate < 0.05' }), { value: { value: 0.3 } }, at(0), at(1));
    expect(m.phase).toBe('Error');
    expect(m.value).toBe(0.3);
    expect(m.message).toMatch(/could not be evaluated: cannot read "errorRate" of result/);
  });

  it('records an invalid condition (not validated by a spec) as Error rather than throwing', () => {
    const m = assessMeasurement(httpMetric({ successCondition: 'result <' }), { value: { value: 0.3 } }, at(0), at(1));
    expect(m).toMatchObject({ phase: 'Error', message: expect.stringMatching(/invalid condition could not be evaluated/) });
  });
});

describe('recordMeasurement', () => {
  const S: AnalysisPhase = 'Successful';
  const F: AnalysisPhase = 'Failed';
  const I: AnalysisPhase = 'Inconclusive';
  const E: AnalysisPhase = 'Error';

  it.each<[string, Partial<MetricSpec>, AnalysisPhase[], AnalysisPhase[]]>([
    ['single measurement succeeds', {}, [S], [S]],
    ['single measurement fails', {}, [F], [F]],
    ['single measurement inconclusive', {}, [I], [I]],
    ['an error is retried, then a success completes', {}, [E, E, S], ['Running', 'Running', S]],
    ['five consecutive errors exceed the default limit 4', {}, [E, E, E, E, E], ['Running', 'Running', 'Running', 'Running', E]],
    ['consecutiveErrorLimit 0: the first error is Error', { consecutiveErrorLimit: 0 }, [E], [E]],
    ['a success resets consecutive errors', { count: 10, interval: '1m' }, [E, E, E, E, S, E, E, E, E], Array<AnalysisPhase>(9).fill('Running')],
    ['an inconclusive also resets consecutive errors', { count: 10, interval: '1m', inconclusiveLimit: 5 }, [E, E, E, E, I, E, E, E, E, E], [...Array<AnalysisPhase>(9).fill('Running'), E]],
    ['count 3 all good', { count: 3, interval: '1m' }, [S, S, S], ['Running', 'Running', S]],
    ['count 3: errors do not count towards count', { count: 3, interval: '1m' }, [S, E, S, S], ['Running', 'Running', 'Running', S]],
    ['failureLimit 0 fails at the first failure', { count: 3, interval: '1m' }, [S, F], ['Running', F]],
    ['failureLimit 1 tolerates one failure', { count: 3, interval: '1m', failureLimit: 1 }, [F, S, S], ['Running', 'Running', S]],
    ['failureLimit 1 fails at the second failure', { count: 5, interval: '1m', failureLimit: 1 }, [F, S, F], ['Running', 'Running', F]],
    ['inconclusiveLimit 1 tolerates one', { count: 3, interval: '1m', inconclusiveLimit: 1 }, [I, S, S], ['Running', 'Running', S]],
    ['inconclusiveLimit 1, the second is Inconclusive', { count: 4, interval: '1m', inconclusiveLimit: 1 }, [I, S, I], ['Running', 'Running', I]],
    ['failure is assessed before inconclusive', { count: 4, interval: '1m' }, [I], [I]],
    ['background metric never completes on its own', { interval: '30s' }, [S, S, S, S, S, S], Array<AnalysisPhase>(6).fill('Running')],
    ['background metric fails', { interval: '30s', failureLimit: 2 }, [S, F, S, F, F], ['Running', 'Running', 'Running', 'Running', F]],
  ])('%s', (_, extra, phases, expected) => {
    expect(fold(httpMetric(extra), phases).trail).toEqual(expected);
  });

  it('keeps the counters exact and explains the verdict', () => {
    const { result } = fold(httpMetric({ count: 5, interval: '1m', failureLimit: 1 }), ['Error', 'Successful', 'Failed', 'Inconclusive', 'Error', 'Failed']);
    expect(result).toMatchObject({
      phase: 'Failed',
      successful: 1,
      failed: 2,
      inconclusive: 1,
      error: 2,
      consecutiveError: 0,
      message: 'failed (2) > failureLimit (1)',
    });
    expect(result.measurements).toHaveLength(6);
  });

  it('explains an Error verdict with the last error', () => {
    const { result } = fold(httpMetric({ consecutiveErrorLimit: 1 }), ['Error', 'Error']);
    expect(result.message).toBe('consecutive errors (2) > consecutiveErrorLimit (1): connection refused');
  });

  it(`keeps only the last ${MAX_MEASUREMENTS} measurements but exact counters`, () => {
    const metric = httpMetric({ interval: '10s' });
    let result = newMetricResult(metric.name);
    for (let i = 0; i < 120; i++) result = recordMeasurement(metric, result, measurement('Successful', i, i));
    expect(result.measurements).toHaveLength(MAX_MEASUREMENTS);
    expect(result.measurements[0]!.value).toBe(70);
    expect(result.measurements.at(-1)!.value).toBe(119);
    expect(result.successful).toBe(120);
  });

  it('does not modify the result it is given', () => {
    const before = newMetricResult('m');
    const frozen = structuredClone(before);
    recordMeasurement(httpMetric(), before, measurement('Failed'));
    expect(before).toEqual(frozen);
  });

  it('terminateMetric ends a running background metric as Successful and leaves verdicts alone', () => {
    const running = fold(httpMetric({ interval: '30s' }), ['Successful']).result;
    expect(terminateMetric(running)).toMatchObject({ phase: 'Successful', message: 'metric terminated' });
    const failed = fold(httpMetric(), ['Failed']).result;
    expect(terminateMetric(failed)).toBe(failed);
  });
});

describe('nextMeasurementAt', () => {
  it.each<[string, Partial<MetricSpec>, AnalysisPhase[], string | null]>([
    ['first measurement right away', {}, [], at(0)],
    ['first measurement after initialDelay', { initialDelay: '2m', interval: '1m', count: 3 }, [], at(120)],
    ['numeric initialDelay', { initialDelay: 45 }, [], at(45)],
    ['next after the interval from the previous finish', { interval: '1m', count: 3 }, ['Successful'], at(60)],
    ['after two measurements', { interval: '1m', count: 3 }, ['Successful', 'Successful'], at(120)],
    ['an errored measurement is retried after the interval', { interval: '5m', count: 3 }, ['Error'], at(300)],
    ['without an interval an error is retried after 10 s', {}, ['Error'], at(10)],
    ['done once count is reached', { interval: '1m', count: 2 }, ['Successful', 'Successful'], null],
    ['done after a single measurement without interval', {}, ['Successful'], null],
    ['done once Failed', { interval: '1m', count: 5 }, ['Failed'], null],
    ['done once Inconclusive', { interval: '1m', count: 5 }, ['Inconclusive'], null],
    ['done once Error', { interval: '1m', count: 5, consecutiveErrorLimit: 0 }, ['Error'], null],
    ['background keeps measuring', { interval: '30s' }, ['Successful', 'Successful', 'Successful'], at(120 + 30)],
  ])('%s', (_, extra, phases, expected) => {
    const metric = httpMetric(extra);
    expect(nextMeasurementAt(metric, fold(metric, phases).result, T0)).toBe(expected);
  });
});

describe('analysisPhase', () => {
  const r = (phase: AnalysisPhase, measured = phase !== 'Pending'): MetricResult => ({
    ...newMetricResult(phase),
    phase,
    measurements: measured ? [measurement('Successful')] : [],
  });

  it.each<[AnalysisPhase[], AnalysisPhase]>([
    [[], 'Pending'],
    [['Pending'], 'Pending'],
    [['Pending', 'Pending'], 'Pending'],
    [['Successful'], 'Successful'],
    [['Successful', 'Successful'], 'Successful'],
    [['Successful', 'Pending'], 'Running'],
    [['Running', 'Pending'], 'Running'],
    [['Successful', 'Running'], 'Running'],
    [['Successful', 'Inconclusive'], 'Inconclusive'],
    [['Running', 'Inconclusive'], 'Inconclusive'],
    [['Inconclusive', 'Error'], 'Error'],
    [['Error', 'Failed', 'Inconclusive'], 'Failed'],
    [['Running', 'Failed'], 'Failed'],
  ])('%j → %s', (phases, expected) => {
    expect(analysisPhase(phases.map((p) => r(p)))).toBe(expected);
  });
});

describe('describeAnalysis', () => {
  const run = (metrics: MetricResult[]): AnalysisRunStatus => ({
    id: 'r1-step-2',
    kind: 'step',
    stepIndex: 2,
    templates: ['t'],
    phase: analysisPhase(metrics),
    startedAt: T0,
    finishedAt: null,
    metrics,
  });

  function measure(metric: MetricSpec, values: number[], samples?: number): MetricResult {
    let result = newMetricResult(metric.name);
    values.forEach((value, i) => {
      const m = assessMeasurement(metric, { value: samples === undefined ? { value } : { value, samples } }, at(i * 60), at(i * 60 + 1));
      result = recordMeasurement(metric, result, m);
    });
    return result;
  }

  it('leads with the failed metric, its value, the condition and the tally', () => {
    const errorRate = measure(httpMetric({ successCondition: undefined, failureCondition: 'result > 0.05', count: 3, interval: '1m', failureLimit: 1 }), [0.2, 0.01, 0.31]);
    const latency = measure(httpMetric({ name: 'latency', successCondition: 'result < 300' }), [120]);
    expect(describeAnalysis(run([latency, errorRate]))).toBe('error-rate Failed: 0.31 (failureCondition result > 0.05), 2 of 3 measurements failed');
  });

  it('explains an inconclusive metric by its sample count', () => {
    const metric = httpMetric({ provider: { type: 'signalbox', query: 'error-rate' } });
    expect(describeAnalysis(run([measure(metric, [0], 7)]))).toBe('error-rate Inconclusive: 0 (only 7 requests (need 20)), 1 of 1 measurement inconclusive');
  });

  it('explains an errored metric by its last error', () => {
    let result = newMetricResult('error-rate');
    const metric = httpMetric({ consecutiveErrorLimit: 1 });
    for (let i = 0; i < 2; i++) result = recordMeasurement(metric, result, assessMeasurement(metric, { error: 'GET http://m answered 503' }, at(i), at(i)));
    expect(describeAnalysis(run([result]))).toBe('error-rate Error: GET http://m answered 503, 2 consecutive errors');
  });

  it('sums up success', () => {
    const one = measure(httpMetric(), [0.0123]);
    expect(describeAnalysis(run([one]))).toBe('error-rate Successful: 0.0123 (successCondition result < 0.05), 1 of 1 measurement successful');
    const latency = measure(httpMetric({ name: 'latency', successCondition: 'result < 300' }), [123.456]);
    expect(describeAnalysis(run([one, latency]))).toBe('analysis Successful: error-rate 0.0123, latency 123.46');
  });

  it('shows progress and the pending state', () => {
    const running = measure(httpMetric({ count: 3, interval: '1m' }), [0.01]);
    expect(describeAnalysis(run([running]))).toBe('error-rate Running: last 0.01 (successCondition result < 0.05), 1 measurement so far');
    expect(describeAnalysis(run([newMetricResult('a'), newMetricResult('b')]))).toBe('analysis Pending: 2 metrics, no measurement yet');
  });

  it('mentions other metrics that are not successful', () => {
    const failed = measure(httpMetric(), [0.5]);
    const inconclusive = measure(httpMetric({ name: 'latency', successCondition: 'result < 1', failureCondition: 'result > 10' }), [5]);
    expect(describeAnalysis(run([inconclusive, failed]))).toBe(
      'error-rate Failed: 0.5 (successCondition result < 0.05 is false), 1 of 1 measurement failed (and 1 more metric not successful)',
    );
  });
});
