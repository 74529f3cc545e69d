import ganache from 'ganache';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NodeProbes } from '../../functions/src/adapters/probes/node-probes';
import type { CcipCheckSpec, CheckObservation, CheckResult } from '../../functions/src/core/monitoring/model';
import { runCheck } from '../../functions/src/core/monitoring/run-check';
import { DEFAULT_DEMO_LANE_SCHEDULE, demoLaneFate, startDemoChain, type DemoChain } from '../../functions/src/wiring/demo-chain';
import { compileCcipLane } from '../../functions/src/wiring/demo-chain-contracts';

describe('the demo lane schedule', () => {
  it('executes most messages, leaves one in 15 pending for a while and fails one in 150, the same every time', () => {
    const fates = Array.from({ length: 300 }, (_, i) => demoLaneFate(i + 1));
    const at = (fate: string) => fates.flatMap((f, i) => (f === fate ? [i + 1] : []));
    expect(at('failed')).toEqual([30, 180]);
    expect(at('slow')).toEqual([7, 22, 37, 52, 67, 82, 97, 112, 127, 142, 157, 172, 187, 202, 217, 232, 247, 262, 277, 292]);
    expect(fates.filter((f) => f === 'executed')).toHaveLength(300 - 2 - 20);
    expect(demoLaneFate(30, { ...DEFAULT_DEMO_LANE_SCHEDULE, failEvery: 0 })).toBe('executed');
  });
});

describe('compiling the mock lane', () => {
  it('caches the compiled output in the given folder and ignores a broken cache file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbx-lane-cache-'));
    try {
      const first = await compileCcipLane(dir);
      expect(Object.keys(first).sort()).toEqual(['MockOffRamp', 'MockOnRamp', 'MockRouter']);
      expect(first.MockOnRamp.selectors['send(uint256)']).toMatch(/^[0-9a-f]{8}$/);
      const files = readdirSync(dir);
      expect(files).toEqual([expect.stringMatching(/^ccip-lane-[0-9a-f]{16}\.json$/)]);
      expect(await compileCcipLane(dir)).toEqual(first);
      writeFileSync(join(dir, files[0]!), '{"MockOnRamp": ');
      expect(await compileCcipLane(dir)).toEqual(first);
      expect(existsSync(join(dir, files[0]!))).toBe(true);
      expect(JSON.parse(readFileSync(join(dir, files[0]!), 'utf8'))).toEqual(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the demo lane on Ganache, read by the ccip check', () => {
  const node = ganache.server({ logging: { quiet: true }, chain: { chainId: 1337 }, wallet: { totalAccounts: 1 } });
  let url = '';
  let lane: DemoChain;
  const rpc = (method: string, params: unknown[] = []) => node.provider.request({ method, params } as never) as Promise<unknown>;
  let t = 0;
  const clock = { now: () => new Date(t).toISOString() };
  const deps = { probes: new NodeProbes(clock), clock };
  /** The test's clock `seconds` after the latest block's timestamp. */
  const afterHead = async (seconds: number) => {
    const block = (await rpc('eth_getBlockByNumber', ['latest', false])) as { timestamp: string };
    t = Number(BigInt(block.timestamp)) * 1000 + seconds * 1000;
  };

  beforeAll(async () => {
    await node.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(node.address() as { port: number }).port}`;
    // Message 2 is slow (in progress at tick 3, executed at tick 5); message 4 fails at tick 5 and is re-executed at tick 7.
    lane = await startDemoChain({ rpcUrl: url, intervalMs: 0, schedule: { slowEvery: 100, slowOffset: 2, slowTicks: 3, failEvery: 100, failOffset: 4, retryTicks: 3 } });
  }, 120_000);
  afterAll(async () => {
    await lane?.stop();
    await node.close();
  });

  it('sends and executes messages on schedule; the check sees pending, in progress, failed and recovered', async () => {
    const spec: CcipCheckSpec = {
      type: 'ccip',
      source: { url, onRamp: lane.placeholders.CCIP_ONRAMP },
      destination: { url, offRamp: lane.placeholders.CCIP_OFFRAMP, router: lane.placeholders.CCIP_ROUTER },
      pendingAgeSeconds: { warning: 20, critical: 120 },
      failedMessages: { warning: 0, critical: 2 },
    };
    let previous: CheckObservation | null = null;
    const check = async (): Promise<CheckResult> => {
      const out = await runCheck(deps, { spec, previous });
      previous = out.next;
      return out.result;
    };

    for (let i = 0; i < 3; i++) await lane.tick();
    expect(lane.messages().map((m) => [m.sequenceNumber, m.fate, m.state])).toEqual([
      [1, 'executed', 2],
      [2, 'slow', 1],
      [3, 'executed', 0],
    ]);
    await afterHead(30);
    const slow = await check();
    expect(slow.metrics).toMatchObject({ messages_sent: 3, messages_success: 1, messages_in_progress: 1, messages_pending: 2, messages_failed: 0, router_executed: 1 });
    expect(slow.status).toBe('warning');
    expect(slow.message).toMatch(/^2 pending, oldest \(seq 2\) waiting \d+ s \(limit 20 s\)$/);

    await lane.tick();
    await lane.tick();
    expect(lane.messages().map((m) => [m.sequenceNumber, m.fate, m.state])).toEqual([
      [1, 'executed', 2],
      [2, 'slow', 2],
      [3, 'executed', 2],
      [4, 'failed', 3],
      [5, 'executed', 0],
    ]);
    await afterHead(1);
    const failed = await check();
    expect(failed.metrics).toMatchObject({ messages_sent: 5, messages_success: 3, messages_failed: 1, messages_pending: 1, execution_failures: 1, router_executed: 3 });
    expect(failed.status).toBe('warning');
    expect(failed.message).toBe('1 failed message (seq 4) waiting for manual execution');

    await lane.tick();
    await lane.tick();
    await afterHead(1);
    const recovered = await check();
    expect(recovered.metrics).toMatchObject({ messages_sent: 7, messages_success: 6, messages_failed: 0, messages_pending: 1, execution_failures: 1, router_executed: 6 });
    expect(recovered.status).toBe('ok');
    expect(recovered.message).toMatch(/^7 sent, 6 executed, 1 pending \(oldest \d+ s\), 0 failed$/);
  }, 120_000);

  it('ticks on its timer, one at a time, and stops cleanly', async () => {
    const timed = await startDemoChain({ rpcUrl: url, intervalMs: 20 });
    try {
      await vi.waitFor(() => expect(timed.messages().length).toBeGreaterThanOrEqual(3), { timeout: 30_000, interval: 20 });
    } finally {
      await timed.stop();
    }
    const after = timed.messages().length;
    expect(timed.messages().map((m) => m.sequenceNumber)).toEqual(Array.from({ length: after }, (_, i) => i + 1));
    await new Promise((r) => setTimeout(r, 100));
    expect(timed.messages()).toHaveLength(after);
  }, 60_000);
});
