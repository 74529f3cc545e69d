import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/src/core/errors';
import { parseRolloutSpec } from '../../functions/src/core/rollouts/spec';

const base = () => ({
  strategy: 'canary',
  service: 'payments',
  environment: 'prod',
  fromVersion: 'pkg:oci/payments@1.0.0',
  toVersion: 'pkg:oci/payments@1.1.0',
  target: { type: 'webhook', url: 'https://deploy.example.com/hooks/signalbox', secretName: 'payments-prod' },
  analysisTemplates: [
    {
      name: 'errors',
      args: [{ name: 'svc' }],
      metrics: [
        {
          name: 'error-rate',
          provider: { type: 'prometheus', address: 'http://prometheus:9090', query: 'rate(errors{svc="{{args.svc}}"}[1m])' },
          interval: '1m',
          count: 5,
          successCondition: 'result < 0.05',
          failureLimit: 1,
        },
      ],
    },
  ],
  steps: [
    { setWeight: 10 },
    { analysis: { templates: ['errors'], args: [{ name: 'svc', value: 'payments' }] } },
    { pause: { duration: '5m' } },
    { gate: { name: 'cab', timeout: '1h', onTimeout: 'abort' } },
    { setWeight: 50 },
    { pause: {} },
  ],
});

function fieldOf(input: unknown): string | null {
  try {
    parseRolloutSpec(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).field;
  }
  return null;
}

describe('parseRolloutSpec', () => {
  it('accepts a full canary spec and returns it unchanged in meaning', () => {
    const spec = parseRolloutSpec(base());
    expect(spec).toMatchObject({ strategy: 'canary', service: 'payments', steps: base().steps });
  });

  it('accepts a blue-green spec', () => {
    const { steps: _s, ...rest } = base();
    const spec = parseRolloutSpec({
      ...rest,
      strategy: 'blueGreen',
      autoPromotionEnabled: false,
      autoPromotionSeconds: 600,
      prePromotionAnalysis: { templates: ['errors'], args: [{ name: 'svc', value: 'payments' }] },
      scaleDownDelaySeconds: 30,
      target: { type: 'lambda-alias', functionName: 'payments-api', alias: 'live' },
    });
    expect(spec).toMatchObject({ strategy: 'blueGreen', autoPromotionEnabled: false, scaleDownDelaySeconds: 30 });
  });

  it.each([
    ['not an object', 'nope', 'spec'],
    ['missing strategy', { ...base(), strategy: undefined }, 'strategy'],
    ['unknown strategy', { ...base(), strategy: 'rolling' }, 'strategy'],
    ['missing service', { ...base(), service: undefined }, 'service'],
    ['bad service name', { ...base(), service: 'pay ments!' }, 'service'],
    ['same version', { ...base(), toVersion: 'pkg:oci/payments@1.0.0' }, 'toVersion'],
    ['missing target', { ...base(), target: undefined }, 'target'],
    ['unknown target type', { ...base(), target: { type: 'ssh' } }, 'target.type'],
    ['webhook without url', { ...base(), target: { type: 'webhook' } }, 'target.url'],
    ['webhook with credentials in the url', { ...base(), target: { type: 'webhook', url: 'https://u:p@x.example' } }, 'target.url'],
    ['webhook with a ftp url', { ...base(), target: { type: 'webhook', url: 'ftp://x.example' } }, 'target.url'],
    ['unknown field at the top', { ...base(), replicas: 3 }, 'replicas'],
    ['no steps', { ...base(), steps: [] }, 'steps'],
    ['weight over 100', { ...base(), steps: [{ setWeight: 120 }] }, 'steps[0].setWeight'],
    ['two kinds in one step', { ...base(), steps: [{ setWeight: 10, pause: {} }] }, 'steps[0]'],
    ['unknown step', { ...base(), steps: [{ sleep: 5 }] }, 'steps[0].sleep'],
    ['bad pause duration', { ...base(), steps: [{ pause: { duration: 'soon' } }] }, 'steps[0].pause.duration'],
    ['gate without name', { ...base(), steps: [{ gate: {} }] }, 'steps[0].gate.name'],
    ['bad onTimeout', { ...base(), steps: [{ gate: { name: 'g', onTimeout: 'explode' } }] }, 'steps[0].gate.onTimeout'],
    [
      'duplicate gate names',
      { ...base(), steps: [{ gate: { name: 'g' } }, { gate: { name: 'g' } }] },
      'steps[1].gate.name',
    ],
    ['unknown template', { ...base(), steps: [{ analysis: { templates: ['nope'] } }] }, 'steps[0].analysis.templates[0]'],
    ['missing argument value', { ...base(), steps: [{ analysis: { templates: ['errors'] } }] }, 'steps[0].analysis.args'],
    ['bad progress deadline', { ...base(), progressDeadlineSeconds: -1 }, 'progressDeadlineSeconds'],
    ['bad onAnalysisFailure', { ...base(), onAnalysisFailure: 'ignore' }, 'onAnalysisFailure'],
    ['background analysis starting past the end', { ...base(), analysis: { templates: ['errors'], args: [{ name: 'svc', value: 'x' }], startingStep: 9 } }, 'analysis.startingStep'],
  ])('names the field: %s', (_name, input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it('names the metric field of a broken condition, provider or limit', () => {
    const withMetric = (metric: Record<string, unknown>) => {
      const spec = base();
      spec.analysisTemplates[0]!.metrics[0] = { ...spec.analysisTemplates[0]!.metrics[0]!, ...metric } as never;
      return spec;
    };
    expect(fieldOf(withMetric({ successCondition: 'result <' }))).toBe('analysisTemplates[0].metrics[0].successCondition');
    expect(fieldOf(withMetric({ successCondition: 'result.constructor' }))).toBe('analysisTemplates[0].metrics[0].successCondition');
    expect(fieldOf(withMetric({ failureLimit: -2 }))).toBe('analysisTemplates[0].metrics[0].failureLimit');
    expect(fieldOf(withMetric({ interval: '5 fortnights' }))).toBe('analysisTemplates[0].metrics[0].interval');
    expect(fieldOf(withMetric({ provider: { type: 'graphite' } }))).toBe('analysisTemplates[0].metrics[0].provider.type');
    expect(fieldOf(withMetric({ provider: { type: 'http', url: 'https://x.example/m' } }))).toBe('analysisTemplates[0].metrics[0].provider.jsonPath');
    expect(fieldOf(withMetric({ successCondition: undefined, failureCondition: undefined }))).toBe('analysisTemplates[0].metrics[0].successCondition');
  });

  it('refuses blue-green fields on a canary and canary steps on a blue-green', () => {
    expect(fieldOf({ ...base(), scaleDownDelaySeconds: 30 })).toBe('scaleDownDelaySeconds');
    const { steps, ...rest } = base();
    expect(fieldOf({ ...rest, strategy: 'blueGreen', steps })).toBe('steps');
  });
});
