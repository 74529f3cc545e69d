import ganache from 'ganache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeProbes } from '../../functions/src/adapters/probes/node-probes';
import { CCIP_EVENT_SIGNATURES, CCIP_TOPICS } from '../../functions/src/core/monitoring/collectors/ccip';
import type { CcipCheckSpec, CheckObservation } from '../../functions/src/core/monitoring/model';
import { runCheck } from '../../functions/src/core/monitoring/run-check';
import { compileCcipLane, type CompiledContract } from '../../functions/src/wiring/demo-chain-contracts';

// The mock lane's contracts (also deployed by `npm start`) emit events with the same signatures as
// CCIP 1.5's EVM2EVMOnRamp, EVM2EVMOffRamp and Router (the monitoring reads nothing else).
type Compiled = CompiledContract;

const word = (v: bigint | number | string) => (typeof v === 'string' ? v.replace(/^0x/, '').padStart(64, '0') : BigInt(v).toString(16).padStart(64, '0'));

function manualClock(start: string) {
  let t = Date.parse(start);
  return { now: () => new Date(t).toISOString(), set: (iso: string) => void (t = Date.parse(iso)), advance: (s: number) => void (t += s * 1000) };
}

describe('CCIP collector against Ganache with contracts compiled by solc', () => {
  const node = ganache.server({ logging: { quiet: true }, chain: { chainId: 1337 }, wallet: { totalAccounts: 1 } });
  let url = '';
  let from = '';
  let c: Record<string, Compiled> = {};
  const addr = { onRamp: '', offRamp: '', router: '' };
  let deployBlock = 0;
  const rpc = (method: string, params: unknown[] = []) => node.provider.request({ method, params } as never) as Promise<unknown>;

  async function transact(to: string | null, data: string): Promise<{ contractAddress: string | null; blockNumber: string; logs: unknown[] }> {
    const hash = (await rpc('eth_sendTransaction', [{ from, ...(to ? { to } : {}), data, gas: '0x7a1200' }])) as string;
    const receipt = (await rpc('eth_getTransactionReceipt', [hash])) as { status: string; contractAddress: string | null; blockNumber: string; logs: unknown[] };
    expect(receipt.status).toBe('0x1');
    return receipt;
  }
  const call = (contract: string, name: string, args: string[]) => `0x${c[contract]!.selectors[name]}${args.join('')}`;

  async function send(n: number): Promise<{ seq: number; id: string; block: number }> {
    const r = await transact(addr.onRamp, call('MockOnRamp', 'send(uint256)', [word(n)]));
    const seq = Number(BigInt((await rpc('eth_call', [{ to: addr.onRamp, data: call('MockOnRamp', 'lastSeq()', []) }, 'latest'])) as string));
    const id = (await rpc('eth_call', [{ to: addr.onRamp, data: call('MockOnRamp', 'idOf(uint64)', [word(seq)]) }, 'latest'])) as string;
    return { seq, id, block: Number(BigInt(r.blockNumber)) };
  }
  const STATE = { inProgress: 1, success: 2, failure: 3 } as const;
  const execute = (m: { seq: number; id: string }, state: number) => transact(addr.offRamp, call('MockOffRamp', 'execute(uint64,bytes32,uint8)', [word(m.seq), word(m.id), word(state)]));
  const route = (m: { id: string }) => transact(addr.router, call('MockRouter', 'routeMessage(bytes32,address)', [word(m.id), word(addr.offRamp)]));
  const blockTime = async (block: number) => new Date(Number(BigInt(((await rpc('eth_getBlockByNumber', [`0x${block.toString(16)}`, false])) as { timestamp: string }).timestamp)) * 1000).toISOString();

  beforeAll(async () => {
    c = await compileCcipLane();
    await node.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(node.address() as { port: number }).port}`;
    from = ((await rpc('eth_accounts')) as string[])[0]!;
    deployBlock = Number(BigInt((await rpc('eth_blockNumber')) as string)) + 1;
    addr.onRamp = (await transact(null, `0x${c.MockOnRamp!.bytecode}`)).contractAddress!;
    addr.offRamp = (await transact(null, `0x${c.MockOffRamp!.bytecode}`)).contractAddress!;
    addr.router = (await transact(null, `0x${c.MockRouter!.bytecode}`)).contractAddress!;
  }, 120_000);
  afterAll(() => node.close());

  it('uses the topics of the CCIP event signatures', async () => {
    for (const key of Object.keys(CCIP_TOPICS) as (keyof typeof CCIP_TOPICS)[]) {
      const hash = await rpc('web3_sha3', [`0x${Buffer.from(CCIP_EVENT_SIGNATURES[key]).toString('hex')}`]);
      expect(hash).toBe(CCIP_TOPICS[key]);
    }
  });

  it('counts messages by state, the oldest pending age and failures, reading bounded block ranges across runs', async () => {
    const sent = [];
    for (const n of [11, 12, 13, 14, 15]) sent.push(await send(n));
    const [m1, m2, m3, m4, m5] = sent as [(typeof sent)[0], (typeof sent)[0], (typeof sent)[0], (typeof sent)[0], (typeof sent)[0]];
    expect(sent.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    await execute(m1, STATE.success);
    await route(m1);
    await execute(m2, STATE.inProgress);
    await execute(m2, STATE.success);
    await route(m2);
    await execute(m3, STATE.success);
    await route(m3);
    await execute(m4, STATE.failure);
    // m5 stays pending.

    const clock = manualClock('2000-01-01T00:00:00.000Z');
    const deps = { probes: new NodeProbes(clock), clock };
    const spec: CcipCheckSpec = {
      type: 'ccip',
      source: { url, onRamp: addr.onRamp, startBlock: deployBlock },
      destination: { url, offRamp: addr.offRamp, router: addr.router, startBlock: deployBlock },
      blockRange: 2,
      maxRangesPerRun: 2,
      pendingAgeSeconds: { warning: 60, critical: 300 },
      failedMessages: { warning: 0, critical: 1 },
    };
    const m5Time = await blockTime(m5.block);
    clock.set(new Date(Date.parse(m5Time) + 30_000).toISOString());

    // 4 blocks per chain per run: the first runs are still catching up.
    let previous: CheckObservation | null = null;
    const behind: number[] = [];
    let last;
    for (let run = 0; run < 20; run++) {
      last = await runCheck(deps, { spec, previous });
      expect(last.result.status).not.toBe('critical');
      previous = last.next;
      behind.push(last.result.metrics.destination_blocks_behind!);
      if (last.result.metrics.destination_blocks_behind === 0 && last.result.metrics.source_blocks_behind === 0) break;
    }
    expect(behind.length).toBeGreaterThan(2);
    expect(behind[0]).toBeGreaterThan(0);
    expect(last!.result.metrics).toMatchObject({
      messages_sent: 5,
      messages_success: 3,
      messages_failed: 1,
      messages_in_progress: 0,
      messages_pending: 1,
      oldest_pending_age_seconds: 30,
      execution_failures: 1,
      router_executed: 3,
      destination_blocks_behind: 0,
    });
    // One failed message is a warning (above 0, not above 1); the pending one is young.
    expect(last!.result.status).toBe('warning');
    expect(last!.result.message).toBe('1 failed message (seq 4) waiting for manual execution');
    expect(previous).toMatchObject({ pending: [{ messageId: m5.id, sequenceNumber: 5, sentAt: m5Time, state: 0 }], failed: [{ messageId: m4.id, sequenceNumber: 4 }] });

    // Time passes without an execution: the pending message ages into warning, then critical.
    clock.advance(60);
    const aging = await runCheck(deps, { spec, previous });
    expect(aging.result.metrics).toMatchObject({ oldest_pending_age_seconds: 90, new_messages: 0 });
    expect(aging.result.status).toBe('warning');
    expect(aging.result.message).toContain('1 pending, oldest (seq 5) waiting 90 s (limit 60 s)');
    clock.advance(240);
    const stuck = await runCheck(deps, { spec, previous: aging.next });
    expect(stuck.result.status).toBe('critical');
    expect(stuck.result.message).toMatch(/^1 pending, oldest \(seq 5\) waiting 330 s \(limit 300 s\)/);

    // A new message in progress, the stuck one executed, the failed one re-executed manually. The
    // chain's clock is moved on as far as the test's, so the new message is young.
    await rpc('evm_increaseTime', [330]);
    const m6 = await send(16);
    await execute(m6, STATE.inProgress);
    await execute(m5, STATE.success);
    await execute(m4, STATE.success);
    clock.set(new Date(Date.parse(await blockTime(m6.block)) + 5_000).toISOString());
    const recovered = await runCheck(deps, { spec, previous: stuck.next });
    expect(recovered.result.metrics).toMatchObject({ messages_sent: 6, messages_success: 5, messages_failed: 0, messages_in_progress: 1, messages_pending: 1, oldest_pending_age_seconds: 5, execution_failures: 1, new_messages: 1 });
    expect(recovered.result.status).toBe('ok');
    expect(recovered.result.message).toBe('6 sent, 5 executed, 1 pending (oldest 5 s), 0 failed');
  }, 120_000);

  it('is critical when a chain cannot be read, and rejects an address that is not one', async () => {
    const clock = manualClock('2026-01-01T00:00:00.000Z');
    const deps = { probes: new NodeProbes(clock), clock };
    const dead: CcipCheckSpec = { type: 'ccip', timeoutMs: 2_000, source: { url: 'http://127.0.0.1:1', onRamp: addr.onRamp }, destination: { url, offRamp: addr.offRamp } };
    const r = await runCheck(deps, { spec: dead });
    expect(r.result.status).toBe('critical');
    expect(r.result.message).toMatch(/^CCIP lane unreachable: source eth_blockNumber: /);
    expect(r.next).toBeNull();
    const bad = await runCheck(deps, { spec: { ...dead, source: { url, onRamp: '0x1234' } } });
    expect(bad.result).toMatchObject({ status: 'critical', message: 'CCIP lane unreachable: on-ramp address "0x1234" is not 0x and 40 hex digits' });
  });
});
