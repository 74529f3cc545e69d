import { awsLiveAuthDeps, awsLiveDeps } from '../../wiring/aws';
import { createLiveConnectHandler } from '../websocket/live';

export const handler = createLiveConnectHandler({ ...awsLiveDeps('signalbox-live'), ...awsLiveAuthDeps() });
