import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { withStoreErrors } from '../../adapters/aws/dynamo-errors';
import { documentClient } from '../../adapters/aws/dynamo-stores';

/**
 * How long one DynamoDB request may take. A store that hangs must fail the request (503 with
 * `Retry-After`) well before API Gateway's 29 s: with the SDK's 3 attempts, ~10 s at most. The
 * SDK only logs an overrun unless `throwOnRequestTimeout` is set.
 */
export const DYNAMO_REQUEST_HANDLER = { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true } as const;

/**
 * The document client every table adapter is built on: a DynamoDB client with request timeouts,
 * whose failures become store errors (503 with `Retry-After`), wrapped for marshalling. `config`
 * is for tests (endpoint, credentials, attempts).
 */
export function awsDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return documentClient(withStoreErrors(new DynamoDBClient({ requestHandler: DYNAMO_REQUEST_HANDLER, ...config })));
}
