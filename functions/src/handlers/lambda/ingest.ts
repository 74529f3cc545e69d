import { awsDeps } from '../../wiring/aws';
import { createIngestHandler } from '../http/ingest';

export const handler = createIngestHandler(awsDeps('signalbox-ingest'));
