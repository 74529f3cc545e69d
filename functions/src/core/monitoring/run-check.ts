import type { Clock } from '../ports/clock';
import type { Probes } from '../ports/probes';
import { evaluateCacti } from './collectors/cacti';
import { evaluateCcip, isCcipObservation } from './collectors/ccip';
import { evaluateFirefly } from './collectors/firefly';
import { evaluateEvm, evaluateHttp, evaluateJsonRpc, evaluateTcp } from './evaluate';
import type { CheckObservation, CheckResult, CheckSpec, EvmObservation } from './model';

export interface RunCheckDeps {
  probes: Probes;
  clock: Clock;
}

export interface RunCheckInput {
  spec: CheckSpec;
  /** The observation this check returned last time (`next` of the previous run; used by evm and ccip checks, ignored by others). */
  previous?: CheckObservation | null;
}

export interface RunCheckOutput {
  result: CheckResult;
  /** For `evm` checks: the observation to pass as `previous` next time; null otherwise or when unreachable. */
  observation: EvmObservation | null;
  /** For stateful checks (evm, ccip): the state to pass as `previous` next time; null otherwise or when unreachable. */
  next: CheckObservation | null;
}

function notCollected(spec: CheckSpec, checkedAt: string): RunCheckOutput {
  return { result: { status: 'unknown', metrics: {}, message: `no ${spec.type} collector in this runtime`, durationMs: 0, checkedAt }, observation: null, next: null };
}

/**
 * Runs one check: probes the target, then evaluates the outcome against the spec's thresholds.
 * Never throws for a failing target (that is a `critical` result); `checkedAt` is the clock's time
 * after the probe. Not idempotent in time (each run is a new observation) but free of side effects.
 * An unreachable EVM node or CCIP chain keeps no observation, so `previous` should then be carried over by the caller.
 */
export async function runCheck(deps: RunCheckDeps, input: RunCheckInput): Promise<RunCheckOutput> {
  const { spec } = input;
  switch (spec.type) {
    case 'http':
      return { result: evaluateHttp(spec, await deps.probes.http(spec), deps.clock.now()), observation: null, next: null };
    case 'tcp':
      return { result: evaluateTcp(spec, await deps.probes.tcp(spec), deps.clock.now()), observation: null, next: null };
    case 'json-rpc':
      return { result: evaluateJsonRpc(spec, await deps.probes.jsonRpc(spec), deps.clock.now()), observation: null, next: null };
    case 'evm': {
      const previous = input.previous && !isCcipObservation(input.previous) ? input.previous : null;
      const outcome = await deps.probes.evm(spec, previous);
      // The observation's own time, so the head age and checkedAt agree.
      const checkedAt = outcome.reachable ? outcome.observation.observedAt : deps.clock.now();
      const observation = outcome.reachable ? outcome.observation : null;
      return { result: evaluateEvm(spec, outcome, checkedAt), observation, next: observation };
    }
    case 'firefly':
      if (!deps.probes.firefly) return notCollected(spec, deps.clock.now());
      return { result: evaluateFirefly(spec, await deps.probes.firefly(spec), deps.clock.now()), observation: null, next: null };
    case 'cacti':
      if (!deps.probes.cacti) return notCollected(spec, deps.clock.now());
      return { result: evaluateCacti(spec, await deps.probes.cacti(spec), deps.clock.now()), observation: null, next: null };
    case 'ccip': {
      if (!deps.probes.ccip) return notCollected(spec, deps.clock.now());
      const outcome = await deps.probes.ccip(spec, isCcipObservation(input.previous) ? input.previous : null);
      const checkedAt = outcome.reachable ? outcome.observation.observedAt : deps.clock.now();
      return { result: evaluateCcip(spec, outcome, checkedAt), observation: null, next: outcome.reachable ? outcome.observation : null };
    }
  }
}
