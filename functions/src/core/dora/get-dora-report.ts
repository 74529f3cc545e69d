import { sortableFromIso, toSortableUtc } from '../cdevents/time';
import type { Deps } from '../deps';
import { ValidationError } from '../errors';
import type { DoraReport } from './model';
import { addDays, computeDoraReport } from './report';
import { CURRENT_DORA_THRESHOLDS, DORA_THRESHOLDS } from './thresholds';

export const DEFAULT_WINDOW_DAYS = 30;
export const MAX_WINDOW_DAYS = 90;
/** Days read before the window to link changes, rollbacks and incidents to their deployments. */
export const DEFAULT_LOOKBACK_DAYS = 30;
export const DEFAULT_INCIDENT_LINK_HOURS = 24;
/** Default production rule: the environment's name or kind mentions "prod". */
export const DEFAULT_PRODUCTION_PATTERN = /prod/i;

/** Query parameters as they arrive (strings), validated here with the field named on error. */
export interface DoraReportInput {
  service?: string;
  environment?: string;
  windowDays?: string | number;
  /** RFC 3339 timestamp, or `YYYY-MM-DD` for the end of that day; default now. */
  until?: string;
  /** Which table the levels come from, by name; default the newest. */
  thresholds?: string;
}

/** Rules that are parameters of the use case (not of the HTTP API). */
export interface DoraReportRules {
  /** Production environments: name or kind matches (default `/prod/i`). */
  productionPattern?: RegExp;
  incidentLinkHours?: number;
  lookbackDays?: number;
}

function parseWindow(value: string | number | undefined): number {
  if (value === undefined || value === '') return DEFAULT_WINDOW_DAYS;
  const text = String(value);
  if (!/^\d+$/.test(text)) throw new ValidationError(`windowDays must be a whole number from 1 to ${MAX_WINDOW_DAYS}`, 'windowDays');
  const n = Number(text);
  if (n < 1 || n > MAX_WINDOW_DAYS) throw new ValidationError(`windowDays must be from 1 to ${MAX_WINDOW_DAYS}`, 'windowDays');
  return n;
}

function parseUntil(value: string | undefined, now: string): string {
  if (value === undefined || value === '') return sortableFromIso(now);
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T23:59:59.999999999Z` : value;
  const sortable = toSortableUtc(text);
  if (!sortable) throw new ValidationError('until must be an RFC 3339 timestamp or a YYYY-MM-DD date', 'until');
  return sortable;
}

/**
 * The DORA report for a service and/or environment over the `windowDays` UTC days ending at
 * `until`: deployment frequency (deployment days), lead time for changes, change failure rate and
 * failed deployment recovery time, a daily series, and each metric's level with the name of the
 * threshold table used. Reads the per-day aggregates of the window plus a look-back (never the
 * event history) and the environment list (for kinds). Read-only, so safe to repeat. Throws
 * `ValidationError` naming `windowDays`, `until` or `thresholds` for a bad parameter.
 */
export async function getDoraReport(
  deps: Pick<Deps, 'dora' | 'inventory' | 'clock'>,
  input: DoraReportInput,
  rules: DoraReportRules = {},
): Promise<DoraReport> {
  const windowDays = parseWindow(input.windowDays);
  const now = deps.clock.now();
  const until = parseUntil(input.until, now);
  const thresholds = input.thresholds ? DORA_THRESHOLDS.find((t) => t.name === input.thresholds) : CURRENT_DORA_THRESHOLDS;
  if (!thresholds) {
    throw new ValidationError(`thresholds must be one of ${DORA_THRESHOLDS.map((t) => JSON.stringify(t.name)).join(', ')}`, 'thresholds');
  }
  const pattern = rules.productionPattern ?? DEFAULT_PRODUCTION_PATTERN;
  const lookbackDays = rules.lookbackDays ?? DEFAULT_LOOKBACK_DAYS;
  const service = input.service?.trim() || null;
  const environment = input.environment?.trim() || null;

  const untilDay = until.slice(0, 10);
  const [days, envs] = await Promise.all([
    deps.dora.listDays({ service: service ?? undefined, fromDay: addDays(untilDay, -(windowDays - 1 + lookbackDays)), toDay: untilDay }),
    deps.inventory.listEnvironments(),
  ]);
  const kinds = new Map(envs.map((e) => [e.name, e.kind]));
  // A fresh RegExp per test: a /g or /y pattern would otherwise carry lastIndex between calls.
  const matches = (text: string | null | undefined) => !!text && new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')).test(text);
  return computeDoraReport(days, {
    service,
    environment,
    windowDays,
    until,
    isProduction: (env) => matches(env) || matches(kinds.get(env)),
    productionText: `environments whose name or kind matches ${pattern}`,
    incidentLinkHours: rules.incidentLinkHours ?? DEFAULT_INCIDENT_LINK_HOURS,
    lookbackDays,
    thresholds,
    generatedAt: now,
  });
}
