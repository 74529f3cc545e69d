import { CognitoIdentityProviderClient, ListUsersInGroupCommand, type UserType } from '@aws-sdk/client-cognito-identity-provider';
import { ROLES, type Role } from '../../core/auth/model';
import { DependencyError } from '../../core/errors';
import type { DirectoryUser, UserDirectory } from '../../core/ports/user-directory';

/** Cognito's page size limit for ListUsersInGroup. */
const PAGE = 60;

/**
 * `UserDirectory` on a Cognito user pool: one `ListUsersInGroup` walk (paged by `NextToken`) per
 * role group (viewer, operator, admin); a user in several groups gets the highest role.
 */
export class CognitoUserDirectory implements UserDirectory {
  readonly source = 'cognito';

  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  async listUsers(): Promise<DirectoryUser[]> {
    const byName = new Map<string, { user: UserType; groups: Role[] }>();
    try {
      for (const group of ROLES) {
        let next: string | undefined;
        do {
          const out = await this.client.send(new ListUsersInGroupCommand({ UserPoolId: this.userPoolId, GroupName: group, Limit: PAGE, ...(next ? { NextToken: next } : {}) }));
          for (const user of out.Users ?? []) {
            if (!user.Username) continue;
            const seen = byName.get(user.Username) ?? { user, groups: [] };
            seen.groups.push(group);
            byName.set(user.Username, seen);
          }
          next = out.NextToken;
        } while (next);
      }
    } catch (error) {
      throw new DependencyError(`reading users from Cognito failed: ${(error as Error).message}`, null, { cause: error, code: 'idp_unavailable' });
    }
    return [...byName.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([username, { user, groups }]) => {
        const sorted = ROLES.filter((r) => groups.includes(r));
        return {
          username,
          email: user.Attributes?.find((a) => a.Name === 'email')?.Value ?? null,
          role: sorted[sorted.length - 1]!,
          groups: sorted,
          enabled: user.Enabled ?? true,
          status: user.UserStatus ?? null,
          createdAt: user.UserCreateDate ? user.UserCreateDate.toISOString() : null,
        };
      });
  }
}
