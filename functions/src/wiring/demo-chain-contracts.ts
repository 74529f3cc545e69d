import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * A mock CCIP lane: minimal contracts that emit events with the same signatures as CCIP 1.5's
 * EVM2EVMOnRamp (`CCIPSendRequested`), EVM2EVMOffRamp (`ExecutionStateChanged`) and Router
 * (`MessageExecuted`) — the only things Signalbox's `ccip` check reads. Written for Signalbox; used
 * by the `npm start` chain demo (`demo-chain.ts`) and the CCIP collector test. No fees, tokens or
 * commit stores: anyone may "send" and "execute".
 *
 * - `MockOnRamp.send(uint256 n)`: the next sequence number, message id `keccak256(abi.encode(seq, sender, n))`
 *   (also kept in `idOf(seq)`; `lastSeq()` is the last sequence number).
 * - `MockOffRamp.execute(uint64 seq, bytes32 id, uint8 state)`: emits the state (1 in progress, 2 success, 3 failure).
 * - `MockRouter.routeMessage(bytes32 id, address offRamp)`: emits `MessageExecuted`.
 */
export const CCIP_LANE_SOLIDITY = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract MockOnRamp {
  struct EVMTokenAmount { address token; uint256 amount; }
  struct EVM2EVMMessage {
    uint64 sourceChainSelector; address sender; address receiver; uint64 sequenceNumber;
    uint256 gasLimit; bool strict; uint64 nonce; address feeToken; uint256 feeTokenAmount;
    bytes data; EVMTokenAmount[] tokenAmounts; bytes[] sourceTokenData; bytes32 messageId;
  }
  event CCIPSendRequested(EVM2EVMMessage message);
  uint64 public lastSeq;
  mapping(uint64 => bytes32) public idOf;

  function send(uint256 n) external {
    lastSeq += 1;
    EVM2EVMMessage memory m;
    m.sourceChainSelector = 3478487238524512106;
    m.sender = msg.sender;
    m.receiver = address(uint160(0xBEEF));
    m.sequenceNumber = lastSeq;
    m.gasLimit = 200000;
    m.nonce = lastSeq;
    m.feeTokenAmount = 1e15;
    m.data = abi.encodePacked("payload-", n);
    m.tokenAmounts = new EVMTokenAmount[](1);
    m.tokenAmounts[0] = EVMTokenAmount(address(uint160(0x1111)), n);
    m.sourceTokenData = new bytes[](1);
    m.sourceTokenData[0] = hex"c0ffee";
    m.messageId = keccak256(abi.encode(lastSeq, msg.sender, n));
    idOf[lastSeq] = m.messageId;
    emit CCIPSendRequested(m);
  }
}

contract MockOffRamp {
  enum MessageExecutionState { UNTOUCHED, IN_PROGRESS, SUCCESS, FAILURE }
  event ExecutionStateChanged(uint64 indexed sequenceNumber, bytes32 indexed messageId, MessageExecutionState state, bytes returnData);

  function execute(uint64 seq, bytes32 id, MessageExecutionState state) external {
    emit ExecutionStateChanged(seq, id, state, state == MessageExecutionState.FAILURE ? bytes(hex"08c379a0") : bytes(""));
  }
}

contract MockRouter {
  event MessageExecuted(bytes32 messageId, uint64 sourceChainSelector, address offRamp, bytes32 calldataHash);

  function routeMessage(bytes32 id, address offRamp) external {
    emit MessageExecuted(id, 3478487238524512106, offRamp, keccak256(abi.encode(id)));
  }
}
`;

export type CcipLaneContract = 'MockOnRamp' | 'MockOffRamp' | 'MockRouter';

export interface CompiledContract {
  /** Creation bytecode, hex without 0x. */
  bytecode: string;
  /** Function signature → 4-byte selector (hex without 0x), e.g. `send(uint256)`. */
  selectors: Record<string, string>;
}

export type CompiledCcipLane = Record<CcipLaneContract, CompiledContract>;

const SETTINGS = { optimizer: { enabled: true, runs: 200 }, evmVersion: 'paris', outputSelection: { '*': { '*': ['evm.bytecode.object', 'evm.methodIdentifiers'] } } };
const CONTRACTS: readonly CcipLaneContract[] = ['MockOnRamp', 'MockOffRamp', 'MockRouter'];

function solcVersion(): string {
  try {
    return (createRequire(import.meta.url)('solc/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Compiles the lane with `solc` from npm (a dev dependency, loaded only here). */
async function compileNow(): Promise<CompiledCcipLane> {
  const { default: solc } = await import('solc');
  const input = { language: 'Solidity', sources: { 'Lane.sol': { content: CCIP_LANE_SOLIDITY } }, settings: SETTINGS };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { evm: { bytecode: { object: string }; methodIdentifiers: Record<string, string> } }>>;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0 || !out.contracts) throw new Error(`compiling the mock CCIP lane failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const contracts = out.contracts['Lane.sol']!;
  const pick = (name: CcipLaneContract): CompiledContract => {
    const c = contracts[name];
    if (!c) throw new Error(`compiling the mock CCIP lane gave no ${name}`);
    return { bytecode: c.evm.bytecode.object, selectors: c.evm.methodIdentifiers };
  };
  return { MockOnRamp: pick('MockOnRamp'), MockOffRamp: pick('MockOffRamp'), MockRouter: pick('MockRouter') };
}

function isCompiled(v: unknown): v is CompiledCcipLane {
  if (!v || typeof v !== 'object') return false;
  return CONTRACTS.every((name) => {
    const c = (v as Record<string, Partial<CompiledContract> | undefined>)[name];
    return !!c && typeof c.bytecode === 'string' && /^[0-9a-f]+$/.test(c.bytecode) && !!c.selectors && typeof c.selectors === 'object';
  });
}

let inProcess: Promise<CompiledCcipLane> | null = null;

/**
 * The compiled lane: compiled once per process, and with `cacheDir` kept in
 * `<cacheDir>/ccip-lane-<hash>.json` (the hash covers the source, the compiler settings and the solc
 * version, so a changed contract or compiler compiles again). A cache file that does not parse is
 * ignored and rewritten.
 */
export async function compileCcipLane(cacheDir?: string): Promise<CompiledCcipLane> {
  const key = createHash('sha256').update(JSON.stringify([CCIP_LANE_SOLIDITY, SETTINGS, solcVersion()])).digest('hex').slice(0, 16);
  const file = cacheDir ? join(cacheDir, `ccip-lane-${key}.json`) : null;
  if (file && existsSync(file)) {
    try {
      const cached: unknown = JSON.parse(await readFile(file, 'utf8'));
      if (isCompiled(cached)) return cached;
    } catch {
      // A torn or edited cache file: compile again below.
    }
  }
  inProcess ??= compileNow().catch((error: unknown) => {
    inProcess = null;
    throw error;
  });
  const compiled = await inProcess;
  if (file && cacheDir) {
    await mkdir(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(compiled)}\n`);
    await rename(tmp, file);
  }
  return compiled;
}
