import middy from '@middy/core';
import type { MonitoringDeps } from '../../core/monitoring/deps';
import { runMonitoringCycle, type MonitoringCycleOutput } from '../../core/monitoring/cycle';

/** What EventBridge Scheduler / a scheduled rule delivers (only `time` is looked at, for the log). */
export interface ScheduledTick {
  time?: string;
  'detail-type'?: string;
}

/** What one scheduled run did, returned (and logged) for the Lambda's invocation record. */
export interface MonitorRunSummary {
  tick: string | null;
  ran: number;
  skipped: number;
  notOk: { check: string; status: string; message: string }[];
  configErrors: number;
  alertTransitions: number;
  /** Notifications sent and failed (dead-lettered) this cycle. */
  notificationsSent: number;
  notificationsFailed: number;
  failedSteps: MonitoringCycleOutput['failedSteps'];
}

/** A cycle with failed steps: thrown after the summary is logged, so the function's error alarm sees it. */
export class MonitoringCycleFailed extends Error {
  constructor(readonly summary: MonitorRunSummary) {
    super(`monitoring cycle failed in: ${summary.failedSteps.join(', ')}`);
    this.name = 'MonitoringCycleFailed';
  }
}

/**
 * The schedule fires once a minute, but never exactly 60 s apart: invocations start a few seconds
 * early or late. `runChecks` counts an interval from the previous run's start with only 0.5 s of
 * slack, so a 60 s check would be skipped on every tick that comes a little early and run every
 * other minute. The scheduled cycle lets a check run this much before its interval has passed.
 */
export const SCHEDULE_TOLERANCE_MS = 15_000;

/** One monitoring cycle: the checks that are due, their alert rules, expiry and notifications. */
export type MonitoringCycle = (deps: MonitoringDeps, input: { dueSlackMs: number }) => Promise<MonitoringCycleOutput>;

/**
 * Target of the once-a-minute schedule: runs one monitoring cycle (`runMonitoringCycle`: due
 * checks, alert expiry, notifications) and logs what happened. A check that fails is a result, not
 * an error. A cycle step that failed (store, bus or notification pass broken; the cycle logs it and
 * goes on) makes the invocation fail after the summary is logged, so the function's error alarm
 * counts it. The function runs with a reserved concurrency of 1, so cycles never overlap in AWS.
 */
export function createMonitorHandler(deps: MonitoringDeps, cycle: MonitoringCycle = runMonitoringCycle) {
  return middy<ScheduledTick, MonitorRunSummary>().handler(async (event) => {
    const out = await cycle(deps, { dueSlackMs: SCHEDULE_TOLERANCE_MS });
    const summary: MonitorRunSummary = {
      tick: typeof event?.time === 'string' ? event.time : null,
      ran: out.ran.length,
      skipped: out.skipped.length,
      notOk: out.ran
        .filter((run) => run.result.status !== 'ok')
        .map((run) => ({ check: run.checkId, status: run.result.status, message: run.result.message })),
      configErrors: out.configErrors.length,
      alertTransitions: out.alertTransitions.length,
      notificationsSent: out.notifications?.delivery.sent.length ?? 0,
      notificationsFailed: out.notifications?.delivery.failed.length ?? 0,
      failedSteps: [...out.failedSteps],
    };
    if (out.configErrors.length > 0) deps.logger.warn('monitoring config has problems', { errors: [...out.configErrors] });
    if (summary.failedSteps.length > 0) {
      deps.logger.error('monitoring cycle failed', { ...summary });
      throw new MonitoringCycleFailed(summary);
    }
    deps.logger.info('monitoring cycle done', { ...summary });
    return summary;
  });
}
