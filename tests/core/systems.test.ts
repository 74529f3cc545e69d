import { describe, expect, it } from 'vitest';
import type { ConfigFile, SignalboxConfig } from '../../functions/src/core/config/model';
import { loadConfig } from '../../functions/src/core/config/parse';
import { ValidationError } from '../../functions/src/core/errors';
import type { CheckStatus } from '../../functions/src/core/monitoring/model';
import { buildSystemGraph, findCycles, matchesSelector, resolveMembers } from '../../functions/src/core/systems/graph';
import { rollUp, type CheckStatusInput, type HealthNode } from '../../functions/src/core/systems/rollup';

const y = (lines: string[]) => `${lines.join('\n')}\n`;

/** platform ⊃ {edge, shared}; ledger ⊃ {chain, shared}; dc1-storage selects storage systems in dc1. */
const FILES: ConfigFile[] = [
  {
    name: 'systems.yaml',
    text: y([
      'systems:',
      '  - name: platform',
      '    subsystems: [edge, shared]',
      '  - name: ledger',
      '    subsystems: [chain, shared]',
      '  - name: edge',
      '    services: [gateway, { name: auth, environments: [dc1] }]',
      '    checks: [edge-tls]',
      '  - name: chain',
      '    labels: { kind: ledger, site: dc1 }',
      '    checks: [node-head]',
      '  - name: shared',
      '    labels: { kind: storage, site: dc1 }',
      '    checks: [db-port]',
      '  - name: archive',
      '    labels: { kind: storage, site: dc2 }',
      '  - name: dc1-storage',
      '    selector: { kind: storage, site: dc1 }',
      '  - name: not-dc2',
      '    selector: { kind: { exists: true }, site: { notIn: [dc2] } }',
      '  - name: floating',
      '    labels: { kind: storage }',
      '  - name: unmonitored',
      '    services: [legacy]',
    ]),
  },
  { name: 'environments.yaml', text: y(['environments:', '  - { name: dc1, provider: onprem, kind: hci }', '  - { name: dc2, provider: onprem, kind: hci }']) },
  {
    name: 'checks.yaml',
    text: y([
      'checks:',
      '  - { name: gateway-health, type: http, url: "http://gw/health", service: gateway }',
      '  - { name: auth-dc1, type: tcp, host: auth, port: 443, service: auth, environment: dc1 }',
      '  - { name: auth-dc2, type: tcp, host: auth, port: 443, service: auth, environment: dc2 }',
      '  - { name: edge-tls, type: http, url: "https://gw" }',
      '  - { name: node-head, type: evm, url: "http://node:8545" }',
      '  - { name: db-port, type: tcp, host: db, port: 5432 }',
    ]),
  },
];

const config = loadConfig(FILES);
const graph = buildSystemGraph(config);

function statuses(entries: Record<string, CheckStatus | CheckStatusInput>): Map<string, CheckStatusInput> {
  return new Map(Object.entries(entries).map(([k, v]) => [k, typeof v === 'string' ? { status: v } : v]));
}

const ALL_OK = statuses({ 'gateway-health': 'ok', 'auth-dc1': 'ok', 'auth-dc2': 'ok', 'edge-tls': 'ok', 'node-head': 'ok', 'db-port': 'ok' });

function child(node: HealthNode, name: string): HealthNode {
  const found = node.children.find((c) => c.name === name);
  if (!found) throw new Error(`${node.name} has no child ${name}`);
  return found;
}

describe('buildSystemGraph', () => {
  it('resolves members top down, a shared subsystem under each parent, roots without parents', () => {
    expect(graph.systems.get('platform')!.members).toEqual([
      { name: 'edge', via: 'subsystems' },
      { name: 'shared', via: 'subsystems' },
    ]);
    expect(graph.systems.get('ledger')!.members.map((m) => m.name)).toEqual(['chain', 'shared']);
    expect(graph.roots).toEqual(['platform', 'ledger', 'archive', 'dc1-storage', 'not-dc2', 'unmonitored']);
  });

  it('adds selector members by labels, with In/NotIn semantics', () => {
    expect(graph.systems.get('dc1-storage')!.members).toEqual([{ name: 'shared', via: 'selector' }]);
    // NotIn also matches a system without the key (floating), as in Kubernetes.
    expect(graph.systems.get('not-dc2')!.members.map((m) => m.name)).toEqual(['chain', 'shared', 'floating']);
  });

  it('gives services the checks that name them, within their environments', () => {
    expect(graph.systems.get('edge')!.services).toEqual([
      { name: 'gateway', environments: [], checks: ['gateway-health'] },
      { name: 'auth', environments: ['dc1'], checks: ['auth-dc1'] },
    ]);
  });

  it('throws a ValidationError naming the cycle path', () => {
    const cyclic: Pick<SignalboxConfig, 'checks' | 'systems'> = {
      checks: [],
      systems: [
        { name: 'a', labels: {}, subsystems: ['b'], services: [], checks: [], source: { file: 'x', line: 1, column: 1 } },
        { name: 'b', labels: { kind: 'x' }, subsystems: [], selector: { requirements: [{ key: 'kind', operator: 'equals', value: 'y' }] }, services: [], checks: [], source: { file: 'x', line: 2, column: 1 } },
        { name: 'c', labels: { kind: 'y' }, subsystems: ['a'], services: [], checks: [], source: { file: 'x', line: 3, column: 1 } },
      ],
    };
    let error: unknown;
    try {
      buildSystemGraph(cyclic);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe('systems contain each other: a → b → c → a');
    expect((error as ValidationError).code).toBe('system_cycle');
    expect((error as ValidationError).field).toBe('systems.c.subsystems');
  });
});

describe('findCycles', () => {
  it('reports each cycle once and ignores unknown names and diamonds', () => {
    const members = new Map([
      ['a', [{ name: 'b', via: 'subsystems' as const }, { name: 'c', via: 'subsystems' as const }]],
      ['b', [{ name: 'd', via: 'subsystems' as const }]],
      ['c', [{ name: 'd', via: 'subsystems' as const }, { name: 'ghost', via: 'subsystems' as const }]],
      ['d', []],
    ]);
    expect(findCycles(['a', 'b', 'c', 'd'], members)).toEqual([]);
    members.set('d', [{ name: 'a', via: 'subsystems' }]);
    expect(findCycles(['a', 'b', 'c', 'd'], members).map((c) => c.path.join('>'))).toEqual(['a>b>d>a']);
  });
});

describe('matchesSelector', () => {
  const sel = (requirements: Parameters<typeof matchesSelector>[0]['requirements']) => ({ requirements });
  it('applies equals, in, notIn, exists and doesNotExist together', () => {
    const labels = { kind: 'storage', site: 'dc1' };
    expect(matchesSelector(sel([{ key: 'kind', operator: 'equals', value: 'storage' }, { key: 'site', operator: 'in', values: ['dc1', 'dc2'] }]), labels)).toBe(true);
    expect(matchesSelector(sel([{ key: 'kind', operator: 'equals', value: 'storage' }, { key: 'site', operator: 'notIn', values: ['dc1'] }]), labels)).toBe(false);
    expect(matchesSelector(sel([{ key: 'site', operator: 'exists' }, { key: 'legacy', operator: 'doesNotExist' }]), labels)).toBe(true);
    expect(matchesSelector(sel([{ key: 'tier', operator: 'in', values: ['prod'] }]), labels)).toBe(false);
    expect(matchesSelector(sel([]), labels)).toBe(false);
  });

  it('is used by resolveMembers without duplicating a listed subsystem', () => {
    const members = resolveMembers([
      { name: 'agg', labels: {}, subsystems: ['s1'], selector: sel([{ key: 'kind', operator: 'equals', value: 'storage' }]), services: [], checks: [], source: { file: 'x', line: 1, column: 1 } },
      { name: 's1', labels: { kind: 'storage' }, subsystems: [], services: [], checks: [], source: { file: 'x', line: 2, column: 1 } },
      { name: 's2', labels: { kind: 'storage' }, subsystems: [], services: [], checks: [], source: { file: 'x', line: 3, column: 1 } },
    ]);
    expect(members.get('agg')).toEqual([
      { name: 's1', via: 'subsystems' },
      { name: 's2', via: 'selector' },
    ]);
  });
});

describe('rollUp', () => {
  it('is ok when every check is ok, keeping every layer', () => {
    const up = rollUp(graph, ALL_OK);
    const platform = up.systems.get('platform')!;
    expect(platform.status).toBe('ok');
    expect(platform.culprit).toBeUndefined();
    const edge = child(platform, 'edge');
    expect(edge.checks).toEqual([{ name: 'edge-tls', status: 'ok', message: '' }]);
    expect(edge.children.map((c) => [c.kind, c.name, c.status])).toEqual([
      ['service', 'gateway', 'ok'],
      ['service', 'auth', 'ok'],
    ]);
    expect(child(edge, 'auth').environments).toEqual(['dc1']);
  });

  it('names the worst child down to the check, and the shared subsystem affects both parents', () => {
    const up = rollUp(graph, statuses({ ...Object.fromEntries(ALL_OK), 'db-port': { status: 'critical', message: 'connection refused' } }));
    for (const parent of ['platform', 'ledger', 'dc1-storage']) {
      const node = up.systems.get(parent)!;
      expect(node.status).toBe('critical');
      expect(node.culprit).toEqual({ kind: 'system', name: 'shared', status: 'critical' });
      expect(node.reason).toBe('subsystem shared is critical: check db-port is critical: connection refused');
    }
    // The same node object under both parents: one state for a shared subsystem.
    expect(child(up.systems.get('platform')!, 'shared')).toBe(child(up.systems.get('ledger')!, 'shared'));
    // Siblings keep their own status.
    expect(child(up.systems.get('platform')!, 'edge').status).toBe('ok');
    expect(up.systems.get('archive')!.status).toBe('unknown');
  });

  it('ranks critical over warning over unknown over ok; the first of equals wins', () => {
    const base = Object.fromEntries(ALL_OK) as Record<string, CheckStatusInput>;
    const warnEdge = rollUp(graph, statuses({ ...base, 'gateway-health': 'warning', 'db-port': 'unknown' })).systems.get('platform')!;
    expect([warnEdge.status, warnEdge.culprit?.name]).toEqual(['warning', 'edge']);
    expect(warnEdge.reason).toBe('subsystem edge is warning: service gateway is warning: check gateway-health is warning');
    const unknown = rollUp(graph, statuses({ ...base, 'db-port': 'unknown' })).systems.get('platform')!;
    expect([unknown.status, unknown.culprit?.name]).toEqual(['unknown', 'shared']);
    const tie = rollUp(graph, statuses({ ...base, 'edge-tls': 'warning', 'gateway-health': 'warning' })).systems.get('edge')!;
    expect(tie.culprit).toEqual({ kind: 'check', name: 'edge-tls', status: 'warning' });
  });

  it('treats a check without a result as unknown', () => {
    const up = rollUp(graph, statuses({}));
    const chain = up.systems.get('chain')!;
    expect(chain.status).toBe('unknown');
    expect(chain.checks).toEqual([{ name: 'node-head', status: 'unknown', message: 'no result yet' }]);
    expect(chain.reason).toBe('check node-head is unknown: no result yet');
  });

  it('leaves unobserved members out of their parents', () => {
    const up = rollUp(graph, ALL_OK);
    const unmonitored = up.systems.get('unmonitored')!;
    expect(unmonitored).toMatchObject({ status: 'unknown', observed: false });
    expect(child(unmonitored, 'legacy')).toMatchObject({ kind: 'service', status: 'unknown', observed: false, reason: 'not observed: no checks here or below' });
    // not-dc2 contains floating (no checks) and observed systems that are all ok.
    expect(child(up.systems.get('not-dc2')!, 'floating').observed).toBe(false);
    expect(up.systems.get('not-dc2')!.status).toBe('ok');
  });

  it('returns one tree per root', () => {
    expect(rollUp(graph, ALL_OK).roots.map((r) => r.name)).toEqual(graph.roots);
  });
});
