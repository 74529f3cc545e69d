import { ValidationError } from '../errors';
import type { MetricValue } from '../ports/metric-providers';
import { parseDuration } from './duration';
import { compileCondition } from './expression';
import type { AnalysisPhase, AnalysisRef, AnalysisRunStatus, AnalysisTemplate, Measurement, MetricProviderSpec, MetricResult, MetricSpec } from './model';

/**
 * Argo Rollouts AnalysisRun semantics, as pure functions over the status documents in `model.ts`:
 * resolving templates, judging one measurement, folding it into a metric's result, scheduling the
 * next one and summing a run up for people.
 */

/** Measurements kept per metric; the counters stay exact beyond it (Argo keeps 10 by default). */
export const MAX_MEASUREMENTS = 50;
/** Argo's default `consecutiveErrorLimit`. */
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
/** Minimum samples for the `signalbox` provider when the metric does not say. */
export const DEFAULT_SIGNALBOX_MIN_SAMPLES = 20;
/** Retry delay after an errored measurement of a metric without an interval (Argo: 10 s). */
export const ERROR_RETRY_SECONDS = 10;

const TERMINAL: readonly AnalysisPhase[] = ['Successful', 'Failed', 'Error', 'Inconclusive'];
const ARG = /\{\{\s*args\.([A-Za-z0-9._-]+)\s*\}\}/g;

/** True for the phases after which a metric (or run) takes no more measurements. */
export function isTerminalPhase(phase: AnalysisPhase): boolean {
  return TERMINAL.includes(phase);
}

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

function substitute<T>(value: T, lookup: (name: string) => string): T {
  if (typeof value === 'string') return value.replace(ARG, (_, name: string) => lookup(name)) as T;
  if (Array.isArray(value)) return value.map((v) => substitute(v, lookup)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, lookup)])) as T;
  }
  return value;
}

/**
 * The metrics an analysis reference runs: the referenced templates' metrics in order, with every
 * `{{args.<name>}}` in their providers replaced. An argument's value comes from `ref.args`, else
 * from the template's default. Pure; returns new objects.
 *
 * @throws ValidationError on `${field}.templates[i]` (`unknown_template`) for a template that does
 *   not exist, on `${field}.args` (`missing_argument`) for a declared argument or placeholder
 *   without a value, and on `${field}.templates[i]` (`duplicate_metric`) when two templates define
 *   a metric of the same name.
 */
export function resolveMetrics(ref: AnalysisRef, templates: AnalysisTemplate[], field: string): MetricSpec[] {
  const given = new Map((ref.args ?? []).map((a) => [a.name, a.value]));
  const seen = new Map<string, string>();
  const metrics: MetricSpec[] = [];
  ref.templates.forEach((templateName, i) => {
    const at = `${field}.templates[${i}]`;
    const template = templates.find((t) => t.name === templateName);
    if (!template) {
      const known = templates.map((t) => t.name);
      throw new ValidationError(
        `${at}: unknown analysis template ${templateName}${known.length ? ` (known: ${known.join(', ')})` : ' (the spec defines no analysisTemplates)'}`,
        at,
        'unknown_template',
      );
    }
    const values = new Map<string, string>();
    for (const arg of template.args ?? []) {
      const value = given.get(arg.name) ?? arg.value;
      if (value === undefined) {
        throw new ValidationError(`${field}.args: argument ${arg.name} of template ${template.name} has no value`, `${field}.args`, 'missing_argument');
      }
      values.set(arg.name, value);
    }
    for (const metric of template.metrics) {
      const other = seen.get(metric.name);
      if (other !== undefined) {
        throw new ValidationError(
          `${at}: metric ${metric.name} of template ${template.name} is also defined by template ${other}`,
          at,
          'duplicate_metric',
        );
      }
      seen.set(metric.name, template.name);
      const provider = substitute(metric.provider, (name) => {
        const value = values.get(name) ?? given.get(name);
        if (value === undefined) {
          throw new ValidationError(
            `${field}.args: {{args.${name}}} in metric ${metric.name} of template ${template.name} has no value`,
            `${field}.args`,
            'missing_argument',
          );
        }
        return value;
      });
      metrics.push({ ...metric, provider });
    }
  });
  return metrics;
}

// ---------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------

/** A metric's result before its first measurement. */
export function newMetricResult(name: string): MetricResult {
  return { name, phase: 'Pending', measurements: [], successful: 0, failed: 0, inconclusive: 0, error: 0, consecutiveError: 0 };
}

const compiled = new Map<string, (result: unknown) => boolean>();

function condition(source: string, field: string): (result: unknown) => boolean {
  let fn = compiled.get(source);
  if (!fn) {
    fn = compileCondition(source, field);
    if (compiled.size >= 500) compiled.clear();
    compiled.set(source, fn);
  }
  return fn;
}

/** The minimum-sample rule's threshold for a metric (0 = no minimum). */
export function minimumSamples(metric: MetricSpec): number {
  return metric.minSamples ?? (metric.provider.type === 'signalbox' ? DEFAULT_SIGNALBOX_MIN_SAMPLES : 0);
}

function sampleWord(provider: MetricProviderSpec): string {
  return provider.type === 'signalbox' ? 'requests' : 'samples';
}

/**
 * Judges one measurement (Argo's rules):
 * - a provider error, a value that is not a finite number, or a condition that cannot be
 *   evaluated → Error;
 * - `failureCondition` true → Failed;
 * - `successCondition` true → Successful, false → Failed when it is the only condition;
 * - only `failureCondition`, and it is false → Successful;
 * - both conditions and neither holds → Inconclusive.
 *
 * The minimum-sample rule then withholds success: when the provider reported `samples` below
 * {@link minimumSamples}, a Successful or Inconclusive verdict (or a missing value) becomes
 * Inconclusive ("only 7 requests (need 20)"). A Failed verdict stays Failed: at low traffic a bad
 * canary is still not evidence of a good one, and rolling back is the safe side.
 */
export function assessMeasurement(
  metric: MetricSpec,
  outcome: { value: MetricValue } | { error: string },
  startedAt: string,
  finishedAt: string,
): Measurement {
  const base = { startedAt, finishedAt };
  if ('error' in outcome) return { phase: 'Error', value: null, ...base, message: outcome.error };
  const { value, samples } = outcome.value;
  const withSamples = samples === undefined ? {} : { samples };
  const min = minimumSamples(metric);
  const tooFew = samples !== undefined && samples < min;
  const tooFewMessage = `only ${samples} ${sampleWord(metric.provider)} (need ${min})`;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    if (tooFew) return { phase: 'Inconclusive', value: null, ...withSamples, ...base, message: tooFewMessage };
    return { phase: 'Error', value: null, ...withSamples, ...base, message: `the provider returned ${String(value)}, not a finite number` };
  }
  const measured = { value, ...withSamples, ...base };
  const { successCondition: success, failureCondition: failure } = metric;
  let phase: AnalysisPhase;
  let message: string;
  try {
    if (failure && condition(failure, `${metric.name}.failureCondition`)(value)) {
      phase = 'Failed';
      message = `failureCondition ${failure}`;
    } else if (success) {
      const ok = condition(success, `${metric.name}.successCondition`)(value);
      if (ok) {
        phase = 'Successful';
        message = `successCondition ${success}`;
      } else if (failure) {
        phase = 'Inconclusive';
        message = `neither successCondition ${success} nor failureCondition ${failure} holds`;
      } else {
        phase = 'Failed';
        message = `successCondition ${success} is false`;
      }
    } else if (failure) {
      phase = 'Successful';
      message = `failureCondition ${failure} is false`;
    } else {
      return { phase: 'Error', ...measured, message: 'the metric has neither successCondition nor failureCondition' };
    }
  } catch (error) {
    const which = error instanceof ValidationError ? 'an invalid condition' : 'the condition';
    return { phase: 'Error', ...measured, message: `${which} could not be evaluated: ${(error as Error).message}` };
  }
  if (tooFew) {
    if (phase === 'Failed') return { phase, ...measured, message: `${message} (only ${samples} ${sampleWord(metric.provider)})` };
    return { phase: 'Inconclusive', ...measured, message: tooFewMessage };
  }
  return { phase, ...measured, message };
}

/** Measurements counted towards `count`: Argo counts every measurement except errored ones. */
function counted(result: MetricResult): number {
  return result.successful + result.failed + result.inconclusive;
}

/** `count` as Argo applies it: the given count, else 1 without an interval, else unbounded (background). */
export function effectiveCount(metric: MetricSpec): number | null {
  if (metric.count !== undefined) return metric.count;
  return metric.interval === undefined ? 1 : null;
}

/**
 * Folds a measurement into a metric's result and re-assesses its phase (Argo's order): Failed when
 * failed > `failureLimit` (0); Inconclusive when inconclusive > `inconclusiveLimit` (0); Error when
 * consecutive errors > `consecutiveErrorLimit` (4); Successful once {@link effectiveCount}
 * non-error measurements were taken; else Running. Any non-error measurement resets the
 * consecutive-error counter. Keeps the last {@link MAX_MEASUREMENTS} measurements; counters stay
 * exact. Pure: returns a new result.
 */
export function recordMeasurement(metric: MetricSpec, result: MetricResult, m: Measurement): MetricResult {
  const next: MetricResult = {
    ...result,
    measurements: [...result.measurements, m].slice(-MAX_MEASUREMENTS),
  };
  switch (m.phase) {
    case 'Successful':
      next.successful++;
      next.consecutiveError = 0;
      break;
    case 'Failed':
      next.failed++;
      next.consecutiveError = 0;
      break;
    case 'Inconclusive':
      next.inconclusive++;
      next.consecutiveError = 0;
      break;
    case 'Error':
      next.error++;
      next.consecutiveError++;
      break;
    default:
      return next;
  }
  const failureLimit = metric.failureLimit ?? 0;
  const inconclusiveLimit = metric.inconclusiveLimit ?? 0;
  const errorLimit = metric.consecutiveErrorLimit ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT;
  const count = effectiveCount(metric);
  delete next.message;
  if (next.failed > failureLimit) {
    next.phase = 'Failed';
    next.message = `failed (${next.failed}) > failureLimit (${failureLimit})`;
  } else if (next.inconclusive > inconclusiveLimit) {
    next.phase = 'Inconclusive';
    next.message = `inconclusive (${next.inconclusive}) > inconclusiveLimit (${inconclusiveLimit})`;
  } else if (next.consecutiveError > errorLimit) {
    next.phase = 'Error';
    next.message = `consecutive errors (${next.consecutiveError}) > consecutiveErrorLimit (${errorLimit})${m.message ? `: ${m.message}` : ''}`;
  } else if (count !== null && counted(next) >= count) {
    next.phase = 'Successful';
    next.message = `count (${count}) reached`;
  } else {
    next.phase = 'Running';
  }
  return next;
}

/**
 * Ends a metric that runs until stopped (background analysis) or is stopped early: like Argo's
 * terminating run, a Pending or Running metric becomes Successful; a terminal one is unchanged.
 */
export function terminateMetric(result: MetricResult): MetricResult {
  if (isTerminalPhase(result.phase)) return result;
  return { ...result, phase: 'Successful', message: 'metric terminated' };
}

function addSeconds(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1_000).toISOString();
}

/**
 * When the next measurement of a metric is due (ISO 8601): the first at `runStartedAt` +
 * `initialDelay`, the next at the previous measurement's `finishedAt` + `interval` (after an
 * errored measurement without an interval: + {@link ERROR_RETRY_SECONDS}). `null` once the metric
 * is in a terminal phase. A background metric (interval, no count) is always due again.
 */
export function nextMeasurementAt(metric: MetricSpec, result: MetricResult, runStartedAt: string): string | null {
  if (isTerminalPhase(result.phase)) return null;
  const last = result.measurements.at(-1);
  if (!last) {
    const delay = metric.initialDelay === undefined ? 0 : parseDuration(metric.initialDelay, `${metric.name}.initialDelay`);
    return addSeconds(runStartedAt, delay);
  }
  const count = effectiveCount(metric);
  if (count !== null && counted(result) >= count) return null;
  if (metric.interval !== undefined) return addSeconds(last.finishedAt, parseDuration(metric.interval, `${metric.name}.interval`));
  return addSeconds(last.finishedAt, last.phase === 'Error' ? ERROR_RETRY_SECONDS : 0);
}

/**
 * The phase of a run from its metrics, worst first: any Failed → Failed, else any Error → Error,
 * else any Inconclusive → Inconclusive, else all Successful → Successful; Pending while nothing
 * has been measured, else Running.
 */
export function analysisPhase(results: MetricResult[]): AnalysisPhase {
  for (const phase of ['Failed', 'Error', 'Inconclusive'] as const) {
    if (results.some((r) => r.phase === phase)) return phase;
  }
  if (results.length > 0 && results.every((r) => r.phase === 'Successful')) return 'Successful';
  if (results.every((r) => r.phase === 'Pending' && r.measurements.length === 0)) return 'Pending';
  return 'Running';
}

// ---------------------------------------------------------------------------------------------
// Words for people
// ---------------------------------------------------------------------------------------------

/** A measured number as people read it: `0.31`, `0.0123`, `1234.5`. */
export function formatValue(value: number | null): string {
  if (value === null) return 'no value';
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  const digits = Math.abs(value) >= 1 ? Number(value.toFixed(2)) : Number(value.toPrecision(3));
  return String(digits);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describeMetric(r: MetricResult): string {
  const total = r.successful + r.failed + r.inconclusive + r.error;
  const last = r.measurements.at(-1);
  const lastOf = (phase: AnalysisPhase) => [...r.measurements].reverse().find((m) => m.phase === phase) ?? last;
  const detail = (m: Measurement | undefined) => {
    if (!m) return '';
    if (m.phase === 'Error' || m.value === null) return m.message ?? 'no value';
    return m.message ? `${formatValue(m.value)} (${m.message})` : formatValue(m.value);
  };
  switch (r.phase) {
    case 'Failed':
      return `${r.name} Failed: ${detail(lastOf('Failed'))}, ${r.failed} of ${plural(total, 'measurement')} failed`;
    case 'Inconclusive':
      return `${r.name} Inconclusive: ${detail(lastOf('Inconclusive'))}, ${r.inconclusive} of ${plural(total, 'measurement')} inconclusive`;
    case 'Error':
      return `${r.name} Error: ${detail(lastOf('Error'))}, ${plural(r.consecutiveError, 'consecutive error')}`;
    case 'Successful':
      return last ? `${r.name} Successful: ${detail(last)}, ${r.successful} of ${plural(total, 'measurement')} successful` : `${r.name} Successful`;
    case 'Running':
      return last ? `${r.name} Running: last ${detail(last)}, ${plural(total, 'measurement')} so far` : `${r.name} Running`;
    case 'Pending':
      return `${r.name} Pending: no measurement yet`;
  }
}

/**
 * One line for the rollout message, led by the metric that decides the run's phase, e.g.
 * "error-rate Failed: 0.31 (failureCondition result > 0.05), 2 of 3 measurements failed".
 */
export function describeAnalysis(run: AnalysisRunStatus): string {
  const phase = run.metrics.length ? analysisPhase(run.metrics) : run.phase;
  if (run.metrics.length === 0) return `analysis ${phase}: no metrics`;
  if (phase === 'Successful') {
    if (run.metrics.length === 1) return describeMetric(run.metrics[0]!);
    return `analysis Successful: ${run.metrics.map((r) => `${r.name} ${formatValue(r.measurements.at(-1)?.value ?? null)}`).join(', ')}`;
  }
  if (phase === 'Pending') return `analysis Pending: ${plural(run.metrics.length, 'metric')}, no measurement yet`;
  const lead = run.metrics.find((r) => r.phase === phase) ?? run.metrics.find((r) => r.phase === 'Running') ?? run.metrics[0]!;
  const others = run.metrics.filter((r) => r !== lead && r.phase !== 'Successful' && r.phase !== 'Pending' && r.phase !== 'Running').length;
  return others > 0 ? `${describeMetric(lead)} (and ${plural(others, 'more metric')} not successful)` : describeMetric(lead);
}
