import type { CheckSpec, Thresholds } from '../monitoring/model';
import type { CheckConfig, Threshold } from './model';
import { resolvePlaceholders } from './placeholders';

/**
 * Turns a check from the config folder into the spec the check evaluator runs
 * (`core/monitoring`), resolving `${NAME}` placeholders in URLs, hosts and contract addresses from `values`.
 *
 * @throws ValidationError (`missing_placeholder`) when a placeholder has no value.
 */
export function toCheckSpec(check: CheckConfig, values: Readonly<Record<string, string | undefined>>): CheckSpec {
  const field = `checks.${check.name}`;
  const timeoutMs = check.timeoutSeconds * 1_000;
  switch (check.type) {
    case 'http':
      return {
        type: 'http',
        timeoutMs,
        url: resolvePlaceholders(check.url, values, `${field}.url`),
        method: check.method,
        headers: { ...check.headers },
        ...(check.body !== undefined ? { body: check.body } : {}),
        ...(check.expectStatus ? { expectStatus: [...check.expectStatus] } : {}),
        ...(check.bodyContains !== undefined ? { bodyContains: check.bodyContains } : {}),
        ...(check.bodyMatches !== undefined ? { bodyRegex: check.bodyMatches } : {}),
        ...limits('latencyMs', check.thresholds.latencyMs),
        ...limits('tlsDaysLeft', check.thresholds.tlsDaysLeft),
      };
    case 'tcp':
      return { type: 'tcp', timeoutMs, host: resolvePlaceholders(check.host, values, `${field}.host`), port: check.port, ...limits('latencyMs', check.thresholds.latencyMs) };
    case 'jsonrpc':
      return {
        type: 'json-rpc',
        timeoutMs,
        url: resolvePlaceholders(check.url, values, `${field}.url`),
        method: check.method,
        params: [...check.params],
        headers: { ...check.headers },
        ...(check.hasExpectResult ? { expectResult: check.expectResult } : {}),
        ...limits('latencyMs', check.thresholds.latencyMs),
      };
    case 'evm':
      return {
        type: 'evm',
        timeoutMs,
        url: resolvePlaceholders(check.url, values, `${field}.url`),
        headers: { ...check.headers },
        ...(check.chainId !== undefined ? { expectChainId: check.chainId } : {}),
        ...limits('stalledAfterSeconds', check.stalledAfterSeconds),
        ...limits('minPeers', check.thresholds.peers),
        ...limits('latencyMs', check.thresholds.latencyMs),
      };
    case 'firefly':
      return {
        type: 'firefly',
        timeoutMs,
        url: resolvePlaceholders(check.url, values, `${field}.url`),
        headers: { ...check.headers },
        ...(check.namespaces.length > 0 ? { namespaces: [...check.namespaces] } : {}),
        ...(check.plugins.length > 0 ? { plugins: [...check.plugins] } : {}),
        ...limits('minNamespaces', check.thresholds.namespaces),
        ...limits('latencyMs', check.thresholds.latencyMs),
      };
    case 'cacti':
      return {
        type: 'cacti',
        timeoutMs,
        url: resolvePlaceholders(check.url, values, `${field}.url`),
        headers: { ...check.headers },
        ...(check.connectors.length > 0 ? { connectors: [...check.connectors] } : {}),
        ...limits('heapUsedMb', check.thresholds.heapUsedMb),
        ...limits('rssMb', check.thresholds.rssMb),
        ...limits('latencyMs', check.thresholds.latencyMs),
      };
    case 'ccip':
      return {
        type: 'ccip',
        timeoutMs,
        source: {
          url: resolvePlaceholders(check.onRamp.url, values, `${field}.onRamp.url`),
          headers: { ...check.onRamp.headers },
          onRamp: resolvePlaceholders(check.onRamp.address, values, `${field}.onRamp.address`),
          ...(check.onRamp.startBlock !== undefined ? { startBlock: check.onRamp.startBlock } : {}),
        },
        destination: {
          url: resolvePlaceholders(check.offRamp.url, values, `${field}.offRamp.url`),
          headers: { ...check.offRamp.headers },
          offRamp: resolvePlaceholders(check.offRamp.address, values, `${field}.offRamp.address`),
          ...(check.offRamp.router !== undefined ? { router: resolvePlaceholders(check.offRamp.router, values, `${field}.offRamp.router`) } : {}),
          ...(check.offRamp.startBlock !== undefined ? { startBlock: check.offRamp.startBlock } : {}),
        },
        ...(check.blockRange !== undefined ? { blockRange: check.blockRange } : {}),
        ...(check.maxRangesPerRun !== undefined ? { maxRangesPerRun: check.maxRangesPerRun } : {}),
        ...limits('pendingAgeSeconds', check.pendingAgeSeconds),
        ...limits('failedMessages', check.thresholds.failedMessages),
        ...limits('latencyMs', check.thresholds.latencyMs),
      };
  }
}

function limits<K extends string>(key: K, t: Threshold | undefined): Partial<Record<K, Thresholds>> {
  if (!t) return {};
  const out: Thresholds = {};
  if (t.warning !== undefined) out.warning = t.warning;
  if (t.critical !== undefined) out.critical = t.critical;
  return { [key]: out } as Partial<Record<K, Thresholds>>;
}
