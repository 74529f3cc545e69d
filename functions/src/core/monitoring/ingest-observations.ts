import type { AlertObservation, AlertTransition } from '../alerts/model';
import type { CheckConfig } from '../config/model';
import { NAME } from '../config/read';
import { DependencyError, UnauthorizedError, ValidationError } from '../errors';
import { applyAlertObservations, observeCheckRules } from './check-alerts';
import type { MonitoringDeps } from './deps';
import { CHECK_STATUSES, type CheckResult, type CheckStatus } from './model';
import { publishObservations, type CheckRun } from './run-checks';

/** At most this many results per request (an agent sends bigger buffers in several requests). */
export const MAX_OBSERVATIONS = 500;
/** A result may claim to be at most this far ahead of the server's clock (clock skew). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
const MAX_MESSAGE = 2_000;
const MAX_METRICS = 64;
const METRIC_NAME = /^[a-z][a-z0-9_]{0,63}$/;

export interface IngestObservationsInput {
  /** The `Authorization` header as received (`Bearer <agent token>`). */
  authorization: string | undefined;
  /** The parsed JSON body: `{ agent, results: [{ checkId, status, message, metrics, durationMs, checkedAt }] }`. */
  body: unknown;
}

export interface IngestObservationsOutput {
  agent: string;
  /** Results recorded now. */
  accepted: number;
  /** Results already recorded (same check, `checkedAt` not newer than the last one): a retried request. */
  duplicates: number;
  /** Alert transitions the results caused. */
  alertTransitions: AlertTransition[];
}

interface Parsed {
  check: CheckConfig;
  result: CheckResult;
}

function bearer(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) throw new UnauthorizedError('Authorization: Bearer <agent token> is required');
  return match[1]!;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(field: string, message: string, code = 'invalid_observation'): never {
  throw new ValidationError(`${field}: ${message}`, field, code);
}

function parseResult(raw: unknown, field: string, agent: string, checks: ReadonlyMap<string, CheckConfig>, nowMs: number): Parsed {
  if (!isObject(raw)) invalid(field, 'must be an object');
  const known = new Set(['checkId', 'status', 'message', 'metrics', 'durationMs', 'checkedAt']);
  for (const key of Object.keys(raw)) if (!known.has(key)) invalid(`${field}.${key}`, `unknown field; allowed: ${[...known].join(', ')}`);
  const { checkId, status, message, metrics, durationMs, checkedAt } = raw;
  if (typeof checkId !== 'string' || checkId === '') invalid(`${field}.checkId`, 'must be a check name');
  const check = checks.get(checkId);
  if (!check) invalid(`${field}.checkId`, `no check "${checkId}" in the config`, 'unknown_check');
  if (check.agent !== agent) {
    invalid(`${field}.checkId`, `check "${checkId}" is not run by agent "${agent}" (${check.agent ? `it is run by agent "${check.agent}"` : 'the server runs it'})`, 'check_not_for_agent');
  }
  if (typeof status !== 'string' || !CHECK_STATUSES.includes(status as CheckStatus)) invalid(`${field}.status`, `must be one of ${CHECK_STATUSES.join(', ')}`);
  if (typeof message !== 'string') invalid(`${field}.message`, 'must be text');
  if (message.length > MAX_MESSAGE) invalid(`${field}.message`, `is longer than ${MAX_MESSAGE} characters`);
  const m: Record<string, number> = {};
  if (metrics !== undefined) {
    if (!isObject(metrics)) invalid(`${field}.metrics`, 'must be an object of numbers');
    const entries = Object.entries(metrics);
    if (entries.length > MAX_METRICS) invalid(`${field}.metrics`, `has more than ${MAX_METRICS} metrics`);
    for (const [name, value] of entries) {
      if (!METRIC_NAME.test(name)) invalid(`${field}.metrics.${name}`, 'metric names are snake_case (a-z, 0-9, _)');
      if (typeof value !== 'number' || !Number.isFinite(value)) invalid(`${field}.metrics.${name}`, 'must be a finite number');
      m[name] = value;
    }
  }
  if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0) invalid(`${field}.durationMs`, 'must be a number of milliseconds, at least 0');
  if (typeof checkedAt !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(checkedAt) || Number.isNaN(Date.parse(checkedAt))) {
    invalid(`${field}.checkedAt`, 'must be an ISO 8601 time with a zone, e.g. 2026-01-31T12:00:00.000Z');
  }
  const at = Date.parse(checkedAt);
  if (at - nowMs > MAX_CLOCK_SKEW_MS) invalid(`${field}.checkedAt`, `${checkedAt} is in the future (the agent's clock is ahead by more than ${MAX_CLOCK_SKEW_MS / 60_000} minutes)`);
  return { check, result: { status: status as CheckStatus, message, metrics: m, durationMs, checkedAt: new Date(at).toISOString() } };
}

/**
 * Checks an agent's request: the `agent` name, its bearer token (`deps.agentTokens`) and every
 * result. All or nothing: one bad result refuses the whole request.
 *
 * @throws UnauthorizedError without a token or with one not valid for that agent.
 * @throws ValidationError naming the field (`agent`, `results`, `results[3].status`, ...); code
 *   `unknown_check` for a check the config does not declare, `check_not_for_agent` for one not
 *   declared with `agent: <that agent>`.
 * @throws DependencyError (`agents_unavailable`) where the runtime has no agent tokens.
 */
async function parseRequest(deps: MonitoringDeps, input: IngestObservationsInput, checks: readonly CheckConfig[]): Promise<{ agent: string; parsed: Parsed[] }> {
  const token = bearer(input.authorization);
  if (!deps.agentTokens) throw new DependencyError('agents are not configured in this deployment', null, { code: 'agents_unavailable' });
  const body = input.body;
  if (!isObject(body)) invalid('body', 'must be a JSON object {agent, results}');
  const agent = body.agent;
  if (typeof agent !== 'string' || agent.length > 63 || !NAME.test(agent)) invalid('agent', 'must be the agent\'s name (lower-case letters, digits, "-" and ".")');
  if (!(await deps.agentTokens.verify(agent, token))) throw new UnauthorizedError(`the token is not valid for agent "${agent}"`);
  for (const key of Object.keys(body)) if (key !== 'agent' && key !== 'results') invalid(key, 'unknown field; allowed: agent, results');
  const results = body.results;
  if (!Array.isArray(results)) invalid('results', 'must be a list');
  if (results.length > MAX_OBSERVATIONS) invalid('results', `has ${results.length} results; send at most ${MAX_OBSERVATIONS} per request`, 'too_many_observations');
  const byName = new Map(checks.map((c) => [c.name, c]));
  const nowMs = Date.parse(deps.clock.now());
  return { agent, parsed: results.map((raw, i) => parseResult(raw, `results[${i}]`, agent, byName, nowMs)) };
}

/**
 * Records check results pushed by a `signalbox-agent` (checks declared with `agent: <name>`, which
 * the server's `runChecks` skips), exactly as `runChecks` records its own: into the history store,
 * onto the bus as `SignalboxObservation`s (`publishObservations`), and through the check's alert
 * rules (`observeCheckRules` / `applyAlertObservations`, `for` counted from the results' own times).
 *
 * Per check, results are applied oldest first. Idempotent for retries: a result whose `checkedAt`
 * is not newer than the last one applied for that check counts as a duplicate and changes nothing.
 *
 * @throws see `parseRequest` (401 / 400 / 503); `DependencyError` when the history store fails
 *   (nothing after that result is applied; the agent retries and the applied ones are duplicates).
 */
export async function ingestObservations(deps: MonitoringDeps, input: IngestObservationsInput): Promise<IngestObservationsOutput> {
  const snapshot = await deps.monitoringConfig.current();
  const { agent, parsed } = await parseRequest(deps, input, snapshot.config.checks);
  const ordered = parsed
    .map((p, i) => ({ ...p, i }))
    .sort((a, b) => (a.check.name < b.check.name ? -1 : a.check.name > b.check.name ? 1 : a.result.checkedAt.localeCompare(b.result.checkedAt) || a.i - b.i));

  const runs: CheckRun[] = [];
  const observations: AlertObservation[] = [];
  let duplicates = 0;
  for (const { check, result } of ordered) {
    const state = await deps.monitorState.get(check.name);
    if (state && Date.parse(result.checkedAt) <= Date.parse(state.lastRunAt)) {
      duplicates++;
      continue;
    }
    try {
      await deps.checkHistory.record(check.name, result);
    } catch (error) {
      throw new DependencyError(`recording the result of ${check.name} failed`, null, { cause: error });
    }
    const rules = deps.alertStore ? observeCheckRules(snapshot.config.alerts, check, result, state?.conditionSince ?? {}) : null;
    if (rules) observations.push(...rules.observations);
    await deps.monitorState.set(check.name, { lastRunAt: result.checkedAt, previous: null, ...(rules ? { conditionSince: rules.since } : {}) });
    runs.push({ checkId: check.name, result });
  }

  await publishObservations(deps, snapshot.config.checks, runs);
  let alertTransitions: AlertTransition[] = [];
  try {
    alertTransitions = await applyAlertObservations(deps, observations);
  } catch (error) {
    deps.logger.error('evaluating alert rules failed', { agent, error: (error as Error).message });
  }
  if (runs.length > 0) deps.logger.info('agent results recorded', { agent, accepted: runs.length, duplicates });
  return { agent, accepted: runs.length, duplicates, alertTransitions };
}

/** How many intervals without a result make an agent's check read `unknown`. */
export const AGENT_STALE_INTERVALS = 3;

/**
 * The status health shows for a check run by an agent, given its newest result: `unknown` with
 * "no result from agent X yet" before the first one, or "no result from agent X since …" when the
 * newest is older than `AGENT_STALE_INTERVALS` intervals; otherwise null (show the result). Pure.
 */
export function agentStaleness(
  check: Pick<CheckConfig, 'agent' | 'intervalSeconds'>,
  latest: { checkedAt: string } | undefined,
  now: string,
): { status: 'unknown'; message: string } | null {
  if (check.agent === undefined) return null;
  if (!latest) return { status: 'unknown', message: `no result from agent ${check.agent} yet` };
  const age = Date.parse(now) - Date.parse(latest.checkedAt);
  if (age <= AGENT_STALE_INTERVALS * check.intervalSeconds * 1000) return null;
  return { status: 'unknown', message: `no result from agent ${check.agent} since ${latest.checkedAt}` };
}
