import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ProducerTokens } from '../../core/ports/producer-tokens';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The producer token kept in Secrets Manager. Fetched on first use and cached for `ttlMs`, so a
 * rotation is picked up without a redeploy; compared by digest in constant time.
 */
export class SecretsManagerProducerTokens implements ProducerTokens {
  private cached: { digest: Buffer; at: number } | null = null;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly ttlMs = 5 * 60_000,
  ) {}

  private async expected(): Promise<Buffer> {
    if (this.cached && Date.now() - this.cached.at < this.ttlMs) return this.cached.digest;
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    const value = out.SecretString?.trim();
    if (!value) throw new Error('the producer token secret is empty');
    this.cached = { digest: digest(value), at: Date.now() };
    return this.cached.digest;
  }

  async verify(token: string): Promise<boolean> {
    return timingSafeEqual(digest(token), await this.expected());
  }
}
