import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoUserDirectory } from '../../adapters/aws/cognito-user-directory';
import { DynamoAuditStore } from '../../adapters/aws/dynamo-audit-store';
import { DynamoSettingsStore } from '../../adapters/aws/dynamo-settings-store';
import { loadAwsConfig } from '../../config';
import type { MonitoringConfigProvider, MonitoringDeps } from '../../core/monitoring/deps';
import { disabledEnvironments } from '../../core/settings/settings';
import type { AdminDeps } from '../../handlers/http/admin-routes';
import { awsDocumentClient } from './dynamo';

/**
 * The admin side of the API function (issue 5): the audit chain and the settings in the table, and
 * the users of the Cognito pool named by `SIGNALBOX_JWT_ISSUER` (ListUsersInGroup per role group;
 * without the variable `GET /api/admin/users` answers 503).
 */
export function awsAdminDeps(monitoringConfig: MonitoringConfigProvider, env: Record<string, string | undefined> = process.env): AdminDeps & Pick<MonitoringDeps, 'disabledEnvironments'> {
  const config = loadAwsConfig(env);
  const doc = awsDocumentClient();
  const settings = new DynamoSettingsStore(doc, config.TABLE_NAME);
  const poolId = config.SIGNALBOX_JWT_ISSUER?.replace(/\/$/, '').split('/').pop();
  return {
    audit: new DynamoAuditStore(doc, config.TABLE_NAME),
    settings,
    monitoringConfig,
    disabledEnvironments: () => disabledEnvironments({ settings, monitoringConfig }),
    ...(poolId ? { users: new CognitoUserDirectory(new CognitoIdentityProviderClient({}), poolId) } : {}),
    ...(config.SIGNALBOX_PORTAL_URL ? { portalUrl: config.SIGNALBOX_PORTAL_URL } : {}),
  };
}
