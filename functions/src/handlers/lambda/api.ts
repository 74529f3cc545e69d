import { awsDeps } from '../../wiring/aws';
import { createApiHandler } from '../http/api';

export const handler = createApiHandler(awsDeps('signalbox-api'));
