/**
 * The monitoring side of the portal's backend client: the health tree (`/api/health`), one system,
 * one check's history, alerts (list, acknowledge) and silences (CRUD). The shapes and pure helpers
 * live in `monitoring-view.ts` and are re-exported here.
 * Every failure is an `ApiError` carrying the server's field, so forms can put it next to the input.
 */
import type { Alert, AlertView } from '../../functions/src/core/alerts/model';
import { query, request } from './api';
import {
  DEFAULT_RANGE,
  HISTORY_RANGES,
  uptimeOf,
  type CheckHistoryView,
  type HealthView,
  type HistoryBucket,
  type HistoryRange,
  type Matcher,
  type Page,
  type SilenceView,
  type SystemView,
  type Uptime,
} from './monitoring-view';
import { hrefs } from './routes';

export * from './monitoring-view';

const seg = encodeURIComponent;
type Options = { signal?: AbortSignal };


// ---- hrefs ------------------------------------------------------------------------------------

export const monitoringHrefs = {
  health: (filters: { status?: string | null; q?: string | null } = {}) => hrefs.withQuery('/health/', filters),
  system: (id: string) => hrefs.withQuery('/systems/', { id }),
  check: (id: string, range?: HistoryRange | null) => hrefs.withQuery('/checks/', { id, range: range && range !== DEFAULT_RANGE ? range : null }),
  alerts: (filters: Partial<Record<'state' | 'environment' | 'q' | 'cursor' | 'tab' | 'scope', string | null>> = {}) => hrefs.withQuery('/alerts/', filters),
};

// ---- reads ------------------------------------------------------------------------------------

export function getHealth(opts: Options = {}): Promise<HealthView> {
  return request<HealthView>('/api/health', opts);
}

export function getSystem(id: string, opts: Options = {}): Promise<SystemView> {
  return request<SystemView>(`/api/systems/${seg(id)}`, opts);
}

/** A range's buckets, oldest first, and the uptime over all of them. */
export interface RangeHistory {
  checkId: string;
  range: HistoryRange;
  from: string;
  to: string;
  minutes: number;
  buckets: HistoryBucket[];
  uptime: Uptime;
  /** True when the range has more buckets than the pages read (very unlikely). */
  truncated: boolean;
}

const HISTORY_PAGE = 1000;
const HISTORY_MAX_PAGES = 4;

/** Reads every bucket of the range (following cursors, bounded), oldest first. 404 for an unknown check. */
export async function getRangeHistory(id: string, range: HistoryRange, now: number, opts: Options = {}): Promise<RangeHistory> {
  const spec = HISTORY_RANGES[range];
  const to = new Date(now + 1).toISOString();
  const from = new Date(now + 1 - spec.ms).toISOString();
  const buckets: HistoryBucket[] = [];
  let cursor: string | null = null;
  let pages = 0;
  let last: CheckHistoryView | null = null;
  do {
    last = await request<CheckHistoryView>(
      `/api/checks/${seg(id)}/history${query({ from, to, minutes: spec.minutes, limit: HISTORY_PAGE, cursor })}`,
      opts,
    );
    buckets.push(...last.items);
    cursor = last.next;
    pages += 1;
  } while (cursor && pages < HISTORY_MAX_PAGES);
  buckets.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  return { checkId: id, range, from, to, minutes: spec.minutes, buckets, uptime: uptimeOf(buckets), truncated: cursor !== null };
}

export interface AlertFilters {
  state?: string | null;
  environment?: string | null;
  cursor?: string | null;
}

export const ALERTS_PAGE_SIZE = 50;

export function listAlerts(filters: AlertFilters, opts: Options & { limit?: number } = {}): Promise<Page<AlertView>> {
  return request<Page<AlertView>>(
    `/api/alerts${query({ state: filters.state, environment: filters.environment, cursor: filters.cursor, limit: opts.limit ?? ALERTS_PAGE_SIZE })}`,
    opts,
  );
}

export function listSilences(scope: 'current' | 'all', cursor: string | null, opts: Options = {}): Promise<Page<SilenceView>> {
  return request<Page<SilenceView>>(`/api/silences${query({ scope, cursor, limit: ALERTS_PAGE_SIZE })}`, opts);
}

// ---- writes -----------------------------------------------------------------------------------

function send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  return request<T>(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

/** Acknowledges a firing alert; idempotent. 409 (field `state`) for a resolved alert. */
export function ackAlert(fingerprint: string, comment: string): Promise<Alert> {
  return send<Alert>('POST', `/api/alerts/${seg(fingerprint)}/ack`, comment.trim() ? { comment: comment.trim() } : {});
}

export interface SilenceRequest {
  matchers: Matcher[];
  startsAt?: string;
  endsAt: string;
  comment: string;
}

/** Creates a silence; a 400 names the field (`matchers[1].value`, `endsAt`, `comment`). */
export function createSilence(input: SilenceRequest): Promise<SilenceView> {
  return send<SilenceView>('POST', '/api/silences', input);
}

export function expireSilence(id: string): Promise<SilenceView> {
  return send<SilenceView>('POST', `/api/silences/${seg(id)}/expire`, {});
}

export function deleteSilence(id: string): Promise<{ deleted: string }> {
  return send<{ deleted: string }>('DELETE', `/api/silences/${seg(id)}`);
}
