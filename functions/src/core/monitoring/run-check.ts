import type { Clock } from '../ports/clock';
import type { Probes } from '../ports/probes';
import { evaluateEvm, evaluateHttp, evaluateJsonRpc, evaluateTcp } from './evaluate';
import type { CheckResult, CheckSpec, EvmObservation } from './model';

export interface RunCheckDeps {
  probes: Probes;
  clock: Clock;
}

export interface RunCheckInput {
  spec: CheckSpec;
  /** The EVM observation this check returned last time (ignored by other check types). */
  previous?: EvmObservation | null;
}

export interface RunCheckOutput {
  result: CheckResult;
  /** For `evm` checks: the observation to pass as `previous` next time; null otherwise or when unreachable. */
  observation: EvmObservation | null;
}

/**
 * Runs one check: probes the target, then evaluates the outcome against the spec's thresholds.
 * Never throws for a failing target (that is a `critical` result); `checkedAt` is the clock's time
 * after the probe. Not idempotent in time (each run is a new observation) but free of side effects.
 * An unreachable EVM node keeps no observation, so `previous` should then be carried over by the caller.
 */
export async function runCheck(deps: RunCheckDeps, input: RunCheckInput): Promise<RunCheckOutput> {
  const { spec } = input;
  switch (spec.type) {
    case 'http':
      return { result: evaluateHttp(spec, await deps.probes.http(spec), deps.clock.now()), observation: null };
    case 'tcp':
      return { result: evaluateTcp(spec, await deps.probes.tcp(spec), deps.clock.now()), observation: null };
    case 'json-rpc':
      return { result: evaluateJsonRpc(spec, await deps.probes.jsonRpc(spec), deps.clock.now()), observation: null };
    case 'evm': {
      const outcome = await deps.probes.evm(spec, input.previous ?? null);
      // The observation's own time, so the head age and checkedAt agree.
      const checkedAt = outcome.reachable ? outcome.observation.observedAt : deps.clock.now();
      return { result: evaluateEvm(spec, outcome, checkedAt), observation: outcome.reachable ? outcome.observation : null };
    }
  }
}
