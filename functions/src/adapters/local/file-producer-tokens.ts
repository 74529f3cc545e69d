import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ProducerTokens } from '../../core/ports/producer-tokens';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Producer tokens for local mode: one token, compared by digest in constant time. */
export class StaticProducerTokens implements ProducerTokens {
  private readonly expected: Buffer;
  constructor(token: string) {
    this.expected = digest(token);
  }
  async verify(token: string): Promise<boolean> {
    return timingSafeEqual(digest(token), this.expected);
  }
}

/**
 * The local producer token: `override` when given (SIGNALBOX_INGEST_TOKEN), else the one kept in
 * `file`, created (random, 0600) on first start. Returns whether it was created now.
 */
export async function loadOrCreateToken(file: string, override?: string): Promise<{ token: string; created: boolean; fromEnv: boolean }> {
  if (override) return { token: override, created: false, fromEnv: true };
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token) return { token, created: false, fromEnv: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = `sbx_${randomBytes(24).toString('base64url')}`;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { token, created: true, fromEnv: false };
}
