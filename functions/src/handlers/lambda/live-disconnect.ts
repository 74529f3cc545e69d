import { awsLiveDeps } from '../../wiring/aws';
import { createLiveDisconnectHandler } from '../websocket/live';

export const handler = createLiveDisconnectHandler(awsLiveDeps('signalbox-live'));
