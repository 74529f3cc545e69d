import type { EnvironmentConfig } from '../config/model';
import { UNALLOCATED } from './model';

/** Tag keys that name a cost's environment, tried in this order (case-insensitive). */
export const ENVIRONMENT_TAG_KEYS = ['signalbox:environment', 'environment', 'env'] as const;

/** How costs find their environment: tag keys, then account ids mapped in the config. */
export interface CostAllocation {
  readonly tagKeys: readonly string[];
  /** Account / subscription / project id → environment name (`accounts:` in environments.yaml). */
  readonly accounts: ReadonlyMap<string, string>;
}

/** The allocation of the config's environments (their `accounts:`), with the default tag keys. */
export function allocationFromEnvironments(environments: readonly Pick<EnvironmentConfig, 'name' | 'accounts'>[], tagKeys: readonly string[] = ENVIRONMENT_TAG_KEYS): CostAllocation {
  const accounts = new Map<string, string>();
  for (const env of environments) for (const id of env.accounts ?? []) if (!accounts.has(id)) accounts.set(id, env.name);
  return { tagKeys, accounts };
}

/**
 * The environment of one charge: the first environment tag with a non-empty value, else the first
 * of `accountIds` that the config maps, else `unallocated`.
 */
export function environmentOf(allocation: CostAllocation, tags: Readonly<Record<string, string>>, accountIds: readonly string[]): string {
  const lower = new Map(Object.entries(tags).map(([k, v]) => [k.toLowerCase(), v]));
  for (const key of allocation.tagKeys) {
    const value = lower.get(key.toLowerCase())?.trim();
    if (value) return value;
  }
  for (const id of accountIds) {
    const env = id ? allocation.accounts.get(id) : undefined;
    if (env) return env;
  }
  return UNALLOCATED;
}

const PROVIDER_NAMES: readonly [RegExp, string][] = [
  [/^(aws|amazon)/i, 'aws'],
  [/^(azure|microsoft)/i, 'azure'],
  [/^(gcp|google)/i, 'gcp'],
  [/^(oci|oracle)/i, 'oci'],
  [/^ibm/i, 'ibm'],
];

/** A FOCUS ProviderName (`Microsoft`, `Google Cloud`, `Oracle`, `AWS`, `IBM`) as a short provider id. */
export function normaliseProvider(name: string): string {
  for (const [pattern, id] of PROVIDER_NAMES) if (pattern.test(name.trim())) return id;
  return name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'unknown';
}
