import { awsDeps } from '../../wiring/aws/base';
import { awsMonitoringDeps } from '../../wiring/aws/monitoring';
import { createMonitorHandler } from '../scheduled/monitor';

/** Target of the once-a-minute schedule (infra/constructs/monitoring.ts). */
export const handler = createMonitorHandler(awsMonitoringDeps(awsDeps('signalbox-monitor')));
