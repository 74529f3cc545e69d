import { awsLiveDeps } from '../../wiring/aws/live';
import { createLiveDisconnectHandler } from '../websocket/live';

export const handler = createLiveDisconnectHandler(awsLiveDeps('signalbox-live'));
