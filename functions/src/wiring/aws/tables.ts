import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { DynamoDoraStore } from '../../adapters/aws/dynamo-dora-store';
import { DynamoDeadLetterStore, DynamoEventStore, DynamoInventoryStore } from '../../adapters/aws/dynamo-stores';
import { powertoolsLogger } from '../../adapters/aws/powertools-logger';
import { loadAwsConfig } from '../../config';
import type { Deps } from '../../core/deps';
import { systemClock } from '../../core/ports/clock';
import { awsDocumentClient } from './dynamo';

/** The part of `Deps` that lives in the table, plus the logger, clock and ids: no bus, no tokens. */
export type AwsTableDeps = Pick<Deps, 'events' | 'inventory' | 'dora' | 'deadLetters' | 'clock' | 'logger' | 'newId'>;

/**
 * The table stores, logger, clock and ids from the validated environment (the same validation as
 * `awsDeps`), for functions that publish nothing (costs): DynamoDB is the only AWS SDK client.
 */
export function awsTableDeps(serviceName: string, doc: DynamoDBDocumentClient = awsDocumentClient()): AwsTableDeps {
  const config = loadAwsConfig();
  return {
    events: new DynamoEventStore(doc, config.TABLE_NAME),
    inventory: new DynamoInventoryStore(doc, config.TABLE_NAME),
    dora: new DynamoDoraStore(doc, config.TABLE_NAME),
    deadLetters: new DynamoDeadLetterStore(doc, config.TABLE_NAME),
    clock: systemClock,
    logger: powertoolsLogger(serviceName),
    newId: randomUUID,
  };
}
