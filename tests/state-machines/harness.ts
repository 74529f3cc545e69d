import { InMemoryRolloutStore } from '../../functions/src/adapters/local/in-memory-rollout-store';
import { LocalRolloutRunner } from '../../functions/src/adapters/local/local-rollout-runner';
import { validateCdevent } from '../../functions/src/core/cdevents/validator';
import { DependencyError } from '../../functions/src/core/errors';
import type { BusEvent, EventBus, PublishResult } from '../../functions/src/core/ports/event-bus';
import type { MetricProviders, MetricValue } from '../../functions/src/core/ports/metric-providers';
import type { HookResult, HookType, TargetContext, TrafficSplit, TrafficTarget, TrafficTargets } from '../../functions/src/core/ports/traffic-target';
import type { RolloutDeps } from '../../functions/src/core/rollouts/deps';
import type { MetricProviderSpec, Rollout, RolloutTaskInput } from '../../functions/src/core/rollouts/model';
import { runRolloutTask } from '../../functions/src/core/rollouts/run-task';
import { parseRolloutSpec } from '../../functions/src/core/rollouts/spec';

/** A clock the test moves; starts at a fixed instant. */
export class ManualClock {
  private ms = Date.parse('2026-11-23T10:00:00.000Z');
  now = (): string => new Date(this.ms).toISOString();
  advance(seconds: number): void {
    this.ms += seconds * 1_000;
  }
}

/** A traffic target that records every call; hooks and failures are scripted by the test. */
export class FakeTarget implements TrafficTarget {
  readonly calls: string[] = [];
  split: TrafficSplit = { stable: 100, canary: 0 };
  /** Hooks answering proceed:false (until the test removes them). */
  readonly refuse = new Set<HookType>();
  /** setWeight calls (to a weight above 0) that throw TARGET_UNAVAILABLE before one succeeds (counts down). */
  failSetWeight = 0;
  /** setWeight(0) always fails (a rollback that cannot happen). */
  brokenRollback = false;

  async setWeight(_ctx: TargetContext, canaryWeight: number): Promise<TrafficSplit> {
    this.calls.push(`setWeight ${canaryWeight}`);
    const failForward = canaryWeight > 0 && this.failSetWeight > 0;
    if (failForward || (this.brokenRollback && canaryWeight === 0)) {
      if (failForward) this.failSetWeight--;
      throw new DependencyError('target unreachable (scripted)', 'target', { code: 'TARGET_UNAVAILABLE' });
    }
    this.split = { stable: 100 - canaryWeight, canary: canaryWeight };
    return this.split;
  }
  async getWeight(): Promise<TrafficSplit> {
    return this.split;
  }
  async deployPreview(): Promise<void> {
    this.calls.push('deployPreview');
  }
  async scaleDown(_ctx: TargetContext, which: 'stable' | 'canary'): Promise<void> {
    this.calls.push(`scaleDown ${which}`);
  }
  async hook(_ctx: TargetContext, type: HookType): Promise<HookResult> {
    this.calls.push(`hook ${type}`);
    return this.refuse.has(type) ? { proceed: false, message: 'scripted refusal' } : { proceed: true };
  }
}

/** Metric values scripted per URL (`http` providers): each measurement takes the next value; the last repeats. */
export class ScriptedMetrics implements MetricProviders {
  readonly script = new Map<string, (number | Error | MetricValue)[]>();
  readonly taken: string[] = [];
  async measure(provider: MetricProviderSpec): Promise<MetricValue> {
    const key = provider.type === 'http' ? provider.url : provider.type;
    this.taken.push(key);
    const values = this.script.get(key) ?? [0];
    const value = values.length > 1 ? values.shift()! : values[0]!;
    if (value instanceof Error) throw value;
    return typeof value === 'number' ? { value } : value;
  }
}

export class RecordingBus implements EventBus {
  readonly events: BusEvent[] = [];
  async publish(events: BusEvent[]): Promise<PublishResult[]> {
    this.events.push(...events);
    return events.map((_, i) => ({ eventId: `e-${this.events.length}-${i}` }));
  }
  /** CDEvents of one rollout, deduplicated by context.id like the store, in first-seen order. */
  cdevents(rolloutId?: string): Record<string, any>[] {
    const seen = new Set<string>();
    const out: Record<string, any>[] = [];
    for (const e of this.events) {
      const d = e.detail as Record<string, any>;
      if (rolloutId && d.context.chainId !== rolloutId) continue;
      if (seen.has(d.context.id)) continue;
      seen.add(d.context.id);
      out.push(d);
    }
    return out;
  }
  /** Short names of the CDEvent types: `pipelinerun.queued`, `signalbox-rollout.gateRequested`. */
  types(rolloutId?: string): string[] {
    return this.cdevents(rolloutId).map((d) => (d.context.type as string).replace(/^dev\.cdevents?x?\./, '').replace(/\.\d+\.\d+\.\d+$/, ''));
  }
  violations(): { id: string; violations: unknown[] }[] {
    return this.cdevents()
      .map((d) => ({ id: d.context.id as string, violations: validateCdevent(d).violations }))
      .filter((v) => v.violations.length > 0);
  }
}

export interface Harness {
  clock: ManualClock;
  store: InMemoryRolloutStore;
  target: FakeTarget;
  metrics: ScriptedMetrics;
  bus: RecordingBus;
  runner: LocalRolloutRunner;
  deps: RolloutDeps;
  /** Task invocations in order (`AdvanceRollout→hold`, `ShiftTraffic`, …). */
  trace: string[];
  /** Decides how an AwaitApproval times out: return seconds to advance and time out, or null to wait for a person. */
  awaitPolicy: (seconds: number) => boolean;
  /** False = the clock stands still during holds (the machine polls until a signal arrives). */
  holdAdvancesClock: boolean;
  get(id: string): Promise<Rollout>;
  waitFor(id: string, predicate: (r: Rollout) => boolean): Promise<Rollout>;
}

let ids = 0;

export function createHarness(): Harness {
  const clock = new ManualClock();
  const store = new InMemoryRolloutStore();
  const target = new FakeTarget();
  const metrics = new ScriptedMetrics();
  const bus = new RecordingBus();
  const trace: string[] = [];
  const h = {} as Harness;
  const runner = new LocalRolloutRunner({
    // 1 ms, not 0: a zero wait never yields to timers, so a polling machine would starve the test.
    waitTimeOverrides: { Hold: 1 },
    retryIntervalOverrides: Object.fromEntries(
      ['InitializeRollout', 'AdvanceRollout', 'ShiftTraffic', 'DeployPreview', 'SwitchTraffic', 'ScaleDownPrevious', 'RunAnalysis', 'AwaitApproval', 'PromoteRollout', 'RollBack'].map(
        (n) => [n, 0],
      ),
    ),
    // The manual clock jumps over the wait when the policy lets it time out; else a person must act.
    awaitTimer: (seconds, signal) =>
      new Promise<void>((resolve) => {
        if (h.awaitPolicy(seconds)) {
          clock.advance(seconds);
          resolve();
        } else signal.addEventListener('abort', () => resolve(), { once: true });
      }),
  });
  const targets: TrafficTargets = { resolve: () => target };
  const deps = {
    rollouts: store,
    rolloutRunner: runner,
    targets,
    metrics,
    bus,
    clock,
    logger: { info() {}, warn() {}, error() {} },
    newId: () => `ro-${++ids}`,
    presets: () => [],
    portalUrl: 'https://signalbox.example.com',
  } as unknown as RolloutDeps;
  runner.bind(async (input: RolloutTaskInput) => {
    const result = await runRolloutTask(deps, input);
    const action = (result as { action?: string }).action;
    trace.push(action ? `${input.task}→${action}` : input.task);
    // A Hold state is shortened to 0 ms; the clock passes the held seconds instead.
    if (action === 'hold' && h.holdAdvancesClock) clock.advance((result as { seconds: number }).seconds);
    return result;
  });
  Object.assign(h, {
    clock,
    store,
    target,
    metrics,
    bus,
    runner,
    deps,
    trace,
    awaitPolicy: (seconds: number) => seconds < 86_400,
    holdAdvancesClock: true,
    async get(id: string) {
      return (await store.get(id))!;
    },
    async waitFor(id: string, predicate: (r: Rollout) => boolean) {
      // Polls the store while the machine runs on; bounded by iterations, not by time.
      for (let i = 0; i < 4_000; i++) {
        const r = await store.get(id);
        if (r && predicate(r)) return r;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      throw new Error(`rollout ${id} never reached the expected state; trace: ${trace.slice(-15).join(', ')}`);
    },
  });
  return h;
}

export const errorRateTemplate = {
  name: 'error-rate',
  metrics: [
    {
      name: 'error-rate',
      provider: { type: 'http', url: 'http://metrics.test/error-rate', jsonPath: '$.value' },
      successCondition: 'result < 0.05',
      failureCondition: 'result >= 0.05',
      interval: '30s',
      count: 2,
    },
  ],
};

/** A canary spec through the real validator. */
export function canarySpec(steps: unknown[], extra: Record<string, unknown> = {}) {
  return parseRolloutSpec({
    strategy: 'canary',
    service: 'payments',
    environment: 'prod',
    fromVersion: 'pkg:oci/payments@1.0.0',
    toVersion: 'pkg:oci/payments@1.1.0',
    target: { type: 'local-proxy', proxy: 'demo' },
    analysisTemplates: [errorRateTemplate],
    steps,
    ...extra,
  });
}

export function blueGreenSpec(extra: Record<string, unknown> = {}) {
  return parseRolloutSpec({
    strategy: 'blueGreen',
    service: 'payments',
    environment: 'prod',
    fromVersion: 'pkg:oci/payments@1.0.0',
    toVersion: 'pkg:oci/payments@2.0.0',
    target: { type: 'local-proxy', proxy: 'demo' },
    analysisTemplates: [errorRateTemplate],
    ...extra,
  });
}

/** `{stable: actual, canary: actual}` of a rollout, for compact weight assertions. */
export function weightsOf(r: { weights: { role: string; actual: number | null }[] }): Record<string, number | null> {
  return Object.fromEntries(r.weights.map((w) => [w.role, w.actual]));
}
