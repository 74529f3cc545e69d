import { awsDeps } from '../../wiring/aws/base';
import { createStoreHandler } from '../events/store';

export const handler = createStoreHandler(awsDeps('signalbox-store'));
