import { dayOf } from '../cdevents/time';
import type { Deps } from '../deps';
import type { StoredEvent } from '../ports/event-store';
import type { DoraUpdate } from './model';

function obj(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim().length > 0 ? value.trim() : null;
}

/** Last path segment of a repository id, name or URL: `acme/payments` → `payments`. */
function repositoryName(text: string): string | null {
  const cleaned = text.replace(/\.git$/i, '').replace(/\/+$/, '');
  const last = cleaned.split('/').pop();
  return last ? last : null;
}

/**
 * The service a `change.merged` belongs to. Rule: the repository is the service, by name —
 * `subject.content.repository.id` (or `.name`, or a plain string) cut to its last path segment
 * (`acme/payments` → `payments`); without a repository, the segment before `/pull/` or
 * `/pull-requests/` in the subject id (`acme/payments/pull/42`). Null when neither is present:
 * such a change is not counted. Pure.
 */
export function serviceOfChange(event: StoredEvent): string | null {
  const content = obj(obj(event.cdevent.subject).content);
  const repo = content.repository;
  const fromRepo = typeof repo === 'string' ? str(repo) : (str(obj(repo).id) ?? str(obj(repo).name));
  if (fromRepo) return repositoryName(fromRepo);
  const m = /(?:^|\/)([^/]+)\/(?:pull|pull-requests|merge_requests)\/[^/]+$/.exec(event.subjectId);
  return m ? m[1]! : null;
}

/**
 * What one stored event adds to the DORA aggregates, or null when it adds nothing. Deploying
 * service events (any environment), `change.merged` and `incident.detected` / `incident.resolved`
 * with a service and an environment count; the entry is keyed by the event's storage key, so the
 * same event always yields the same entry (idempotent). Pure.
 */
export function doraUpdateFor(event: StoredEvent): DoraUpdate | null {
  const day = dayOf(event.sortTime);
  const at = event.sortTime;
  if (event.subject === 'service' && event.service && event.environment) {
    if (event.predicate !== 'deployed' && event.predicate !== 'upgraded' && event.predicate !== 'rolledback') return null;
    return {
      service: event.service,
      day,
      entry: {
        type: 'deployment',
        key: event.key,
        environment: event.environment,
        at,
        rollback: event.predicate === 'rolledback',
        artifactId: event.artifactId,
      },
    };
  }
  if (event.subject === 'change' && event.predicate === 'merged') {
    const service = serviceOfChange(event);
    if (!service) return null;
    return { service, day, entry: { type: 'change', key: event.key, at, ref: event.subjectId } };
  }
  if (event.subject === 'incident' && (event.predicate === 'detected' || event.predicate === 'resolved')) {
    if (!event.service || !event.environment || !event.subjectId) return null;
    return {
      service: event.service,
      day,
      entry: { type: 'incident', key: event.key, environment: event.environment, at, incident: event.subjectId, phase: event.predicate },
    };
  }
  return null;
}

/**
 * Applies one stored event to the DORA aggregates. Idempotent (set semantics in the store), and
 * order-free: nothing is derived at write time, so late events land in their own day and count
 * as if they had arrived in order. Throws what the store throws (the consumer dead-letters it).
 */
export async function projectDora(deps: Pick<Deps, 'dora'>, event: StoredEvent): Promise<void> {
  const update = doraUpdateFor(event);
  if (update) await deps.dora.add(update);
}

/** Batch form of {@link projectDora}: one store call for all the events' updates where the store can batch. */
export async function projectDoraMany(deps: Pick<Deps, 'dora'>, events: StoredEvent[]): Promise<void> {
  const updates = events.map(doraUpdateFor).filter((u): u is DoraUpdate => u !== null);
  if (updates.length === 0) return;
  if (deps.dora.addMany) await deps.dora.addMany(updates);
  else for (const update of updates) await deps.dora.add(update);
}
