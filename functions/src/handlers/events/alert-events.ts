import middy from '@middy/core';
import type { MonitoringDeps } from '../../core/monitoring/deps';
import { applyEventAlertRules } from '../../core/monitoring/event-alerts';
import type { DeliveredEvent } from '../../core/ports/event-bus';

/**
 * Target of the `AlertOnEvents` bus rule: applies the config's `event` alert rules (e.g. a
 * rollback, an aborted rollout) to one CDEvent, firing or refreshing alerts that resolve by
 * themselves after the rule's `resolveAfter`. Signalbox's own alert events are ignored (no loop).
 * A failure (alert store unreachable) is thrown, so the bus retries and finally dead-letters.
 */
export function createAlertEventsHandler(deps: MonitoringDeps) {
  return middy<DeliveredEvent, void>().handler(async (event) => {
    await applyEventAlertRules(deps, event);
  });
}
