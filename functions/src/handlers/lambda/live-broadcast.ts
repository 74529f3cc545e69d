import { awsLiveDeps } from '../../wiring/aws/live';
import { createLiveBroadcastHandler } from '../events/live-broadcast';

export const handler = createLiveBroadcastHandler(awsLiveDeps('signalbox-live-broadcast'));
