import { callJsonRpc } from '../adapters/probes/json-rpc-client';
import { decodeSendRequested, type RawLog } from '../core/monitoring/collectors/ccip';
import { compileCcipLane, type CcipLaneContract, type CompiledCcipLane } from './demo-chain-contracts';

/**
 * The chain demo of `npm start`: a mock CCIP lane (`demo-chain-contracts.ts`) deployed to the local
 * EVM node, with messages sent and executed on a fixed schedule so the `ccip-lane` check of the
 * demo config has real traffic to read from the contracts' logs.
 *
 * One tick every `intervalMs` (default 4 s). Tick `t` first carries out what earlier ticks
 * scheduled for it, then sends message `t` (sequence number `t`) and schedules its fate by
 * `demoLaneFate(t)` — deterministic, never random:
 * - `executed` (most): executed successfully (off-ramp state 2, router `MessageExecuted`) on the next tick;
 * - `slow` (every `slowEvery`th, from `slowOffset`): marked in progress on the next tick and executed
 *   `slowTicks` ticks after it was sent, so it stays pending for a while;
 * - `failed` (every `failEvery`th, from `failOffset`; wins over slow): its execution fails (state 3) on
 *   the next tick and it is "manually re-executed" successfully `retryTicks` ticks after it was sent.
 */
export interface DemoLaneSchedule {
  slowEvery: number;
  slowOffset: number;
  slowTicks: number;
  failEvery: number;
  failOffset: number;
  retryTicks: number;
}

/**
 * At 4 s a tick: a message every 4 s; one every minute waits about 40 s (the demo check's pending
 * age warning is 20 s); one every 10 minutes, the first about 2 minutes after start, fails and is
 * re-executed a minute later.
 */
export const DEFAULT_DEMO_LANE_SCHEDULE: DemoLaneSchedule = { slowEvery: 15, slowOffset: 7, slowTicks: 10, failEvery: 150, failOffset: 30, retryTicks: 15 };
export const DEFAULT_DEMO_LANE_INTERVAL_MS = 4000;

export type DemoLaneFate = 'executed' | 'slow' | 'failed';

/** What happens to message `n` (1-based) under `schedule`. Pure. */
export function demoLaneFate(n: number, schedule: DemoLaneSchedule = DEFAULT_DEMO_LANE_SCHEDULE): DemoLaneFate {
  const hits = (every: number, offset: number) => every > 0 && n >= offset && (n - offset) % every === 0;
  if (hits(schedule.failEvery, schedule.failOffset)) return 'failed';
  if (hits(schedule.slowEvery, schedule.slowOffset)) return 'slow';
  return 'executed';
}

export interface DemoChainOptions {
  /** JSON-RPC URL of a development node with an unlocked, funded first account (Ganache). */
  rpcUrl: string;
  /** Where the compiled contracts are cached (see `compileCcipLane`); without it, once per process. */
  cacheDir?: string;
  /** Milliseconds between ticks; 0 = no timer, only `tick()` (tests). Default 4000. */
  intervalMs?: number;
  schedule?: Partial<DemoLaneSchedule>;
  /** Problems of the background ticks (one line each, repeated problems once). */
  log?: (line: string) => void;
}

export interface DemoLaneAddresses {
  onRamp: string;
  offRamp: string;
  router: string;
}

export interface DemoLaneMessage {
  sequenceNumber: number;
  messageId: string;
  fate: DemoLaneFate;
  /** Last state the demo executed on the off-ramp: 0 none yet, 1 in progress, 2 success, 3 failure. */
  state: 0 | 1 | 2 | 3;
}

export interface DemoChain {
  addresses: DemoLaneAddresses;
  /** `CCIP_ONRAMP`, `CCIP_OFFRAMP`, `CCIP_ROUTER` for the config's placeholders. */
  placeholders: Record<'CCIP_ONRAMP' | 'CCIP_OFFRAMP' | 'CCIP_ROUTER', string>;
  /** The block the first contract was deployed in. */
  deployBlock: number;
  schedule: DemoLaneSchedule;
  /** Runs the next tick now (after any tick in progress); returns the message it sent. */
  tick(): Promise<DemoLaneMessage>;
  /** Every message sent so far, by sequence number. */
  messages(): readonly DemoLaneMessage[];
  /** Stops the timer and waits for a tick in progress; the node is left running. */
  stop(): Promise<void>;
}

type Action = { kind: 'state'; state: 1 | 2 | 3 } | { kind: 'route' };

const word = (v: bigint | number | string) => (typeof v === 'string' ? v.replace(/^0x/, '').padStart(64, '0') : BigInt(v).toString(16).padStart(64, '0'));

/**
 * Deploys the mock lane on `rpcUrl` and starts its message schedule (unless `intervalMs` is 0).
 * Compiling costs a few seconds once; with `cacheDir` later starts read the compiled output.
 */
export async function startDemoChain(opts: DemoChainOptions): Promise<DemoChain> {
  const schedule: DemoLaneSchedule = { ...DEFAULT_DEMO_LANE_SCHEDULE, ...opts.schedule };
  const compiled: CompiledCcipLane = await compileCcipLane(opts.cacheDir);

  const rpc = async (method: string, params: unknown[]): Promise<unknown> => {
    const r = await callJsonRpc(opts.rpcUrl, method, params, { timeoutMs: 15_000 });
    if (!r.reachable) throw new Error(`demo lane ${method}: ${r.error}`);
    if (r.error) throw new Error(`demo lane ${method}: ${r.error.message}`);
    return r.result;
  };
  const accounts = (await rpc('eth_accounts', [])) as string[];
  const from = accounts[0];
  if (!from) throw new Error('demo lane: the EVM node has no unlocked account');

  const transact = async (to: string | null, data: string): Promise<{ contractAddress: string | null; blockNumber: string; logs: RawLog[] }> => {
    const hash = (await rpc('eth_sendTransaction', [{ from, ...(to ? { to } : {}), data, gas: '0x7a1200' }])) as string;
    const receipt = (await rpc('eth_getTransactionReceipt', [hash])) as { status: string; contractAddress: string | null; blockNumber: string; logs: RawLog[] } | null;
    if (!receipt) throw new Error(`demo lane: no receipt for ${hash} (is the node mining on demand?)`);
    if (receipt.status !== '0x1') throw new Error(`demo lane: transaction ${hash} reverted`);
    return receipt;
  };
  const deploy = async (name: CcipLaneContract) => {
    const r = await transact(null, `0x${compiled[name].bytecode}`);
    return { address: r.contractAddress!, block: Number(BigInt(r.blockNumber)) };
  };
  const calldata = (name: CcipLaneContract, fn: string, args: string[]) => {
    const selector = compiled[name].selectors[fn];
    if (!selector) throw new Error(`demo lane: ${name} has no ${fn}`);
    return `0x${selector}${args.join('')}`;
  };

  const onRamp = await deploy('MockOnRamp');
  const offRamp = await deploy('MockOffRamp');
  const router = await deploy('MockRouter');
  const addresses: DemoLaneAddresses = { onRamp: onRamp.address, offRamp: offRamp.address, router: router.address };

  const sent: DemoLaneMessage[] = [];
  const due = new Map<number, { message: DemoLaneMessage; action: Action }[]>();
  const plan = (t: number, message: DemoLaneMessage, action: Action) => due.set(t, [...(due.get(t) ?? []), { message, action }]);
  let ticks = 0;

  const runTick = async (): Promise<DemoLaneMessage> => {
    const t = ++ticks;
    for (const { message, action } of due.get(t) ?? []) {
      if (action.kind === 'state') {
        await transact(addresses.offRamp, calldata('MockOffRamp', 'execute(uint64,bytes32,uint8)', [word(message.sequenceNumber), word(message.messageId), word(action.state)]));
        message.state = action.state;
      } else {
        await transact(addresses.router, calldata('MockRouter', 'routeMessage(bytes32,address)', [word(message.messageId), word(addresses.offRamp)]));
      }
    }
    due.delete(t);
    const receipt = await transact(addresses.onRamp, calldata('MockOnRamp', 'send(uint256)', [word(t)]));
    const decoded = receipt.logs.map(decodeSendRequested).find((s) => s !== null);
    if (!decoded) throw new Error('demo lane: the send emitted no CCIPSendRequested');
    const message: DemoLaneMessage = { sequenceNumber: decoded.sequenceNumber, messageId: decoded.messageId, fate: demoLaneFate(t, schedule), state: 0 };
    sent.push(message);
    const success = (at: number) => {
      plan(at, message, { kind: 'state', state: 2 });
      plan(at, message, { kind: 'route' });
    };
    if (message.fate === 'executed') success(t + 1);
    else if (message.fate === 'slow') {
      plan(t + 1, message, { kind: 'state', state: 1 });
      success(t + Math.max(2, schedule.slowTicks));
    } else {
      plan(t + 1, message, { kind: 'state', state: 3 });
      success(t + Math.max(2, schedule.retryTicks));
    }
    return message;
  };

  // Ticks never overlap: each waits for the one before (a failed tick does not stop the next).
  let chain: Promise<unknown> = Promise.resolve();
  const tick = () => {
    const next = chain.then(runTick);
    chain = next.catch(() => undefined);
    return next;
  };

  let lastProblem = '';
  let stopped = false;
  const intervalMs = opts.intervalMs ?? DEFAULT_DEMO_LANE_INTERVAL_MS;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          if (stopped) return;
          tick().then(
            () => void (lastProblem = ''),
            (error: Error) => {
              if (stopped || error.message === lastProblem) return;
              lastProblem = error.message;
              opts.log?.(`CCIP demo lane: ${error.message}`);
            },
          );
        }, intervalMs)
      : null;
  timer?.unref();

  return {
    addresses,
    placeholders: { CCIP_ONRAMP: addresses.onRamp, CCIP_OFFRAMP: addresses.offRamp, CCIP_ROUTER: addresses.router },
    deployBlock: onRamp.block,
    schedule,
    tick,
    messages: () => sent,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await chain;
    },
  };
}
