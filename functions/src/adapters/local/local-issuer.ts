import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Role } from '../../core/auth/model';
import type { Clock } from '../../core/ports/clock';
import type { Jwks } from '../http/jwks-token-verifier';

/** A demo user of the local issuer. */
export interface DemoUser {
  readonly email: string;
  readonly name: string;
  /** The Cognito-style groups; the role is the highest of them. Empty: signed in without a role. */
  readonly groups: readonly Role[];
}

/** One demo user per role (the sign-in page lists them). */
export const DEMO_USERS: readonly DemoUser[] = [
  { email: 'vera.viewer@example.com', name: 'Vera Viewer', groups: ['viewer'] },
  { email: 'olu.operator@example.com', name: 'Olu Operator', groups: ['operator'] },
  { email: 'ada.admin@example.com', name: 'Ada Admin', groups: ['admin'] },
];

/** What `iss` and `client_id` the local issuer writes (and the local verifier expects). */
export const LOCAL_ISSUER = 'urn:signalbox:local-issuer';
export const LOCAL_CLIENT_ID = 'signalbox-local-portal';
/** Lifetime of local tokens: short, like Cognito's default access token (1 h). */
export const LOCAL_TOKEN_SECONDS = 3600;

const KEY_FILE = 'local-issuer-key.json';

/**
 * The local identity provider: an RS256 key pair (kept under the data dir, 0600, never printed;
 * in memory without one), its JWKS, and tokens for demo users with Cognito access-token claims
 * (`iss`, `sub`, `client_id`, `token_use: access`, `cognito:groups`, `username`, `exp`), verified
 * by the same `JwksTokenVerifier` as Cognito's.
 */
export class LocalIssuer {
  private constructor(
    private readonly privateKey: KeyObject,
    private readonly kid: string,
    private readonly clock: Clock,
  ) {}

  /** Loads the key pair from `<dataDir>/local-issuer-key.json`, creating it on first start. */
  static async open(opts: { dataDir: string | null; clock: Clock }): Promise<LocalIssuer> {
    let privateJwk: JsonWebKey | null = null;
    const file = opts.dataDir ? join(opts.dataDir, KEY_FILE) : null;
    if (file) {
      try {
        privateJwk = JSON.parse(await readFile(file, 'utf8')) as JsonWebKey;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    if (!privateJwk) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      privateJwk = privateKey.export({ format: 'jwk' });
      if (file && opts.dataDir) {
        await mkdir(opts.dataDir, { recursive: true });
        await writeFile(file, `${JSON.stringify(privateJwk)}\n`, { mode: 0o600 });
      }
    }
    const privateKey = createPrivateKey({ key: privateJwk, format: 'jwk' });
    const pub = createPublicKey(privateKey).export({ format: 'jwk' });
    // RFC 7638 thumbprint: a stable kid for the key.
    const kid = createHash('sha256').update(JSON.stringify({ e: pub.e, kty: pub.kty, n: pub.n })).digest('base64url').slice(0, 16);
    return new LocalIssuer(privateKey, kid, opts.clock);
  }

  /** The public key set (served at `/local/jwks.json`). */
  jwks(): Jwks {
    const pub = createPublicKey(this.privateKey).export({ format: 'jwk' });
    return { keys: [{ kty: pub.kty, n: pub.n, e: pub.e, kid: this.kid, alg: 'RS256', use: 'sig' }] };
  }

  /** The demo user of a role. */
  userFor(role: Role): DemoUser {
    return DEMO_USERS.find((u) => u.groups.includes(role))!;
  }

  /**
   * Signs an access token for `user`. `overrides` replace or add claims (tests: expired, other
   * issuer); `lifetimeSeconds` defaults to `LOCAL_TOKEN_SECONDS`.
   */
  issue(user: DemoUser, opts: { lifetimeSeconds?: number; overrides?: Record<string, unknown> } = {}): string {
    const now = Math.floor(Date.parse(this.clock.now()) / 1000);
    const claims = {
      iss: LOCAL_ISSUER,
      sub: `local-${createHash('sha256').update(user.email).digest('hex').slice(0, 12)}`,
      client_id: LOCAL_CLIENT_ID,
      token_use: 'access',
      scope: 'openid email profile',
      auth_time: now,
      iat: now,
      exp: now + (opts.lifetimeSeconds ?? LOCAL_TOKEN_SECONDS),
      jti: randomUUID(),
      username: user.email,
      email: user.email,
      name: user.name,
      'cognito:groups': [...user.groups],
      ...opts.overrides,
    };
    const header = { alg: 'RS256', typ: 'JWT', kid: this.kid };
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${input}.${sign('sha256', Buffer.from(input), this.privateKey).toString('base64url')}`;
  }
}
