/**
 * The rollout domain: the spec an operator submits, the status a person reads at 3 a.m., and the
 * contract between the state machines (`state-machines/*.asl.json`) and the task handler.
 * Names and semantics follow Argo Rollouts (see `../shared/design/ROLLOUTS.md`).
 *
 * This module holds types and constants only; behaviour lives in `spec.ts` (validation),
 * `analysis.ts` (Argo analysis semantics), `plan.ts` / `engine.ts` (what the machine does next),
 * `events.ts` (the CDEvents each step emits) and `operate.ts` (operator verbs).
 */

// ---------------------------------------------------------------------------------------------
// Spec
// ---------------------------------------------------------------------------------------------

/** A duration as written in a spec: `"30s"`, `"5m"`, `"1h"`, `"1h30m"` or a number of seconds. */
export type DurationText = string | number;

export type MetricProviderSpec =
  /** Signalbox's own view of the target: request and error counts of the weighted proxy / target. */
  | { type: 'signalbox'; query: 'error-rate' | 'success-rate' | 'request-count' | 'latency-p95-ms'; version?: 'canary' | 'stable' }
  /** GET a URL, take the value at a JSONPath (`$.data.errorRate`). */
  | { type: 'http'; url: string; jsonPath: string; headers?: Record<string, string>; timeoutSeconds?: number }
  /** Prometheus instant query (`/api/v1/query`); the value is the first sample of the result vector or scalar. */
  | { type: 'prometheus'; address: string; query: string; timeoutSeconds?: number }
  /** A CloudWatch metric statistic over the last `periodSeconds`. */
  | {
      type: 'cloudwatch-metric';
      namespace: string;
      metricName: string;
      dimensions?: Record<string, string>;
      stat: string;
      periodSeconds?: number;
      region?: string;
    }
  /** A CloudWatch alarm: value 1 when in ALARM, 0 when OK, error when INSUFFICIENT_DATA. */
  | { type: 'cloudwatch-alarm'; alarmName: string; region?: string };

export interface MetricSpec {
  name: string;
  provider: MetricProviderSpec;
  /** Time between measurements. Default: a single measurement when `count` is absent. */
  interval?: DurationText;
  /** Number of measurements; absent with an interval = measure until the analysis is stopped (background). */
  count?: number;
  initialDelay?: DurationText;
  /** Expression over `result`, e.g. `result < 0.05`; true = Successful. */
  successCondition?: string;
  /** Expression over `result`; true = Failed. Checked before successCondition. */
  failureCondition?: string;
  /** Failed measurements allowed before the metric fails (Argo default 0). */
  failureLimit?: number;
  /** Inconclusive measurements allowed before the metric is Inconclusive (Argo default 0). */
  inconclusiveLimit?: number;
  /** Consecutive errored measurements allowed before the metric is Error (Argo default 4). */
  consecutiveErrorLimit?: number;
  /**
   * Minimum-sample rule: a measurement that reports fewer samples than this (requests seen by the
   * proxy, for instance) is Inconclusive, not Successful. Only providers that report a sample count
   * (`signalbox`) apply it. Default 20 for `signalbox`.
   */
  minSamples?: number;
}

export interface AnalysisTemplate {
  name: string;
  /** Declared arguments; `{{args.name}}` in provider strings is replaced by the value. */
  args?: { name: string; value?: string }[];
  metrics: MetricSpec[];
}

/** Reference to templates from a step or background analysis. */
export interface AnalysisRef {
  templates: string[];
  args?: { name: string; value: string }[];
}

export type CanaryStep =
  | { setWeight: number }
  | { pause: { duration?: DurationText } }
  | { analysis: AnalysisRef }
  | { gate: { name: string; timeout?: DurationText; onTimeout?: 'abort' | 'promote' } };

export type TargetSpec =
  /** Signalbox calls the owner's endpoint, Flagger-like hooks, HMAC-signed with the named secret. */
  | {
      type: 'webhook';
      url: string;
      /** Name of the signing secret (`X-Signalbox-Signature: sha256=…`); the secret itself never sits in the spec. */
      secretName?: string;
      timeoutSeconds?: number;
      retries?: number;
      metadata?: Record<string, string>;
    }
  /** Weighted Lambda alias routing: at most two versions. */
  | { type: 'lambda-alias'; functionName: string; alias: string; region?: string }
  /** The local weighted proxy in front of the demo service (npm start and tests). */
  | { type: 'local-proxy'; proxy: string };

interface CommonSpec {
  service: string;
  environment: string;
  /** Artifact id (purl) of what runs now; null for a first deploy. */
  fromVersion: string | null;
  toVersion: string;
  target: TargetSpec;
  /** A step that makes no progress for this long rolls back (Argo default 600). */
  progressDeadlineSeconds?: number;
  onAnalysisFailure?: 'abort' | 'pause';
  /** Templates referenced by name from steps and analyses. */
  analysisTemplates?: AnalysisTemplate[];
  /** Free text shown in the portal ("why this rollout"). */
  description?: string;
}

export interface CanarySpec extends CommonSpec {
  strategy: 'canary';
  steps: CanaryStep[];
  /** Background analysis running from `startingStep` (index into steps) until the end. */
  analysis?: AnalysisRef & { startingStep?: number };
}

export interface BlueGreenSpec extends CommonSpec {
  strategy: 'blueGreen';
  /** Where the preview (green) version is reachable before the switch; informational for webhook targets. */
  previewTarget?: string;
  /** Default true: promote without a human once pre-promotion analysis passes. */
  autoPromotionEnabled?: boolean;
  /** Promote automatically after this many seconds of waiting (even when autoPromotionEnabled is false). */
  autoPromotionSeconds?: number;
  prePromotionAnalysis?: AnalysisRef;
  postPromotionAnalysis?: AnalysisRef;
  /** Keep the old version this long after the switch, for an instant rollback (Argo default 30). */
  scaleDownDelaySeconds?: number;
  /** After an abort, keep the preview version this long (Argo default 30). */
  abortScaleDownDelaySeconds?: number;
}

export type RolloutSpec = CanarySpec | BlueGreenSpec;

// ---------------------------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------------------------

/** Argo's phases plus the three end states. */
export type RolloutPhase = 'Progressing' | 'Paused' | 'Healthy' | 'Degraded' | 'Aborted' | 'Promoted' | 'RolledBack';

export const FINAL_PHASES: readonly RolloutPhase[] = ['Aborted', 'Promoted', 'RolledBack'];

/** Argo analysis phases. */
export type AnalysisPhase = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

export interface Measurement {
  phase: AnalysisPhase;
  /** The number the condition was evaluated on, as measured. */
  value: number | null;
  /** Requests (or other samples) behind the value, when the provider knows. */
  samples?: number;
  startedAt: string;
  finishedAt: string;
  message?: string;
}

export interface MetricResult {
  name: string;
  phase: AnalysisPhase;
  measurements: Measurement[];
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  consecutiveError: number;
  message?: string;
}

export interface AnalysisRunStatus {
  /** `<rolloutId>-<kind>-<stepIndex>`, stable so a re-run task finds the same run. */
  id: string;
  kind: 'step' | 'background' | 'prePromotion' | 'postPromotion';
  /** Plan step that started it (background: the starting step). */
  stepIndex: number;
  templates: string[];
  phase: AnalysisPhase;
  startedAt: string;
  finishedAt: string | null;
  metrics: MetricResult[];
  message?: string;
}

/** One step of the compiled plan (canary steps as given; blue-green's fixed stages). */
export type PlanStep =
  | { kind: 'setWeight'; weight: number }
  | { kind: 'pause'; durationSeconds: number | null }
  | { kind: 'analysis'; analysis: AnalysisRef }
  | { kind: 'gate'; name: string; timeoutSeconds: number | null; onTimeout: 'abort' | 'promote' }
  | { kind: 'deployPreview' }
  | { kind: 'prePromotionAnalysis'; analysis: AnalysisRef }
  | { kind: 'awaitPromotion'; auto: boolean; autoPromotionSeconds: number | null }
  | { kind: 'switchTraffic' }
  | { kind: 'postPromotionAnalysis'; analysis: AnalysisRef }
  | { kind: 'scaleDown'; delaySeconds: number };

export interface StepStatus {
  index: number;
  step: PlanStep;
  /** Human summary, e.g. "Set weight to 20%", "Gate: qa-signoff (timeout 1h, then abort)". */
  title: string;
  status: 'Pending' | 'Running' | 'Completed' | 'Skipped' | 'Failed';
  startedAt: string | null;
  finishedAt: string | null;
  /** Time spent waiting on a person (gates, indefinite pauses, inconclusive pauses), in seconds. */
  waitedOnPeopleSeconds: number;
  /**
   * Set when the step's work was refused for now (a `confirm-*` hook said no): the engine holds
   * until then instead of retrying at once. Absent otherwise.
   */
  retryAt?: string;
  /** Why the step is not done yet or how it ended, when there is something to say. */
  note?: string;
}

/** Who gets how much traffic. `desired` is what the rollout asked for, `actual` what the target confirmed. */
export interface VersionWeight {
  role: 'stable' | 'canary';
  artifactId: string | null;
  version: string | null;
  desired: number;
  actual: number | null;
}

export interface WeightPoint {
  at: string;
  /** Actual canary (new version) weight, 0–100. */
  canary: number;
}

export type PauseReason = 'PauseStep' | 'Gate' | 'AwaitingPromotion' | 'PausedByUser' | 'Inconclusive' | 'AnalysisFailed';

export interface PauseStatus {
  reason: PauseReason;
  since: string;
  /** Until when a timed pause lasts; null = until a person acts. */
  until: string | null;
  /** What it waits for, in words: "approval of gate qa-signoff", "promote", "resume". */
  waitingFor: string;
  gate?: string;
}

export interface GateStatus {
  name: string;
  stepIndex: number;
  status: 'Waiting' | 'Approved' | 'Rejected' | 'TimedOut';
  requestedAt: string;
  /** When the gate times out; null = no timeout. */
  deadline: string | null;
  onTimeout: 'abort' | 'promote';
  decidedAt: string | null;
  decidedBy: string | null;
  comment: string | null;
}

export type OperatorVerb = 'start' | 'promote' | 'promote-full' | 'pause' | 'resume' | 'abort' | 'retry' | 'undo' | 'approve' | 'reject';

/** An operator action, attributed (also published as an event and, with issue 5, in the audit log). */
export interface RolloutAction {
  at: string;
  actor: string;
  verb: OperatorVerb;
  gate?: string;
  comment?: string;
}

/** Requests from operators that the state machine picks up at its next decision point. */
export interface PendingSignals {
  abort?: { at: string; actor: string; reason: string };
  pause?: { at: string; actor: string };
  /** Promote = finish the current pause/step; `full` = skip all remaining steps. */
  promote?: { at: string; actor: string; full: boolean };
}

/**
 * A waiting `AwaitApproval` task: in AWS the Step Functions task token, locally the local runner's
 * token. The API completes it (SendTaskSuccess / SendTaskFailure) on approve, reject, promote,
 * resume or abort.
 */
export interface Waiter {
  token: string;
  stepIndex: number;
  reason: PauseReason;
  since: string;
}

export interface Rollout {
  id: string;
  spec: RolloutSpec;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  phase: RolloutPhase;
  /** One line a person can read: "Waiting for approval of gate qa-signoff", "Analysis error-rate failed: 0.31 >= 0.05". */
  message: string;
  plan: StepStatus[];
  /** Index into `plan` of the current step; -1 before the first, plan.length when all done. */
  currentStepIndex: number;
  weights: VersionWeight[];
  weightHistory: WeightPoint[];
  analysisRuns: AnalysisRunStatus[];
  pause: PauseStatus | null;
  gates: GateStatus[];
  signals: PendingSignals;
  waiter: Waiter | null;
  actions: RolloutAction[];
  /** Execution id (AWS: execution ARN). */
  executionId: string | null;
  finishedAt: string | null;
  /** Set when the rollout was started by retry or undo. */
  retryOf?: string;
  undoOf?: string;
  /** Why it rolled back, when it did (error name and cause of a failed task, or the analysis verdict). */
  failure?: { error: string; cause: string };
  /** Optimistic-concurrency counter; every write bumps it. */
  revision: number;
}

/** The row `GET /api/rollouts` lists. */
export interface RolloutSummary {
  id: string;
  service: string;
  environment: string;
  strategy: RolloutSpec['strategy'];
  fromVersion: string | null;
  toVersion: string;
  phase: RolloutPhase;
  message: string;
  currentStepIndex: number;
  stepCount: number;
  canaryWeight: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  finishedAt: string | null;
}

// ---------------------------------------------------------------------------------------------
// State machine ↔ task handler contract
// ---------------------------------------------------------------------------------------------

/**
 * Task state names. Each is a Task in the ASL whose Parameters carry `"task": "<name>"` and
 * `"rolloutId.$": "$.rolloutId"`; one Lambda (locally: one function) serves them all.
 */
export const ROLLOUT_TASKS = [
  'InitializeRollout',
  'AdvanceRollout',
  'ShiftTraffic',
  'DeployPreview',
  'SwitchTraffic',
  'ScaleDownPrevious',
  'RunAnalysis',
  'AwaitApproval',
  'PromoteRollout',
  'RollBack',
] as const;
export type RolloutTaskName = (typeof ROLLOUT_TASKS)[number];

/** What `AdvanceRollout` tells the machine to do next (`$.next`); the Choice state routes on `action`. */
export type NextAction =
  | { action: 'shiftTraffic'; weight: number }
  | { action: 'deployPreview' }
  | { action: 'switchTraffic' }
  | { action: 'scaleDown' }
  | { action: 'measure' }
  /** Wait `seconds` (a Wait state) then advance again; capped so signals are seen within a poll interval. */
  | { action: 'hold'; seconds: number }
  /** Wait for a person (task token); `timeoutSeconds` wakes the machine for gate timeouts and background analysis. */
  | { action: 'await'; timeoutSeconds: number }
  | { action: 'promote' }
  | { action: 'rollback'; reason: string };

/** Input of every task invocation. */
export interface RolloutTaskInput {
  task: RolloutTaskName;
  rolloutId: string;
  /** Only for AwaitApproval: the task token (`$$.Task.Token`). */
  taskToken?: string;
  /** Only for RollBack: the error caught by a Catch (`{Error, Cause}`), if any. */
  error?: { Error?: string; Cause?: string };
  /** Execution id (`$$.Execution.Id`), recorded by InitializeRollout. */
  executionId?: string;
}

/** Errors the machine's Catch/Retry clauses name. */
export const ROLLOUT_ERRORS = {
  /** Sent as SendTaskFailure to a waiting AwaitApproval on abort: caught → RollBack. */
  aborted: 'Signalbox.Aborted',
  /** Gate rejected by a person: caught → RollBack. */
  rejected: 'Signalbox.Rejected',
  /** A target or provider is unreachable: retried, then rollback. */
  targetUnavailable: 'Signalbox.TargetUnavailable',
  /** Terminal outcome of a rolled-back execution (Fail state), so failed-execution alarms fire. */
  rolledBack: 'Signalbox.RolledBack',
} as const;

/** How often a waiting machine wakes up to look at signals and background analysis, at most. */
export const POLL_SECONDS = 10;

// ---------------------------------------------------------------------------------------------
// API shapes
// ---------------------------------------------------------------------------------------------

/** `GET /api/rollouts/{id}`: the document plus derived durations. */
export interface RolloutDetail extends Rollout {
  durations: {
    /** From creation to finish (or now). */
    totalSeconds: number;
    /** Sum of time spent waiting on people (gates, indefinite and inconclusive pauses), including a wait in progress. */
    waitingOnPeopleSeconds: number;
    /** Time in the current step so far; 0 when finished. */
    currentStepSeconds: number;
  };
}

/** A ready-made spec the portal offers in its start form (`GET /api/rollout-presets`). */
export interface RolloutPreset {
  name: string;
  title: string;
  description: string;
  spec: RolloutSpec;
}
