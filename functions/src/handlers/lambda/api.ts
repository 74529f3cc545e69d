import { awsAdminDeps } from '../../wiring/aws/admin';
import { awsAuthDeps } from '../../wiring/aws/auth';
import { awsCostStoreDeps } from '../../wiring/aws/cost-store';
import { awsLiveUrl } from '../../wiring/aws/live-url';
import { awsMonitoringDeps } from '../../wiring/aws/monitoring';
import { awsRolloutDeps } from '../../wiring/aws/rollouts';
import { createApiHandler } from '../http/api';

const deps = awsRolloutDeps('signalbox-api');
const monitoring = awsMonitoringDeps(deps);
export const handler = createApiHandler({ ...monitoring, ...deps, ...awsCostStoreDeps(deps, monitoring.monitoringConfig), ...awsLiveUrl(), ...awsAuthDeps(), ...awsAdminDeps(monitoring.monitoringConfig) });
