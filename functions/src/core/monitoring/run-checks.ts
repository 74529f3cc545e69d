import { toCheckSpec } from '../config/check-spec';
import type { CheckConfig } from '../config/model';
import type { BusEvent } from '../ports/event-bus';
import type { MonitoringDeps } from './deps';
import type { CheckResult, CheckStatus } from './model';
import { runCheck } from './run-check';
import { applyAlertObservations, observeCheckRules } from './check-alerts';
import type { AlertObservation, AlertTransition } from '../alerts/model';

/** `source` of monitoring observations on the bus. */
export const MONITORING_BUS_SOURCE = 'signalbox.monitoring';
/**
 * `detail-type` of a check result on the bus. Deliberately NOT a CDEvent: results arrive every few
 * seconds per check and would flood the event timeline; status changes become CDEvents through
 * alerts instead.
 */
export const OBSERVATION_DETAIL_TYPE = 'SignalboxObservation';

/** The detail of a `SignalboxObservation` bus event. */
export interface ObservationDetail {
  checkId: string;
  checkType: CheckConfig['type'];
  service: string | null;
  environment: string | null;
  labels: Record<string, string>;
  status: CheckStatus;
  message: string;
  metrics: Record<string, number>;
  durationMs: number;
  checkedAt: string;
}

export interface RunChecksInput {
  /** Run every check now, ignoring intervals (an operator's "run now", tests). */
  force?: boolean;
  /**
   * How early a check may run before its interval has passed, ms (default 500: timers drift). A
   * once-a-minute schedule whose ticks come a few seconds early passes more, so 60 s checks do not
   * run only every other minute.
   */
  dueSlackMs?: number;
}

/** Default slack of `isDue`. */
export const DEFAULT_DUE_SLACK_MS = 500;

/** One check that ran. */
export interface CheckRun {
  checkId: string;
  result: CheckResult;
}

export interface RunChecksOutput {
  /** The checks that ran, in config order. */
  ran: CheckRun[];
  /** Checks not due yet, and checks of environments an admin switched off. */
  skipped: string[];
  /** Problems of the config (the valid part still ran). */
  configErrors: readonly string[];
  /** Alert transitions the results caused (empty without an alert store). */
  alertTransitions: AlertTransition[];
}

const PUT_EVENTS_BATCH = 10;

/** Whether `check` is due at `now` after running at `lastRunAt`, up to `slackMs` early (timers drift). */
export function isDue(check: Pick<CheckConfig, 'intervalSeconds'>, lastRunAt: string | undefined, now: string, slackMs: number = DEFAULT_DUE_SLACK_MS): boolean {
  if (lastRunAt === undefined) return true;
  const elapsed = Date.parse(now) - Date.parse(lastRunAt);
  return Number.isNaN(elapsed) || elapsed >= check.intervalSeconds * 1000 - slackMs;
}

function unknownResult(message: string, checkedAt: string): CheckResult {
  return { status: 'unknown', metrics: {}, message, durationMs: 0, checkedAt };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** The environments switched off by an admin; none when unknown (a settings read that fails must not stop monitoring). */
async function disabledEnvironmentsOf(deps: MonitoringDeps): Promise<ReadonlySet<string>> {
  if (!deps.disabledEnvironments) return new Set();
  try {
    return await deps.disabledEnvironments();
  } catch (error) {
    deps.logger.error('reading disabled environments failed; running every check', { error: (error as Error).message });
    return new Set();
  }
}

/**
 * Runs every configured check whose interval is due (all with `force`) except those run by an
 * agent (`agent:` in the config; their results arrive through `ingestObservations`), at most
 * `deps.checkConcurrency` (default 8) at once; checks of an environment an admin switched off
 * (`deps.disabledEnvironments`) are skipped. Each result is recorded in the history store and
 * published on the bus as a `SignalboxObservation`; EVM and CCIP checks get their previous observation
 * (kept in `deps.monitorState`, carried over when the node is unreachable).
 *
 * Never throws for a check: a placeholder without a value, or a probe that fails unexpectedly,
 * gives an `unknown` result with the reason. A history write that fails is logged and the run goes
 * on; bus rejections are logged. Not idempotent in time (each run is a new observation).
 *
 * With `deps.alertStore`, the config's check and metric alert rules are applied to each result
 * (`for` counted from the first result where the condition held) and alert transitions are stored
 * and published as CDEvents (`check-alerts.ts`).
 */
export async function runChecks(deps: MonitoringDeps, input: RunChecksInput = {}): Promise<RunChecksOutput> {
  const snapshot = await deps.monitoringConfig.current();
  const now = deps.clock.now();
  const due: CheckConfig[] = [];
  const skipped: string[] = [];
  const disabled = await disabledEnvironmentsOf(deps);
  for (const check of snapshot.config.checks) {
    // An agent runs these and pushes their results (`ingestObservations`).
    if (check.agent !== undefined) continue;
    // An admin switched the check's environment off (settings): not run, reported as skipped.
    if (check.environment !== undefined && disabled.has(check.environment)) {
      skipped.push(check.name);
      continue;
    }
    const state = await deps.monitorState.get(check.name);
    if (input.force || isDue(check, state?.lastRunAt, now, input.dueSlackMs)) due.push(check);
    else skipped.push(check.name);
  }

  const observations: AlertObservation[][] = [];
  const ran = await mapLimit(due, deps.checkConcurrency ?? 8, async (check): Promise<CheckRun> => {
    const state = await deps.monitorState.get(check.name);
    let result: CheckResult;
    let previous = state?.previous ?? null;
    try {
      const spec = toCheckSpec(check, snapshot.placeholders);
      const out = await runCheck({ probes: deps.probes, clock: deps.clock }, { spec, previous });
      result = out.result;
      if (out.next) previous = out.next;
    } catch (error) {
      // A ValidationError here is a placeholder without a value; anything else is a probe bug.
      result = unknownResult(`check not run: ${(error as Error).message}`, deps.clock.now());
    }
    const rules = deps.alertStore ? observeCheckRules(snapshot.config.alerts, check, result, state?.conditionSince ?? {}) : null;
    if (rules) observations.push(rules.observations);
    await deps.monitorState.set(check.name, { lastRunAt: now, previous, ...(rules ? { conditionSince: rules.since } : {}) });
    try {
      await deps.checkHistory.record(check.name, result);
    } catch (error) {
      deps.logger.error('recording a check result failed', { check: check.name, error: (error as Error).message });
    }
    return { checkId: check.name, result };
  });

  await publishObservations(deps, snapshot.config.checks, ran);
  let alertTransitions: AlertTransition[] = [];
  try {
    alertTransitions = await applyAlertObservations(deps, observations.flat());
  } catch (error) {
    deps.logger.error('evaluating alert rules failed', { error: (error as Error).message });
  }
  return { ran, skipped, configErrors: snapshot.errors, alertTransitions };
}

/**
 * Publishes check results as `SignalboxObservation` bus events (10 per call), the detail built from
 * the check's config. Never throws: rejections and failures are logged. Shared by `runChecks` and
 * `ingestObservations` (results pushed by agents).
 */
export async function publishObservations(deps: MonitoringDeps, checks: readonly CheckConfig[], runs: readonly CheckRun[]): Promise<void> {
  const byName = new Map(checks.map((c) => [c.name, c]));
  const events: BusEvent[] = runs.map(({ checkId, result }) => {
    const check = byName.get(checkId)!;
    const detail: ObservationDetail = {
      checkId,
      checkType: check.type,
      service: check.service ?? null,
      environment: check.environment ?? null,
      labels: { ...check.labels },
      status: result.status,
      message: result.message,
      metrics: result.metrics,
      durationMs: result.durationMs,
      checkedAt: result.checkedAt,
    };
    return { source: MONITORING_BUS_SOURCE, detailType: OBSERVATION_DETAIL_TYPE, detail, time: result.checkedAt };
  });
  for (let i = 0; i < events.length; i += PUT_EVENTS_BATCH) {
    const batch = events.slice(i, i + PUT_EVENTS_BATCH);
    try {
      const results = await deps.bus.publish(batch);
      results.forEach((r, j) => {
        if ('errorCode' in r) deps.logger.warn('observation rejected by the bus', { check: (batch[j]!.detail as ObservationDetail).checkId, error: r.errorCode });
      });
    } catch (error) {
      deps.logger.error('publishing observations failed', { count: batch.length, error: (error as Error).message });
    }
  }
}
