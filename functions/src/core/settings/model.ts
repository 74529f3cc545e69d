/**
 * Admin settings (issue 5): per service, provider and environment an enabled flag and JSON settings
 * validated by one schema per kind, with who changed them and when (a revision per item, changed
 * by conditional writes only).
 */
import * as z from 'zod';
import { ValidationError } from '../errors';

export const SETTING_KINDS = ['service', 'provider', 'environment'] as const;
export type SettingKind = (typeof SETTING_KINDS)[number];

/** One settings item as stored (absent from the store = defaults, revision 0). */
export interface StoredSetting {
  kind: SettingKind;
  name: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  /** 1 after the first save, +1 per save; 0 means never saved. */
  revision: number;
  updatedBy: string | null;
  updatedAt: string | null;
}

/** A settings item as the admin API shows it: the stored item (or defaults) and where the name comes from. */
export interface SettingView extends StoredSetting {
  /**
   * Where the name is known from: `config` (environments of the YAML config), `inventory` (services
   * seen in events), `builtin` (providers Signalbox knows), `stored` (only in the settings store).
   */
  origin: 'config' | 'inventory' | 'builtin' | 'stored';
  /** Environments: the YAML's own `enabled` (the stored toggle wins once saved); null for other kinds. */
  configEnabled: boolean | null;
  /** Environments: provider/kind/tier from the YAML; null for other kinds. */
  details: Record<string, unknown> | null;
}

const text = (max: number) => z.string().min(1).max(max);
const httpUrl = z
  .string()
  .max(2000)
  .refine((v) => /^https?:\/\/[^\s]+$/i.test(v), { message: 'must be an http(s) URL' });
const tags = z.array(z.string().regex(/^[\p{L}\p{N} ._:/=+-]{1,64}$/u, 'must be 1 to 64 letters, digits or ._:/=+-')).max(20);
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Settings of a service. */
export const serviceSettingsSchema = z.strictObject({
  owner: text(200).optional(),
  tier: z.enum(['critical', 'high', 'medium', 'low']).optional(),
  runbookUrl: httpUrl.optional(),
  tags: tags.optional(),
});

/** Settings of a cloud provider. */
export const providerSettingsSchema = z.strictObject({
  costImport: z
    .strictObject({
      enabled: z.boolean(),
      currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
    })
    .optional(),
  accountIds: z.array(z.string().regex(/^[A-Za-z0-9._:/-]{1,128}$/, 'must be an account, subscription or project id')).max(100).optional(),
});

/** Settings of an environment. */
export const environmentSettingsSchema = z.strictObject({
  notes: z.string().max(2000).optional(),
  maintenanceWindow: z
    .strictObject({
      days: z.array(z.enum(DAYS)).min(1).max(7),
      start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h, UTC)'),
      durationMinutes: z.number().int().min(1).max(1440),
    })
    .optional(),
});

export const SETTINGS_SCHEMAS = {
  service: serviceSettingsSchema,
  provider: providerSettingsSchema,
  environment: environmentSettingsSchema,
} as const;

export function isSettingKind(value: string): value is SettingKind {
  return (SETTING_KINDS as readonly string[]).includes(value);
}

/** `settings.tags[1]` from a zod path. */
function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${String(p)}`), prefix);
}

/**
 * Checks `settings` against the kind's schema. Unknown members are refused.
 * @throws ValidationError whose field is the path at fault (e.g. `settings.maintenanceWindow.start`).
 */
export function validateSettings(kind: SettingKind, settings: unknown): Record<string, unknown> {
  const parsed = SETTINGS_SCHEMAS[kind].safeParse(settings);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const issue = parsed.error.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys ?? [] : [];
  const path = keys.length ? [...issue.path, keys[0]!] : issue.path;
  const message = issue.code === 'unrecognized_keys' ? `unknown setting ${keys.join(', ')} for a ${kind}` : issue.message;
  throw new ValidationError(message, fieldPath('settings', path), 'invalid_setting');
}

/** Names of settings items: what the config and events use, no path separators. */
export const SETTING_NAME = /^[A-Za-z0-9][A-Za-z0-9._@:+-]{0,127}$/;

/** The JSON Schema of each kind's settings (documented in OpenAPI and shown by the admin page). */
export function settingsJsonSchemas(): Record<SettingKind, unknown> {
  return {
    service: z.toJSONSchema(serviceSettingsSchema, { target: 'draft-2020-12' }),
    provider: z.toJSONSchema(providerSettingsSchema, { target: 'draft-2020-12' }),
    environment: z.toJSONSchema(environmentSettingsSchema, { target: 'draft-2020-12' }),
  };
}
