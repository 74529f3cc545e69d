import { ValidationError } from '../errors';
import { resolveMetrics } from './analysis';
import { parseDuration } from './duration';
import { compileCondition } from './expression';
import type {
  AnalysisRef,
  AnalysisTemplate,
  BlueGreenSpec,
  CanarySpec,
  CanaryStep,
  MetricProviderSpec,
  MetricSpec,
  RolloutSpec,
  TargetSpec,
} from './model';

/** Most steps a canary may have; more is a mistake, not a plan. */
export const MAX_STEPS = 100;
const NAME = /^[a-z0-9]([a-z0-9._-]{0,126}[a-z0-9])?$/i;

type Obj = Record<string, unknown>;

function fail(field: string, message: string, code = 'invalid_spec'): never {
  throw new ValidationError(`${field}: ${message}`, field, code);
}

function object(value: unknown, field: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'must be an object');
  return value as Obj;
}

function onlyKeys(obj: Obj, field: string, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(field ? `${field}.${key}` : key, `unknown field (allowed: ${allowed.join(', ')})`);
  }
}

function string(obj: Obj, key: string, field: string, opts: { required?: boolean; pattern?: RegExp; max?: number } = {}): string | undefined {
  const value = obj[key];
  const at = field ? `${field}.${key}` : key;
  if (value === undefined || value === null) {
    if (opts.required) fail(at, 'is required', 'required');
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') fail(at, 'must be a non-empty string');
  if (value.length > (opts.max ?? 2048)) fail(at, `must be at most ${opts.max ?? 2048} characters`);
  if (opts.pattern && !opts.pattern.test(value)) fail(at, `must match ${opts.pattern}`);
  return value;
}

function integer(obj: Obj, key: string, field: string, min: number, max: number): number | undefined {
  const value = obj[key];
  const at = field ? `${field}.${key}` : key;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(at, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function boolean(obj: Obj, key: string, field: string): boolean | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') fail(field ? `${field}.${key}` : key, 'must be true or false');
  return value;
}

function oneOf<T extends string>(obj: Obj, key: string, field: string, values: readonly T[]): T | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !values.includes(value as T)) fail(field ? `${field}.${key}` : key, `must be one of ${values.join(', ')}`);
  return value as T;
}

function duration(obj: Obj, key: string, field: string): string | number | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  const at = field ? `${field}.${key}` : key;
  if (typeof value !== 'string' && typeof value !== 'number') fail(at, 'must be a duration like "30s", "5m" or a number of seconds');
  parseDuration(value, at);
  return value;
}

function url(obj: Obj, key: string, field: string, required: boolean): string | undefined {
  const value = string(obj, key, field, { required });
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return fail(`${field}.${key}`, 'must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') fail(`${field}.${key}`, 'must be an http(s) URL');
  if (parsed.username || parsed.password) fail(`${field}.${key}`, 'must not carry credentials; use secretName or headers');
  return value;
}

function stringMap(obj: Obj, key: string, field: string): Record<string, string> | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  const map = object(value, `${field}.${key}`);
  for (const [k, v] of Object.entries(map)) {
    if (typeof v !== 'string') fail(`${field}.${key}.${k}`, 'must be a string');
  }
  return map as Record<string, string>;
}

function parseTarget(value: unknown): TargetSpec {
  const t = object(value, 'target');
  const type = oneOf(t, 'type', 'target', ['webhook', 'lambda-alias', 'local-proxy'] as const);
  if (!type) fail('target.type', 'is required (webhook, lambda-alias or local-proxy)', 'required');
  switch (type) {
    case 'webhook':
      onlyKeys(t, 'target', ['type', 'url', 'secretName', 'timeoutSeconds', 'retries', 'metadata']);
      return dropUndefined({
        type,
        url: url(t, 'url', 'target', true)!,
        secretName: string(t, 'secretName', 'target', { pattern: /^[A-Za-z0-9/_+=.@-]{1,256}$/ }),
        timeoutSeconds: integer(t, 'timeoutSeconds', 'target', 1, 60),
        retries: integer(t, 'retries', 'target', 0, 10),
        metadata: stringMap(t, 'metadata', 'target'),
      });
    case 'lambda-alias':
      onlyKeys(t, 'target', ['type', 'functionName', 'alias', 'region']);
      return dropUndefined({
        type,
        functionName: string(t, 'functionName', 'target', { required: true, max: 170 })!,
        alias: string(t, 'alias', 'target', { required: true, pattern: /^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/ })!,
        region: string(t, 'region', 'target', { pattern: /^[a-z]{2}(-[a-z]+)+-\d$/ }),
      });
    case 'local-proxy':
      onlyKeys(t, 'target', ['type', 'proxy']);
      return { type, proxy: string(t, 'proxy', 'target', { required: true, pattern: NAME })! };
  }
}

function parseProvider(value: unknown, field: string): MetricProviderSpec {
  const p = object(value, field);
  const type = oneOf(p, 'type', field, ['signalbox', 'http', 'prometheus', 'cloudwatch-metric', 'cloudwatch-alarm'] as const);
  if (!type) fail(`${field}.type`, 'is required (signalbox, http, prometheus, cloudwatch-metric or cloudwatch-alarm)', 'required');
  switch (type) {
    case 'signalbox': {
      onlyKeys(p, field, ['type', 'query', 'version']);
      const query = oneOf(p, 'query', field, ['error-rate', 'success-rate', 'request-count', 'latency-p95-ms'] as const);
      if (!query) fail(`${field}.query`, 'is required', 'required');
      return dropUndefined({ type, query, version: oneOf(p, 'version', field, ['canary', 'stable'] as const) });
    }
    case 'http':
      onlyKeys(p, field, ['type', 'url', 'jsonPath', 'headers', 'timeoutSeconds']);
      return dropUndefined({
        type,
        url: url(p, 'url', field, true)!,
        jsonPath: string(p, 'jsonPath', field, { required: true, pattern: /^\$/ })!,
        headers: stringMap(p, 'headers', field),
        timeoutSeconds: integer(p, 'timeoutSeconds', field, 1, 60),
      });
    case 'prometheus':
      onlyKeys(p, field, ['type', 'address', 'query', 'timeoutSeconds']);
      return dropUndefined({
        type,
        address: url(p, 'address', field, true)!,
        query: string(p, 'query', field, { required: true, max: 8192 })!,
        timeoutSeconds: integer(p, 'timeoutSeconds', field, 1, 60),
      });
    case 'cloudwatch-metric':
      onlyKeys(p, field, ['type', 'namespace', 'metricName', 'dimensions', 'stat', 'periodSeconds', 'region']);
      return dropUndefined({
        type,
        namespace: string(p, 'namespace', field, { required: true, max: 255 })!,
        metricName: string(p, 'metricName', field, { required: true, max: 255 })!,
        dimensions: stringMap(p, 'dimensions', field),
        stat: string(p, 'stat', field, { required: true, max: 64 })!,
        periodSeconds: integer(p, 'periodSeconds', field, 1, 86_400),
        region: string(p, 'region', field),
      });
    case 'cloudwatch-alarm':
      onlyKeys(p, field, ['type', 'alarmName', 'region']);
      return dropUndefined({ type, alarmName: string(p, 'alarmName', field, { required: true, max: 255 })!, region: string(p, 'region', field) });
  }
}

function parseMetric(value: unknown, field: string): MetricSpec {
  const m = object(value, field);
  onlyKeys(m, field, [
    'name',
    'provider',
    'interval',
    'count',
    'initialDelay',
    'successCondition',
    'failureCondition',
    'failureLimit',
    'inconclusiveLimit',
    'consecutiveErrorLimit',
    'minSamples',
  ]);
  const successCondition = string(m, 'successCondition', field, { max: 1024 });
  const failureCondition = string(m, 'failureCondition', field, { max: 1024 });
  if (successCondition) compileCondition(successCondition, `${field}.successCondition`);
  if (failureCondition) compileCondition(failureCondition, `${field}.failureCondition`);
  if (!successCondition && !failureCondition) fail(`${field}.successCondition`, 'a metric needs successCondition or failureCondition', 'required');
  if (m.provider === undefined) fail(`${field}.provider`, 'is required', 'required');
  return dropUndefined({
    name: string(m, 'name', field, { required: true, pattern: NAME })!,
    provider: parseProvider(m.provider, `${field}.provider`),
    interval: duration(m, 'interval', field),
    count: integer(m, 'count', field, 1, 10_000),
    initialDelay: duration(m, 'initialDelay', field),
    successCondition,
    failureCondition,
    failureLimit: integer(m, 'failureLimit', field, 0, 10_000),
    inconclusiveLimit: integer(m, 'inconclusiveLimit', field, 0, 10_000),
    consecutiveErrorLimit: integer(m, 'consecutiveErrorLimit', field, 0, 10_000),
    minSamples: integer(m, 'minSamples', field, 0, 1_000_000),
  });
}

function parseTemplates(value: unknown): AnalysisTemplate[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail('analysisTemplates', 'must be a list');
  const names = new Set<string>();
  return value.map((item, i) => {
    const field = `analysisTemplates[${i}]`;
    const t = object(item, field);
    onlyKeys(t, field, ['name', 'args', 'metrics']);
    const name = string(t, 'name', field, { required: true, pattern: NAME })!;
    if (names.has(name)) fail(`${field}.name`, `duplicate template name ${name}`);
    names.add(name);
    if (!Array.isArray(t.metrics) || t.metrics.length === 0) fail(`${field}.metrics`, 'must be a non-empty list', 'required');
    const args = t.args === undefined ? undefined : parseArgs(t.args, `${field}.args`, false);
    return dropUndefined({ name, args, metrics: t.metrics.map((metric, j) => parseMetric(metric, `${field}.metrics[${j}]`)) });
  });
}

function parseArgs(value: unknown, field: string, valueRequired: boolean): { name: string; value: string }[] {
  if (!Array.isArray(value)) fail(field, 'must be a list of {name, value}');
  return value.map((item, i) => {
    const a = object(item, `${field}[${i}]`);
    onlyKeys(a, `${field}[${i}]`, ['name', 'value']);
    const name = string(a, 'name', `${field}[${i}]`, { required: true, pattern: NAME })!;
    const argValue = a.value;
    if (argValue === undefined && !valueRequired) return { name } as { name: string; value: string };
    if (typeof argValue !== 'string') fail(`${field}[${i}].value`, 'must be a string', 'required');
    return { name, value: argValue };
  });
}

function parseAnalysisRef(value: unknown, field: string, templates: AnalysisTemplate[], extra: readonly string[] = []): AnalysisRef {
  const a = object(value, field);
  onlyKeys(a, field, ['templates', 'args', ...extra]);
  if (!Array.isArray(a.templates) || a.templates.length === 0) fail(`${field}.templates`, 'must name at least one analysis template', 'required');
  const ref: AnalysisRef = {
    templates: a.templates.map((t, i) => {
      if (typeof t !== 'string' || !NAME.test(t)) fail(`${field}.templates[${i}]`, 'must be a template name');
      return t;
    }),
    ...(a.args === undefined ? {} : { args: parseArgs(a.args, `${field}.args`, true) }),
  };
  // Resolving proves every template exists and every argument has a value, with the field named.
  resolveMetrics(ref, templates, field);
  return ref;
}

function parseStep(value: unknown, field: string, templates: AnalysisTemplate[]): CanaryStep {
  const s = object(value, field);
  const keys = Object.keys(s);
  if (keys.length !== 1) fail(field, 'a step has exactly one of setWeight, pause, analysis, gate');
  const kind = keys[0]!;
  switch (kind) {
    case 'setWeight':
      return { setWeight: integer(s, 'setWeight', field, 0, 100)! };
    case 'pause': {
      const p = object(s.pause, `${field}.pause`);
      onlyKeys(p, `${field}.pause`, ['duration']);
      const d = duration(p, 'duration', `${field}.pause`);
      return { pause: d === undefined ? {} : { duration: d } };
    }
    case 'analysis':
      return { analysis: parseAnalysisRef(s.analysis, `${field}.analysis`, templates) };
    case 'gate': {
      const g = object(s.gate, `${field}.gate`);
      onlyKeys(g, `${field}.gate`, ['name', 'timeout', 'onTimeout']);
      return {
        gate: dropUndefined({
          name: string(g, 'name', `${field}.gate`, { required: true, pattern: NAME })!,
          timeout: duration(g, 'timeout', `${field}.gate`),
          onTimeout: oneOf(g, 'onTimeout', `${field}.gate`, ['abort', 'promote'] as const),
        }),
      };
    }
    default:
      return fail(`${field}.${kind}`, 'unknown step (use setWeight, pause, analysis or gate)');
  }
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const COMMON_KEYS = [
  'strategy',
  'service',
  'environment',
  'fromVersion',
  'toVersion',
  'target',
  'progressDeadlineSeconds',
  'onAnalysisFailure',
  'analysisTemplates',
  'description',
] as const;

/**
 * Validates a rollout spec as submitted (`POST /api/rollouts`) and returns it normalised. Throws
 * `ValidationError` naming the first field at fault as a path (`steps[2].setWeight`,
 * `target.url`, `analysisTemplates[0].metrics[1].successCondition`). Pure; no I/O.
 */
export function parseRolloutSpec(input: unknown): RolloutSpec {
  const s = object(input, 'spec');
  const strategy = oneOf(s, 'strategy', '', ['canary', 'blueGreen'] as const);
  if (!strategy) fail('strategy', 'is required (canary or blueGreen)', 'required');
  const service = string(s, 'service', '', { required: true, pattern: NAME })!;
  const environment = string(s, 'environment', '', { required: true, pattern: NAME })!;
  const toVersion = string(s, 'toVersion', '', { required: true })!;
  const fromVersion = string(s, 'fromVersion', '') ?? null;
  if (fromVersion !== null && fromVersion === toVersion) fail('toVersion', 'is the version already running (fromVersion)');
  if (s.target === undefined) fail('target', 'is required', 'required');
  const target = parseTarget(s.target);
  const analysisTemplates = parseTemplates(s.analysisTemplates);
  const common = dropUndefined({
    service,
    environment,
    fromVersion,
    toVersion,
    target,
    progressDeadlineSeconds: integer(s, 'progressDeadlineSeconds', '', 1, 86_400),
    onAnalysisFailure: oneOf(s, 'onAnalysisFailure', '', ['abort', 'pause'] as const),
    analysisTemplates: analysisTemplates.length ? analysisTemplates : undefined,
    description: string(s, 'description', '', { max: 2000 }),
  });

  if (strategy === 'canary') {
    onlyKeys(s, '', [...COMMON_KEYS, 'steps', 'analysis']);
    if (!Array.isArray(s.steps) || s.steps.length === 0) fail('steps', 'a canary needs at least one step', 'required');
    if (s.steps.length > MAX_STEPS) fail('steps', `at most ${MAX_STEPS} steps`);
    const steps = s.steps.map((step, i) => parseStep(step, `steps[${i}]`, analysisTemplates));
    const gates = new Set<string>();
    steps.forEach((step, i) => {
      if ('gate' in step) {
        if (gates.has(step.gate.name)) fail(`steps[${i}].gate.name`, `duplicate gate name ${step.gate.name}`);
        gates.add(step.gate.name);
      }
    });
    const spec: CanarySpec = { strategy, ...common, steps };
    if (s.analysis !== undefined) {
      const ref = parseAnalysisRef(s.analysis, 'analysis', analysisTemplates, ['startingStep']);
      const startingStep = integer(s.analysis as Obj, 'startingStep', 'analysis', 0, steps.length - 1);
      spec.analysis = dropUndefined({ templates: ref.templates, args: ref.args, startingStep });
    }
    return spec;
  }

  onlyKeys(s, '', [
    ...COMMON_KEYS,
    'previewTarget',
    'autoPromotionEnabled',
    'autoPromotionSeconds',
    'prePromotionAnalysis',
    'postPromotionAnalysis',
    'scaleDownDelaySeconds',
    'abortScaleDownDelaySeconds',
  ]);
  const spec: BlueGreenSpec = dropUndefined({
    strategy,
    ...common,
    previewTarget: string(s, 'previewTarget', ''),
    autoPromotionEnabled: boolean(s, 'autoPromotionEnabled', ''),
    autoPromotionSeconds: integer(s, 'autoPromotionSeconds', '', 0, 7 * 86_400),
    prePromotionAnalysis: s.prePromotionAnalysis === undefined ? undefined : parseAnalysisRef(s.prePromotionAnalysis, 'prePromotionAnalysis', analysisTemplates),
    postPromotionAnalysis: s.postPromotionAnalysis === undefined ? undefined : parseAnalysisRef(s.postPromotionAnalysis, 'postPromotionAnalysis', analysisTemplates),
    scaleDownDelaySeconds: integer(s, 'scaleDownDelaySeconds', '', 0, 7 * 86_400),
    abortScaleDownDelaySeconds: integer(s, 'abortScaleDownDelaySeconds', '', 0, 7 * 86_400),
  });
  return spec;
}
