import { awsIngestDeps } from '../../wiring/aws/ingest';
import { createIngestHandler } from '../http/ingest';

export const handler = createIngestHandler(awsIngestDeps('signalbox-ingest'));
