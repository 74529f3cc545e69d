/**
 * The only module that knows the backend. It fetches the read API on the same origin (`/api/...`:
 * the local runtime serves both; in AWS CloudFront routes `/api/*` to API Gateway), turns every
 * failure into an `ApiError`, and reshapes API types into the view types the widgets render.
 */
import type {
  DeadLetter,
  DeploymentRecord,
  EnvironmentSummary,
  ErrorBody,
  EventDetail,
  EventSummary,
  Inventory,
  InventoryCell,
  Page,
  ServiceDetail,
  Violation,
} from '@signalbox/read-models';
import { absoluteTime, ageOf, isRecent, parseTime, relativeTime, shortType, shortVersion } from './format';
import { clearSession, goToSignIn, sessionToken } from './auth';

/** Any failed read or write: the API's `{error:{code,field,message}}`, or a network failure. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: string,
    readonly field: string | null,
    message: string,
    /** HTTP status, 0 when the request never got an answer. */
    readonly status: number,
  ) {
    super(message);
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}

/**
 * Fetches `path` on the same origin with the signed-in user's bearer token; throws `ApiError` for
 * any failure. A 401 ends the session and sends the browser to the sign-in page. Shared with
 * `rollouts.ts` and the other API modules.
 */
export async function request<T>(path: string, init: RequestInit & { signal?: AbortSignal } = {}): Promise<T> {
  let response: Response;
  const token = sessionToken();
  try {
    response = await fetch(path, { ...init, headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers }, cache: 'no-store' });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError('network_error', null, `Cannot reach the API (${(error as Error).message})`, 0);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (response.status === 401) {
    clearSession();
    goToSignIn();
  }
  if (!response.ok) {
    const error = (body as { error?: Partial<ErrorBody> } | null)?.error;
    throw new ApiError(
      typeof error?.code === 'string' ? error.code : `http_${response.status}`,
      typeof error?.field === 'string' ? error.field : null,
      typeof error?.message === 'string' ? error.message : `The API answered ${response.status} ${response.statusText}`.trim(),
      response.status,
    );
  }
  if (body === null && (init.method ?? 'GET') === 'GET') throw new ApiError('bad_response', null, `The API sent no JSON for ${path}`, response.status);
  return body as T;
}

export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') search.set(k, String(v));
  const text = search.toString();
  return text ? `?${text}` : '';
}

const seg = encodeURIComponent;

// ---- view types -------------------------------------------------------------------------------

/** A moment as shown: relative text, absolute text for the tooltip, and the machine value. */
export interface TimeView {
  iso: string;
  relative: string;
  absolute: string;
}

function timeView(iso: string, now: number): TimeView {
  return { iso, relative: relativeTime(iso, now), absolute: absoluteTime(iso) };
}

export interface EnvironmentColumn {
  name: string;
  provider: string;
  kind: string | null;
  region: string | null;
}

export interface ProviderGroup {
  provider: string;
  span: number;
}

export interface MatrixCellView {
  service: string;
  environment: string;
  version: string;
  fullVersion: string | null;
  artifactId: string | null;
  age: string;
  since: TimeView;
  /** Changed within the last 24 hours. */
  recent: boolean;
  removed: boolean;
  lastEventKey: string;
  lastEventType: string;
  tooltip: string;
}

export interface MatrixRow {
  service: string;
  cells: (MatrixCellView | null)[];
}

export interface MatrixView {
  columns: EnvironmentColumn[];
  groups: ProviderGroup[];
  rows: MatrixRow[];
  generatedAt: TimeView;
  recentCount: number;
}

export interface EnvironmentView {
  name: string;
  provider: string;
  kind: string;
  region: string;
  url: string | null;
  serviceCount: number;
  lastEvent: TimeView;
  firstSeen: TimeView;
  deleted: boolean;
}

export interface DeploymentView {
  key: string;
  environment: string;
  action: string;
  version: string;
  fullVersion: string | null;
  artifactId: string | null;
  at: TimeView;
  source: string;
}

export interface ServiceView {
  name: string;
  environments: MatrixCellView[];
  history: DeploymentView[];
  historyNext: string | null;
}

export interface EnvironmentDetailView {
  environment: EnvironmentView | null;
  name: string;
  cells: MatrixCellView[];
}

export interface EventRowView {
  key: string;
  at: TimeView;
  type: string;
  typeShort: string;
  /** `service`, `pipelinerun`, ...: picks the badge colour. */
  subject: string;
  predicate: string;
  subjectId: string;
  service: string | null;
  environment: string | null;
  version: string | null;
  fullVersion: string | null;
  outcome: string | null;
  source: string;
  valid: boolean;
  violationCount: number;
}

export interface TimelineView {
  items: EventRowView[];
  next: string | null;
}

export interface EventView extends EventRowView {
  id: string;
  artifactId: string | null;
  specVersion: string | null;
  receivedAs: string;
  chainId: string | null;
  ingestedAt: TimeView;
  violations: Violation[];
  rawJson: string;
  normalisedJson: string;
}

export interface DeadLetterView {
  id: string;
  eventKey: string | null;
  consumer: string;
  error: string;
  attempts: number;
  firstFailed: TimeView;
  lastFailed: TimeView;
  payloadJson: string;
  replayed: boolean;
}

export interface DeadLettersView {
  items: DeadLetterView[];
  next: string | null;
}

export interface TimelineFilters {
  service?: string | null;
  environment?: string | null;
  type?: string | null;
  since?: string | null;
  until?: string | null;
  cursor?: string | null;
}

// ---- reshaping --------------------------------------------------------------------------------

const UNKNOWN_PROVIDER = 'Other';

/** Environments read left to right from development to production within a provider. */
function stageRank(name: string): number {
  const n = name.toLowerCase();
  if (/(^|[-_.])(dev|develop|development|local|sandbox)([-_.]|$)/.test(n) || n.startsWith('dev')) return 0;
  if (/(test|qa|ci|int)/.test(n)) return 1;
  if (/(stag|preprod|pre-prod|uat|canary)/.test(n)) return 2;
  if (/(^|[-_.])(dr|disaster)([-_.]|$)/.test(n)) return 4;
  if (/prod|live/.test(n)) return 3;
  return 1.5;
}

function cellView(cell: InventoryCell, now: number): MatrixCellView {
  const since = timeView(cell.since, now);
  const removed = cell.state === 'removed';
  const tooltip = [
    `${cell.service} in ${cell.environment}${removed ? ' (removed)' : ''}`,
    `version: ${cell.version ?? 'unknown'}`,
    `artifact: ${cell.artifactId ?? 'unknown'}`,
    `since: ${since.absolute} (${since.relative})`,
    `last event: ${shortType(cell.lastEventType)} ${relativeTime(cell.lastEventAt, now)}`,
  ].join('\n');
  return {
    service: cell.service,
    environment: cell.environment,
    version: shortVersion(cell.version),
    fullVersion: cell.version,
    artifactId: cell.artifactId,
    age: ageOf(cell.since, now),
    since,
    recent: !removed && isRecent(cell.since, now),
    removed,
    lastEventKey: cell.lastEventKey,
    lastEventType: cell.lastEventType,
    tooltip,
  };
}

function environmentView(env: EnvironmentSummary, now: number): EnvironmentView {
  return {
    name: env.name,
    provider: env.provider ?? UNKNOWN_PROVIDER,
    kind: env.kind ?? '—',
    region: env.region ?? '—',
    url: env.url && /^https?:\/\//i.test(env.url) ? env.url : null,
    serviceCount: env.serviceCount,
    lastEvent: timeView(env.lastEventAt, now),
    firstSeen: timeView(env.firstSeen, now),
    deleted: env.deleted,
  };
}

/** Builds the matrix: services × environments, columns grouped by provider. Pure. */
export function toMatrix(inventory: Inventory, environments: EnvironmentSummary[], now: number): MatrixView {
  const meta = new Map(environments.map((e) => [e.name, e]));
  const names = [...new Set([...inventory.environments, ...inventory.cells.map((c) => c.environment)])];
  const columns: EnvironmentColumn[] = names.map((name) => {
    const env = meta.get(name);
    return { name, provider: env?.provider ?? UNKNOWN_PROVIDER, kind: env?.kind ?? null, region: env?.region ?? null };
  });
  columns.sort((a, b) => {
    if (a.provider !== b.provider) {
      if (a.provider === UNKNOWN_PROVIDER) return 1;
      if (b.provider === UNKNOWN_PROVIDER) return -1;
      return a.provider.localeCompare(b.provider);
    }
    return stageRank(a.name) - stageRank(b.name) || a.name.localeCompare(b.name);
  });
  const groups: ProviderGroup[] = [];
  for (const column of columns) {
    const last = groups[groups.length - 1];
    if (last && last.provider === column.provider) last.span += 1;
    else groups.push({ provider: column.provider, span: 1 });
  }
  const byKey = new Map(inventory.cells.map((c) => [`${c.service}\u0000${c.environment}`, c]));
  const services = [...new Set([...inventory.services, ...inventory.cells.map((c) => c.service)])].sort((a, b) =>
    a.localeCompare(b),
  );
  let recentCount = 0;
  const rows = services.map((service) => ({
    service,
    cells: columns.map((column) => {
      const cell = byKey.get(`${service}\u0000${column.name}`);
      if (!cell) return null;
      const view = cellView(cell, now);
      if (view.recent) recentCount += 1;
      return view;
    }),
  }));
  return { columns, groups, rows, generatedAt: timeView(inventory.generatedAt, now), recentCount };
}

function deploymentView(record: DeploymentRecord, now: number): DeploymentView {
  return {
    key: record.key,
    environment: record.environment,
    action: record.action,
    version: shortVersion(record.version, 32),
    fullVersion: record.version,
    artifactId: record.artifactId,
    at: timeView(record.timestamp, now),
    source: record.source,
  };
}

/** The event's own time; when a producer sent an unusable timestamp, the time it was received. */
function eventTime(event: EventSummary, now: number): TimeView {
  if (parseTime(event.timestamp) !== null) return timeView(event.timestamp, now);
  const received = timeView(event.ingestedAt, now);
  return {
    iso: event.ingestedAt,
    relative: `${received.relative} (received)`,
    absolute: `${received.absolute}, when received; the event's timestamp ${JSON.stringify(event.timestamp)} is not a time`,
  };
}

function eventRowView(event: EventSummary, now: number): EventRowView {
  return {
    key: event.key,
    at: eventTime(event, now),
    type: event.type,
    typeShort: shortType(event.type),
    subject: event.subject,
    predicate: event.predicate,
    subjectId: event.subjectId,
    service: event.service,
    environment: event.environment,
    version: event.version ? shortVersion(event.version, 24) : null,
    fullVersion: event.version,
    outcome: event.outcome,
    source: event.source,
    valid: event.valid,
    violationCount: event.violationCount,
  };
}

function pretty(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? 'null';
  } catch {
    return String(value);
  }
}

// ---- reads and writes -------------------------------------------------------------------------

type Options = { signal?: AbortSignal };

export async function getMatrix(opts: Options = {}): Promise<MatrixView> {
  const [inventory, environments] = await Promise.all([
    request<Inventory>('/api/inventory', opts),
    request<{ items: EnvironmentSummary[] }>('/api/environments', opts),
  ]);
  return toMatrix(inventory, environments.items, Date.now());
}

export async function getService(name: string, cursor: string | null, opts: Options = {}): Promise<ServiceView> {
  const detail = await request<ServiceDetail>(`/api/services/${seg(name)}${query({ cursor })}`, opts);
  const now = Date.now();
  return {
    name: detail.name,
    environments: detail.environments.map((c) => cellView(c, now)),
    history: detail.history.map((r) => deploymentView(r, now)),
    historyNext: detail.historyNext,
  };
}

export async function getEnvironments(opts: Options = {}): Promise<EnvironmentView[]> {
  const { items } = await request<{ items: EnvironmentSummary[] }>('/api/environments', opts);
  const now = Date.now();
  return items.map((e) => environmentView(e, now)).sort((a, b) => a.provider.localeCompare(b.provider) || a.name.localeCompare(b.name));
}

/** One environment: its metadata and what runs there (from the inventory). 404 when unknown. */
export async function getEnvironment(name: string, opts: Options = {}): Promise<EnvironmentDetailView> {
  const [inventory, environments] = await Promise.all([
    request<Inventory>('/api/inventory', opts),
    request<{ items: EnvironmentSummary[] }>('/api/environments', opts),
  ]);
  const now = Date.now();
  const env = environments.items.find((e) => e.name === name);
  const cells = inventory.cells.filter((c) => c.environment === name).sort((a, b) => a.service.localeCompare(b.service));
  if (!env && cells.length === 0) throw new ApiError('not_found', 'name', `No environment named "${name}" has been seen`, 404);
  return { name, environment: env ? environmentView(env, now) : null, cells: cells.map((c) => cellView(c, now)) };
}

export const TIMELINE_PAGE_SIZE = 50;

/**
 * The API filters by an exact type or by a prefix ending in `.`. Operators type
 * `service.deployed` or `dev.cdevents.service.deployed` and mean every version of it.
 */
export function typeFilter(text: string | null | undefined): string | null {
  const type = text?.trim();
  if (!type) return null;
  const full = /^dev\.cdeventsx?\./.test(type) ? type : `dev.cdevents.${type}`;
  if (full.endsWith('.') || /\.\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(full)) return full;
  return `${full}.`;
}

export async function getTimeline(filters: TimelineFilters, opts: Options = {}): Promise<TimelineView> {
  const page = await request<Page<EventSummary>>(
    `/api/events${query({
      limit: TIMELINE_PAGE_SIZE,
      cursor: filters.cursor,
      service: filters.service,
      environment: filters.environment,
      type: typeFilter(filters.type),
      since: filters.since,
      until: filters.until,
    })}`,
    opts,
  );
  const now = Date.now();
  return { items: page.items.map((e) => eventRowView(e, now)), next: page.next };
}

export async function getEvent(key: string, opts: Options = {}): Promise<EventView> {
  const event = await request<EventDetail>(`/api/events/${seg(key)}`, opts);
  const now = Date.now();
  return {
    ...eventRowView(event, now),
    id: event.id,
    artifactId: event.artifactId,
    specVersion: event.specVersion,
    receivedAs: event.receivedAs,
    chainId: event.chainId,
    ingestedAt: timeView(event.ingestedAt, now),
    violations: event.violations ?? [],
    rawJson: pretty(event.raw),
    normalisedJson: pretty(event.normalised),
  };
}

export async function getDeadLetters(cursor: string | null, opts: Options = {}): Promise<DeadLettersView> {
  const page = await request<Page<DeadLetter>>(`/api/dead-letters${query({ cursor })}`, opts);
  const now = Date.now();
  return {
    items: page.items.map((d) => ({
      id: d.id,
      eventKey: d.eventKey,
      consumer: d.consumer,
      error: d.error,
      attempts: d.attempts,
      firstFailed: timeView(d.firstFailedAt, now),
      lastFailed: timeView(d.lastFailedAt, now),
      payloadJson: pretty(d.payload),
      replayed: d.state === 'replayed',
    })),
    next: page.next,
  };
}

export async function replayDeadLetter(id: string): Promise<void> {
  await request<unknown>(`/api/dead-letters/${seg(id)}/replay`, { method: 'POST' });
}

/** Whether a timestamp parses; used by the timeline form to flag a bad `since`/`until`. */
export function isValidTime(text: string): boolean {
  return parseTime(text) !== null;
}
