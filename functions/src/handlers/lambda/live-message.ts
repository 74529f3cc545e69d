import { awsLiveDeps } from '../../wiring/aws';
import { createLiveMessageHandler } from '../websocket/live';

export const handler = createLiveMessageHandler(awsLiveDeps('signalbox-live'));
