import type { RouteConfig } from '../config/model';
import { ValidationError } from '../errors';
import type { NotificationTiming } from './model';
import type { GroupBy } from './notifications';
import { compileMatcher, matchesAll, type CompiledMatcher } from './silences';

/** Alertmanager's defaults, used where no route up the tree sets a value. */
export const DEFAULT_ROUTE_TIMING: NotificationTiming = { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3_600_000 };
/** Default `groupBy` of the root route: one group per alert rule. */
export const DEFAULT_GROUP_BY: GroupBy = ['alertname'];

/** A route with everything inherited filled in and its matchers compiled. */
export interface ResolvedRoute {
  /**
   * Stable identity of the route: the matcher path from the root, as Alertmanager prints it
   * (`{}` for the root, `{}/{team="payments"}` below it); a sibling with the same matchers gets
   * `#<index>`. Prefixes group keys, so two routes never share a notification log.
   */
  key: string;
  receiver: string;
  groupBy: GroupBy;
  timing: NotificationTiming;
  matchers: CompiledMatcher[];
  continue: boolean;
  routes: ResolvedRoute[];
}

function matcherText(matchers: readonly CompiledMatcher[]): string {
  return `{${matchers.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`).join(',')}}`;
}

/**
 * Resolves the routing tree: each route inherits `receiver`, `groupBy` and the three timings from
 * its parent (the root from the defaults), matchers are compiled. Pure.
 *
 * @throws ValidationError (field `receiver`) when the root has none; ValidationError for a bad
 *   matcher or inconsistent timing (the config parser reports these first, with file and line).
 */
export function resolveRouteTree(route: RouteConfig): ResolvedRoute {
  if (!route.receiver) throw new ValidationError('the root route needs a receiver', 'receiver');
  return resolve(route, null, '{}', 'route');
}

function resolve(route: RouteConfig, parent: ResolvedRoute | null, key: string, field: string): ResolvedRoute {
  const timing: NotificationTiming = {
    groupWaitMs: route.groupWaitSeconds !== undefined ? route.groupWaitSeconds * 1000 : (parent?.timing.groupWaitMs ?? DEFAULT_ROUTE_TIMING.groupWaitMs),
    groupIntervalMs:
      route.groupIntervalSeconds !== undefined ? route.groupIntervalSeconds * 1000 : (parent?.timing.groupIntervalMs ?? DEFAULT_ROUTE_TIMING.groupIntervalMs),
    repeatIntervalMs:
      route.repeatIntervalSeconds !== undefined ? route.repeatIntervalSeconds * 1000 : (parent?.timing.repeatIntervalMs ?? DEFAULT_ROUTE_TIMING.repeatIntervalMs),
  };
  if (timing.repeatIntervalMs < timing.groupIntervalMs) throw new ValidationError('must be at least groupInterval', `${field}.repeatInterval`);
  const resolved: ResolvedRoute = {
    key,
    receiver: route.receiver ?? parent!.receiver,
    groupBy: route.groupBy ?? parent?.groupBy ?? DEFAULT_GROUP_BY,
    timing,
    matchers: route.matchers.map((m, i) => compileMatcher(m, `${field}.matchers[${i}]`)),
    continue: route.continue,
    routes: [],
  };
  const seen = new Set<string>();
  route.routes.forEach((child, i) => {
    let childKey = `${key}/${matcherText(child.matchers.map((m, j) => compileMatcher(m, `${field}.routes[${i}].matchers[${j}]`)))}`;
    if (seen.has(childKey)) childKey = `${childKey}#${i}`;
    seen.add(childKey);
    resolved.routes.push(resolve(child, resolved, childKey, `${field}.routes[${i}]`));
  });
  return resolved;
}

/**
 * The routes an alert goes to (Alertmanager semantics): the root takes every alert; below a route
 * that matched, the children are tried in order, a matching child's own matches replace the
 * parent, and the search stops at the first matching child unless that child has `continue`.
 * When no child matches, the route itself is the result. `labels` are the alert's labels plus the
 * `severity` pseudo-label (`matchableLabels`). Pure.
 */
export function matchRoutes(root: ResolvedRoute, labels: Readonly<Record<string, string>>): ResolvedRoute[] {
  return matchBelow(root, labels);
}

function matchBelow(route: ResolvedRoute, labels: Readonly<Record<string, string>>): ResolvedRoute[] {
  const out: ResolvedRoute[] = [];
  for (const child of route.routes) {
    if (!matchesAll(child.matchers, labels)) continue;
    out.push(...matchBelow(child, labels));
    if (!child.continue) break;
  }
  return out.length > 0 ? out : [route];
}

/** Every route of the tree, depth first (root first). Pure. */
export function flattenRoutes(root: ResolvedRoute): ResolvedRoute[] {
  return [root, ...root.routes.flatMap(flattenRoutes)];
}
