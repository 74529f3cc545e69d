import { awsDeps, awsMonitoringDeps } from '../../wiring/aws';
import { createAlertEventsHandler } from '../events/alert-events';

/** Target of the `AlertOnEvents` bus rule (infra/constructs/monitoring.ts). */
export const handler = createAlertEventsHandler(awsMonitoringDeps(awsDeps('signalbox-alert-events')));
