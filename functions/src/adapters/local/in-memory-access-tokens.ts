import { ConflictError } from '../../core/errors';
import type { AccessTokenRecord, AccessTokenStore } from '../../core/ports/access-tokens';

/** Producer and agent tokens in memory (tests; same semantics as the DynamoDB store, see the contract). */
export class InMemoryAccessTokenStore implements AccessTokenStore {
  private readonly records = new Map<string, AccessTokenRecord>();

  async create(record: AccessTokenRecord): Promise<boolean> {
    const existing = this.records.get(record.id);
    if (existing) {
      if (existing.hash !== record.hash) throw new ConflictError(`token id ${record.id} exists`, 'id');
      return false;
    }
    this.records.set(record.id, { ...record, revokedBy: record.revokedBy ?? null });
    return true;
  }

  async get(id: string): Promise<AccessTokenRecord | null> {
    const r = this.records.get(id);
    return r ? { ...r } : null;
  }

  async list(): Promise<AccessTokenRecord[]> {
    return [...this.records.values()]
      .sort((a, b) => `${b.createdAt}#${b.id}`.localeCompare(`${a.createdAt}#${a.id}`))
      .map((r) => ({ ...r }));
  }

  async revoke(id: string, at: string, by: string): Promise<AccessTokenRecord | null> {
    const r = this.records.get(id);
    if (!r) return null;
    if (!r.revokedAt) this.records.set(id, { ...r, revokedAt: at, revokedBy: by });
    return this.get(id);
  }

  async touch(id: string, at: string, minIntervalMs: number): Promise<void> {
    const r = this.records.get(id);
    if (!r) return;
    if (r.lastUsedAt === null || Date.parse(r.lastUsedAt) <= Date.parse(at) - minIntervalMs) this.records.set(id, { ...r, lastUsedAt: at });
  }
}
