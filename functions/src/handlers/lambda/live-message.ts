import { awsLiveDeps } from '../../wiring/aws/live';
import { createLiveMessageHandler } from '../websocket/live';

export const handler = createLiveMessageHandler(awsLiveDeps('signalbox-live'));
