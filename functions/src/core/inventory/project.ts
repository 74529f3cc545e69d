import type { Deps } from '../deps';
import type { StoredEvent } from '../ports/event-store';
import type { EnvironmentState, InventoryCellState } from '../ports/inventory-store';
import type { DeploymentRecord } from '../read-models';
import { toSortableUtc } from '../cdevents/time';
import { DependencyError } from '../errors';

const DEPLOYING = new Set(['deployed', 'upgraded', 'rolledback']);
const MAX_RACE_RETRIES = 40;

/**
 * Many events about one environment arrive together (a batch, a seeded history); their conditional
 * writes race. Back off with jitter so the losers do not collide again in lockstep.
 */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(200, 2 ** Math.min(attempt, 8));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

/**
 * Applies one stored event to the current-state view: the versions × environments cell, the
 * service's deployment history, and the environment list. Every step is idempotent and ordered by
 * the event's order key, so replays and late events are safe. Throws `DependencyError` when a
 * conditional write keeps losing races (the consumer dead-letters and a replay retries it).
 */
export async function projectEvent(deps: Pick<Deps, 'inventory'>, event: StoredEvent): Promise<void> {
  const plan = planProjection([event]);
  await Promise.all([
    ...[...plan.cells.values()].map((g) => applyToCell(deps, g.service, g.environment, g.events, undefined)),
    ...[...plan.environments.entries()].map(([name, events]) => applyToEnvironment(deps, name, events, undefined)),
    ...plan.history.map((row) => deps.inventory.addHistory(row.service, row.record)),
  ]);
}

/**
 * Batch form of {@link projectEvent} for the store consumer: the same end state as projecting each
 * event on its own (in any order), with the touched cells and environments read in one batch and
 * written once each (the events of one cell folded in order-key order), and the history rows
 * written in batches — where the store offers batch operations. Throws like `projectEvent`; the
 * caller then projects the events one at a time (every step is idempotent).
 */
export async function projectEvents(deps: Pick<Deps, 'inventory'>, events: StoredEvent[]): Promise<void> {
  const inventory = deps.inventory;
  const plan = planProjection(events);
  const cells = [...plan.cells.values()];
  const environments = [...plan.environments.entries()];
  let readCells = new Map<string, InventoryCellState>();
  let readEnvironments = new Map<string, EnvironmentState & { revision: number }>();
  if (inventory.getMany) {
    const got = await inventory.getMany({ cells: cells.map(({ service, environment }) => ({ service, environment })), environments: environments.map(([name]) => name) });
    readCells = new Map(got.cells.map((c) => [cellId(c.service, c.environment), c]));
    readEnvironments = new Map(got.environments.map((e) => [e.name, e]));
  }
  const initial = <T>(map: Map<string, T>, id: string): T | null | undefined => (inventory.getMany ? (map.get(id) ?? null) : undefined);
  await Promise.all([
    ...cells.map((g) => applyToCell(deps, g.service, g.environment, g.events, initial(readCells, cellId(g.service, g.environment)))),
    ...environments.map(([name, evs]) => applyToEnvironment(deps, name, evs, initial(readEnvironments, name))),
    plan.history.length === 0
      ? Promise.resolve()
      : inventory.addHistoryMany
        ? inventory.addHistoryMany(plan.history)
        : Promise.all(plan.history.map((row) => inventory.addHistory(row.service, row.record))),
  ]);
}

function cellId(service: string, environment: string): string {
  return `${service}\u001f${environment}`;
}

interface ProjectionPlan {
  /** Per cell, its deploying/removed events in order-key order. */
  cells: Map<string, { service: string; environment: string; events: StoredEvent[] }>;
  /** Per environment, the events that name it, in order-key order. */
  environments: Map<string, StoredEvent[]>;
  history: Array<{ service: string; record: DeploymentRecord & { sortTime: string } }>;
}

/** What the events change: which cells, environments and history rows. Pure. */
function planProjection(events: StoredEvent[]): ProjectionPlan {
  const sorted = [...events].sort((a, b) => (a.orderKey < b.orderKey ? -1 : a.orderKey > b.orderKey ? 1 : 0));
  const plan: ProjectionPlan = { cells: new Map(), environments: new Map(), history: [] };
  for (const event of sorted) {
    if (event.environment) {
      const list = plan.environments.get(event.environment);
      if (list) list.push(event);
      else plan.environments.set(event.environment, [event]);
    }
    if (event.subject !== 'service' || !event.service || !event.environment) continue;
    const { service, environment } = event;
    if (DEPLOYING.has(event.predicate) || event.predicate === 'removed') {
      const id = cellId(service, environment);
      const group = plan.cells.get(id);
      if (group) group.events.push(event);
      else plan.cells.set(id, { service, environment, events: [event] });
    }
    if (DEPLOYING.has(event.predicate) || event.predicate === 'removed' || event.predicate === 'published') {
      plan.history.push({
        service,
        record: {
          key: event.key,
          environment,
          artifactId: event.artifactId,
          version: event.version,
          action: event.predicate,
          timestamp: event.timestamp,
          source: event.source,
          sortTime: event.sortTime,
        },
      });
    }
  }
  return plan;
}

/** Where a deploying event moves the cell; `since` only moves when the artifact changes. */
export function nextCell(current: InventoryCellState | null, event: StoredEvent, service: string, environment: string): InventoryCellState {
  const removed = event.predicate === 'removed';
  const artifactId = removed ? (current?.artifactId ?? null) : event.artifactId;
  const sameRelease = current !== null && current.state === 'running' && !removed && current.artifactId === artifactId;
  return {
    service,
    environment,
    artifactId,
    version: removed ? (current?.version ?? null) : event.version,
    since: sameRelease ? current.since : event.timestamp,
    state: removed ? 'removed' : 'running',
    lastEventKey: event.key,
    lastEventType: event.type,
    lastEventAt: event.timestamp,
    orderKey: event.orderKey,
  };
}

/**
 * Folds `events` (order-key order) into the cell with one conditional write; `initial` is the cell
 * as just read (null = absent), or undefined to read it first. A late event never overwrites newer
 * state; the same events again are a no-op.
 */
async function applyToCell(
  deps: Pick<Deps, 'inventory'>,
  service: string,
  environment: string,
  events: StoredEvent[],
  initial: InventoryCellState | null | undefined,
): Promise<void> {
  let current = initial;
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    if (current === undefined) current = await deps.inventory.getCell(service, environment);
    let next = current;
    for (const event of events) {
      if (!next || next.orderKey < event.orderKey) next = nextCell(next, event, service, environment);
    }
    if (next === current || !next) return;
    if (await deps.inventory.putCellIf(next, current?.orderKey ?? null)) return;
    current = undefined;
    await backoff(attempt);
  }
  throw new DependencyError(`inventory cell ${service} × ${environment} kept changing; retry later`);
}

interface EnvironmentMeta {
  provider?: string;
  kind?: string;
  region?: string;
}

/** Signalbox's environment metadata, carried in `customData.signalbox.environment`. */
function environmentMeta(event: StoredEvent): EnvironmentMeta {
  const data = event.customData as { signalbox?: { environment?: Record<string, unknown> } } | undefined;
  const meta = data?.signalbox?.environment;
  if (!meta || typeof meta !== 'object') return {};
  const pick = (k: string) => (typeof meta[k] === 'string' ? (meta[k] as string) : undefined);
  return { provider: pick('provider'), kind: pick('kind'), region: pick('region') };
}

/** Merges what `event` says about environment `name` into `current`. Pure. */
export function nextEnvironment(current: EnvironmentState | null, event: StoredEvent, name: string): EnvironmentState {
  const base: EnvironmentState = current ?? {
    name,
    provider: null,
    kind: null,
    region: null,
    url: null,
    firstSeen: event.timestamp,
    lastEventAt: event.timestamp,
    deleted: false,
    metaOrderKey: null,
  };
  // lastEventAt follows the newest event; metadata follows the newest environment.* event.
  const next = { ...base };
  if (current && event.sortTime < sortKeyOf(current.firstSeen, event)) next.firstSeen = event.timestamp;
  if (current && event.sortTime > sortKeyOf(current.lastEventAt, event)) next.lastEventAt = event.timestamp;
  const isEnvironmentEvent = event.subject === 'environment' && event.subjectId === name;
  if (isEnvironmentEvent && (current?.metaOrderKey == null || event.orderKey > current.metaOrderKey)) {
    const meta = environmentMeta(event);
    const content = ((event.cdevent.subject as { content?: Record<string, unknown> } | undefined)?.content ?? {}) as Record<string, unknown>;
    next.provider = meta.provider ?? next.provider;
    next.kind = meta.kind ?? next.kind;
    next.region = meta.region ?? next.region;
    const uri = content.uri ?? content.url;
    if (typeof uri === 'string') next.url = uri;
    next.deleted = event.predicate === 'deleted';
    next.metaOrderKey = event.orderKey;
  }
  return next;
}

// Timestamps in state are kept as sent; compare them in sortable form.
function sortKeyOf(timestamp: string, fallback: StoredEvent): string {
  return toSortableUtc(timestamp) ?? fallback.sortTime;
}

/** Folds `events` into environment `name` with one conditional write; `initial` as in `applyToCell`. */
async function applyToEnvironment(
  deps: Pick<Deps, 'inventory'>,
  name: string,
  events: StoredEvent[],
  initial: (EnvironmentState & { revision: number }) | null | undefined,
): Promise<void> {
  let current = initial;
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    if (current === undefined) current = await deps.inventory.getEnvironment(name);
    let next: EnvironmentState | null = current;
    for (const event of events) next = nextEnvironment(next, event, name);
    if (!next || (current && sameEnvironment(current, next))) return;
    if (await deps.inventory.putEnvironmentIf(next, current?.revision ?? 0)) return;
    current = undefined;
    await backoff(attempt);
  }
  throw new DependencyError(`environment ${name} kept changing; retry later`);
}

function sameEnvironment(a: EnvironmentState, b: EnvironmentState): boolean {
  return (
    a.provider === b.provider &&
    a.kind === b.kind &&
    a.region === b.region &&
    a.url === b.url &&
    a.firstSeen === b.firstSeen &&
    a.lastEventAt === b.lastEventAt &&
    a.deleted === b.deleted &&
    a.metaOrderKey === b.metaOrderKey
  );
}
