import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * Webhook signing keys from Secrets Manager, `<prefix><name>`, fetched once per cold start. A failed
 * lookup is not cached, so a secret created after the failure is found next time. The SDK client is
 * loaded on the first lookup (a dynamic import, kept as one by esbuild), so functions whose
 * webhooks carry no secret never load it.
 */
export function webhookSecrets(prefix: string, secrets?: Pick<SecretsManagerClient, 'send'>): (name: string) => Promise<string> {
  const cache = new Map<string, Promise<string>>();
  let sdk: Promise<typeof import('@aws-sdk/client-secrets-manager')> | undefined;
  let client = secrets;
  const fetchSecret = async (name: string): Promise<string> => {
    sdk ??= import('@aws-sdk/client-secrets-manager').catch((error: unknown) => {
      sdk = undefined;
      throw error;
    });
    const { GetSecretValueCommand, SecretsManagerClient: Client } = await sdk;
    client ??= new Client({});
    const out = await client.send(new GetSecretValueCommand({ SecretId: `${prefix}${name}` }));
    if (!out.SecretString) throw new Error(`webhook secret ${name} has no string value`);
    return out.SecretString;
  };
  return (name) => {
    if (!cache.has(name)) {
      const value = fetchSecret(name);
      value.catch(() => cache.delete(name));
      cache.set(name, value);
    }
    return cache.get(name)!;
  };
}
