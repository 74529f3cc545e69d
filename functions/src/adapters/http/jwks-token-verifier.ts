import { createPublicKey, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto';
import { UnauthorizedError } from '../../core/errors';
import type { TokenClaims, TokenVerifier } from '../../core/ports/token-verifier';

/** A JSON Web Key Set as served at `/.well-known/jwks.json` (Cognito) or `/local/jwks.json`. */
export interface Jwks {
  keys: (JsonWebKey & { kid?: string; alg?: string; use?: string; kty?: string })[];
}

export interface JwksTokenVerifierOptions {
  /** Where the keys come from: an HTTPS URL (fetched, cached) or a function (the local issuer in-process). */
  jwks: string | (() => Promise<Jwks>);
  /** The expected `iss`. */
  issuer: string;
  /** Accepted audiences: access tokens carry `client_id`, id tokens `aud`. */
  audiences: readonly string[];
  /** Accepted `token_use` values (Cognito: `access`, `id`); default `['access']`. */
  tokenUse?: readonly string[];
  /** Allowed clock skew for `exp`/`nbf`/`iat`, seconds; default 60. */
  clockSkewSeconds?: number;
  /** Now in milliseconds; default `Date.now`. */
  now?: () => number;
  /** The key set is fetched again for an unknown `kid` at most this often; default 60 s. */
  minRefreshMs?: number;
  fetch?: typeof fetch;
}

const ALGORITHMS: Record<string, { hash: string; kty: string; crv?: string; dsaEncoding?: 'ieee-p1363' }> = {
  RS256: { hash: 'sha256', kty: 'RSA' },
  ES256: { hash: 'sha256', kty: 'EC', crv: 'P-256', dsaEncoding: 'ieee-p1363' },
};

const B64URL = /^[A-Za-z0-9_-]*$/;

function decodeJson(part: string, what: string): Record<string, unknown> {
  if (!B64URL.test(part)) throw new UnauthorizedError(`the token's ${what} is not base64url`);
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new UnauthorizedError(`the token's ${what} is not a JSON object`);
  }
}

/**
 * Verifies JWTs against a JWKS with `node:crypto` (no JWT library): RS256 and ES256 only — `none`,
 * HS* and anything else are refused before a key is looked at, and a key is only used with the
 * algorithm its type fits (no RSA-key-as-HMAC-secret confusion). The key set is cached; an unknown
 * `kid` refetches it at most once per `minRefreshMs` (key rotation without a restart, and a flood
 * of made-up kids cannot hammer the IdP).
 */
export class JwksTokenVerifier implements TokenVerifier {
  private keys = new Map<string, { key: KeyObject; kty: string; crv?: string; alg?: string }>();
  private fetchedAt = -Infinity;
  private inflight: Promise<void> | null = null;
  private readonly now: () => number;
  private readonly skew: number;
  private readonly minRefreshMs: number;
  private readonly tokenUse: readonly string[];

  constructor(private readonly opts: JwksTokenVerifierOptions) {
    this.now = opts.now ?? Date.now;
    this.skew = opts.clockSkewSeconds ?? 60;
    this.minRefreshMs = opts.minRefreshMs ?? 60_000;
    this.tokenUse = opts.tokenUse ?? ['access'];
  }

  private async load(): Promise<Jwks> {
    const source = this.opts.jwks;
    if (typeof source === 'function') return source();
    const res = await (this.opts.fetch ?? fetch)(source, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`fetching the JWKS ${source} answered HTTP ${res.status}`);
    return (await res.json()) as Jwks;
  }

  private refresh(): Promise<void> {
    this.inflight ??= (async () => {
      try {
        const jwks = await this.load();
        const next = new Map<string, { key: KeyObject; kty: string; crv?: string; alg?: string }>();
        for (const jwk of jwks.keys ?? []) {
          if (!jwk.kid || (jwk.use && jwk.use !== 'sig')) continue;
          if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') continue;
          try {
            next.set(jwk.kid, { key: createPublicKey({ key: jwk, format: 'jwk' }), kty: jwk.kty, crv: jwk.crv, alg: jwk.alg });
          } catch {
            // A key this runtime cannot import is skipped; tokens signed with it fail as unknown kid.
          }
        }
        this.keys = next;
      } finally {
        this.fetchedAt = this.now();
        this.inflight = null;
      }
    })();
    return this.inflight;
  }

  private async keyFor(kid: string) {
    if (!this.keys.has(kid) && this.now() - this.fetchedAt >= this.minRefreshMs) {
      try {
        await this.refresh();
      } catch {
        throw new UnauthorizedError('the signing keys are not available; try again');
      }
    }
    return this.keys.get(kid);
  }

  async verify(jwt: string): Promise<TokenClaims> {
    const parts = jwt.split('.');
    if (parts.length !== 3) throw new UnauthorizedError('the bearer token is not a JWT');
    const [h, p, s] = parts as [string, string, string];
    const header = decodeJson(h, 'header');
    const alg = header.alg;
    const spec = typeof alg === 'string' ? ALGORITHMS[alg] : undefined;
    if (!spec) throw new UnauthorizedError(`the token's algorithm ${JSON.stringify(alg)} is not accepted (RS256, ES256)`);
    if (typeof header.kid !== 'string') throw new UnauthorizedError('the token has no key id (kid)');
    const key = await this.keyFor(header.kid);
    if (!key) throw new UnauthorizedError('the token was signed with an unknown key');
    if (key.kty !== spec.kty || (spec.crv && key.crv !== spec.crv) || (key.alg && key.alg !== alg)) {
      throw new UnauthorizedError(`the token's algorithm ${String(alg)} does not fit its key`);
    }
    if (!B64URL.test(s)) throw new UnauthorizedError('the token signature is not base64url');
    const ok = verifySignature(
      spec.hash,
      Buffer.from(`${h}.${p}`),
      spec.dsaEncoding ? { key: key.key, dsaEncoding: spec.dsaEncoding } : key.key,
      Buffer.from(s, 'base64url'),
    );
    if (!ok) throw new UnauthorizedError('the token signature is not valid');
    const claims = decodeJson(p, 'payload');
    this.checkClaims(claims);
    return claims as unknown as TokenClaims;
  }

  private checkClaims(c: Record<string, unknown>): void {
    const nowSec = this.now() / 1000;
    if (typeof c.exp !== 'number') throw new UnauthorizedError('the token has no expiry (exp)');
    if (c.exp + this.skew <= nowSec) throw new UnauthorizedError('the token has expired');
    if (c.nbf !== undefined && (typeof c.nbf !== 'number' || c.nbf - this.skew > nowSec)) throw new UnauthorizedError('the token is not valid yet (nbf)');
    if (c.iat !== undefined && (typeof c.iat !== 'number' || c.iat - this.skew > nowSec)) throw new UnauthorizedError('the token was issued in the future (iat)');
    if (c.iss !== this.opts.issuer) throw new UnauthorizedError('the token is from another issuer');
    if (typeof c.sub !== 'string' || c.sub === '') throw new UnauthorizedError('the token has no subject (sub)');
    if (typeof c.token_use !== 'string' || !this.tokenUse.includes(c.token_use)) throw new UnauthorizedError(`the token's use ${JSON.stringify(c.token_use)} is not accepted`);
    const audiences = c.token_use === 'access' ? [c.client_id] : Array.isArray(c.aud) ? c.aud : [c.aud];
    if (!audiences.some((a) => typeof a === 'string' && this.opts.audiences.includes(a))) throw new UnauthorizedError('the token is for another client (audience)');
  }
}
