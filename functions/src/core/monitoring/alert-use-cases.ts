import { acknowledge } from '../alerts/evaluate';
import { toAlertCdevent } from '../alerts/events';
import { inhibitions } from '../alerts/inhibition';
import { randomUUID } from 'node:crypto';
import { ALERT_STATES, type Alert, type AlertState, type AlertView, type Matcher, type Silence, type SilenceState } from '../alerts/model';
import { viewAlerts } from '../alerts/notifications';
import { compileSilence, silenceState, validateSilence, type CompiledSilence } from '../alerts/silences';
import { DependencyError, NotFoundError, ValidationError } from '../errors';
import type { AlertStore } from '../ports/alert-store';
import type { Page } from '../read-models';
import { buildSystemGraph } from '../systems/graph';
import { ALERT_EVENTS_BUS_SOURCE, CDEVENT_DETAIL_TYPE } from './check-alerts';
import type { MonitoringDeps } from './deps';

/** How many current silences and active alerts a list reads to compute silenced/inhibited views. */
const VIEW_CONTEXT_LIMIT = 500;

function storeOf(deps: MonitoringDeps): AlertStore {
  if (!deps.alertStore) throw new DependencyError('alerts are not configured in this deployment', null, { code: 'alerts_unavailable' });
  return deps.alertStore;
}

async function currentSilences(store: AlertStore, now: string): Promise<CompiledSilence[]> {
  const page = await store.listSilences({ scope: 'current', now, limit: VIEW_CONTEXT_LIMIT });
  return page.items.map(compileSilence);
}

async function childrenOfSystems(deps: MonitoringDeps): Promise<(system: string) => readonly string[]> {
  const snapshot = await deps.monitoringConfig.current();
  try {
    const graph = buildSystemGraph(snapshot.config);
    return (system) => graph.systems.get(system)?.members.map((m) => m.name) ?? [];
  } catch {
    return () => [];
  }
}

export interface ListAlertsQuery {
  state?: string;
  environment?: string;
  limit: number;
  cursor?: string;
}

/**
 * Alerts newest first (by last state change), filtered by stored state and/or environment, each
 * with the silences and parent-system inhibitions that apply now (`status` `silenced` /
 * `inhibited` for a muted firing alert). Inhibition sources are read among the active alerts.
 * `ValidationError` (field `state`) for an unknown state, (field `cursor`) for a foreign cursor.
 */
export async function listAlertViews(deps: MonitoringDeps, query: ListAlertsQuery): Promise<Page<AlertView>> {
  const store = storeOf(deps);
  if (query.state !== undefined && !(ALERT_STATES as readonly string[]).includes(query.state)) {
    throw new ValidationError(`state must be one of ${ALERT_STATES.join(', ')}`, 'state');
  }
  const now = deps.clock.now();
  const page = await store.listAlerts({
    limit: query.limit,
    ...(query.state ? { state: query.state as AlertState } : {}),
    ...(query.environment ? { environment: query.environment } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  const [silences, childrenOf, firing, acked] = await Promise.all([
    currentSilences(store, now),
    childrenOfSystems(deps),
    store.listAlerts({ state: 'firing', limit: VIEW_CONTEXT_LIMIT }),
    store.listAlerts({ state: 'acknowledged', limit: VIEW_CONTEXT_LIMIT }),
  ]);
  const byFp = new Map<string, Alert>([...firing.items, ...acked.items, ...page.items].map((a) => [a.fingerprint, a]));
  const inhibited = inhibitions([...byFp.values()], { childrenOf });
  return { items: viewAlerts(page.items, silences, inhibited, now), next: page.next };
}

/**
 * Acknowledges a firing alert (it stays active but notifies no more until it resolves or changes
 * severity) and publishes the transition as a CDEvent. Idempotent for an acknowledged alert.
 * `NotFoundError` (field `fingerprint`); `ConflictError` (field `state`) for a resolved alert, or
 * (field `revision`) when the alert changed meanwhile (retry).
 */
export async function acknowledgeAlert(deps: MonitoringDeps, input: { fingerprint: string; by: string; comment?: string }): Promise<Alert> {
  const store = storeOf(deps);
  const existing = await store.getAlert(input.fingerprint);
  if (!existing) throw new NotFoundError(`no alert ${input.fingerprint}`, 'fingerprint');
  const change = acknowledge(existing, { by: input.by, at: deps.clock.now(), ...(input.comment ? { comment: input.comment } : {}) });
  if (!change.changed || !change.alert) return existing;
  await store.saveAlert(change.alert, existing.revision);
  const saved = { ...change.alert, revision: existing.revision + 1 };
  const events = change.transitions.map((t) => ({
    source: ALERT_EVENTS_BUS_SOURCE,
    detailType: CDEVENT_DETAIL_TYPE,
    detail: toAlertCdevent({ kind: 'transition', alert: saved, transition: t }, deps.portalUrl),
    time: t.at,
  }));
  try {
    if (events.length) await deps.bus.publish(events);
  } catch (error) {
    deps.logger.error('publishing the acknowledgement failed', { fingerprint: input.fingerprint, error: (error as Error).message });
  }
  return saved;
}

/** A silence as listed: the stored silence and its state at `now`. */
export interface SilenceView extends Silence {
  state: SilenceState;
}

async function publishSilence(deps: MonitoringDeps, silence: Silence, action: 'created' | 'updated' | 'expired' | 'deleted', by: string, at: string): Promise<void> {
  try {
    await deps.bus.publish([
      { source: ALERT_EVENTS_BUS_SOURCE, detailType: CDEVENT_DETAIL_TYPE, detail: toAlertCdevent({ kind: 'silence', action, silence, by, at }, deps.portalUrl), time: at },
    ]);
  } catch (error) {
    deps.logger.error('publishing a silence event failed', { silence: silence.id, error: (error as Error).message });
  }
}

/** What a client sends to create a silence; `startsAt` defaults to now. */
export interface CreateSilenceInput {
  matchers: unknown;
  startsAt?: unknown;
  endsAt: unknown;
  comment: unknown;
}

/**
 * Creates a silence (validated by `validateSilence`: at least one matcher that does not match the
 * empty value, safe regexes, `endsAt` after `startsAt`, a comment) attributed to `by`, and
 * publishes `silenceCreated`. `ValidationError` with the field at fault.
 */
export async function createSilence(deps: MonitoringDeps, input: CreateSilenceInput, by: string): Promise<SilenceView> {
  const store = storeOf(deps);
  const now = deps.clock.now();
  const candidate = {
    matchers: input.matchers as Matcher[],
    startsAt: (input.startsAt ?? now) as string,
    endsAt: input.endsAt as string,
    createdBy: by,
    comment: input.comment as string,
  };
  validateSilence(candidate);
  const silence: Silence = {
    id: (deps.newId ?? randomUUID)(),
    matchers: candidate.matchers.map((m) => ({ name: m.name, op: m.op, value: m.value })),
    startsAt: new Date(candidate.startsAt).toISOString(),
    endsAt: new Date(candidate.endsAt).toISOString(),
    createdBy: by,
    comment: candidate.comment,
    createdAt: now,
    updatedAt: now,
    revision: 0,
  };
  await store.createSilence(silence);
  await publishSilence(deps, silence, 'created', by, now);
  return { ...silence, state: silenceState(silence, now) };
}

/** Silences, `current` (not expired; default) or `all`, each with its state now. */
export async function listSilences(deps: MonitoringDeps, query: { scope?: string; limit: number; cursor?: string }): Promise<Page<SilenceView>> {
  const store = storeOf(deps);
  const scope = query.scope ?? 'current';
  if (scope !== 'current' && scope !== 'all') throw new ValidationError('scope must be current or all', 'scope');
  const now = deps.clock.now();
  const page = await store.listSilences({ scope, now, limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
  return { items: page.items.map((s) => ({ ...s, state: silenceState(s, now) })), next: page.next };
}

/**
 * Ends a silence now (Alertmanager's "expire"): `endsAt` becomes now, publishes `silenceExpired`.
 * Idempotent for an expired silence. `NotFoundError` (field `id`); `ConflictError` (field
 * `revision`) when it changed meanwhile.
 */
export async function expireSilence(deps: MonitoringDeps, id: string, by: string): Promise<SilenceView> {
  const store = storeOf(deps);
  const silence = await store.getSilence(id);
  if (!silence) throw new NotFoundError(`no silence ${id}`, 'id');
  const now = deps.clock.now();
  if (silenceState(silence, now) === 'expired') return { ...silence, state: 'expired' };
  // A pending silence ends before it starts: keep endsAt after startsAt.
  const startsAt = Date.parse(silence.startsAt) > Date.parse(now) ? now : silence.startsAt;
  const expired: Silence = { ...silence, startsAt, endsAt: now, updatedAt: now };
  await store.saveSilence(expired, silence.revision);
  await publishSilence(deps, expired, 'expired', by, now);
  return { ...expired, revision: silence.revision + 1, state: silenceState(expired, now) };
}

/** Deletes a silence and publishes `silenceDeleted`. `NotFoundError` (field `id`) when absent. */
export async function deleteSilence(deps: MonitoringDeps, id: string, by: string): Promise<{ deleted: string }> {
  const store = storeOf(deps);
  const silence = await store.getSilence(id);
  if (!silence || !(await store.deleteSilence(id))) throw new NotFoundError(`no silence ${id}`, 'id');
  await publishSilence(deps, silence, 'deleted', by, deps.clock.now());
  return { deleted: id };
}
