/**
 * The rollout side of the portal's backend client: reads and operator verbs on `/api/rollouts`,
 * and the reshaping of `RolloutDetail` / `RolloutSummary` into what the rollout pages render.
 * Uses the fetch helpers of `api.ts`, so every failure is an `ApiError` with the server's field.
 */
import type {
  AnalysisPhase,
  AnalysisRunStatus,
  GateStatus,
  Measurement,
  RolloutAction,
  RolloutDetail,
  RolloutPhase,
  RolloutPreset,
  RolloutSpec,
  RolloutSummary,
  StepStatus,
  VersionWeight,
  WeightPoint,
} from '../../functions/src/core/rollouts/model';
import { ApiError, request, query, type TimeView } from './api';
import { absoluteTime, parseTime, relativeTime, shortVersion } from './format';
import { hrefs } from './routes';

export type { RolloutDetail, RolloutPhase, RolloutPreset, RolloutSpec, RolloutSummary } from '../../functions/src/core/rollouts/model';

const seg = encodeURIComponent;

/** The end states (mirrors `FINAL_PHASES`, which is a value and cannot cross into the bundle by type import). */
export const FINISHED_PHASES: readonly RolloutPhase[] = ['Aborted', 'Promoted', 'RolledBack'];
export const ALL_PHASES: readonly RolloutPhase[] = ['Progressing', 'Paused', 'Healthy', 'Degraded', 'Aborted', 'Promoted', 'RolledBack'];

export function isFinishedPhase(phase: RolloutPhase): boolean {
  return FINISHED_PHASES.includes(phase);
}

/** While a rollout runs its page polls this often. */
export const LIVE_REFRESH_MS = 2_000;
export const ROLLOUTS_PAGE_SIZE = 25;

// ---- hrefs ------------------------------------------------------------------------------------

export const rolloutHrefs = {
  list: (filters: Partial<Record<'status' | 'service' | 'environment' | 'cursor', string | null>> = {}) => hrefs.withQuery('/rollouts/', filters),
  rollout: (id: string) => hrefs.withQuery('/rollouts/', { id }),
  start: () => '/rollouts/new/',
};

// ---- view types -------------------------------------------------------------------------------

/** Colour family of a phase badge. */
export type PhaseTone = 'running' | 'waiting' | 'good' | 'bad' | 'neutral';

export function phaseTone(phase: RolloutPhase | AnalysisPhase | StepStatus['status'] | GateStatus['status']): PhaseTone {
  switch (phase) {
    case 'Progressing':
    case 'Running':
      return 'running';
    case 'Paused':
    case 'Inconclusive':
    case 'Waiting':
      return 'waiting';
    case 'Healthy':
    case 'Promoted':
    case 'Successful':
    case 'Completed':
    case 'Approved':
      return 'good';
    case 'Degraded':
    case 'Aborted':
    case 'RolledBack':
    case 'Failed':
    case 'Error':
    case 'Rejected':
    case 'TimedOut':
      return 'bad';
    default:
      return 'neutral';
  }
}

/** Words for a phase, as a person reads them. */
export function phaseWords(phase: RolloutPhase): string {
  switch (phase) {
    case 'Progressing':
      return 'Progressing';
    case 'Paused':
      return 'Paused';
    case 'Healthy':
      return 'Healthy';
    case 'Degraded':
      return 'Degraded';
    case 'Aborted':
      return 'Aborted (traffic back on stable)';
    case 'Promoted':
      return 'Promoted';
    case 'RolledBack':
      return 'Rolled back';
  }
}

/** `step 3/7`, `not started (0/7)`, `done (7/7)`. */
export function progressText(currentStepIndex: number, stepCount: number, finished: boolean): string {
  if (stepCount === 0) return 'no steps';
  if (currentStepIndex < 0) return `not started (0/${stepCount})`;
  if (currentStepIndex >= stepCount) return `done (${stepCount}/${stepCount})`;
  return finished ? `stopped at step ${currentStepIndex + 1}/${stepCount}` : `step ${currentStepIndex + 1}/${stepCount}`;
}

/** `45s`, `3m 05s`, `2h 10m`, `3d 4h`. */
export function durationText(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

function timeView(iso: string, now: number): TimeView {
  return { iso, relative: relativeTime(iso, now), absolute: absoluteTime(iso) };
}

function maybeTime(iso: string | null | undefined, now: number): TimeView | null {
  return iso ? timeView(iso, now) : null;
}

/** The version part of an artifact id (`pkg:oci/demo@…?tag=2.0.0` → `2.0.0`), short enough for a header. */
export function versionLabel(artifactId: string | null | undefined): string {
  if (!artifactId) return 'nothing (first deploy)';
  const tag = /[?&]tag=([^&#]+)/.exec(artifactId);
  if (tag) return decodeURIComponent(tag[1]!);
  const at = /@([^?#]+)/.exec(artifactId);
  if (at) return shortVersion(decodeURIComponent(at[1]!), 24);
  return shortVersion(artifactId, 32);
}

export interface RolloutRowView {
  id: string;
  service: string;
  environment: string;
  strategy: string;
  from: string;
  to: string;
  fromFull: string | null;
  toFull: string;
  phase: RolloutPhase;
  phaseTone: PhaseTone;
  finished: boolean;
  message: string;
  progress: string;
  canaryWeight: number;
  created: TimeView;
  createdBy: string;
  finishedAt: TimeView | null;
}

export interface RolloutListView {
  items: RolloutRowView[];
  next: string | null;
}

export interface RolloutFilters {
  status?: string | null;
  service?: string | null;
  environment?: string | null;
  cursor?: string | null;
}

export function strategyWords(strategy: RolloutSpec['strategy']): string {
  return strategy === 'blueGreen' ? 'blue-green' : 'canary';
}

function rowView(r: RolloutSummary, now: number): RolloutRowView {
  const finished = isFinishedPhase(r.phase);
  return {
    id: r.id,
    service: r.service,
    environment: r.environment,
    strategy: strategyWords(r.strategy),
    from: versionLabel(r.fromVersion),
    to: versionLabel(r.toVersion),
    fromFull: r.fromVersion,
    toFull: r.toVersion,
    phase: r.phase,
    phaseTone: phaseTone(r.phase),
    finished,
    message: r.message,
    progress: progressText(r.currentStepIndex, r.stepCount, finished),
    canaryWeight: clampWeight(r.canaryWeight),
    created: timeView(r.createdAt, now),
    createdBy: r.createdBy,
    finishedAt: maybeTime(r.finishedAt, now),
  };
}

function clampWeight(w: number | null | undefined): number {
  if (typeof w !== 'number' || !Number.isFinite(w)) return 0;
  return Math.min(100, Math.max(0, w));
}

export interface StepView {
  index: number;
  title: string;
  kind: string;
  status: StepStatus['status'];
  tone: PhaseTone;
  current: boolean;
  started: TimeView | null;
  finished: TimeView | null;
  /** Time the step took or has taken so far. */
  tookSeconds: number | null;
  waitedOnPeopleSeconds: number;
}

export interface WeightView {
  role: VersionWeight['role'];
  version: string;
  artifactId: string | null;
  desired: number;
  actual: number | null;
}

export interface ChartPoint {
  /** Milliseconds since the epoch. */
  t: number;
  canary: number;
}

export interface MeasurementView {
  phase: AnalysisPhase;
  tone: PhaseTone;
  value: string;
  raw: number | null;
  samples: string;
  at: TimeView;
  message: string | null;
}

export interface MetricView {
  name: string;
  phase: AnalysisPhase;
  tone: PhaseTone;
  counts: string;
  message: string | null;
  measurements: MeasurementView[];
  /** Numeric values oldest first, for the sparkline. */
  series: number[];
}

export interface AnalysisRunView {
  id: string;
  kind: string;
  stepIndex: number;
  templates: string;
  phase: AnalysisPhase;
  tone: PhaseTone;
  started: TimeView;
  finished: TimeView | null;
  message: string | null;
  metrics: MetricView[];
}

export interface ActionView {
  key: string;
  at: TimeView;
  actor: string;
  verb: string;
  gate: string | null;
  comment: string | null;
}

export interface GateView {
  name: string;
  stepIndex: number;
  status: GateStatus['status'];
  tone: PhaseTone;
  requested: TimeView;
  deadline: TimeView | null;
  onTimeout: 'abort' | 'promote';
  decided: TimeView | null;
  decidedBy: string | null;
  comment: string | null;
}

export interface PauseView {
  reason: string;
  waitingFor: string;
  since: TimeView;
  until: TimeView | null;
  gate: string | null;
}

/** Operator verbs that have a button (approve/reject live in the gate panel). */
export type ButtonVerb = 'promote' | 'promote-full' | 'pause' | 'resume' | 'abort' | 'retry' | 'undo';

/** The rollout page: the list row's fields plus everything about the steps, traffic and people. */
export interface RolloutView extends RolloutRowView {
  description: string | null;
  phaseLabel: string;
  updated: TimeView;
  durations: { total: string; waitingOnPeople: string; currentStep: string };
  steps: StepView[];
  currentStep: StepView | null;
  weights: WeightView[];
  chart: ChartPoint[];
  pause: PauseView | null;
  waitingGate: GateView | null;
  gates: GateView[];
  analysisRuns: AnalysisRunView[];
  actions: ActionView[];
  failure: { error: string; cause: string } | null;
  retryOf: string | null;
  undoOf: string | null;
  allowed: Record<ButtonVerb, boolean>;
  targetType: string;
}

const PAUSE_REASONS: Record<string, string> = {
  PauseStep: 'a pause step',
  Gate: 'a manual gate',
  AwaitingPromotion: 'waiting for promotion',
  PausedByUser: 'paused by an operator',
  Inconclusive: 'analysis was inconclusive',
  AnalysisFailed: 'analysis failed',
};

/**
 * Which buttons are enabled in a phase. The API decides (409 when a verb is not allowed); this
 * only keeps buttons that cannot work from inviting a click.
 */
export function allowedVerbs(r: Pick<RolloutDetail, 'phase' | 'pause' | 'signals' | 'spec'>): Record<ButtonVerb, boolean> {
  // Mirrors the API's rules (core/rollouts/operate.ts): nothing but retry/undo once finished or while an abort is pending.
  const active = !isFinishedPhase(r.phase) && !r.signals?.abort;
  const pausedByUser = Boolean(r.signals?.pause) || r.pause?.reason === 'PausedByUser';
  return {
    promote: active,
    'promote-full': active,
    pause: active && !pausedByUser,
    resume: active && (pausedByUser || (r.pause !== null && r.pause.reason !== 'Gate')),
    abort: active,
    retry: r.phase === 'Aborted' || r.phase === 'RolledBack',
    undo: r.phase === 'Promoted' && r.spec.fromVersion !== null,
  };
}

function measurementValue(m: Measurement): string {
  if (m.value === null || m.value === undefined) return '—';
  if (Number.isInteger(m.value)) return String(m.value);
  return Math.abs(m.value) < 1 ? m.value.toFixed(4).replace(/0+$/, '').replace(/\.$/, '') : m.value.toFixed(2);
}

function analysisRunView(run: AnalysisRunStatus, now: number): AnalysisRunView {
  return {
    id: run.id,
    kind: { step: 'step analysis', background: 'background analysis', prePromotion: 'pre-promotion analysis', postPromotion: 'post-promotion analysis' }[run.kind] ?? run.kind,
    stepIndex: run.stepIndex,
    templates: run.templates.join(', '),
    phase: run.phase,
    tone: phaseTone(run.phase),
    started: timeView(run.startedAt, now),
    finished: maybeTime(run.finishedAt, now),
    message: run.message ?? null,
    metrics: run.metrics.map((metric) => ({
      name: metric.name,
      phase: metric.phase,
      tone: phaseTone(metric.phase),
      counts: `${metric.successful} ok, ${metric.failed} failed, ${metric.inconclusive} inconclusive, ${metric.error} errors`,
      message: metric.message ?? null,
      measurements: metric.measurements.map((m) => ({
        phase: m.phase,
        tone: phaseTone(m.phase),
        value: measurementValue(m),
        raw: typeof m.value === 'number' && Number.isFinite(m.value) ? m.value : null,
        samples: typeof m.samples === 'number' ? String(m.samples) : '—',
        at: timeView(m.finishedAt || m.startedAt, now),
        message: m.message ?? null,
      })),
      series: metric.measurements.map((m) => m.value).filter((v): v is number => typeof v === 'number' && Number.isFinite(v)),
    })),
  };
}

function gateView(g: GateStatus, now: number): GateView {
  return {
    name: g.name,
    stepIndex: g.stepIndex,
    status: g.status,
    tone: phaseTone(g.status),
    requested: timeView(g.requestedAt, now),
    deadline: maybeTime(g.deadline, now),
    onTimeout: g.onTimeout,
    decided: maybeTime(g.decidedAt, now),
    decidedBy: g.decidedBy,
    comment: g.comment,
  };
}

function actionView(a: RolloutAction, i: number, now: number): ActionView {
  return { key: `${i}-${a.at}-${a.verb}`, at: timeView(a.at, now), actor: a.actor, verb: a.verb, gate: a.gate ?? null, comment: a.comment ?? null };
}

function stepView(s: StepStatus, currentIndex: number, finished: boolean, now: number): StepView {
  const start = parseTime(s.startedAt);
  const end = parseTime(s.finishedAt);
  return {
    index: s.index,
    title: s.title,
    kind: s.step.kind,
    status: s.status,
    tone: phaseTone(s.status),
    current: !finished && s.index === currentIndex,
    started: maybeTime(s.startedAt, now),
    finished: maybeTime(s.finishedAt, now),
    tookSeconds: start === null ? null : ((end ?? now) - start) / 1000,
    waitedOnPeopleSeconds: s.waitedOnPeopleSeconds,
  };
}

/** Chart points: the recorded history, oldest first, carried to `now` while the rollout runs. Pure. */
export function chartPoints(history: WeightPoint[], createdAt: string, endAt: string | null, now: number): ChartPoint[] {
  const points = history
    .map((p) => ({ t: parseTime(p.at), canary: clampWeight(p.canary) }))
    .filter((p): p is ChartPoint => p.t !== null)
    .sort((a, b) => a.t - b.t);
  const start = parseTime(createdAt);
  if (start !== null && (points.length === 0 || points[0]!.t > start)) points.unshift({ t: start, canary: 0 });
  const end = parseTime(endAt) ?? now;
  const last = points[points.length - 1];
  if (last && end > last.t) points.push({ t: end, canary: last.canary });
  return points;
}

/** Reshapes a rollout document for its page. Pure. */
export function toRolloutView(r: RolloutDetail, now: number): RolloutView {
  const finished = isFinishedPhase(r.phase);
  const steps = r.plan.map((s) => stepView(s, r.currentStepIndex, finished, now));
  const gates = r.gates.map((g) => gateView(g, now));
  const canary = r.weights.find((w) => w.role === 'canary');
  const spec = r.spec;
  const summary: RolloutSummary = {
    id: r.id,
    service: spec.service,
    environment: spec.environment,
    strategy: spec.strategy,
    fromVersion: spec.fromVersion,
    toVersion: spec.toVersion,
    phase: r.phase,
    message: r.message,
    currentStepIndex: r.currentStepIndex,
    stepCount: r.plan.length,
    // The canary weight a person reads in the chart title: the last actual, else desired.
    canaryWeight: canary?.actual ?? canary?.desired ?? 0,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    updatedAt: r.updatedAt,
    finishedAt: r.finishedAt,
  };
  return {
    ...rowView(summary, now),
    description: spec.description ?? null,
    phaseLabel: phaseWords(r.phase),
    updated: timeView(r.updatedAt, now),
    durations: {
      total: durationText(r.durations?.totalSeconds),
      waitingOnPeople: durationText(r.durations?.waitingOnPeopleSeconds),
      currentStep: finished ? '—' : durationText(r.durations?.currentStepSeconds),
    },
    steps,
    currentStep: steps.find((s) => s.current) ?? null,
    weights: r.weights.map((w) => ({
      role: w.role,
      version: w.version ?? versionLabel(w.artifactId),
      artifactId: w.artifactId,
      desired: clampWeight(w.desired),
      actual: w.actual === null ? null : clampWeight(w.actual),
    })),
    chart: chartPoints(r.weightHistory, r.createdAt, r.finishedAt, now),
    pause: r.pause
      ? {
          reason: PAUSE_REASONS[r.pause.reason] ?? r.pause.reason,
          waitingFor: r.pause.waitingFor,
          since: timeView(r.pause.since, now),
          until: maybeTime(r.pause.until, now),
          gate: r.pause.gate ?? null,
        }
      : null,
    waitingGate: finished ? null : (gates.find((g) => g.status === 'Waiting') ?? null),
    gates,
    analysisRuns: r.analysisRuns.map((run) => analysisRunView(run, now)),
    actions: r.actions.map((a, i) => actionView(a, i, now)).reverse(),
    failure: r.failure ?? null,
    retryOf: r.retryOf ?? null,
    undoOf: r.undoOf ?? null,
    allowed: allowedVerbs(r),
    targetType: spec.target.type,
  };
}

// ---- reads and writes -------------------------------------------------------------------------

type Options = { signal?: AbortSignal };

export async function listRollouts(filters: RolloutFilters, opts: Options = {}): Promise<RolloutListView> {
  const page = await request<{ items: RolloutSummary[]; next: string | null }>(
    `/api/rollouts${query({ limit: ROLLOUTS_PAGE_SIZE, status: filters.status, service: filters.service, environment: filters.environment, cursor: filters.cursor })}`,
    opts,
  );
  const now = Date.now();
  return { items: page.items.map((r) => rowView(r, now)), next: page.next ?? null };
}

export async function getRollout(id: string, opts: Options = {}): Promise<RolloutView> {
  const detail = await request<RolloutDetail>(`/api/rollouts/${seg(id)}`, opts);
  return toRolloutView(detail, Date.now());
}

export async function getRolloutPresets(opts: Options = {}): Promise<RolloutPreset[]> {
  const { items } = await request<{ items: RolloutPreset[] }>('/api/rollout-presets', opts);
  return items;
}

/** A write as the signed-in user (`request` adds the bearer token; the API records its name). */
function post<T>(path: string, body: unknown): Promise<T> {
  return request<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

function created(detail: RolloutDetail | null, path: string): RolloutDetail {
  if (!detail || typeof detail.id !== 'string') throw new ApiError('bad_response', null, `The API sent no rollout for ${path}`, 0);
  return detail;
}

/** Starts a rollout; the server's 400 carries the field at fault (`steps[2].setWeight`). */
export async function startRollout(spec: RolloutSpec): Promise<{ id: string }> {
  const detail = created(await post<RolloutDetail>('/api/rollouts', spec), '/api/rollouts');
  return { id: detail.id };
}

/** Runs an operator verb; retry and undo answer with the new rollout, whose id is returned. */
export async function actOnRollout(id: string, verb: ButtonVerb, comment?: string): Promise<{ id: string }> {
  const path = `/api/rollouts/${seg(id)}/${verb}`;
  const detail = created(await post<RolloutDetail>(path, comment ? { comment } : {}), path);
  return { id: detail.id };
}

export async function decideGate(id: string, gate: string, decision: 'approve' | 'reject', comment?: string): Promise<void> {
  const path = `/api/rollouts/${seg(id)}/gates/${seg(gate)}/${decision}`;
  created(await post<RolloutDetail>(path, comment ? { comment } : {}), path);
}

// ---- the start form ---------------------------------------------------------------------------

export const TARGET_TYPES = ['local-proxy', 'webhook', 'lambda-alias'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/** Target settings the form has an input for; other keys of a preset's target are kept as they are. */
export const TARGET_INPUTS: Record<TargetType, readonly string[]> = {
  'local-proxy': ['proxy'],
  webhook: ['url', 'secretName', 'timeoutSeconds', 'retries'],
  'lambda-alias': ['functionName', 'alias', 'region'],
};
const NUMERIC_TARGET_INPUTS = new Set(['timeoutSeconds', 'retries']);

/** Everything the start form edits, as the strings in its inputs. */
export interface StartForm {
  service: string;
  environment: string;
  strategy: RolloutSpec['strategy'];
  fromVersion: string;
  toVersion: string;
  description: string;
  targetType: TargetType;
  /** Values of the inputs named in `TARGET_INPUTS`. */
  target: Record<string, string>;
  /** Target keys without an input (webhook metadata, ...), carried over from a preset. */
  targetExtra: Record<string, unknown>;
  /** JSON: canary steps. */
  steps: string;
  /** JSON: analysis templates. */
  analysisTemplates: string;
  /** JSON: the other strategy fields (background `analysis`; blue-green's preview, promotion and scale-down settings). */
  options: string;
  progressDeadlineSeconds: string;
  onAnalysisFailure: '' | 'abort' | 'pause';
}

/** Where on the form an error shows: an input's name, `target.<setting>`, or `form` for the rest. */
export type FormSlot = string;

const COMMON_KEYS = new Set([
  'service',
  'environment',
  'strategy',
  'fromVersion',
  'toVersion',
  'description',
  'target',
  'steps',
  'analysisTemplates',
  'progressDeadlineSeconds',
  'onAnalysisFailure',
]);

export function emptyStartForm(): StartForm {
  return {
    service: '',
    environment: '',
    strategy: 'canary',
    fromVersion: '',
    toVersion: '',
    description: '',
    targetType: 'local-proxy',
    target: {},
    targetExtra: {},
    steps: '[\n  { "setWeight": 20 },\n  { "pause": { "duration": "30s" } },\n  { "setWeight": 100 }\n]',
    analysisTemplates: '[]',
    options: '{}',
    progressDeadlineSeconds: '',
    onAnalysisFailure: '',
  };
}

/** Prefills the form from a spec (a preset). Pure. */
export function specToForm(spec: RolloutSpec): StartForm {
  const target: Record<string, string> = {};
  const targetExtra: Record<string, unknown> = {};
  const type = (TARGET_TYPES as readonly string[]).includes(spec.target.type) ? (spec.target.type as TargetType) : 'webhook';
  for (const [k, v] of Object.entries(spec.target)) {
    if (k === 'type') continue;
    if (TARGET_INPUTS[type].includes(k) && (typeof v === 'string' || typeof v === 'number')) target[k] = String(v);
    else targetExtra[k] = v;
  }
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec)) if (!COMMON_KEYS.has(k)) options[k] = v;
  return {
    service: spec.service,
    environment: spec.environment,
    strategy: spec.strategy,
    fromVersion: spec.fromVersion ?? '',
    toVersion: spec.toVersion,
    description: spec.description ?? '',
    targetType: type,
    target,
    targetExtra,
    steps: JSON.stringify(spec.strategy === 'canary' ? spec.steps : [], null, 2),
    analysisTemplates: JSON.stringify(spec.analysisTemplates ?? [], null, 2),
    options: JSON.stringify(options, null, 2),
    progressDeadlineSeconds: spec.progressDeadlineSeconds === undefined ? '' : String(spec.progressDeadlineSeconds),
    onAnalysisFailure: spec.onAnalysisFailure ?? '',
  };
}

/** The parse error of a JSON editor, or null when it parses to the expected shape. */
export function jsonError(text: string, shape: 'array' | 'object', optional: boolean): string | null {
  if (!text.trim()) return optional ? null : `Enter a JSON ${shape}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `Not valid JSON: ${(error as Error).message}`;
  }
  if (shape === 'array' && !Array.isArray(value)) return 'Must be a JSON array: [ … ]';
  if (shape === 'object' && (typeof value !== 'object' || value === null || Array.isArray(value))) return 'Must be a JSON object: { … }';
  return null;
}

const STEP_KEYS = ['setWeight', 'pause', 'analysis', 'gate'];

function stepErrors(steps: unknown[]): string | null {
  for (const [i, step] of steps.entries()) {
    if (typeof step !== 'object' || step === null || Array.isArray(step)) return `steps[${i}]: must be an object such as { "setWeight": 20 }`;
    const keys = Object.keys(step);
    if (keys.length !== 1 || !STEP_KEYS.includes(keys[0]!)) return `steps[${i}]: must have exactly one of ${STEP_KEYS.join(', ')}`;
    const weight = (step as { setWeight?: unknown }).setWeight;
    if (keys[0] === 'setWeight' && (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 100)) {
      return `steps[${i}].setWeight: must be an integer from 0 to 100`;
    }
  }
  return null;
}

/**
 * Builds the spec from the form, or the obvious mistakes by slot. The server validates fully;
 * this catches what a person can fix without a round trip. Pure.
 */
export function formToSpec(form: StartForm): { spec: RolloutSpec; errors: null } | { spec: null; errors: Record<FormSlot, string> } {
  const errors: Record<FormSlot, string> = {};
  const need = (slot: keyof StartForm & string, label: string) => {
    if (!(form[slot] as string).trim()) errors[slot] = `${label} is required`;
  };
  need('service', 'Service');
  need('environment', 'Environment');
  need('toVersion', 'The new version');

  const target: Record<string, unknown> = { type: form.targetType, ...form.targetExtra };
  for (const key of TARGET_INPUTS[form.targetType]) {
    const value = (form.target[key] ?? '').trim();
    if (!value) continue;
    if (NUMERIC_TARGET_INPUTS.has(key)) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) errors[`target.${key}`] = 'Must be a whole number';
      target[key] = n;
    } else target[key] = value;
  }
  const required: Record<TargetType, string[]> = { 'local-proxy': ['proxy'], webhook: ['url'], 'lambda-alias': ['functionName', 'alias'] };
  for (const key of required[form.targetType]) if (!(form.target[key] ?? '').trim()) errors[`target.${key}`] = `${key} is required for a ${form.targetType} target`;
  if (form.targetType === 'webhook' && form.target.url?.trim() && !/^https?:\/\//i.test(form.target.url.trim())) {
    errors['target.url'] = 'Must be an http:// or https:// URL';
  }

  let steps: unknown[] = [];
  if (form.strategy === 'canary') {
    const problem = jsonError(form.steps, 'array', false);
    if (problem) errors.steps = problem;
    else {
      steps = JSON.parse(form.steps) as unknown[];
      const stepProblem = steps.length === 0 ? 'A canary needs at least one step' : stepErrors(steps);
      if (stepProblem) errors.steps = stepProblem;
    }
  }
  const templatesProblem = jsonError(form.analysisTemplates, 'array', true);
  if (templatesProblem) errors.analysisTemplates = templatesProblem;
  const optionsProblem = jsonError(form.options, 'object', true);
  if (optionsProblem) errors.options = optionsProblem;

  let deadline: number | undefined;
  if (form.progressDeadlineSeconds.trim()) {
    deadline = Number(form.progressDeadlineSeconds);
    if (!Number.isInteger(deadline) || deadline <= 0) errors.progressDeadlineSeconds = 'Must be a whole number of seconds above 0';
  }
  if (Object.keys(errors).length > 0) return { spec: null, errors };

  const templates = form.analysisTemplates.trim() ? (JSON.parse(form.analysisTemplates) as unknown[]) : [];
  const options = form.options.trim() ? (JSON.parse(form.options) as Record<string, unknown>) : {};
  const spec: Record<string, unknown> = {
    ...options,
    strategy: form.strategy,
    service: form.service.trim(),
    environment: form.environment.trim(),
    fromVersion: form.fromVersion.trim() || null,
    toVersion: form.toVersion.trim(),
    target,
  };
  if (form.strategy === 'canary') spec.steps = steps;
  if (templates.length > 0) spec.analysisTemplates = templates;
  if (form.description.trim()) spec.description = form.description.trim();
  if (deadline !== undefined) spec.progressDeadlineSeconds = deadline;
  if (form.onAnalysisFailure) spec.onAnalysisFailure = form.onAnalysisFailure;
  return { spec: spec as unknown as RolloutSpec, errors: null };
}

/** The form slot for a server error's `field` (`steps[2].setWeight` → `steps`, `target.url` → `target.url`). */
export function slotForField(field: string | null, targetType: TargetType): FormSlot {
  if (!field) return 'form';
  const [head = '', second = ''] = field.split(/[.[\]]+/).filter(Boolean);
  if (head === 'target') return TARGET_INPUTS[targetType].includes(second) ? `target.${second}` : 'targetType';
  if (COMMON_KEYS.has(head)) return head;
  if (head) return 'options';
  return 'form';
}
