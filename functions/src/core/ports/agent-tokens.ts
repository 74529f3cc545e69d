/**
 * Checks the bearer tokens of `signalbox-agent`s (`POST /api/observations`). Separate from the
 * producer (ingest) tokens: an agent token lets its holder report check results for the checks
 * declared with `agent: <name>`, nothing else. Never logs or returns the secret.
 */
export interface AgentTokens {
  /**
   * True when `token` is valid for the agent named `agent`. Constant-time with respect to the
   * secret. A local adapter may accept one shared token for every agent; a later one may keep a
   * hashed, revocable token per agent.
   */
  verify(agent: string, token: string): Promise<boolean>;
}
