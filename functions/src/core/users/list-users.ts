import type { DirectoryUser, UserDirectory } from '../ports/user-directory';

/** Who can sign in and with which role, read from the identity provider. Read-only. */
export async function listUsers(deps: { users: UserDirectory }): Promise<{ source: string; items: DirectoryUser[] }> {
  return { source: deps.users.source, items: await deps.users.listUsers() };
}
