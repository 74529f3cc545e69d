import { awsDeps } from '../../wiring/aws/base';
import { awsMonitoringDeps } from '../../wiring/aws/monitoring';
import { createAlertEventsHandler } from '../events/alert-events';

/** Target of the `AlertOnEvents` bus rule (infra/constructs/monitoring.ts). */
export const handler = createAlertEventsHandler(awsMonitoringDeps(awsDeps('signalbox-alert-events')));
