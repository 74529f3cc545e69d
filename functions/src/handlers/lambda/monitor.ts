import { awsDeps, awsMonitoringDeps } from '../../wiring/aws';
import { createMonitorHandler } from '../scheduled/monitor';

/** Target of the once-a-minute schedule (infra/constructs/monitoring.ts). */
export const handler = createMonitorHandler(awsMonitoringDeps(awsDeps('signalbox-monitor')));
