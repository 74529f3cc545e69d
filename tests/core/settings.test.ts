import { describe, expect, it } from 'vitest';
import { InMemorySettingsStore } from '../../functions/src/adapters/local/in-memory-settings-store';
import { emptyMonitoringConfig, staticMonitoringConfig } from '../../functions/src/core/monitoring/deps';
import { toLiveMessages } from '../../functions/src/core/live/messages';
import type { BusEvent, DeliveredEvent } from '../../functions/src/core/ports/event-bus';
import { disabledEnvironments, listSettings, putSetting, type SettingsDeps } from '../../functions/src/core/settings/settings';
import { validateSettings } from '../../functions/src/core/settings/model';
import { ConflictError, NotFoundError, ValidationError } from '../../functions/src/core/errors';
import type { EnvironmentConfig } from '../../functions/src/core/config/model';

const env = (name: string, enabled = true): EnvironmentConfig => ({
  name,
  provider: 'aws',
  kind: 'cloud',
  regions: ['eu-west-1'],
  tier: 'prod',
  components: [],
  enabled,
  labels: {},
  source: { file: 'environments.yaml', line: 1, column: 1 },
});

function setup() {
  const published: BusEvent[] = [];
  const snapshot = { ...emptyMonitoringConfig([]), config: { ...emptyMonitoringConfig([]).config, environments: [env('prod-eu'), env('lab', false)] } };
  const deps: SettingsDeps = {
    settings: new InMemorySettingsStore(),
    monitoringConfig: staticMonitoringConfig(snapshot),
    inventory: { listCells: async () => [{ service: 'checkout' } as never, { service: 'ledger' } as never] },
    bus: { publish: async (events) => (published.push(...events), events.map((_, i) => ({ eventId: `e-${i}` }))) },
    clock: { now: () => '2026-11-23T12:00:00.000Z' },
    logger: { info: () => {}, warn: () => {}, error: () => {} },
  };
  return { deps, published };
}

describe('validateSettings', () => {
  it('accepts valid settings of each kind', () => {
    expect(validateSettings('service', { owner: 'team', tier: 'high', runbookUrl: 'https://x.example/rb', tags: ['a', 'b'] })).toEqual({ owner: 'team', tier: 'high', runbookUrl: 'https://x.example/rb', tags: ['a', 'b'] });
    expect(validateSettings('provider', { costImport: { enabled: true, currency: 'EUR' }, accountIds: ['111122223333'] })).toBeTruthy();
    expect(validateSettings('environment', { notes: 'n', maintenanceWindow: { days: ['sun'], start: '23:30', durationMinutes: 90 } })).toBeTruthy();
  });

  it.each([
    ['service', { runbookUrl: 'javascript:alert(1)' }, 'settings.runbookUrl'],
    ['service', { tags: ['ok', 'not ok!'] }, 'settings.tags[1]'],
    ['service', { owner: 'x', colour: 'red' }, 'settings.colour'],
    ['provider', { costImport: { enabled: true, currency: 'euro' } }, 'settings.costImport.currency'],
    ['environment', { maintenanceWindow: { days: ['sun'], start: '25:00', durationMinutes: 5 } }, 'settings.maintenanceWindow.start'],
    ['environment', 'notes', 'settings'],
  ] as const)('refuses a bad %s setting naming %s', (kind, value, field) => {
    expect(() => validateSettings(kind, value)).toThrowError(expect.objectContaining({ field, name: 'ValidationError' }));
  });
});

describe('settings use cases', () => {
  it('lists YAML environments (with their YAML enabled), providers and services from the inventory', async () => {
    const { deps } = setup();
    const { items } = await listSettings(deps);
    const byKey = new Map(items.map((i) => [`${i.kind}/${i.name}`, i]));
    expect(byKey.get('environment/lab')).toMatchObject({ enabled: false, configEnabled: false, origin: 'config', revision: 0 });
    expect(byKey.get('service/checkout')).toMatchObject({ enabled: true, origin: 'inventory' });
    expect(byKey.get('provider/gcp')).toMatchObject({ origin: 'builtin' });
    expect(items[0]!.kind).toBe('environment');
  });

  it('saves with who and when, bumps the revision, refuses a stale one, and publishes a settings CDEvent', async () => {
    const { deps, published } = setup();
    const saved = await putSetting(deps, { kind: 'environment', name: 'prod-eu', body: { revision: 0, enabled: false } }, 'ada');
    expect(saved).toMatchObject({ enabled: false, revision: 1, updatedBy: 'ada', updatedAt: '2026-11-23T12:00:00.000Z', configEnabled: true });
    await expect(putSetting(deps, { kind: 'environment', name: 'prod-eu', body: { revision: 0, enabled: true } }, 'bob')).rejects.toBeInstanceOf(ConflictError);
    expect(published).toHaveLength(1);
    const delivered: DeliveredEvent = { version: '0', id: 'x', 'detail-type': published[0]!.detailType, source: published[0]!.source, account: '1', time: '2026-11-23T12:00:00Z', region: 'local', resources: [], detail: published[0]!.detail };
    const messages = toLiveMessages(delivered);
    expect(messages.map((m) => m.topic)).toEqual(['events', 'settings']);
    expect(messages[1]).toMatchObject({ type: 'changed', data: { kind: 'environment', name: 'prod-eu', enabled: false, revision: 1, by: 'ada' } });
    expect(await disabledEnvironments(deps)).toEqual(new Set(['prod-eu', 'lab']));
    await putSetting(deps, { kind: 'environment', name: 'lab', body: { revision: 0, enabled: true } }, 'ada');
    expect(await disabledEnvironments(deps)).toEqual(new Set(['prod-eu']));
  });

  it('keeps the settings when only enabled changes, and the flag when only settings change', async () => {
    const { deps } = setup();
    await putSetting(deps, { kind: 'service', name: 'checkout', body: { revision: 0, settings: { owner: 'pay' } } }, 'ada');
    const next = await putSetting(deps, { kind: 'service', name: 'checkout', body: { revision: 1, enabled: false } }, 'ada');
    expect(next).toMatchObject({ enabled: false, settings: { owner: 'pay' }, revision: 2 });
  });

  it('refuses unknown environments and providers, malformed bodies and names', async () => {
    const { deps } = setup();
    await expect(putSetting(deps, { kind: 'environment', name: 'mars', body: { revision: 0, enabled: false } }, 'a')).rejects.toBeInstanceOf(NotFoundError);
    await expect(putSetting(deps, { kind: 'provider', name: 'nimbus', body: { revision: 0, enabled: false } }, 'a')).rejects.toBeInstanceOf(NotFoundError);
    await expect(putSetting(deps, { kind: 'service', name: 'new-svc', body: { enabled: false } }, 'a')).rejects.toMatchObject({ field: 'revision' });
    await expect(putSetting(deps, { kind: 'service', name: 'new-svc', body: { revision: 0 } }, 'a')).rejects.toMatchObject({ field: 'body' });
    await expect(putSetting(deps, { kind: 'service', name: 'new-svc', body: { revision: 0, enabled: 'no' } }, 'a')).rejects.toMatchObject({ field: 'enabled' });
    await expect(putSetting(deps, { kind: 'service', name: '../etc', body: { revision: 0, enabled: false } }, 'a')).rejects.toBeInstanceOf(ValidationError);
    // A service need not have events yet.
    expect(await putSetting(deps, { kind: 'service', name: 'new-svc', body: { revision: 0, enabled: false } }, 'a')).toMatchObject({ origin: 'stored' });
  });
});
