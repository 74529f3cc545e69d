import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfigFolder } from '../../functions/src/adapters/local/config-folder';
import { toCheckSpec } from '../../functions/src/core/config/check-spec';
import type { ConfigFile, ConfigIssue } from '../../functions/src/core/config/model';
import { ConfigValidationError, formatIssue, loadConfig, parseConfig } from '../../functions/src/core/config/parse';
import { placeholdersIn, resolvePlaceholders } from '../../functions/src/core/config/placeholders';
import { buildSystemGraph } from '../../functions/src/core/systems/graph';

const y = (lines: string[]) => `${lines.join('\n')}\n`;

const GOOD: ConfigFile[] = [
  {
    name: 'environments.yaml',
    text: y([
      'environments:',
      '  - name: dc1',
      '    provider: onprem',
      '    kind: hci',
      '    regions: [dc1]',
      '    labels: { site: dc1 }',
      '  - name: local-demo',
      '    provider: local',
      '    kind: local',
      '    enabled: false',
    ]),
  },
  {
    name: 'systems.yaml',
    text: y([
      'systems:',
      '  - name: platform',
      '    subsystems: [api, shared]',
      '  - name: ledger',
      '    subsystems: [shared]',
      '  - name: api',
      '    services: [gateway, { name: auth, environments: [dc1] }]',
      '  - name: shared',
      '    labels: { kind: storage, site: dc1 }',
      '    checks: [db-port]',
      '  - name: dc1-storage',
      '    selector: { kind: storage, site: { in: [dc1, dc2] }, legacy: { exists: false } }',
    ]),
  },
  {
    name: 'checks.yaml',
    text: y([
      'checks:',
      '  - name: gateway-health',
      '    type: http',
      '    service: gateway',
      '    url: ${DEMO_PROXY_URL}/health',
      '    interval: 30s',
      '    expect: { status: [200, 204], bodyContains: ok, bodyMatches: "^\\\\{" }',
      '    thresholds: { latencyMs: { warning: 200, critical: 800 }, tlsDaysLeft: { warning: 20, critical: 7 } }',
      '  - name: db-port',
      '    type: tcp',
      '    host: db.dc1.example',
      '    port: 5432',
      '  - name: chain-id',
      '    type: jsonrpc',
      '    url: http://localhost:8545',
      '    method: eth_chainId',
      '    expect: { result: "0x539" }',
      '  - name: node',
      '    type: evm',
      '    url: ${EVM_RPC_URL}',
      '    environment: dc1',
      '    expect: { chainId: 1337 }',
      '    stalledAfter: 2m',
      '    thresholds: { peers: { warning: 3, critical: 1 } }',
    ]),
  },
  {
    name: 'alerts.yaml',
    text: y([
      'alerts:',
      '  - name: gateway-down',
      '    severity: critical',
      '    system: api',
      '    condition: { check: gateway-health }',
      '    for: 1m',
      '    labels: { team: edge }',
      '  - name: few-peers',
      '    severity: warning',
      '    condition: { check: node, metric: peer_count, op: "<", value: 2 }',
      '  - name: rolled-back',
      '    severity: info',
      '    condition: { event: [dev.cdevents.service.rolledback.*], match: { environment: dc1 } }',
      '    resolveAfter: 1h',
    ]),
  },
];

function issuesOf(files: ConfigFile[]): ConfigIssue[] {
  return [...parseConfig(files).issues];
}

/** GOOD with one file replaced. */
function withFile(name: string, text: string): ConfigFile[] {
  return [...GOOD.filter((f) => f.name !== name), { name, text }];
}

describe('parseConfig', () => {
  it('parses a good folder into typed config with defaults', () => {
    const { config, issues } = parseConfig(GOOD);
    expect(issues).toEqual([]);
    expect(config.environments.map((e) => [e.name, e.provider, e.kind, e.enabled, e.labels])).toEqual([
      ['dc1', 'onprem', 'hci', true, { site: 'dc1' }],
      ['local-demo', 'local', 'local', false, {}],
    ]);
    const api = config.systems.find((s) => s.name === 'api')!;
    expect(api.services).toEqual([
      { name: 'gateway', environments: [] },
      { name: 'auth', environments: ['dc1'] },
    ]);
    expect(api.source).toEqual({ file: 'systems.yaml', line: 6, column: 5 });
    expect(config.systems.find((s) => s.name === 'dc1-storage')!.selector).toEqual({
      requirements: [
        { key: 'kind', operator: 'equals', value: 'storage' },
        { key: 'site', operator: 'in', values: ['dc1', 'dc2'] },
        { key: 'legacy', operator: 'doesNotExist' },
      ],
    });
    const http = config.checks.find((c) => c.name === 'gateway-health')!;
    expect(http).toMatchObject({
      type: 'http',
      url: '${DEMO_PROXY_URL}/health',
      method: 'GET',
      intervalSeconds: 30,
      timeoutSeconds: 10,
      expectStatus: [200, 204],
      bodyContains: 'ok',
      bodyMatches: '^\\{',
      thresholds: { latencyMs: { direction: 'above', warning: 200, critical: 800 }, tlsDaysLeft: { direction: 'below', warning: 20, critical: 7 } },
    });
    expect(config.checks.find((c) => c.name === 'db-port')).toMatchObject({ type: 'tcp', host: 'db.dc1.example', port: 5432, intervalSeconds: 60 });
    expect(config.checks.find((c) => c.name === 'chain-id')).toMatchObject({ type: 'jsonrpc', method: 'eth_chainId', params: [], expectResult: '0x539', hasExpectResult: true });
    expect(config.checks.find((c) => c.name === 'node')).toMatchObject({ type: 'evm', chainId: 1337, stalledAfterSeconds: { direction: 'above', critical: 120 }, thresholds: { peers: { direction: 'below', warning: 3, critical: 1 } } });
    expect(config.alerts.map((a) => [a.name, a.severity, a.condition, a.forSeconds])).toEqual([
      ['gateway-down', 'critical', { kind: 'check', check: 'gateway-health', status: 'critical' }, 60],
      ['few-peers', 'warning', { kind: 'metric', check: 'node', metric: 'peer_count', op: '<', value: 2 }, 0],
      ['rolled-back', 'info', { kind: 'event', types: ['dev.cdevents.service.rolledback.*'], match: { environment: 'dc1' } }, 0],
    ]);
    expect(config.alerts[2]!.resolveAfterSeconds).toBe(3_600);
    expect(config.alerts[0]!.resolveAfterSeconds).toBeUndefined();
  });

  it('merges several documents of one file', () => {
    const { config, issues } = parseConfig([
      ...GOOD.filter((f) => f.name !== 'environments.yaml'),
      { name: 'environments.yaml', text: y(['environments:', '  - { name: dc1, provider: onprem, kind: hci }', '---', 'environments:', '  - { name: dc2, provider: onprem, kind: hci }']) },
    ]);
    expect(issues).toEqual([]);
    expect(config.environments.map((e) => e.name)).toEqual(['dc1', 'dc2']);
  });

  it('reports a YAML syntax error at its line', () => {
    expect(issuesOf(withFile('extra.yaml', y(['systems:', '  - name: x', '    labels: { a: 1', 'checks: []'])))).toEqual([
      expect.objectContaining({ file: 'extra.yaml', line: 4, field: '' }),
    ]);
  });

  it('reports a duplicate key', () => {
    const issues = issuesOf(withFile('extra.yaml', y(['systems:', '  - name: x', '    name: y'])));
    expect(issues).toEqual([{ file: 'extra.yaml', line: 3, column: 5, field: '', message: 'YAML: Map keys must be unique' }]);
  });

  it('reports unknown keys at the key, top level and nested', () => {
    const issues = issuesOf(
      withFile('extra.yaml', y(['systems:', '  - name: x', '    subsystem: [api]', 'service: []', 'checks:', '  - name: c', '    type: tcp', '    host: h', '    port: 1', '    url: http://x'])),
    );
    expect(issues.map((i) => [i.line, i.column, i.field])).toEqual([
      [3, 5, 'systems[0].subsystem'],
      [4, 1, 'service'],
      [10, 5, 'checks[0].url'],
    ]);
    expect(issues[0]!.message).toContain('unknown key "subsystem"');
  });

  it('reports wrong types, bad enums and missing required fields with their field', () => {
    const issues = issuesOf(
      withFile(
        'environments.yaml',
        y(['environments:', '  - name: dc1', '    provider: on-prem', '    kind: hci', '    regions: dc1', '  - name: Bad_Name', '    kind: cloud', '    enabled: yes please']),
      ),
    );
    expect(issues.map((i) => [i.line, i.column, i.field])).toEqual([
      [3, 15, 'environments[0].provider'],
      [5, 14, 'environments[0].regions'],
      [6, 5, 'environments[1].provider'],
      [6, 11, 'environments[1].name'],
      [8, 14, 'environments[1].enabled'],
    ]);
    expect(issues[0]!.message).toBe('environments[0].provider must be one of aws, azure, gcp, ibm, oci, onprem, local, got "on-prem"');
    expect(issues[2]!.message).toBe('environments[1].provider is required');
    // A name stays claimed when its item has issues, so references to it do not cascade into more errors.
    expect(issues.some((i) => i.message.includes('unknown environment'))).toBe(false);
  });

  it('reports a duplicate name at the second declaration, naming the first', () => {
    const issues = issuesOf(withFile('z-systems.yaml', y(['systems:', '  - name: api'])));
    expect(issues).toEqual([{ file: 'z-systems.yaml', line: 2, column: 11, field: 'systems[0].name', message: 'system "api" is already declared at systems.yaml:6' }]);
  });

  it('reports references to unknown systems, checks and environments at the referencing line', () => {
    const issues = issuesOf(
      withFile(
        'extra.yaml',
        y([
          'systems:',
          '  - name: x',
          '    subsystems: [api, nope]',
          '    checks: [db-port, missing-check]',
          '    services: [{ name: s, environments: [dc9] }]',
          'alerts:',
          '  - name: a',
          '    severity: error',
          '    system: ghost',
          '    condition: { check: gone }',
        ]),
      ),
    );
    expect(issues).toEqual([
      { file: 'extra.yaml', line: 3, column: 23, field: 'systems[0].subsystems[1]', message: 'unknown system "nope"' },
      { file: 'extra.yaml', line: 4, column: 23, field: 'systems[0].checks[1]', message: 'unknown check "missing-check"' },
      { file: 'extra.yaml', line: 5, column: 42, field: 'systems[0].services[0].environments[0]', message: 'unknown environment "dc9"' },
      { file: 'extra.yaml', line: 9, column: 13, field: 'alerts[0].system', message: 'unknown system "ghost"' },
      { file: 'extra.yaml', line: 10, column: 25, field: 'alerts[0].condition.check', message: 'unknown check "gone"' },
    ]);
  });

  it('checks thresholds, durations, URLs, placeholders, metrics and event types', () => {
    const issues = issuesOf(
      withFile(
        'extra.yaml',
        y([
          'checks:',
          '  - name: h',
          '    type: http',
          '    url: ftp://example.com',
          '    interval: 10s',
          '    timeout: 1m',
          '    thresholds: { latencyMs: { warning: 900, critical: 100 } }',
          '  - name: e',
          '    type: evm',
          '    url: ${evm_url}',
          '    thresholds: { peers: { warning: 1, critical: 3 } }',
          '    stalledAfter: soon',
          'alerts:',
          '  - name: m',
          '    severity: warning',
          '    condition: { check: db-port, metric: peers, op: ">", value: 1 }',
          '  - name: ev',
          '    severity: loud',
          '    for: 5m',
          '    condition: { event: [service.deployed] }',
        ]),
      ),
    );
    expect(issues.map((i) => [i.line, i.field])).toEqual([
      [4, 'checks[0].url'],
      [6, 'checks[0].timeout'],
      [7, 'checks[0].thresholds.latencyMs.warning'],
      [10, 'checks[1].url'],
      [11, 'checks[1].thresholds.peers.warning'],
      [12, 'checks[1].stalledAfter'],
      [16, 'alerts[0].condition.metric'],
      [18, 'alerts[1].severity'],
      [20, 'alerts[1].condition.event[0]'],
    ]);
    const byField = new Map(issues.map((i) => [i.field, i.message]));
    expect(byField.get('checks[0].url')).toBe('checks[0].url: "ftp://example.com" must use http or https');
    expect(byField.get('checks[0].timeout')).toBe('checks[0].timeout (60s) must not exceed the interval (10s)');
    expect(byField.get('checks[1].url')).toBe('checks[1].url: placeholder ${evm_url} must be upper-case (A-Z, 0-9, _)');
    expect(byField.get('checks[1].thresholds.peers.warning')).toContain('must be at least critical (3)');
    expect(byField.get('alerts[0].condition.metric')).toBe('a tcp check has no metric "peers"; it has latency_ms');
  });

  it('rejects "for" on an event condition and "resolveAfter" on others', () => {
    const issues = issuesOf(withFile('extra.yaml', y(['alerts:', '  - name: ev', '    severity: info', '    for: 5m', '    condition: { event: dev.cdevents.service.rolledback.0.3.0 }', '  - name: c', '    severity: info', '    resolveAfter: 5m', '    condition: { check: db-port }'])));
    expect(issues).toEqual([{ file: 'extra.yaml', line: 4, column: 10, field: 'alerts[0].for', message: 'alerts[0].for applies to check and metric conditions, not to events' },
      { file: 'extra.yaml', line: 8, column: 19, field: 'alerts[1].resolveAfter', message: 'alerts[1].resolveAfter applies to event conditions; check and metric alerts resolve when the condition clears' },
    ]);
  });

  it('reports a cycle once, naming its path, at the entry that closes it', () => {
    const issues = issuesOf([
      { name: 'a.yaml', text: y(['systems:', '  - name: a', '    subsystems: [b]', '  - name: b', '    subsystems: [c]']) },
      { name: 'c.yaml', text: y(['systems:', '  - name: c', '    subsystems: [d, a]', '  - name: d']) },
    ]);
    expect(issues).toEqual([{ file: 'c.yaml', line: 3, column: 21, field: 'systems[0].subsystems[1]', message: 'systems contain each other: a → b → c → a' }]);
  });

  it('reports a cycle closed by a selector at the selector', () => {
    const issues = issuesOf([
      { name: 's.yaml', text: y(['systems:', '  - name: all-storage', '    labels: { kind: group }', '    selector: { kind: storage }', '  - name: db', '    labels: { kind: storage }', '    subsystems: [all-storage]']) },
    ]);
    expect(issues).toEqual([
      { file: 's.yaml', line: 7, column: 18, field: 'systems[1].subsystems[0]', message: 'systems contain each other: all-storage → db → all-storage' },
    ]);
    const viaSelector = issuesOf([
      { name: 's.yaml', text: y(['systems:', '  - name: db', '    labels: { kind: storage }', '    subsystems: [all-storage]', '  - name: all-storage', '    selector: { kind: storage }']) },
    ]);
    expect(viaSelector).toEqual([
      { file: 's.yaml', line: 6, column: 15, field: 'systems[1].selector', message: 'systems contain each other: db → all-storage → db (all-storage selects db by its labels)' },
    ]);
  });

  it('rejects a system containing itself', () => {
    expect(issuesOf([{ name: 's.yaml', text: y(['systems:', '  - name: a', '    subsystems: [a]']) }])).toEqual([
      { file: 's.yaml', line: 3, column: 18, field: 'systems[0].subsystems[0]', message: 'system "a" cannot contain itself' },
    ]);
  });

  it('reports every problem of every file in one pass, in file and line order', () => {
    const issues = issuesOf([
      ...GOOD,
      { name: 'b.yaml', text: y(['systems:', '  - name: y', '    colour: red', '    subsystems: [zzz]']) },
      { name: 'a.yaml', text: y(['checks:', '  - name: t', '    type: smtp', '  - name: u', '    type: tcp', '    host: h']) },
    ]);
    expect(issues.map((i) => `${i.file}:${i.line} ${i.field}`)).toEqual([
      'a.yaml:3 checks[0].type',
      'a.yaml:4 checks[1].port',
      'b.yaml:3 systems[0].colour',
      'b.yaml:4 systems[0].subsystems[0]',
    ]);
  });

  it('loadConfig throws a ConfigValidationError listing all issues', () => {
    const files = withFile('extra.yaml', y(['systems:', '  - name: x', '    subsystems: [nope]', '    colour: red']));
    let error: unknown;
    try {
      loadConfig(files);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const e = error as ConfigValidationError;
    expect(e.code).toBe('invalid_config');
    expect(e.issues).toHaveLength(2);
    expect(e.message).toContain('extra.yaml:3:18 systems[0].subsystems[0]: unknown system "nope"');
    expect(formatIssue(e.issues[1]!)).toBe('extra.yaml:4:5 systems[0].colour: unknown key "colour" in systems[0]; allowed: name, description, labels, subsystems, selector, services, checks');
    expect(loadConfig(GOOD).systems).toHaveLength(5);
  });
});

describe('placeholders and check specs', () => {
  it('resolves placeholders and names the missing ones', () => {
    expect(placeholdersIn('${A}/x/${B_1}/${A}')).toEqual(['A', 'B_1']);
    expect(resolvePlaceholders('${A}/health', { A: 'http://127.0.0.1:9' })).toBe('http://127.0.0.1:9/health');
    expect(() => resolvePlaceholders('${A}/${B}', {}, 'checks.x.url')).toThrow('checks.x.url: no value for ${A}, ${B}');
  });

  it('turns config checks into monitoring check specs', () => {
    const config = loadConfig(GOOD);
    const spec = (name: string) => toCheckSpec(config.checks.find((c) => c.name === name)!, { DEMO_PROXY_URL: 'http://127.0.0.1:4000', EVM_RPC_URL: 'http://127.0.0.1:8545' });
    expect(spec('gateway-health')).toEqual({
      type: 'http',
      timeoutMs: 10_000,
      url: 'http://127.0.0.1:4000/health',
      method: 'GET',
      headers: {},
      expectStatus: [200, 204],
      bodyContains: 'ok',
      bodyRegex: '^\\{',
      latencyMs: { warning: 200, critical: 800 },
      tlsDaysLeft: { warning: 20, critical: 7 },
    });
    expect(spec('chain-id')).toEqual({ type: 'json-rpc', timeoutMs: 10_000, url: 'http://localhost:8545', method: 'eth_chainId', params: [], headers: {}, expectResult: '0x539' });
    expect(spec('node')).toEqual({ type: 'evm', timeoutMs: 10_000, url: 'http://127.0.0.1:8545', headers: {}, expectChainId: 1337, stalledAfterSeconds: { critical: 120 }, minPeers: { warning: 3, critical: 1 } });
    expect(spec('db-port')).toEqual({ type: 'tcp', timeoutMs: 10_000, host: 'db.dc1.example', port: 5432 });
  });
});

describe('the signalbox/ config folder', () => {
  it('loads without issues, with a shared subsystem and selector aggregates', async () => {
    const folder = fileURLToPath(new URL('../../signalbox', import.meta.url));
    const { config, issues } = await loadConfigFolder(folder);
    expect(issues.map(formatIssue)).toEqual([]);
    expect(config.environments.map((e) => e.name)).toContain('local-demo');
    expect(config.environments).toHaveLength(9);
    expect(new Set(config.checks.map((c) => c.type))).toEqual(new Set(['http', 'tcp', 'jsonrpc', 'evm', 'ccip']));
    expect(config.checks.find((c) => c.name === 'demo-api-health')!.source.file).toBe('checks.yaml');
    const graph = buildSystemGraph(config);
    const parentsOf = (name: string) => [...graph.systems.values()].filter((s) => s.members.some((m) => m.name === name)).map((s) => s.name);
    expect(parentsOf('settlement')).toEqual(['ledger-network', 'payments-platform']);
    expect(graph.systems.get('dc1-storage')!.members).toEqual([
      { name: 'postgres-dc1', via: 'selector' },
      { name: 'object-store-dc1', via: 'selector' },
    ]);
    expect(graph.roots).toContain('payments-platform');
    expect(graph.roots).toContain('ledger-network');
    const lane = { CCIP_ONRAMP: `0x${'1'.repeat(40)}`, CCIP_OFFRAMP: `0x${'2'.repeat(40)}`, CCIP_ROUTER: `0x${'3'.repeat(40)}` };
    for (const check of config.checks) expect(() => toCheckSpec(check, { DEMO_PROXY_URL: 'http://127.0.0.1:1', EVM_RPC_URL: 'http://127.0.0.1:2', ...lane })).not.toThrow();
    expect(toCheckSpec(config.checks.find((c) => c.name === 'ccip-lane')!, { EVM_RPC_URL: 'http://127.0.0.1:2', ...lane })).toMatchObject({
      type: 'ccip',
      source: { url: 'http://127.0.0.1:2', onRamp: lane.CCIP_ONRAMP },
      destination: { url: 'http://127.0.0.1:2', offRamp: lane.CCIP_OFFRAMP, router: lane.CCIP_ROUTER },
    });
  });
});
