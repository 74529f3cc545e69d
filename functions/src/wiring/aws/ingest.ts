import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerProducerTokens } from '../../adapters/aws/secrets-manager-producer-tokens';
import type { Deps } from '../../core/deps';
import { awsDeps } from './base';

/**
 * The ingest function's composition root: `awsDeps` plus the bootstrap producer token kept in
 * Secrets Manager (`INGEST_TOKEN_SECRET_ARN`), checked after the tokens stored in the table.
 */
export function awsIngestDeps(serviceName: string): Deps {
  return awsDeps(serviceName, (secretArn) => new SecretsManagerProducerTokens(new SecretsManagerClient({}), secretArn));
}
