/** The verified claims of a user's JWT (Cognito access or id token, or the local issuer's). */
export interface TokenClaims {
  readonly sub: string;
  readonly iss: string;
  readonly exp: number;
  readonly token_use?: string;
  readonly client_id?: string;
  readonly aud?: string | string[];
  readonly username?: string;
  readonly 'cognito:username'?: string;
  readonly email?: string;
  readonly 'cognito:groups'?: readonly string[];
  readonly [claim: string]: unknown;
}

/**
 * Verifies user bearer tokens (JWTs) against the identity provider's keys (JWKS). The same port
 * serves Cognito in AWS and the local issuer locally.
 */
export interface TokenVerifier {
  /**
   * The claims of a valid token: signature by a known key with an allowed algorithm (RS256,
   * ES256; never `none` or HS*), `exp`/`nbf` within a small clock skew, the expected `iss`,
   * audience (`client_id` or `aud`) and `token_use`.
   *
   * @throws UnauthorizedError naming what is wrong, for any token that is not valid.
   */
  verify(jwt: string): Promise<TokenClaims>;
}
