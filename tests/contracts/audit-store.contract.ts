import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, hashOfEntry, type AuditEntry } from '../../functions/src/core/audit/model';
import type { AuditStore } from '../../functions/src/core/ports/audit-store';

export function auditEntry(seq: number, prevHash = GENESIS_HASH, over: Partial<AuditEntry> = {}): AuditEntry {
  const unhashed: Omit<AuditEntry, 'hash'> = {
    seq,
    at: `2026-11-23T10:00:${String(seq % 60).padStart(2, '0')}.000Z`,
    actor: { subject: 'u-1', name: 'alice@example.com', kind: 'user', role: 'admin' },
    sourceIp: '192.0.2.1',
    action: 'settings:write',
    resource: `setting/service/s-${seq}`,
    parameters: { kind: 'service', name: `s-${seq}`, body: { enabled: true, ünïcode: '✓', n: 1.5 } },
    outcome: { status: 200, error: null },
    prevHash,
    ...over,
  };
  return { ...unhashed, hash: hashOfEntry(unhashed) };
}

/** One suite for every `AuditStore` adapter: append-only, conditional, ordered ranges, a head that only moves forward. */
export function auditStoreContract(name: string, make: () => Promise<AuditStore>): void {
  describe(`AuditStore contract: ${name}`, () => {
    it('starts empty: no head, no entries', async () => {
      const store = await make();
      expect(await store.head()).toBeNull();
      expect(await store.get(1)).toBeNull();
      expect(await store.range({ order: 'asc', limit: 10 })).toEqual([]);
    });

    it('appends an entry once and reads it back exactly (hash still matches)', async () => {
      const store = await make();
      const e = auditEntry(1);
      expect(await store.append(e)).toBe(true);
      const got = await store.get(1);
      expect(got).toEqual({ seq: 1, entry: e });
      expect(hashOfEntry(got!.entry!)).toBe(e.hash);
    });

    it('refuses a second entry at the same seq and keeps the first (lost race)', async () => {
      const store = await make();
      const first = auditEntry(1);
      expect(await store.append(first)).toBe(true);
      expect(await store.append(auditEntry(1, GENESIS_HASH, { resource: 'other' }))).toBe(false);
      expect((await store.get(1))!.entry).toEqual(first);
    });

    it('lets exactly one of concurrent appends at one seq win', async () => {
      const store = await make();
      const results = await Promise.all([1, 2, 3, 4].map((i) => store.append(auditEntry(1, GENESIS_HASH, { resource: `r-${i}` }))));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('moves the head forward only', async () => {
      const store = await make();
      await store.advanceHead({ seq: 2, hash: 'b' });
      expect(await store.head()).toEqual({ seq: 2, hash: 'b' });
      await store.advanceHead({ seq: 1, hash: 'a' });
      expect(await store.head()).toEqual({ seq: 2, hash: 'b' });
      await store.advanceHead({ seq: 2, hash: 'b' });
      await store.advanceHead({ seq: 3, hash: 'c' });
      expect(await store.head()).toEqual({ seq: 3, hash: 'c' });
    });

    it('reads ranges ascending after a seq and descending before a seq, limited', async () => {
      const store = await make();
      let prev = GENESIS_HASH;
      for (let seq = 1; seq <= 12; seq++) {
        const e = auditEntry(seq, prev);
        prev = e.hash;
        expect(await store.append(e)).toBe(true);
      }
      const seqs = (xs: { seq: number }[]) => xs.map((x) => x.seq);
      expect(seqs(await store.range({ order: 'asc', limit: 5 }))).toEqual([1, 2, 3, 4, 5]);
      expect(seqs(await store.range({ order: 'asc', after: 9, limit: 5 }))).toEqual([10, 11, 12]);
      expect(seqs(await store.range({ order: 'desc', limit: 3 }))).toEqual([12, 11, 10]);
      expect(seqs(await store.range({ order: 'desc', before: 3, limit: 5 }))).toEqual([2, 1]);
      expect(seqs(await store.range({ order: 'desc', before: 1, limit: 5 }))).toEqual([]);
      expect(seqs(await store.range({ order: 'asc', after: 12, limit: 5 }))).toEqual([]);
      // seq 10 sorts after seq 9 (keys are zero-padded, not text-ordered numbers).
      expect(seqs(await store.range({ order: 'asc', after: 8, before: 11, limit: 10 }))).toEqual([9, 10]);
      expect((await store.range({ order: 'asc', after: 4, limit: 1 }))[0]!.entry!.resource).toBe('setting/service/s-5');
    });

    it('offers no way to change or remove an entry', async () => {
      const store = await make();
      const methods = new Set<string>();
      for (let p = Object.getPrototypeOf(store); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
        for (const m of Object.getOwnPropertyNames(p)) methods.add(m);
      }
      expect([...methods].filter((m) => /update|delete|remove|put(?!If)|overwrite|replace/i.test(m))).toEqual([]);
    });
  });
}
