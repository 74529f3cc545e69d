import { deliverNotifications, type DeliveryResult, type RoutedNotification } from '../alerts/deliver';
import { sha256Hex } from '../alerts/fingerprint';
import { inhibitions } from '../alerts/inhibition';
import type { AlertGroup, AlertView } from '../alerts/model';
import { groupAlerts, planNotifications, viewAlerts } from '../alerts/notifications';
import { matchRoutes, resolveRouteTree, type ResolvedRoute } from '../alerts/routing';
import { compileSilence, matchableLabels } from '../alerts/silences';
import type { ReceiverConfig } from '../config/model';
import { resolvePlaceholders } from '../config/placeholders';
import type { DeadLetter } from '../read-models';
import { buildSystemGraph } from '../systems/graph';
import type { MonitoringConfigSnapshot, MonitoringDeps } from './deps';

/** How many alerts per state (and current silences) one notification pass reads. */
const READ_LIMIT = 500;
/** Resolved alerts older than this are not looked at (their resolution was reported long ago). */
const RESOLVED_LOOKBACK_MS = 7 * 24 * 3_600_000;

/** A receiver of the config with its placeholders resolved, or the reason it cannot be used here. */
export type ResolvedReceiver =
  | { name: string; type: 'webhook'; url: string; secret?: string }
  | { name: string; type: 'slack'; url: string }
  | { name: string; type: 'sns'; topicArn: string }
  | { name: string; type: ReceiverConfig['type']; skipped: string };

/**
 * The config's receivers with `${NAME}` placeholders replaced from the snapshot's values. A
 * receiver whose URL (or topic) names a placeholder without a value is returned with `skipped`
 * (the reason, naming the placeholder) instead of failing the runtime. Pure.
 */
export function resolveReceivers(snapshot: MonitoringConfigSnapshot): ResolvedReceiver[] {
  return (snapshot.config.notifications?.receivers ?? []).map((r): ResolvedReceiver => {
    try {
      if (r.type === 'sns') return { name: r.name, type: 'sns', topicArn: resolvePlaceholders(r.topicArn ?? '', snapshot.placeholders, 'topicArn') };
      const url = resolvePlaceholders(r.url ?? '', snapshot.placeholders, 'url');
      return r.type === 'webhook' ? { name: r.name, type: 'webhook', url, ...(r.secret ? { secret: r.secret } : {}) } : { name: r.name, type: 'slack', url };
    } catch (error) {
      return { name: r.name, type: r.type, skipped: (error as Error).message };
    }
  });
}

export interface NotifyAlertsOutput {
  /** Notifications planned this pass for available receivers (then delivered, see `delivery`). */
  planned: number;
  /** Group ids sent, skipped (another runner recorded first) and failed (dead-lettered). */
  delivery: DeliveryResult;
  /** Receivers the routes chose that have no notifier in this runtime (nothing recorded, nothing sent). */
  unavailableReceivers: string[];
}

const EMPTY: NotifyAlertsOutput = { planned: 0, delivery: { sent: [], skipped: [], failed: [] }, unavailableReceivers: [] };

/** Receivers already reported as unavailable, per deps object, so the log says it once. */
const reported = new WeakMap<object, Set<string>>();

/**
 * One notification pass (run after each check run): reads the active and recently resolved
 * alerts, computes silences and parent-system inhibition (as the alerts list does), routes each
 * alert through the config's `notifications.route` tree, groups per route by its `groupBy`,
 * plans with the route's timing against the stored group logs (`planNotifications`: never more
 * than one notification per group per interval) and delivers (`deliverNotifications`: the log is
 * recorded conditionally before sending, failures are dead-lettered as consumer `notify`).
 *
 * Does nothing without an alert store or a routing tree. A route whose receiver has no notifier
 * (its URL placeholder has no value, or an AWS-only type locally) sends nothing and records
 * nothing, logged once. Group keys are prefixed with the route's key, so one alert routed to two
 * receivers (`continue`) is notified once per route.
 */
export async function notifyAlerts(deps: MonitoringDeps): Promise<NotifyAlertsOutput> {
  const store = deps.alertStore;
  if (!store) return EMPTY;
  const snapshot = await deps.monitoringConfig.current();
  const routeConfig = snapshot.config.notifications?.route;
  if (!routeConfig) return EMPTY;
  const root = resolveRouteTree(routeConfig);
  const now = deps.clock.now();

  const [firing, acked, resolved, silences, logs] = await Promise.all([
    store.listAlerts({ state: 'firing', limit: READ_LIMIT }),
    store.listAlerts({ state: 'acknowledged', limit: READ_LIMIT }),
    store.listAlerts({ state: 'resolved', limit: READ_LIMIT }),
    store.listSilences({ scope: 'current', now, limit: READ_LIMIT }),
    store.listGroupLogs(),
  ]);
  const since = Date.parse(now) - RESOLVED_LOOKBACK_MS;
  const recent = resolved.items.filter((a) => Date.parse(a.stateSince) >= since);
  const active = [...firing.items, ...acked.items];
  const inhibited = inhibitions(active, { childrenOf: childrenOf(snapshot) });
  const views = viewAlerts([...active, ...recent], silences.items.map(compileSilence), inhibited, now);

  const byRoute = new Map<ResolvedRoute, AlertView[]>();
  for (const view of views) {
    for (const route of matchRoutes(root, matchableLabels(view.alert))) {
      byRoute.set(route, [...(byRoute.get(route) ?? []), view]);
    }
  }

  const lastSent = new Map(logs.map((l) => [l.groupId, l]));
  const planned: RoutedNotification[] = [];
  for (const [route, routeViews] of byRoute) {
    const groups = groupAlerts(routeViews, route.groupBy).map((g): AlertGroup => {
      const key = `${route.key}:${g.key}`;
      return { ...g, key, id: sha256Hex(key) };
    });
    for (const p of planNotifications(groups, lastSent, now, route.timing)) planned.push({ ...p, receiver: route.receiver });
  }
  if (planned.length === 0) return EMPTY;

  const notifiers = deps.notifiers ?? new Map();
  const unavailable = [...new Set(planned.filter((p) => !notifiers.has(p.receiver)).map((p) => p.receiver))];
  if (unavailable.length > 0) {
    const seen = reported.get(deps) ?? new Set<string>();
    reported.set(deps, seen);
    for (const name of unavailable) {
      if (seen.has(name)) continue;
      seen.add(name);
      deps.logger.warn('notifications for this receiver are skipped: it is not available in this runtime (see the start-up log)', { receiver: name });
    }
  }
  const deliverable = planned.filter((p) => notifiers.has(p.receiver));
  const delivery = await deliverNotifications(
    {
      alerts: store,
      notifiers,
      deadLetters: deps.deadLetters ?? logOnlyDeadLetters(deps),
      clock: deps.clock,
      logger: deps.logger,
      portalUrl: deps.portalUrl ?? 'http://localhost:3000',
    },
    deliverable,
  );
  for (const id of delivery.sent) {
    const p = deliverable.find((x) => x.groupId === id)!;
    deps.logger.info('notification sent', { receiver: p.receiver, group: p.groupKey, reason: p.reason, firing: p.firing.length, resolved: p.resolved.length });
  }
  return { planned: deliverable.length, delivery, unavailableReceivers: unavailable };
}

function childrenOf(snapshot: MonitoringConfigSnapshot): (system: string) => readonly string[] {
  try {
    const graph = buildSystemGraph(snapshot.config);
    return (system) => graph.systems.get(system)?.members.map((m) => m.name) ?? [];
  } catch {
    return () => [];
  }
}

/** Where failed notifications go when the runtime has no dead-letter store: the log only. */
function logOnlyDeadLetters(deps: MonitoringDeps) {
  return {
    get: async (): Promise<DeadLetter | null> => null,
    record: async (entry: DeadLetter): Promise<void> => {
      deps.logger.error('no dead-letter store: the failed notification is lost', { id: entry.id });
    },
  };
}
