import { awsDeps } from '../../wiring/aws';
import { createStoreHandler } from '../events/store';

export const handler = createStoreHandler(awsDeps('signalbox-store'));
