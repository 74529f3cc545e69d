import type { Role } from '../auth/model';

/** A person who can sign in, as the identity provider knows them. */
export interface DirectoryUser {
  /** The IdP's user name (Cognito `Username`, the local issuer's demo user id). */
  username: string;
  email: string | null;
  /** The highest role of their groups. */
  role: Role;
  /** Every Signalbox role group they are in, smallest first. */
  groups: Role[];
  enabled: boolean;
  /** The IdP's account status (Cognito `UserStatus`, e.g. CONFIRMED); null when it has none. */
  status: string | null;
  createdAt: string | null;
}

/**
 * Who may sign in and with which role, read from the identity provider (Cognito groups in AWS,
 * the local issuer's demo users locally). Read-only: roles are managed in the IdP.
 */
export interface UserDirectory {
  /** Where the users come from, for the admin page (`cognito`, `local`). */
  readonly source: string;
  /** Every user in a role group, each once with their highest role, sorted by username. */
  listUsers(): Promise<DirectoryUser[]>;
}
