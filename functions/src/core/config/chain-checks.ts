import { isScalar, type Node } from 'yaml';
import type { CactiCheckConfig, CcipCheckConfig, CcipRampConfig, CheckConfig, FireflyCheckConfig, Threshold } from './model';
import { placeholderProblem } from './placeholders';
import { join, type Fields, type Reader } from './read';
import { need, opt, readSecondsThreshold, url as readUrl } from './read-values';

const HTTP = ['http:', 'https:'] as const;

/**
 * Reading the blockchain-service check types of the config folder (`firefly`, `cacti`, `ccip`);
 * `parse.ts` calls `readChainCheck` for these types with the fields it has already checked against
 * `CHAIN_CHECK_KEYS`. Records issues on the reader like the rest of the parser.
 */

export type ChainCheckType = 'firefly' | 'cacti' | 'ccip';

/** Keys each chain check type allows besides the common ones. */
export const CHAIN_CHECK_KEYS: Record<ChainCheckType, string[]> = {
  firefly: ['url', 'headers', 'namespaces', 'plugins'],
  cacti: ['url', 'headers', 'connectors'],
  ccip: ['onRamp', 'offRamp', 'blockRange', 'maxRangesPerRun', 'pendingAge'],
};

/** Threshold names per chain check type and which direction is bad. */
export const CHAIN_THRESHOLDS: Record<ChainCheckType, Record<string, Threshold['direction']>> = {
  firefly: { latencyMs: 'above', namespaces: 'below' },
  cacti: { latencyMs: 'above', heapUsedMb: 'above', rssMb: 'above' },
  ccip: { latencyMs: 'above', failedMessages: 'above' },
};

/** The fields of `CheckBase` as `parse.ts` has read them. */
type Base = Omit<CheckConfig, 'type' | 'thresholds'>;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const PLUGIN_PACKAGE = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;




/** A contract address `0x` + 40 hex digits, or a whole `${NAME}` placeholder. */
function address(r: Reader, node: Node, field: string): string | undefined {
  if (isScalar(node) && typeof node.value === 'number') return r.fail(node, field, `${field}: quote the address ('0x...'): YAML reads an unquoted 0x... as a number`);
  const text = r.string(node, field);
  if (text === undefined) return undefined;
  if (/^\$\{[A-Z][A-Z0-9_]*\}$/.test(text) || ADDRESS.test(text)) return text;
  const problem = placeholderProblem(text);
  return r.fail(node, field, `${field}: ${problem ?? `"${text}" is not a contract address (0x and 40 hex digits) or a \${NAME} placeholder`}`);
}

function names(r: Reader, node: Node, field: string, read: (n: Node | null, p: string) => string | undefined): string[] | undefined {
  return r.list(node, field, read)?.map((x) => x.value);
}

/** `{url, address, startBlock, headers}` (+ `router` on the off-ramp); `url` may be left out on the off-ramp (then the on-ramp's). */
function readRamp(r: Reader, node: Node, field: string, offRamp: boolean): (Omit<CcipRampConfig, 'url'> & { url?: string; router?: string }) | undefined {
  const map = r.map(node, field);
  if (!map) return undefined;
  const f = r.fields(map, field, ['url', 'address', 'headers', 'startBlock', ...(offRamp ? ['router'] : [])], offRamp ? ['address'] : ['url', 'address']);
  const url = opt(f, 'url', (n) => readUrl(r, n, join(field, 'url'), HTTP));
  const headers = opt(f, 'headers', (n) => r.labels(n, join(field, 'headers'))) ?? {};
  const startBlock = opt(f, 'startBlock', (n) => r.number(n, join(field, 'startBlock'), { integer: true, min: 0 }));
  const at = opt(f, 'address', (n) => address(r, n, join(field, 'address')));
  const router = opt(f, 'router', (n) => address(r, n, join(field, 'router')));
  if (at === undefined) return undefined;
  return { headers, address: at, ...(url !== undefined ? { url } : {}), ...(startBlock !== undefined ? { startBlock } : {}), ...(router !== undefined ? { router } : {}) };
}


/**
 * Reads the type-specific fields of a `firefly`, `cacti` or `ccip` check. Returns undefined (with
 * issues recorded) when a required field is missing or wrong.
 */
export function readChainCheck(r: Reader, f: Fields, map: Node, field: string, base: Base, type: ChainCheckType, thresholds: Record<string, Threshold>): CheckConfig | undefined {
  if (type === 'firefly') {
    const url = need(r, f, map, field, 'url', (n, p) => readUrl(r, n, p, HTTP));
    const headers = opt(f, 'headers', (n) => r.labels(n, join(field, 'headers'))) ?? {};
    const namespaces = opt(f, 'namespaces', (n) => names(r, n, join(field, 'namespaces'), (x, p) => r.string(x, p, { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, patternText: 'a FireFly namespace name' }))) ?? [];
    const plugins = opt(f, 'plugins', (n) => names(r, n, join(field, 'plugins'), (x, p) => r.string(x, p, { pattern: /^[A-Za-z]+$/, patternText: 'a plugin kind such as blockchain, database, dataExchange, sharedStorage, tokens' }))) ?? [];
    if (url === undefined) return undefined;
    const check: FireflyCheckConfig = { ...base, type, url, headers, namespaces, plugins, thresholds };
    return check;
  }
  if (type === 'cacti') {
    const url = need(r, f, map, field, 'url', (n, p) => readUrl(r, n, p, HTTP));
    const headers = opt(f, 'headers', (n) => r.labels(n, join(field, 'headers'))) ?? {};
    const connectors = opt(f, 'connectors', (n) => names(r, n, join(field, 'connectors'), (x, p) => r.string(x, p, { pattern: PLUGIN_PACKAGE, patternText: 'an npm package name such as @hyperledger/cactus-plugin-ledger-connector-besu' }))) ?? [];
    if (url === undefined) return undefined;
    const check: CactiCheckConfig = { ...base, type, url, headers, connectors, thresholds };
    return check;
  }
  const on = need(r, f, map, field, 'onRamp', (n, p) => readRamp(r, n, p, false));
  const off = need(r, f, map, field, 'offRamp', (n, p) => readRamp(r, n, p, true));
  const blockRange = opt(f, 'blockRange', (n) => r.number(n, join(field, 'blockRange'), { integer: true, min: 1, max: 100_000 }));
  const maxRangesPerRun = opt(f, 'maxRangesPerRun', (n) => r.number(n, join(field, 'maxRangesPerRun'), { integer: true, min: 1, max: 1_000 }));
  const pendingAge = opt(f, 'pendingAge', (n) => readSecondsThreshold(r, n, join(field, 'pendingAge')));
  if (!on || !off || on.url === undefined) return undefined;
  const check: CcipCheckConfig = {
    ...base,
    type,
    onRamp: { url: on.url, headers: on.headers, address: on.address, ...(on.startBlock !== undefined ? { startBlock: on.startBlock } : {}) },
    offRamp: {
      url: off.url ?? on.url,
      // Same chain: the on-ramp's headers (credentials) apply unless the off-ramp sets its own.
      headers: off.url === undefined ? { ...on.headers, ...off.headers } : off.headers,
      address: off.address,
      ...(off.router !== undefined ? { router: off.router } : {}),
      ...(off.startBlock !== undefined ? { startBlock: off.startBlock } : {}),
    },
    ...(blockRange !== undefined ? { blockRange } : {}),
    ...(maxRangesPerRun !== undefined ? { maxRangesPerRun } : {}),
    ...(pendingAge ? { pendingAgeSeconds: pendingAge } : {}),
    thresholds,
  };
  return check;
}
