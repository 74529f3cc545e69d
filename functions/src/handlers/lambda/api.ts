import { awsLiveUrl, awsMonitoringDeps, awsRolloutDeps } from '../../wiring/aws';
import { createApiHandler } from '../http/api';

const deps = awsRolloutDeps('signalbox-api');
export const handler = createApiHandler({ ...awsMonitoringDeps(deps), ...deps, ...awsLiveUrl() });
