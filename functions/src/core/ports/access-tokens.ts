/** Kinds of non-user credentials: producers send CDEvents, agents push check results. */
export type AccessTokenKind = 'producer' | 'agent';

/** A producer or agent token as stored: never the secret, only its SHA-256. */
export interface AccessTokenRecord {
  /** Short id, part of the secret (`sbt.<id>.<random>`), used to revoke and list. */
  readonly id: string;
  readonly name: string;
  readonly kind: AccessTokenKind;
  /** The agent this token may report for (`kind: agent`); `*` = any agent (the bootstrap token); null for producers. */
  readonly agent: string | null;
  /** Hex SHA-256 of the whole secret. */
  readonly hash: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
  readonly revokedBy?: string | null;
}

/**
 * Where producer and agent tokens are kept (hashed). Every list is bounded; the store never sees
 * a secret.
 */
export interface AccessTokenStore {
  /** Stores a new token. Idempotent for the same record; `ConflictError` when the id exists with another hash. Returns false when it already existed. */
  create(record: AccessTokenRecord): Promise<boolean>;
  /** One token by id, or null. */
  get(id: string): Promise<AccessTokenRecord | null>;
  /** Every token, newest first (revoked ones too). */
  list(): Promise<AccessTokenRecord[]>;
  /** Marks a token revoked (first revocation wins); returns the record, or null when there is no such id. */
  revoke(id: string, at: string, by: string): Promise<AccessTokenRecord | null>;
  /** Records a use at `at` when the last recorded one is older than `minIntervalMs` (or none). */
  touch(id: string, at: string, minIntervalMs: number): Promise<void>;
}
