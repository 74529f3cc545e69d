import { awsLiveAuthDeps } from '../../wiring/aws/auth';
import { awsLiveDeps } from '../../wiring/aws/live';
import { createLiveConnectHandler } from '../websocket/live';

export const handler = createLiveConnectHandler({ ...awsLiveDeps('signalbox-live'), ...awsLiveAuthDeps() });
