import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { documentClient, DynamoDeadLetterStore, DynamoEventStore, DynamoInventoryStore } from '../adapters/aws/dynamo-stores';
import { EventBridgeBus } from '../adapters/aws/eventbridge-bus';
import { powertoolsLogger } from '../adapters/aws/powertools-logger';
import { SecretsManagerProducerTokens } from '../adapters/aws/secrets-manager-producer-tokens';
import { loadAwsConfig } from '../config';
import type { Deps } from '../core/deps';
import { systemClock } from '../core/ports/clock';

const refuseAll = { verify: async () => false };

/** The composition root for Lambda: AWS adapters from the validated environment. Built once per cold start. */
export function awsDeps(serviceName: string): Deps {
  const config = loadAwsConfig();
  const doc = documentClient(new DynamoDBClient({}));
  return {
    events: new DynamoEventStore(doc, config.TABLE_NAME),
    inventory: new DynamoInventoryStore(doc, config.TABLE_NAME),
    deadLetters: new DynamoDeadLetterStore(doc, config.TABLE_NAME),
    bus: new EventBridgeBus(new EventBridgeClient({}), config.EVENT_BUS_NAME),
    // Only the ingest function is given the secret; the others never verify producer tokens.
    producerTokens: config.INGEST_TOKEN_SECRET_ARN
      ? new SecretsManagerProducerTokens(new SecretsManagerClient({}), config.INGEST_TOKEN_SECRET_ARN)
      : refuseAll,
    clock: systemClock,
    logger: powertoolsLogger(serviceName),
    newId: randomUUID,
  };
}
