import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awsDeps } from '../../functions/src/wiring/aws/base';
import { awsIngestDeps } from '../../functions/src/wiring/aws/ingest';

const secrets = mockClient(SecretsManagerClient);
const doc = mockClient(DynamoDBDocumentClient);
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ingest-token';

describe('the bootstrap producer token (Secrets Manager) is wired into the ingest function only', () => {
  beforeEach(() => {
    vi.stubEnv('TABLE_NAME', 'signalbox-table');
    vi.stubEnv('EVENT_BUS_NAME', 'signalbox-bus');
    vi.stubEnv('INGEST_TOKEN_SECRET_ARN', SECRET_ARN);
    // No token in the table.
    doc.onAnyCommand().resolves({});
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: 'bootstrap-token-0123456789' });
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    secrets.reset();
    doc.reset();
  });

  it('awsIngestDeps accepts the token kept in the secret named by INGEST_TOKEN_SECRET_ARN, and nothing else', async () => {
    const deps = awsIngestDeps('signalbox-ingest');
    expect(await deps.producerTokens.verify('bootstrap-token-0123456789')).toBe(true);
    expect(await deps.producerTokens.verify('another-token-0123456789')).toBe(false);
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET_ARN });
  });

  it('awsDeps without the ingest wiring refuses it and never calls Secrets Manager', async () => {
    const deps = awsDeps('signalbox-store');
    expect(await deps.producerTokens.verify('bootstrap-token-0123456789')).toBe(false);
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
  });
});
