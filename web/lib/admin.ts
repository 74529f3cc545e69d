/**
 * The admin page's API calls (settings, producer/agent tokens, users, audit log) and view types.
 * Types are copied from the API (OpenAPI `Setting`, `AuditEntry`, ...); the portal does not import
 * the core. All calls go through `request()`.
 */
import { query, request } from './api';
import { absoluteTime, relativeTime } from './format';

export type SettingKind = 'service' | 'provider' | 'environment';
export const SETTING_KINDS: readonly SettingKind[] = ['environment', 'service', 'provider'];

export interface Setting {
  kind: SettingKind;
  name: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  revision: number;
  updatedBy: string | null;
  updatedAt: string | null;
  origin: 'config' | 'inventory' | 'builtin' | 'stored';
  configEnabled: boolean | null;
  details: Record<string, unknown> | null;
}

export interface SettingsList {
  items: Setting[];
  schemas: Record<SettingKind, unknown>;
}

export interface AccessToken {
  id: string;
  name: string;
  kind: 'producer' | 'agent';
  agent: string | null;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy?: string | null;
}

export interface DirectoryUser {
  username: string;
  email: string | null;
  role: 'viewer' | 'operator' | 'admin';
  groups: string[];
  enabled: boolean;
  status: string | null;
  createdAt: string | null;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: { subject: string; name: string; kind: string; role: string | null };
  sourceIp: string | null;
  action: string;
  resource: string;
  parameters: unknown;
  outcome: { status: number; error: string | null };
  prevHash: string;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  lastSeq: number;
  headSeq: number | null;
  firstBad?: { seq: number; reason: 'hash' | 'link' | 'gap' | 'missing' };
}

export interface AuditFilters {
  actor?: string;
  action?: string;
  resource?: string;
  outcome?: string;
  from?: string;
  to?: string;
  cursor?: string;
}

const seg = encodeURIComponent;
const JSON_HEADERS = { 'content-type': 'application/json' };

export const getSettings = (signal?: AbortSignal) => request<SettingsList>('/api/admin/settings', { signal });

export const putSetting = (kind: SettingKind, name: string, body: { revision: number; enabled?: boolean; settings?: unknown }) =>
  request<Setting>(`/api/admin/settings/${seg(kind)}/${seg(name)}`, { method: 'PUT', headers: JSON_HEADERS, body: JSON.stringify(body) });

export const getTokens = (signal?: AbortSignal) => request<{ items: AccessToken[] }>('/api/admin/tokens', { signal });

export const createToken = (body: { name: string; kind: 'producer' | 'agent'; agent?: string }) =>
  request<{ token: AccessToken; secret: string }>('/api/admin/tokens', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });

export const revokeToken = (id: string) => request<{ token: AccessToken }>(`/api/admin/tokens/${seg(id)}`, { method: 'DELETE' });

export const getUsers = (signal?: AbortSignal) => request<{ source: string; items: DirectoryUser[] }>('/api/admin/users', { signal });

export const getAudit = (filters: AuditFilters, limit: number, signal?: AbortSignal) =>
  request<{ items: AuditEntry[]; next: string | null }>(`/api/audit${query({ ...filters, limit })}`, { signal });

export const verifyAudit = () => request<AuditVerification>('/api/audit/verify');

/** What the verify button shows. */
export function verificationText(v: AuditVerification): string {
  if (v.ok) return `Chain intact: ${v.checked} ${v.checked === 1 ? 'entry' : 'entries'} verified.`;
  const bad = v.firstBad!;
  const why = {
    hash: 'its content does not match its hash (edited)',
    link: 'it does not link to the entry before it (re-linked or reordered)',
    gap: 'it is missing while later entries exist (deleted)',
    missing: 'the log ends before the recorded head (truncated)',
  }[bad.reason];
  return `Chain broken at entry ${bad.seq}: ${why}. ${v.checked} entries verified before it.`;
}

export function when(iso: string | null): { text: string; title: string } {
  if (!iso) return { text: 'never', title: '' };
  return { text: relativeTime(iso, Date.now()), title: absoluteTime(iso) };
}
