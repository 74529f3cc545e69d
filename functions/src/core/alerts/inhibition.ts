import { ALERT_LABELS, type Alert, type AlertSeverity } from './model';

export interface InhibitionOptions {
  /** The direct subsystems of a system (the top-down system graph; no parent pointers). */
  childrenOf: (system: string) => readonly string[];
  /** Severities of a parent alert that inhibit; default `['critical']` ("the system is down"). */
  sourceSeverities?: readonly AlertSeverity[];
  /** Labels that must be equal on parent and child (absent reads as ''); default `['environment']`. */
  equal?: readonly string[];
  /** The label naming an alert's system; default `system`. */
  systemLabel?: string;
}

/** Every system below `system` (transitively), without `system` itself; cycle-safe. Pure. */
export function descendants(system: string, childrenOf: (system: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...childrenOf(system)];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (next === system || seen.has(next)) continue;
    seen.add(next);
    queue.push(...childrenOf(next));
  }
  return seen;
}

/**
 * Which active alerts are inhibited, and by which: an active (firing or acknowledged) alert with
 * an inhibiting severity on system P inhibits every active alert on a system below P (any depth)
 * whose `equal` labels have the same values. An alert never inhibits one on its own system, so
 * two alerts cannot inhibit each other unless the system graph has a cycle (a config error).
 * Silenced parents still inhibit (the parent is down whether or not anyone is told). Returns
 * fingerprint → inhibiting fingerprints (sorted); alerts not inhibited are absent. Pure.
 */
export function inhibitions(alerts: readonly Alert[], options: InhibitionOptions): Map<string, string[]> {
  const systemLabel = options.systemLabel ?? ALERT_LABELS.system;
  const severities = options.sourceSeverities ?? ['critical'];
  const equal = options.equal ?? [ALERT_LABELS.environment];
  const active = alerts.filter((a) => a.state !== 'resolved' && a.labels[systemLabel] !== undefined);
  const result = new Map<string, string[]>();
  const below = new Map<string, Set<string>>();
  for (const source of active) {
    if (!severities.includes(source.severity)) continue;
    const parent = source.labels[systemLabel]!;
    if (!below.has(parent)) below.set(parent, descendants(parent, options.childrenOf));
    const children = below.get(parent)!;
    for (const target of active) {
      const system = target.labels[systemLabel]!;
      if (target.fingerprint === source.fingerprint || system === parent || !children.has(system)) continue;
      if (!equal.every((name) => (target.labels[name] ?? '') === (source.labels[name] ?? ''))) continue;
      result.set(target.fingerprint, [...(result.get(target.fingerprint) ?? []), source.fingerprint]);
    }
  }
  for (const [fp, sources] of result) result.set(fp, [...new Set(sources)].sort());
  return result;
}
