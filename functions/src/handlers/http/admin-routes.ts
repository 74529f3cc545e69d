import { listAudit, parseAuditQuery, verifyAudit, type AuditDeps } from '../../core/audit';
import type { Deps } from '../../core/deps';
import { DependencyError } from '../../core/errors';
import type { MonitoringConfigProvider } from '../../core/monitoring/deps';
import type { SettingsStore } from '../../core/ports/settings-store';
import type { UserDirectory } from '../../core/ports/user-directory';
import { settingsJsonSchemas } from '../../core/settings/model';
import { getSetting, listSettings, putSetting, type SettingsDeps } from '../../core/settings/settings';
import { listUsers } from '../../core/users/list-users';
import type { Route } from './api';

/** What the admin routes read of the deps (each runtime wires them; absent = 503). */
export interface AdminDeps {
  audit?: AuditDeps['audit'];
  settings?: SettingsStore;
  users?: UserDirectory;
  monitoringConfig?: MonitoringConfigProvider;
  portalUrl?: string;
}

function auditDeps(deps: Deps): AuditDeps {
  const d = deps as Deps & AdminDeps;
  if (!d.audit) throw new DependencyError('the audit log is not configured in this deployment', null, { code: 'audit_unavailable' });
  return { audit: d.audit, clock: deps.clock, logger: deps.logger };
}

function settingsDeps(deps: Deps): SettingsDeps {
  const d = deps as Deps & AdminDeps;
  if (!d.settings || !d.monitoringConfig) throw new DependencyError('settings are not configured in this deployment', null, { code: 'settings_unavailable' });
  return { settings: d.settings, monitoringConfig: d.monitoringConfig, inventory: deps.inventory, bus: deps.bus, clock: deps.clock, logger: deps.logger, portalUrl: d.portalUrl };
}

function users(deps: Deps): { users: UserDirectory } {
  const d = deps as Deps & AdminDeps;
  if (!d.users) throw new DependencyError('no user directory is configured in this deployment', null, { code: 'users_unavailable' });
  return { users: d.users };
}

/** Admin routes (issue 5): the audit log and its verification, settings, users. */
export const ADMIN_ROUTES: readonly Route[] = [
  { method: 'GET', path: '/api/audit', action: 'audit:read', run: async (deps, _p, q) => ({ status: 200, body: await listAudit(auditDeps(deps), parseAuditQuery(q)) }) },
  { method: 'GET', path: '/api/audit/verify', action: 'audit:verify', run: async (deps) => ({ status: 200, body: await verifyAudit(auditDeps(deps)) }) },
  {
    method: 'GET',
    path: '/api/admin/settings',
    action: 'settings:read',
    run: async (deps) => ({ status: 200, body: { ...(await listSettings(settingsDeps(deps))), schemas: settingsJsonSchemas() } }),
  },
  { method: 'GET', path: '/api/admin/settings/{kind}/{name}', action: 'settings:read', run: async (deps, p) => ({ status: 200, body: await getSetting(settingsDeps(deps), p.kind!, p.name!) }) },
  {
    method: 'PUT',
    path: '/api/admin/settings/{kind}/{name}',
    action: 'settings:write',
    run: async (deps, p, _q, req) => ({ status: 200, body: await putSetting(settingsDeps(deps), { kind: p.kind!, name: p.name!, body: req.json() }, req.principal.name) }),
  },
  { method: 'GET', path: '/api/admin/users', action: 'users:read', run: async (deps) => ({ status: 200, body: await listUsers(users(deps)) }) },
];
