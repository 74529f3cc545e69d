import { awsRolloutDeps } from '../../wiring/aws';
import { createApiHandler } from '../http/api';

export const handler = createApiHandler(awsRolloutDeps('signalbox-api'));
