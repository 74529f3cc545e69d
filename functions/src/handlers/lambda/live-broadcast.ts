import { awsLiveDeps } from '../../wiring/aws';
import { createLiveBroadcastHandler } from '../events/live-broadcast';

export const handler = createLiveBroadcastHandler(awsLiveDeps('signalbox-live-broadcast'));
