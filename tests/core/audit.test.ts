import { describe, expect, it } from 'vitest';
import { InMemoryAuditStore } from '../../functions/src/adapters/local/in-memory-audit-store';
import {
  canonicalJson,
  GENESIS_HASH,
  hashOfEntry,
  listAudit,
  parseAuditQuery,
  recordAudit,
  redactParameters,
  verifyAudit,
  type AuditDeps,
  type AuditEntry,
  type AuditInput,
} from '../../functions/src/core/audit';
import { ValidationError } from '../../functions/src/core/errors';

const silent = { info: () => {}, warn: () => {}, error: () => {} };

function setup() {
  let t = Date.parse('2026-11-23T10:00:00.000Z');
  const store = new InMemoryAuditStore();
  const deps: AuditDeps = { audit: store, clock: { now: () => new Date((t += 1000)).toISOString() }, logger: silent };
  return { store, deps };
}

function input(over: Partial<AuditInput> = {}): AuditInput {
  return {
    actor: { subject: 'sub-alice', name: 'alice', kind: 'user', role: 'admin' },
    sourceIp: '192.0.2.7',
    action: 'settings:write',
    resource: 'setting/service/checkout',
    parameters: { kind: 'service', name: 'checkout', body: { enabled: false } },
    outcome: { status: 200, error: null },
    ...over,
  };
}

async function fill(deps: AuditDeps, n: number): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for (let i = 1; i <= n; i++) out.push(await recordAudit(deps, input({ resource: `setting/service/s${i}` })));
  return out;
}

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
});

describe('redactParameters', () => {
  it('redacts secret-looking members at any depth and keeps the rest', () => {
    const out = redactParameters({ name: 'ci', token: 'sbx_abc', nested: { clientSecret: 's', Password: 'p', headers: { Authorization: 'Bearer x' } }, list: [{ apiKey: 'k', ok: 1 }] });
    expect(out).toEqual({ name: 'ci', token: '[redacted]', nested: { clientSecret: '[redacted]', Password: '[redacted]', headers: { Authorization: '[redacted]' } }, list: [{ apiKey: '[redacted]', ok: 1 }] });
  });

  it('cuts long strings and replaces oversized parameters by a summary', () => {
    const long = redactParameters({ note: 'x'.repeat(5000) }) as { note: string };
    expect(long.note.length).toBeLessThan(1100);
    const big = redactParameters(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'y'.repeat(900)]))) as Record<string, unknown>;
    expect(big['[truncated]']).toBeGreaterThan(8 * 1024);
    expect((big.keys as string[]).slice(0, 2)).toEqual(['k0', 'k1']);
  });
});

describe('recordAudit', () => {
  it('chains entries: seq 1, 2, 3, genesis prevHash, each hash over the canonical JSON', async () => {
    const { deps, store } = setup();
    const [a, b, c] = await fill(deps, 3);
    expect([a!.seq, b!.seq, c!.seq]).toEqual([1, 2, 3]);
    expect(a!.prevHash).toBe(GENESIS_HASH);
    expect(b!.prevHash).toBe(a!.hash);
    expect(c!.prevHash).toBe(b!.hash);
    expect(a!.hash).toBe(hashOfEntry(a!));
    expect(a!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.head()).toEqual({ seq: 3, hash: c!.hash });
  });

  it('redacts the parameters it stores', async () => {
    const { deps } = setup();
    const e = await recordAudit(deps, input({ parameters: { body: { name: 'ci', secret: 'shh' } } }));
    expect(e.parameters).toEqual({ body: { name: 'ci', secret: '[redacted]' } });
  });

  it('orders concurrent writers without gaps or forks (conditional append, retry)', async () => {
    const { deps } = setup();
    await Promise.all(Array.from({ length: 12 }, (_, i) => recordAudit(deps, input({ resource: `r/${i}` }))));
    const v = await verifyAudit(deps);
    expect(v).toMatchObject({ ok: true, checked: 12, lastSeq: 12 });
  });

  it('catches up a head that lags the last entry (a writer stopped between its two writes)', async () => {
    const { deps, store } = setup();
    const [, b] = await fill(deps, 2);
    store.tamperHead({ seq: 1, hash: 'stale' });
    const c = await recordAudit(deps, input());
    expect(c.seq).toBe(3);
    expect(c.prevHash).toBe(b!.hash);
    expect((await verifyAudit(deps)).ok).toBe(true);
  });
});

describe('verifyAudit', () => {
  it('is ok on an empty log and on an intact one', async () => {
    const { deps } = setup();
    expect(await verifyAudit(deps)).toEqual({ ok: true, checked: 0, lastSeq: 0, headSeq: null });
    await fill(deps, 5);
    expect(await verifyAudit(deps)).toEqual({ ok: true, checked: 5, lastSeq: 5, headSeq: 5 });
  });

  it('finds an edited entry by its hash', async () => {
    const { deps, store } = setup();
    await fill(deps, 5);
    store.tamper(3, (t) => t!.replace('"status":200', '"status":201'));
    expect(await verifyAudit(deps)).toMatchObject({ ok: false, checked: 2, firstBad: { seq: 3, reason: 'hash' } });
  });

  it('finds an edited and re-hashed entry by the next link', async () => {
    const { deps, store } = setup();
    await fill(deps, 5);
    store.tamper(3, (t) => {
      const e = JSON.parse(t!) as AuditEntry;
      const forged = { ...e, actor: { ...e.actor, name: 'mallory' } };
      return JSON.stringify({ ...forged, hash: hashOfEntry(forged) });
    });
    expect(await verifyAudit(deps)).toMatchObject({ ok: false, firstBad: { seq: 4, reason: 'link' } });
  });

  it('finds a re-hashed last entry by the head marker', async () => {
    const { deps, store } = setup();
    await fill(deps, 3);
    store.tamper(3, (t) => {
      const e = JSON.parse(t!) as AuditEntry;
      const forged = { ...e, outcome: { status: 500, error: 'x' } };
      return JSON.stringify({ ...forged, hash: hashOfEntry(forged) });
    });
    expect(await verifyAudit(deps)).toMatchObject({ ok: false, firstBad: { seq: 3, reason: 'link' } });
  });

  it('finds a deleted entry as a gap', async () => {
    const { deps, store } = setup();
    await fill(deps, 5);
    store.tamper(2, () => undefined);
    expect(await verifyAudit(deps)).toMatchObject({ ok: false, checked: 1, firstBad: { seq: 2, reason: 'gap' } });
  });

  it('finds a deleted first entry as a gap at seq 1', async () => {
    const { deps, store } = setup();
    await fill(deps, 2);
    store.tamper(1, () => undefined);
    expect(await verifyAudit(deps)).toMatchObject({ ok: false, checked: 0, firstBad: { seq: 1, reason: 'gap' } });
  });

  it('finds swapped (reordered) entries', async () => {
    const { deps, store } = setup();
    const entries = await fill(deps, 4);
    store.tamper(2, () => JSON.stringify(entries[2]));
    store.tamper(3, () => JSON.stringify(entries[1]));
    expect(await verifyAudit(deps)).toMatchObject({ ok: false, firstBad: { seq: 2, reason: 'hash' } });
  });

  it('finds swapped entries renumbered and re-hashed by the broken links', async () => {
    const { deps, store } = setup();
    const entries = await fill(deps, 4);
    const renumber = (e: AuditEntry, seq: number) => {
      const f = { ...e, seq };
      return JSON.stringify({ ...f, hash: hashOfEntry(f) });
    };
    store.tamper(2, () => renumber(entries[2]!, 2));
    store.tamper(3, () => renumber(entries[1]!, 3));
    expect(await verifyAudit(deps)).toMatchObject({ ok: false, firstBad: { seq: 2, reason: 'link' } });
  });

  it('finds a truncated tail (the head names entries that are gone)', async () => {
    const { deps, store } = setup();
    await fill(deps, 5);
    store.tamper(5, () => undefined);
    store.tamper(4, () => undefined);
    expect(await verifyAudit(deps)).toMatchObject({ ok: false, checked: 3, headSeq: 5, firstBad: { seq: 4, reason: 'missing' } });
  });

  it('finds unreadable entries', async () => {
    const { deps, store } = setup();
    await fill(deps, 2);
    store.tamper(2, () => '{not json');
    expect(await verifyAudit(deps)).toMatchObject({ ok: false, firstBad: { seq: 2, reason: 'hash' } });
  });

  it('stays ok while entries are appended during the walk', async () => {
    const { deps } = setup();
    await fill(deps, 600);
    const [v] = await Promise.all([verifyAudit(deps), ...Array.from({ length: 20 }, (_, i) => recordAudit(deps, input({ resource: `late/${i}` })))]);
    expect(v.ok).toBe(true);
    expect((await verifyAudit(deps)).checked).toBe(620);
  });

  it('walks a chain longer than one page', async () => {
    const { deps } = setup();
    await fill(deps, 1203);
    expect(await verifyAudit(deps)).toMatchObject({ ok: true, checked: 1203 });
  });
});

describe('listAudit', () => {
  async function seeded() {
    const { deps } = setup();
    await recordAudit(deps, input({ action: 'alerts:ack', resource: 'alert/abc', actor: { subject: 's-bob', name: 'bob', kind: 'user', role: 'operator' } }));
    await recordAudit(deps, input({ action: 'settings:write', resource: 'setting/service/a' }));
    await recordAudit(deps, input({ action: 'settings:write', resource: 'setting/environment/e', outcome: { status: 403, error: 'forbidden' } }));
    await recordAudit(deps, input({ action: 'rollouts:start', resource: 'rollout/r-1', actor: { subject: 's-bob', name: 'bob', kind: 'user', role: 'operator' } }));
    return deps;
  }

  it('lists newest first and pages with a cursor', async () => {
    const deps = await seeded();
    const first = await listAudit(deps, { limit: 3 });
    expect(first.items.map((e) => e.seq)).toEqual([4, 3, 2]);
    const second = await listAudit(deps, { limit: 3, cursor: first.next! });
    expect(second.items.map((e) => e.seq)).toEqual([1]);
    expect(second.next).toBeNull();
  });

  it('filters by actor, action, resource prefix, outcome and time', async () => {
    const deps = await seeded();
    const seqs = async (q: Record<string, string>) => (await listAudit(deps, parseAuditQuery(q))).items.map((e) => e.seq);
    expect(await seqs({ actor: 'bob' })).toEqual([4, 1]);
    expect(await seqs({ actor: 's-bob' })).toEqual([4, 1]);
    expect(await seqs({ action: 'settings:write' })).toEqual([3, 2]);
    expect(await seqs({ resource: 'setting/' })).toEqual([3, 2]);
    expect(await seqs({ outcome: 'failure' })).toEqual([3]);
    expect(await seqs({ outcome: '403' })).toEqual([3]);
    expect(await seqs({ outcome: 'success', actor: 'alice' })).toEqual([2]);
    expect(await seqs({ from: '2026-11-23T10:00:02.000Z', to: '2026-11-23T10:00:03.000Z' })).toEqual([3, 2]);
    expect(await seqs({ to: '2026-11-22' })).toEqual([]);
  });

  it('refuses bad filters naming the parameter', () => {
    expect(() => parseAuditQuery({ outcome: 'meh' })).toThrow(ValidationError);
    expect(() => parseAuditQuery({ from: 'yesterday' })).toThrowError(expect.objectContaining({ field: 'from' }));
    expect(() => parseAuditQuery({ limit: '0' })).toThrowError(expect.objectContaining({ field: 'limit' }));
  });

  it('refuses a forged cursor', async () => {
    const deps = await seeded();
    await expect(listAudit(deps, { limit: 3, cursor: 'nope' })).rejects.toMatchObject({ field: 'cursor' });
  });
});
