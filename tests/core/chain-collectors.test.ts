import { describe, expect, it } from 'vitest';
import { toCheckSpec } from '../../functions/src/core/config/check-spec';
import { formatIssue, parseConfig } from '../../functions/src/core/config/parse';
import { applyCcipScan, decodeExecutionStateChanged, decodeSendRequested, evaluateCcip, type CcipScan } from '../../functions/src/core/monitoring/collectors/ccip';
import { parseFireflyStatus } from '../../functions/src/core/monitoring/collectors/firefly';
import type { CcipCheckSpec } from '../../functions/src/core/monitoring/model';
import { runCheck } from '../../functions/src/core/monitoring/run-check';

const CONFIG = `
checks:
  - name: ff
    type: firefly
    url: \${FIREFLY_URL}
    namespaces: [default]
    plugins: [blockchain, database]
    thresholds:
      namespaces: { critical: 1 }
      latencyMs: { warning: 500 }
  - name: cacti-api
    type: cacti
    url: http://cacti:4000
    connectors: ['@hyperledger/cactus-plugin-ledger-connector-besu']
    thresholds:
      heapUsedMb: { warning: 512, critical: 1024 }
  - name: lane
    type: ccip
    onRamp: { url: '\${EVM_RPC_URL}', address: '\${CCIP_ONRAMP}', startBlock: 10 }
    offRamp: { address: '0x00000000000000000000000000000000000000Aa', router: '\${CCIP_ROUTER}' }
    blockRange: 500
    pendingAge: { warning: 10m, critical: 30m }
    thresholds:
      failedMessages: { warning: 0, critical: 2 }
alerts:
  - name: lane-stuck
    severity: critical
    condition: { check: lane, metric: oldest_pending_age_seconds, op: '>', value: 600 }
`;

describe('chain check config', () => {
  it('reads firefly, cacti and ccip checks and turns them into specs', () => {
    const { config, issues } = parseConfig([{ name: 'checks.yaml', text: CONFIG }]);
    expect(issues.map(formatIssue)).toEqual([]);
    const spec = (name: string) => toCheckSpec(config.checks.find((c) => c.name === name)!, { FIREFLY_URL: 'http://ff:5000', EVM_RPC_URL: 'http://rpc:8545', CCIP_ONRAMP: `0x${'11'.repeat(20)}`, CCIP_ROUTER: `0x${'22'.repeat(20)}` });
    expect(spec('ff')).toEqual({ type: 'firefly', timeoutMs: 10_000, url: 'http://ff:5000', headers: {}, namespaces: ['default'], plugins: ['blockchain', 'database'], minNamespaces: { critical: 1 }, latencyMs: { warning: 500 } });
    expect(spec('cacti-api')).toEqual({ type: 'cacti', timeoutMs: 10_000, url: 'http://cacti:4000', headers: {}, connectors: ['@hyperledger/cactus-plugin-ledger-connector-besu'], heapUsedMb: { warning: 512, critical: 1024 } });
    expect(spec('lane')).toEqual({
      type: 'ccip',
      timeoutMs: 10_000,
      source: { url: 'http://rpc:8545', headers: {}, onRamp: `0x${'11'.repeat(20)}`, startBlock: 10 },
      destination: { url: 'http://rpc:8545', headers: {}, offRamp: '0x00000000000000000000000000000000000000Aa', router: `0x${'22'.repeat(20)}` },
      blockRange: 500,
      pendingAgeSeconds: { warning: 600, critical: 1800 },
      failedMessages: { warning: 0, critical: 2 },
    });
  });

  it('reports problems with file, line and field', () => {
    const bad = `checks:
  - name: lane
    type: ccip
    onRamp: { url: ftp://x, address: 0x12 }
    blockRange: 0
    offRamp: { router: '\${CCIP_ROUTER}' }
    pendingAge: { warning: 1h, critical: 5m }
  - name: ff
    type: firefly
    plugins: [block-chain]
    thresholds: { peers: { critical: 1 } }
  - name: ok-ff
    type: firefly
    url: http://ff
alerts:
  - name: x
    severity: warning
    condition: { check: ok-ff, metric: block_height, op: '>', value: 1 }
`;
    const { issues } = parseConfig([{ name: 'c.yaml', text: bad }]);
    expect(issues.map(formatIssue)).toEqual([
      'c.yaml:4:20 checks[0].onRamp.url: checks[0].onRamp.url: "ftp://x" must use http or https',
      "c.yaml:4:38 checks[0].onRamp.address: checks[0].onRamp.address: quote the address ('0x...'): YAML reads an unquoted 0x... as a number",
      'c.yaml:5:17 checks[0].blockRange: checks[0].blockRange must be at least 1, got 0',
      'c.yaml:6:14 checks[0].offRamp.address: checks[0].offRamp.address is required',
      'c.yaml:7:28 checks[0].pendingAge.warning: checks[0].pendingAge.warning (3600s) must be at most critical (300s)',
      'c.yaml:8:5 checks[1].url: checks[1].url is required',
      'c.yaml:10:15 checks[1].plugins[0]: checks[1].plugins[0]: "block-chain" is not a plugin kind such as blockchain, database, dataExchange, sharedStorage, tokens',
      'c.yaml:11:19 checks[1].thresholds.peers: unknown key "peers" in checks[1].thresholds; allowed: latencyMs, namespaces',
      'c.yaml:18:40 alerts[0].condition.metric: a firefly check has no metric "block_height"; it has namespaces, namespaces_ok, namespaces_failing, plugins, multiparty, node_registered, org_registered, latency_ms',
    ]);
  });
});

const T0 = '2026-04-01T00:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
function scan(over: Partial<CcipScan>): CcipScan {
  return { observedAt: at(100), source: { head: 50, scannedTo: 50 }, destination: { head: 50, scannedTo: 50 }, sends: [], executions: [], routerExecuted: 0, durationMs: 3, ...over };
}
const spec: CcipCheckSpec = { type: 'ccip', source: { url: 'http://s', onRamp: `0x${'11'.repeat(20)}` }, destination: { url: 'http://d', offRamp: `0x${'22'.repeat(20)}` } };

describe('CCIP lane state', () => {
  it('decodes the logs the lane contracts emit', () => {
    // CCIPSendRequested: one offset word, then the 13-word tuple head (dynamic tails left out here).
    const head = [1, 0xaa, 0xbb, 42, 200_000, 0, 7, 0, 5, 0x1a0, 0x1c0, 0x1e0].map((n) => n.toString(16).padStart(64, '0')).join('') + id(99).slice(2);
    expect(decodeSendRequested({ address: '0x', topics: ['0xd0c3c799bf9e2639de44391e7f524d229b2b55f5b1ea94b2bf7da42f7243dddd'], data: `0x${(0x20).toString(16).padStart(64, '0')}${head}`, blockNumber: '0x10' })).toEqual({ messageId: id(99), sequenceNumber: 42, block: 16 });
    expect(decodeExecutionStateChanged({ address: '0x', topics: ['0xd4f851956a5d67c3997d1c9205045fef79bae2947fdee7e9e2641abc7391ef65', id(42), id(99)], data: `0x${id(3).slice(2)}${id(0x40).slice(2)}${id(0).slice(2)}`, blockNumber: '0x11' })).toEqual({ messageId: id(99), sequenceNumber: 42, state: 3, block: 17 });
    expect(decodeSendRequested({ address: '0x', topics: ['0x00'], data: '0x', blockNumber: '0x1' })).toBeNull();
  });

  it('settles an execution read before its send, and keeps a failed message until it succeeds', () => {
    const early = applyCcipScan(null, scan({ executions: [{ messageId: id(1), sequenceNumber: 1, state: 2, block: 40 }, { messageId: id(2), sequenceNumber: 2, state: 3, block: 41 }] }));
    expect(early).toMatchObject({ sent: 0, succeeded: 1, failedAttempts: 1, pending: [], executedEarly: [{ messageId: id(1), state: 2 }, { messageId: id(2), state: 3 }] });
    const sends = applyCcipScan(early, scan({ sends: [{ messageId: id(1), sequenceNumber: 1, block: 30, sentAt: at(0) }, { messageId: id(2), sequenceNumber: 2, block: 31, sentAt: at(5) }, { messageId: id(3), sequenceNumber: 3, block: 32, sentAt: at(10) }] }));
    expect(sends).toMatchObject({ sent: 3, succeeded: 1, executedEarly: [], failed: [{ messageId: id(2), sentAt: at(5) }], pending: [{ messageId: id(3), state: 0 }] });
    const retried = applyCcipScan(sends, scan({ observedAt: at(200), executions: [{ messageId: id(2), sequenceNumber: 2, state: 2, block: 60 }, { messageId: id(3), sequenceNumber: 3, state: 1, block: 60 }] }));
    expect(retried).toMatchObject({ sent: 3, succeeded: 2, failed: [], pending: [{ messageId: id(3), state: 1 }], delta: { sent: 0, succeeded: 1, failedAttempts: 0 } });
    const r = evaluateCcip(spec, { reachable: true, observation: retried }, at(200));
    expect(r.metrics).toMatchObject({ messages_sent: 3, messages_success: 2, messages_failed: 0, messages_in_progress: 1, messages_pending: 1, oldest_pending_age_seconds: 190 });
    expect(r.status).toBe('ok');
  });

  it('does not judge pending age while the destination chain is still being read', () => {
    const o = applyCcipScan(null, scan({ observedAt: at(7200), destination: { head: 5000, scannedTo: 1000 }, sends: [{ messageId: id(1), sequenceNumber: 1, block: 30, sentAt: at(0) }] }));
    const r = evaluateCcip(spec, { reachable: true, observation: o }, at(7200));
    expect(r.status).toBe('ok');
    expect(r.message).toBe('1 sent, 0 executed, 1 pending (oldest 7200 s), 0 failed; catching up (0 source, 4000 destination blocks left)');
    const caught = evaluateCcip(spec, { reachable: true, observation: { ...o, destination: { head: 5000, scannedTo: 5000 } } }, at(7200));
    expect(caught.status).toBe('critical');
  });
});

describe('runCheck for chain checks', () => {
  it('is unknown when the runtime has no collector for the type', async () => {
    const clock = { now: () => T0 };
    const probes = { http: async () => ({ reachable: false as const, error: 'x', timedOut: false, durationMs: 0 }), tcp: async () => ({ reachable: true as const, durationMs: 1 }), jsonRpc: async () => ({ reachable: true as const, durationMs: 1 }), evm: async () => ({ reachable: false as const, error: 'x', timedOut: false, durationMs: 0 }) };
    const r = await runCheck({ probes, clock }, { spec });
    expect(r).toEqual({ result: { status: 'unknown', metrics: {}, message: 'no ccip collector in this runtime', durationMs: 0, checkedAt: T0 }, observation: null, next: null });
  });

  it('parses a FireFly status without a multiparty section (older nodes) and rejects an error body', () => {
    expect(parseFireflyStatus({ node: { name: 'n1', registered: true }, org: { name: 'o1', registered: true }, plugins: { blockchain: [{ pluginType: 'ethereum' }] } })).toEqual({
      namespace: null,
      nodeName: 'n1',
      nodeRegistered: true,
      orgName: 'o1',
      orgRegistered: true,
      plugins: { blockchain: 1 },
      multiparty: null,
    });
    expect(parseFireflyStatus({ error: 'FF10225' })).toBeNull();
  });
});
