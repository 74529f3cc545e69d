/** Checks producer (ingest) bearer tokens. Never logs or returns the secret. */
export interface ProducerTokens {
  /** True when `token` is a valid producer token. Constant-time with respect to the secret. */
  verify(token: string): Promise<boolean>;
}
