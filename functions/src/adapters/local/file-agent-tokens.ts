import { createHash, timingSafeEqual } from 'node:crypto';
import type { AgentTokens } from '../../core/ports/agent-tokens';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Agent tokens for local mode: one token (`<dataDir>/agent-token`, created like the ingest token by
 * `loadOrCreateToken`) valid for every agent name, compared by digest in constant time. Issue 5
 * replaces it with hashed, revocable tokens per agent behind the same port.
 */
export class SharedAgentTokens implements AgentTokens {
  private readonly expected: Buffer;
  constructor(token: string) {
    this.expected = digest(token);
  }
  async verify(_agent: string, token: string): Promise<boolean> {
    return timingSafeEqual(digest(token), this.expected);
  }
}
