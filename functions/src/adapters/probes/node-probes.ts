import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type {
  CactiCheckSpec,
  CactiOutcome,
  CcipCheckSpec,
  CcipObservation,
  CcipOutcome,
  EvmCheckSpec,
  EvmObservation,
  EvmOutcome,
  FireflyCheckSpec,
  FireflyOutcome,
  HttpCheckSpec,
  HttpOutcome,
  JsonRpcCheckSpec,
  JsonRpcOutcome,
  TcpCheckSpec,
  TcpOutcome,
} from '../../core/monitoring/model';
import type { Clock } from '../../core/ports/clock';
import type { Probes } from '../../core/ports/probes';
import { collectCacti } from './cacti-probe';
import { collectCcip } from './ccip-collector';
import { collectEvm } from './evm-collector';
import { collectFirefly } from './firefly-probe';
import { callJsonRpc } from './json-rpc-client';
import { DEFAULT_TIMEOUT_MS, rawRequest } from './request';

/** `Probes` with Node's own sockets: node:http/https, node:net. The clock stamps EVM and CCIP observations. */
export class NodeProbes implements Probes {
  constructor(private readonly clock: Clock) {}

  async http(spec: HttpCheckSpec): Promise<HttpOutcome> {
    return rawRequest({
      url: spec.url,
      method: spec.method ?? 'GET',
      ...(spec.headers ? { headers: spec.headers } : {}),
      ...(spec.body !== undefined ? { body: spec.body } : {}),
      ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}),
    });
  }

  tcp(spec: TcpCheckSpec): Promise<TcpOutcome> {
    const timeoutMs = spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const started = performance.now();
    return new Promise<TcpOutcome>((resolve) => {
      const socket = net.connect({ host: spec.host, port: spec.port });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ reachable: false, error: `timed out after ${timeoutMs} ms`, timedOut: true, durationMs: performance.now() - started });
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        const durationMs = performance.now() - started;
        socket.destroy();
        resolve({ reachable: true, durationMs });
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        socket.destroy();
        resolve({ reachable: false, error: e.message || (e as NodeJS.ErrnoException).code || 'connect failed', timedOut: false, durationMs: performance.now() - started });
      });
    });
  }

  jsonRpc(spec: JsonRpcCheckSpec): Promise<JsonRpcOutcome> {
    return callJsonRpc(spec.url, spec.method, spec.params, {
      ...(spec.headers ? { headers: spec.headers } : {}),
      ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}),
    });
  }

  evm(spec: EvmCheckSpec, previous: EvmObservation | null): Promise<EvmOutcome> {
    return collectEvm(this.clock, spec, previous);
  }

  firefly(spec: FireflyCheckSpec): Promise<FireflyOutcome> {
    return collectFirefly(spec);
  }

  cacti(spec: CactiCheckSpec): Promise<CactiOutcome> {
    return collectCacti(spec);
  }

  ccip(spec: CcipCheckSpec, previous: CcipObservation | null): Promise<CcipOutcome> {
    return collectCcip(this.clock, spec, previous);
  }
}
