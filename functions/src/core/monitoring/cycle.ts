import type { AlertTransition } from '../alerts/model';
import type { MonitoringDeps } from './deps';
import { expireEventAlerts } from './event-alerts';
import { notifyAlerts, type NotifyAlertsOutput } from './notify';
import { runChecks, type RunChecksInput, type RunChecksOutput } from './run-checks';

export interface MonitoringCycleOutput extends RunChecksOutput {
  /**
   * Every alert transition of the cycle: the check and metric rules' (from `runChecks`) followed by
   * the expiry sweep's.
   */
  alertTransitions: AlertTransition[];
  /** The expiry sweep's transitions alone. */
  expired: AlertTransition[];
  /** What the notification pass did; null when it failed (logged). */
  notifications: NotifyAlertsOutput | null;
  /** Steps that failed (logged, not thrown): `checks`, `expire`, `notify`. */
  failedSteps: ('checks' | 'expire' | 'notify')[];
}

/**
 * One monitoring cycle, what the scheduled function and the local loop run: `runChecks` (due
 * checks, or all with `force`), then the expiry sweep of alerts past their `endsAt`
 * (`expireEventAlerts`), then one notification pass (`notifyAlerts`). A failing step is logged and
 * the next one still runs, so a broken receiver never stops the checks and vice versa; the cycle
 * itself never throws.
 */
export async function runMonitoringCycle(deps: MonitoringDeps, input: Pick<RunChecksInput, 'force' | 'dueSlackMs'> = {}): Promise<MonitoringCycleOutput> {
  const failedSteps: MonitoringCycleOutput['failedSteps'] = [];
  let checks: RunChecksOutput = { ran: [], skipped: [], configErrors: [], alertTransitions: [] };
  try {
    checks = await runChecks(deps, { force: input.force ?? false, ...(input.dueSlackMs !== undefined ? { dueSlackMs: input.dueSlackMs } : {}) });
  } catch (error) {
    failedSteps.push('checks');
    deps.logger.error('monitoring cycle: running checks failed', { error: (error as Error).message });
  }
  let expired: AlertTransition[] = [];
  try {
    expired = await expireEventAlerts(deps);
  } catch (error) {
    failedSteps.push('expire');
    deps.logger.error('monitoring cycle: expiring alerts failed', { error: (error as Error).message });
  }
  let notifications: NotifyAlertsOutput | null = null;
  try {
    notifications = await notifyAlerts(deps);
  } catch (error) {
    failedSteps.push('notify');
    deps.logger.error('monitoring cycle: sending notifications failed', { error: (error as Error).message });
  }
  return { ...checks, alertTransitions: [...checks.alertTransitions, ...expired], expired, notifications, failedSteps };
}
