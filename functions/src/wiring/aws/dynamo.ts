import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { withStoreErrors } from '../../adapters/aws/dynamo-errors';
import { documentClient } from '../../adapters/aws/dynamo-stores';

/**
 * The document client every table adapter is built on: a DynamoDB client whose failures become
 * store errors (503 with `Retry-After`), wrapped for marshalling.
 */
export function awsDocumentClient(): DynamoDBDocumentClient {
  return documentClient(withStoreErrors(new DynamoDBClient({})));
}
