import type { SignalboxConfig } from '../config/model';
import type { AlertStore } from '../ports/alert-store';
import type { AgentTokens } from '../ports/agent-tokens';
import type { CheckHistoryStore } from '../ports/check-history-store';
import type { Clock } from '../ports/clock';
import type { DeadLetterStore } from '../ports/dead-letter-store';
import type { EventBus } from '../ports/event-bus';
import type { Logger } from '../ports/logger';
import type { Notifier } from '../ports/notifier';
import type { Probes } from '../ports/probes';
import type { CheckObservation } from './model';

/**
 * The monitoring config as a runtime has it now: the parsed `signalbox/` folder (only the items
 * without issues), the problems found (formatted `file:line:column field: message`, or a reason the
 * folder could not be read at all) and the values for `${NAME}` placeholders in URLs and hosts.
 */
export interface MonitoringConfigSnapshot {
  readonly config: SignalboxConfig;
  readonly errors: readonly string[];
  readonly placeholders: Readonly<Record<string, string | undefined>>;
}

/** Where the monitoring use cases get the config from (the local folder, later a deployed bundle). */
export interface MonitoringConfigProvider {
  /** The current snapshot; never throws for a bad config (that is in `errors`). */
  current(): Promise<MonitoringConfigSnapshot>;
}

/** What `runChecks` remembers about one check between runs. */
export interface CheckRunState {
  /** When the check last ran (ISO 8601), for the interval. */
  readonly lastRunAt: string;
  /** The last observation of a stateful check (evm, ccip: the next run's `previous`); null for other types or none yet. */
  readonly previous: CheckObservation | null;
  /** Per alert rule on this check: when its condition started to hold (for the rule's `for`). */
  readonly conditionSince?: Readonly<Record<string, string>>;
}

/**
 * Per-check run state between `runChecks` calls. Losing it is harmless: every check becomes due
 * and an EVM check starts over with "first observation".
 */
export interface MonitorState {
  get(checkId: string): Promise<CheckRunState | undefined>;
  set(checkId: string, state: CheckRunState): Promise<void>;
}

/** A `MonitorState` in memory (one process: the local runtime, tests). */
export function inMemoryMonitorState(): MonitorState {
  const states = new Map<string, CheckRunState>();
  return {
    get: async (id) => states.get(id),
    set: async (id, state) => void states.set(id, state),
  };
}

/** A provider that always returns the same snapshot (a folder loaded once at start). */
export function staticMonitoringConfig(snapshot: MonitoringConfigSnapshot): MonitoringConfigProvider {
  return { current: async () => snapshot };
}

/** An empty snapshot with the given errors (no folder, unreadable folder). */
export function emptyMonitoringConfig(errors: readonly string[], placeholders: Readonly<Record<string, string | undefined>> = {}): MonitoringConfigSnapshot {
  return { config: { environments: [], systems: [], checks: [], alerts: [] }, errors, placeholders };
}

/** What the monitoring use cases (`run-checks.ts`, `health.ts`) need. */
export interface MonitoringDeps {
  monitoringConfig: MonitoringConfigProvider;
  probes: Probes;
  checkHistory: CheckHistoryStore;
  monitorState: MonitorState;
  /** Where alerts of the config's check and metric rules are kept; without it no rule is evaluated. */
  alertStore?: AlertStore;
  /** Base URL of the portal, for the `uri` of alert events; default `http://localhost:3000`. */
  portalUrl?: string;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** Ids of new silences; default random UUIDs. */
  newId?: () => string;
  /** How many checks `runChecks` runs at once; default 8. */
  checkConcurrency?: number;
  /** Tokens of `signalbox-agent`s (`POST /api/observations`); without it agents are refused (503). */
  agentTokens?: AgentTokens;
  /**
   * Environments an admin switched off (settings, issue 5): `runChecks` skips their checks. Absent:
   * none are off.
   */
  disabledEnvironments?: () => Promise<ReadonlySet<string>>;
  /**
   * Notifiers by receiver name (built by the runtime from the config's `notifications.receivers`);
   * a receiver absent here (no value for its URL placeholder, AWS-only type) is skipped.
   */
  notifiers?: ReadonlyMap<string, Notifier>;
  /** Where failed notifications are dead-lettered (consumer `notify`); without it they are only logged. */
  deadLetters?: Pick<DeadLetterStore, 'get' | 'record'>;
}
