import { awsDeps } from '../../wiring/aws/base';
import { createStoreQueueHandler } from '../events/store';

// The store rule's queue feeds this function in batches (see `SignalboxApi`, `STORE_QUEUE`).
export const handler = createStoreQueueHandler(awsDeps('signalbox-store'));
