import { awsAdminDeps, awsAuthDeps, awsLiveUrl, awsMonitoringDeps, awsRolloutDeps } from '../../wiring/aws';
import { createApiHandler } from '../http/api';
import { awsCostDeps } from '../../wiring/aws-costs';

const deps = awsRolloutDeps('signalbox-api');
const monitoring = awsMonitoringDeps(deps);
export const handler = createApiHandler({ ...monitoring, ...deps, ...awsCostDeps(deps, monitoring.monitoringConfig), ...awsLiveUrl(), ...awsAuthDeps(), ...awsAdminDeps(monitoring.monitoringConfig) });
