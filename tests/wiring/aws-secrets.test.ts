import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, describe, expect, it } from 'vitest';
import { webhookSecrets } from '../../functions/src/wiring/aws/secrets';

const secrets = mockClient(SecretsManagerClient);

describe('webhookSecrets (Secrets Manager loaded on first lookup)', () => {
  afterEach(() => secrets.reset());

  it('reads <prefix><name> once per name through the client it loads itself', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: 'signalbox/webhooks/deploy-hook' }).resolves({ SecretString: 'k1' });
    secrets.on(GetSecretValueCommand, { SecretId: 'signalbox/webhooks/other' }).resolves({ SecretString: 'k2' });
    const resolve = webhookSecrets('signalbox/webhooks/');
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
    expect(await resolve('deploy-hook')).toBe('k1');
    expect(await resolve('deploy-hook')).toBe('k1');
    expect(await resolve('other')).toBe('k2');
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    expect(secrets).toHaveReceivedNthCommandWith(GetSecretValueCommand, 1, { SecretId: 'signalbox/webhooks/deploy-hook' });
  });

  it('does not cache a failed lookup, so a secret created later is found', async () => {
    secrets.on(GetSecretValueCommand).rejectsOnce(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' })).resolves({ SecretString: 'late' });
    const resolve = webhookSecrets('p/');
    await expect(resolve('hook')).rejects.toThrow('not found');
    expect(await resolve('hook')).toBe('late');
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('refuses a secret without a string value', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1]) });
    await expect(webhookSecrets('p/')('bin')).rejects.toThrow('webhook secret bin has no string value');
  });

  it('uses the client it is given', async () => {
    const sent: unknown[] = [];
    const resolve = webhookSecrets('x/', { send: async (command: unknown) => (sent.push(command), { SecretString: 'given' }) } as never);
    expect(await resolve('a')).toBe('given');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(GetSecretValueCommand);
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
  });
});
