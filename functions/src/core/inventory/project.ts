import type { Deps } from '../deps';
import type { StoredEvent } from '../ports/event-store';
import type { EnvironmentState, InventoryCellState } from '../ports/inventory-store';
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
  const tasks: Promise<unknown>[] = [];
  if (event.environment) tasks.push(projectEnvironment(deps, event, event.environment));
  if (event.subject === 'service' && event.service && event.environment) {
    if (DEPLOYING.has(event.predicate) || event.predicate === 'removed') {
      tasks.push(projectCell(deps, event, event.service, event.environment));
    }
    if (DEPLOYING.has(event.predicate) || event.predicate === 'removed' || event.predicate === 'published') {
      tasks.push(
        deps.inventory.addHistory(event.service, {
          key: event.key,
          environment: event.environment,
          artifactId: event.artifactId,
          version: event.version,
          action: event.predicate,
          timestamp: event.timestamp,
          source: event.source,
          sortTime: event.sortTime,
        }),
      );
    }
  }
  await Promise.all(tasks);
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

async function projectCell(deps: Pick<Deps, 'inventory'>, event: StoredEvent, service: string, environment: string): Promise<void> {
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    const current = await deps.inventory.getCell(service, environment);
    // A late event never overwrites newer state; the same event again is a no-op.
    if (current && current.orderKey >= event.orderKey) return;
    if (await deps.inventory.putCellIf(nextCell(current, event, service, environment), current?.orderKey ?? null)) return;
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

async function projectEnvironment(deps: Pick<Deps, 'inventory'>, event: StoredEvent, name: string): Promise<void> {
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    const current = await deps.inventory.getEnvironment(name);
    const next = nextEnvironment(current, event, name);
    if (current && sameEnvironment(current, next)) return;
    if (await deps.inventory.putEnvironmentIf(next, current?.revision ?? 0)) return;
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
