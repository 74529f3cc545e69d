import { CognitoIdentityProviderClient, ListUsersInGroupCommand, type UserType } from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { CognitoUserDirectory } from '../../functions/src/adapters/aws/cognito-user-directory';
import { StaticUserDirectory } from '../../functions/src/adapters/local/static-user-directory';
import { DependencyError } from '../../functions/src/core/errors';

const cognito = mockClient(CognitoIdentityProviderClient);
const POOL = 'eu-west-1_AbCdEf123';
const created = new Date('2026-11-01T08:00:00.000Z');
const user = (name: string, email: string, extra: Partial<UserType> = {}): UserType => ({
  Username: name,
  Attributes: [
    { Name: 'sub', Value: `sub-${name}` },
    { Name: 'email', Value: email },
  ],
  Enabled: true,
  UserStatus: 'CONFIRMED' as UserType['UserStatus'],
  UserCreateDate: created,
  ...extra,
});

describe('CognitoUserDirectory', () => {
  beforeEach(() => cognito.reset());

  it('walks ListUsersInGroup for each role group, paging by NextToken, and gives each user the highest role', async () => {
    cognito
      .on(ListUsersInGroupCommand, { UserPoolId: POOL, GroupName: 'viewer', Limit: 60 })
      .resolves({ Users: [user('vera', 'vera@example.com'), user('ada', 'ada@example.com')], NextToken: 'v-2' })
      .on(ListUsersInGroupCommand, { UserPoolId: POOL, GroupName: 'viewer', Limit: 60, NextToken: 'v-2' })
      .resolves({ Users: [user('olu', 'olu@example.com', { Enabled: false, UserStatus: 'FORCE_CHANGE_PASSWORD' as UserType['UserStatus'] })] })
      .on(ListUsersInGroupCommand, { UserPoolId: POOL, GroupName: 'operator', Limit: 60 })
      .resolves({ Users: [user('olu', 'olu@example.com', { Enabled: false, UserStatus: 'FORCE_CHANGE_PASSWORD' as UserType['UserStatus'] })] })
      .on(ListUsersInGroupCommand, { UserPoolId: POOL, GroupName: 'admin', Limit: 60 })
      .resolves({ Users: [user('ada', 'ada@example.com')] });

    const users = await new CognitoUserDirectory(new CognitoIdentityProviderClient({ region: 'eu-west-1' }), POOL).listUsers();

    expect(users).toEqual([
      { username: 'ada', email: 'ada@example.com', role: 'admin', groups: ['viewer', 'admin'], enabled: true, status: 'CONFIRMED', createdAt: created.toISOString() },
      { username: 'olu', email: 'olu@example.com', role: 'operator', groups: ['viewer', 'operator'], enabled: false, status: 'FORCE_CHANGE_PASSWORD', createdAt: created.toISOString() },
      { username: 'vera', email: 'vera@example.com', role: 'viewer', groups: ['viewer'], enabled: true, status: 'CONFIRMED', createdAt: created.toISOString() },
    ]);
    // Exactly one call per page: viewer (2 pages), operator, admin.
    expect(cognito).toHaveReceivedCommandTimes(ListUsersInGroupCommand, 4);
    expect(cognito.commandCalls(ListUsersInGroupCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: POOL, GroupName: 'viewer', Limit: 60 },
      { UserPoolId: POOL, GroupName: 'viewer', Limit: 60, NextToken: 'v-2' },
      { UserPoolId: POOL, GroupName: 'operator', Limit: 60 },
      { UserPoolId: POOL, GroupName: 'admin', Limit: 60 },
    ]);
  });

  it('reports an unreachable pool as a DependencyError (503)', async () => {
    cognito.on(ListUsersInGroupCommand).rejects(Object.assign(new Error('User pool does not exist'), { name: 'ResourceNotFoundException' }));
    await expect(new CognitoUserDirectory(new CognitoIdentityProviderClient({ region: 'eu-west-1' }), POOL).listUsers()).rejects.toBeInstanceOf(DependencyError);
  });
});

describe('StaticUserDirectory', () => {
  it('lists the demo users with their highest role, skipping users without a role group', async () => {
    const users = await new StaticUserDirectory([
      { email: 'b@example.com', groups: ['viewer', 'operator'] },
      { email: 'a@example.com', groups: ['admin'] },
      { email: 'none@example.com', groups: [] },
    ]).listUsers();
    expect(users.map((u) => [u.username, u.role, u.groups])).toEqual([
      ['a@example.com', 'admin', ['admin']],
      ['b@example.com', 'operator', ['viewer', 'operator']],
    ]);
  });
});
