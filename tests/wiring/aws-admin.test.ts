import { CognitoIdentityProviderClient, ListUsersInGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, describe, expect, it } from 'vitest';
import { CognitoUserDirectory } from '../../functions/src/adapters/aws/cognito-user-directory';
import { DynamoAuditStore } from '../../functions/src/adapters/aws/dynamo-audit-store';
import { DynamoSettingsStore } from '../../functions/src/adapters/aws/dynamo-settings-store';
import { emptyMonitoringConfig, staticMonitoringConfig } from '../../functions/src/core/monitoring/deps';
import { awsAdminDeps } from '../../functions/src/wiring/aws/admin';

const cognito = mockClient(CognitoIdentityProviderClient);
const ENV = { TABLE_NAME: 'signalbox-table', EVENT_BUS_NAME: 'signalbox-bus' };
const config = staticMonitoringConfig(emptyMonitoringConfig([]));

describe('awsAdminDeps', () => {
  afterEach(() => cognito.reset());

  it('wires the audit and settings stores on the table and the users of the pool named by the issuer', async () => {
    const deps = awsAdminDeps(config, { ...ENV, SIGNALBOX_JWT_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123' });
    expect(deps.audit).toBeInstanceOf(DynamoAuditStore);
    expect(deps.settings).toBeInstanceOf(DynamoSettingsStore);
    expect(deps.users).toBeInstanceOf(CognitoUserDirectory);
    cognito.on(ListUsersInGroupCommand).resolves({ Users: [] });
    expect(await deps.users!.listUsers()).toEqual([]);
    expect(cognito).toHaveReceivedCommandWith(ListUsersInGroupCommand, { UserPoolId: 'eu-west-1_AbC123', GroupName: 'admin' });
  });

  it('has no user directory without an issuer (GET /api/admin/users then answers 503)', () => {
    expect(awsAdminDeps(config, ENV).users).toBeUndefined();
  });
});
