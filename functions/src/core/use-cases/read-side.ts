import { normalise, summarise } from '../cdevents/prepare';
import { toSortableUtc } from '../cdevents/time';
import type { Deps } from '../deps';
import { CDEVENT_DETAIL_TYPE, INGEST_BUS_SOURCE } from '../../shared/bus-rules';
import { ConflictError, DependencyError, NotFoundError, ValidationError } from '../errors';
import type { StoredEvent } from '../ports/event-store';
import type { InventoryCellState } from '../ports/inventory-store';
import type {
  DeadLetter,
  EnvironmentSummary,
  EventDetail,
  EventSummary,
  Inventory,
  InventoryCell,
  Page,
  ServiceDetail,
} from '../read-models';
import { recordEvent } from './record-event';
import { NOTIFY_CONSUMER, replayNotification } from '../alerts/deliver';
import type { Notifier } from '../ports/notifier';
import type { MonitoringDeps } from '../monitoring/deps';
import { applyEventAlertRules } from '../monitoring/event-alerts';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

/** Query parameters as they arrive (strings); validated here, with the field named on error. */
export interface ListEventsInput {
  limit?: string;
  cursor?: string;
  service?: string;
  environment?: string;
  type?: string;
  since?: string;
  until?: string;
}

export function parseLimit(value: string | undefined, field = 'limit'): number {
  if (value === undefined || value === '') return DEFAULT_PAGE;
  if (!/^\d+$/.test(value)) throw new ValidationError(`${field} must be a whole number from 1 to ${MAX_PAGE}`, field);
  const n = Number(value);
  if (n < 1 || n > MAX_PAGE) throw new ValidationError(`${field} must be from 1 to ${MAX_PAGE}`, field);
  return n;
}

function parseInstant(value: string | undefined, field: string, end: boolean): string | undefined {
  if (value === undefined || value === '') return undefined;
  // A bare date means the whole day.
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T${end ? '23:59:59.999999999' : '00:00:00'}Z` : value;
  const sortable = toSortableUtc(text);
  if (!sortable) throw new ValidationError(`${field} must be an RFC 3339 timestamp or a YYYY-MM-DD date`, field);
  return sortable;
}

function toSummary(event: StoredEvent): EventSummary {
  return summarise(event, event.ingestedAt);
}

/** The timeline, newest first, filtered and paged. Reads one page, whatever the history size. */
export async function listEvents(deps: Pick<Deps, 'events'>, input: ListEventsInput): Promise<Page<EventSummary>> {
  const since = parseInstant(input.since, 'since', false);
  const until = parseInstant(input.until, 'until', true);
  if (since && until && since > until) throw new ValidationError('since must not be after until', 'since');
  const page = await deps.events.list({
    limit: parseLimit(input.limit),
    cursor: input.cursor || undefined,
    service: input.service || undefined,
    environment: input.environment || undefined,
    type: input.type || undefined,
    since,
    until,
  });
  return { items: page.items.map(toSummary), next: page.next };
}

/** One event with raw, normalised and violations. Throws `NotFoundError`. */
export async function getEvent(deps: Pick<Deps, 'events'>, key: string): Promise<EventDetail> {
  const event = await deps.events.get(key);
  if (!event) throw new NotFoundError(`no event with key ${key}`, 'key');
  return {
    ...toSummary(event),
    raw: event.raw,
    normalised: normalise(event.cdevent),
    violations: event.violations,
    receivedAs: event.receivedAs,
    chainId: event.chainId,
  };
}

function toCell(state: InventoryCellState): InventoryCell {
  const { orderKey: _orderKey, ...cell } = state;
  return cell;
}

/** The versions × environments matrix, read from the current-state view (never from history). */
export async function getInventory(deps: Pick<Deps, 'inventory' | 'clock'>): Promise<Inventory> {
  const [cells, environments] = await Promise.all([deps.inventory.listCells(), deps.inventory.listEnvironments()]);
  const services = [...new Set(cells.map((c) => c.service))].sort();
  const envNames = new Set(cells.map((c) => c.environment));
  for (const e of environments) if (!e.deleted) envNames.add(e.name);
  return {
    services,
    environments: [...envNames].sort(),
    cells: cells.map(toCell),
    generatedAt: deps.clock.now(),
  };
}

/** One service across environments, with its deployment history. Throws `NotFoundError`. */
export async function getService(
  deps: Pick<Deps, 'inventory'>,
  name: string,
  input: { cursor?: string; limit?: string },
): Promise<ServiceDetail> {
  const [cells, history] = await Promise.all([
    deps.inventory.listServiceCells(name),
    deps.inventory.listHistory(name, parseLimit(input.limit), input.cursor || undefined),
  ]);
  if (cells.length === 0 && history.items.length === 0 && !input.cursor) {
    throw new NotFoundError(`no service named ${name}`, 'name');
  }
  return { name, environments: cells.map(toCell), history: history.items, historyNext: history.next };
}

/** Every environment seen or announced, with how many services run there now. */
export async function listEnvironments(deps: Pick<Deps, 'inventory'>): Promise<{ items: EnvironmentSummary[] }> {
  const [environments, cells] = await Promise.all([deps.inventory.listEnvironments(), deps.inventory.listCells()]);
  const counts = new Map<string, number>();
  for (const c of cells) if (c.state === 'running') counts.set(c.environment, (counts.get(c.environment) ?? 0) + 1);
  return {
    items: environments
      .map((e) => ({
        name: e.name,
        provider: e.provider,
        kind: e.kind,
        region: e.region,
        url: e.url,
        serviceCount: counts.get(e.name) ?? 0,
        firstSeen: e.firstSeen,
        lastEventAt: e.lastEventAt,
        deleted: e.deleted,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export async function listDeadLetters(deps: Pick<Deps, 'deadLetters'>, input: { limit?: string; cursor?: string }): Promise<Page<DeadLetter>> {
  return deps.deadLetters.list(parseLimit(input.limit), input.cursor || undefined);
}

/**
 * Retries a dead letter: a failed store delivery runs the store consumer again; an event the bus
 * refused at ingest is put on the bus again; a failed alert notification (consumer `notify`) is
 * sent again through `deps.notifiers` (same payload and delivery id); an event the event alert rules
 * failed on (consumer `alertEvents`) has the rules applied again; live pushes are not replayed. Marks it replayed on success; on failure counts the
 * attempt and throws `ConflictError` with the reason. Throws `NotFoundError` for an unknown id.
 * Idempotent: replaying an already replayed entry runs the idempotent consumer again.
 */
export async function replayDeadLetter(deps: Deps & { notifiers?: ReadonlyMap<string, Notifier> }, id: string): Promise<DeadLetter> {
  const entry = await deps.deadLetters.get(id);
  if (!entry) throw new NotFoundError(`no dead letter with id ${id}`, 'id');
  if (entry.consumer === 'live') {
    throw new ConflictError('live-update pushes are momentary and not replayed; open portals reload their data', 'id');
  }
  if (entry.consumer !== 'store' && entry.consumer !== 'publish' && entry.consumer !== NOTIFY_CONSUMER && entry.consumer !== 'alertEvents') {
    throw new ConflictError(`dead letters of consumer ${entry.consumer} are not replayed here`, 'id');
  }
  try {
    if (entry.consumer === NOTIFY_CONSUMER) {
      // A failed alert notification: sent again, same payload and id, through its receiver.
      await replayNotification({ notifiers: deps.notifiers ?? new Map() }, entry);
    } else if (entry.consumer === 'alertEvents') {
      // The event alert rules failed on this event (alert store unreachable): apply them again.
      const m = deps as Deps & Partial<MonitoringDeps>;
      if (!m.alertStore || !m.monitoringConfig) throw new DependencyError('alerts are not configured in this deployment');
      await applyEventAlertRules(m as Deps & MonitoringDeps, entry.payload as Parameters<typeof applyEventAlertRules>[1]);
    } else if (entry.consumer === 'store') {
      await recordEvent(deps, entry.payload as Parameters<typeof recordEvent>[1]);
    } else {
      // The bus refused it at ingest: put it on the bus again, so every consumer sees it.
      const [result] = await deps.bus.publish([
        { source: INGEST_BUS_SOURCE, detailType: CDEVENT_DETAIL_TYPE, detail: entry.payload, time: deps.clock.now() },
      ]);
      if (!result || !('eventId' in result)) throw new DependencyError(`bus refused it again: ${result?.errorMessage ?? 'no result'}`);
    }
  } catch (err) {
    const failed: DeadLetter = {
      ...entry,
      attempts: entry.attempts + 1,
      lastFailedAt: deps.clock.now(),
      error: `${(err as Error).name}: ${(err as Error).message}`,
    };
    await deps.deadLetters.update(failed);
    throw new ConflictError(`replay failed: ${failed.error}`, 'id');
  }
  const replayed: DeadLetter = { ...entry, state: 'replayed' };
  await deps.deadLetters.update(replayed);
  return replayed;
}
