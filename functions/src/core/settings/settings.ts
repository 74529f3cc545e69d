import { PROVIDERS } from '../config/model';
import { NotFoundError, ValidationError } from '../errors';
import type { MonitoringConfigProvider } from '../monitoring/deps';
import type { Clock } from '../ports/clock';
import type { EventBus } from '../ports/event-bus';
import type { InventoryStore } from '../ports/inventory-store';
import type { Logger } from '../ports/logger';
import type { SettingsStore } from '../ports/settings-store';
import { CDEVENT_DETAIL_TYPE } from '../../shared/bus-rules';
import { SETTINGS_BUS_SOURCE, toSettingCdevent } from './events';
import { isSettingKind, SETTING_NAME, validateSettings, type SettingKind, type SettingView, type StoredSetting } from './model';

/** What the settings use cases need. */
export interface SettingsDeps {
  settings: SettingsStore;
  /** Environments come from the YAML config folder. */
  monitoringConfig: MonitoringConfigProvider;
  /** Services come from the inventory (seen in events). */
  inventory: Pick<InventoryStore, 'listCells'>;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  portalUrl?: string;
}

function defaults(kind: SettingKind, name: string, enabled = true): StoredSetting {
  return { kind, name, enabled, settings: {}, revision: 0, updatedBy: null, updatedAt: null };
}

/** Parses the `{kind}` path parameter (404 for an unknown kind). */
export function parseKind(kind: string): SettingKind {
  if (!isSettingKind(kind)) throw new NotFoundError(`no settings kind ${kind}; kinds: service, provider, environment`, 'kind');
  return kind;
}

async function known(deps: SettingsDeps): Promise<Map<string, Omit<SettingView, keyof StoredSetting>>> {
  const out = new Map<string, Omit<SettingView, keyof StoredSetting>>();
  const snapshot = await deps.monitoringConfig.current();
  for (const e of snapshot.config.environments) {
    out.set(`environment/${e.name}`, {
      origin: 'config',
      configEnabled: e.enabled,
      details: { provider: e.provider, kind: e.kind, tier: e.tier ?? null, regions: [...e.regions], uri: e.uri ?? null },
    });
  }
  for (const p of PROVIDERS) out.set(`provider/${p}`, { origin: 'builtin', configEnabled: null, details: null });
  const cells = await deps.inventory.listCells();
  for (const s of new Set(cells.map((c) => c.service))) out.set(`service/${s}`, { origin: 'inventory', configEnabled: null, details: null });
  return out;
}

function view(key: string, stored: StoredSetting | null, meta: Omit<SettingView, keyof StoredSetting> | undefined): SettingView {
  const [kind, ...rest] = key.split('/');
  const name = rest.join('/');
  const base = stored ?? defaults(kind as SettingKind, name, meta?.configEnabled ?? true);
  return { ...base, ...(meta ?? { origin: 'stored', configEnabled: null, details: null }) };
}

/**
 * Every settings item: the environments of the YAML config, the providers Signalbox knows, the
 * services seen in events, and anything saved, each with its stored values or the defaults
 * (enabled; an environment's default is its YAML `enabled`). Sorted by kind, then name.
 */
export async function listSettings(deps: SettingsDeps): Promise<{ items: SettingView[] }> {
  const [meta, stored] = await Promise.all([known(deps), deps.settings.list()]);
  const storedByKey = new Map(stored.map((s) => [`${s.kind}/${s.name}`, s]));
  const keys = new Set([...meta.keys(), ...storedByKey.keys()]);
  const order = (k: string) => ['environment', 'service', 'provider'].indexOf(k.split('/')[0]!);
  const items = [...keys]
    .sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => view(k, storedByKey.get(k) ?? null, meta.get(k)));
  return { items };
}

/**
 * One settings item. @throws NotFoundError for an unknown kind, or a name neither known (config,
 * inventory, providers) nor saved.
 */
export async function getSetting(deps: SettingsDeps, kindText: string, name: string): Promise<SettingView> {
  const kind = parseKind(kindText);
  const [meta, stored] = await Promise.all([known(deps), deps.settings.get(kind, name)]);
  const key = `${kind}/${name}`;
  if (!stored && !meta.has(key)) throw new NotFoundError(`no ${kind} ${name}`, 'name');
  return view(key, stored, meta.get(key));
}

export interface PutSettingInput {
  kind: string;
  name: string;
  /** `{ revision, enabled?, settings? }`: `revision` is the one read (0 if never saved). */
  body: unknown;
}

/**
 * Saves an item's enabled flag and/or settings (validated by the kind's schema; missing parts keep
 * their current value) with who and when, if nobody saved it since `revision`; then publishes a
 * `dev.cdeventsx.signalbox-setting.changed` CDEvent (timeline, live updates). Environments must be
 * in the YAML config, providers known; services need only a valid name (they may have no events
 * yet). Not idempotent: each save bumps the revision.
 *
 * @throws NotFoundError (unknown kind, environment or provider), ValidationError (field named,
 *   e.g. `settings.runbookUrl`), ConflictError (`revision`: someone saved in between).
 */
export async function putSetting(deps: SettingsDeps, input: PutSettingInput, by: string): Promise<SettingView> {
  const kind = parseKind(input.kind);
  const name = input.name;
  if (!SETTING_NAME.test(name)) throw new ValidationError('name must be 1 to 128 letters, digits or ._@:+- (starting with a letter or digit)', 'name');
  const body = input.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body must be a JSON object { revision, enabled?, settings? }', 'body');
  const b = body as Record<string, unknown>;
  const unknownKeys = Object.keys(b).filter((k) => !['revision', 'enabled', 'settings'].includes(k));
  if (unknownKeys.length) throw new ValidationError(`unknown member ${unknownKeys[0]}; allowed: revision, enabled, settings`, unknownKeys[0]!);
  if (typeof b.revision !== 'number' || !Number.isInteger(b.revision) || b.revision < 0) {
    throw new ValidationError('revision is required: the revision you read (0 if never saved)', 'revision', 'required');
  }
  if (b.enabled !== undefined && typeof b.enabled !== 'boolean') throw new ValidationError('enabled must be true or false', 'enabled');
  if (b.enabled === undefined && b.settings === undefined) throw new ValidationError('nothing to change: give enabled and/or settings', 'body');
  const settings = b.settings === undefined ? undefined : validateSettings(kind, b.settings);

  const current = await getSetting(deps, kind, name).catch((error: unknown) => {
    if (error instanceof NotFoundError && kind === 'service') return null;
    throw error;
  });
  const base: StoredSetting = current
    ? { kind, name, enabled: current.enabled, settings: current.settings, revision: current.revision, updatedBy: current.updatedBy, updatedAt: current.updatedAt }
    : defaults(kind, name);
  const next: StoredSetting = {
    kind,
    name,
    enabled: (b.enabled as boolean | undefined) ?? base.enabled,
    settings: settings ?? base.settings,
    revision: b.revision + 1,
    updatedBy: by,
    updatedAt: deps.clock.now(),
  };
  await deps.settings.save(next, b.revision);
  try {
    const results = await deps.bus.publish([{ source: SETTINGS_BUS_SOURCE, detailType: CDEVENT_DETAIL_TYPE, detail: toSettingCdevent(next, deps.portalUrl), time: next.updatedAt! }]);
    const rejected = results.find((r) => 'errorCode' in r);
    if (rejected) deps.logger.error('the bus refused a settings event', { kind, name, result: rejected });
  } catch (error) {
    // Saved is saved: open portals then only learn of it on their next reload.
    deps.logger.error('publishing a settings event failed', { kind, name, error: (error as Error).message });
  }
  return view(`${kind}/${name}`, next, current ? { origin: current.origin, configEnabled: current.configEnabled, details: current.details } : undefined);
}

/**
 * Names of the environments that are switched off: a saved toggle wins, else the YAML's
 * `enabled`. `runChecks` skips their checks.
 */
export async function disabledEnvironments(deps: Pick<SettingsDeps, 'settings' | 'monitoringConfig'>): Promise<ReadonlySet<string>> {
  const [snapshot, stored] = await Promise.all([deps.monitoringConfig.current(), deps.settings.list()]);
  const toggles = new Map(stored.filter((s) => s.kind === 'environment').map((s) => [s.name, s.enabled]));
  const off = new Set<string>();
  for (const e of snapshot.config.environments) if (!(toggles.get(e.name) ?? e.enabled)) off.add(e.name);
  for (const [name, enabled] of toggles) if (!enabled) off.add(name);
  return off;
}
