import { ROLES, type Role } from '../../core/auth/model';
import type { DirectoryUser, UserDirectory } from '../../core/ports/user-directory';

/** `UserDirectory` over a fixed list: the local issuer's demo users (one per role). */
export class StaticUserDirectory implements UserDirectory {
  readonly source = 'local';

  constructor(private readonly users: readonly { email: string; name?: string; groups: readonly string[] }[]) {}

  async listUsers(): Promise<DirectoryUser[]> {
    return this.users
      .map((u) => {
        const groups = ROLES.filter((r) => u.groups.includes(r));
        return { u, groups };
      })
      .filter(({ groups }) => groups.length > 0)
      .map(({ u, groups }) => ({
        username: u.email,
        email: u.email,
        role: groups[groups.length - 1] as Role,
        groups,
        enabled: true,
        status: 'DEMO',
        createdAt: null,
      }))
      .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  }
}
