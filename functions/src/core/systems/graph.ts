import { ValidationError } from '../errors';
import type { CheckConfig, LabelSelector, Labels, SelectorRequirement, SignalboxConfig, SystemConfig } from '../config/model';

/** Why a system is a member of another: listed in `subsystems`, or matched by its `selector`. */
export type MembershipVia = 'subsystems' | 'selector';

export interface SystemMember {
  readonly name: string;
  readonly via: MembershipVia;
}

/** A service inside a system, with the checks that observe it. */
export interface ServiceNode {
  readonly name: string;
  readonly environments: readonly string[];
  readonly checks: readonly string[];
}

/** One system with its resolved members (static and selector ones, in declaration order). */
export interface SystemNode {
  readonly name: string;
  readonly labels: Labels;
  readonly members: readonly SystemMember[];
  readonly services: readonly ServiceNode[];
  readonly checks: readonly string[];
}

/**
 * The systems graph, top down and acyclic: `systems` by name, `roots` the systems no other system
 * contains (declaration order). A system contained by several systems appears once here and under
 * each of its parents in a roll-up.
 */
export interface SystemGraph {
  readonly systems: ReadonlyMap<string, SystemNode>;
  readonly roots: readonly string[];
}

/** Whether `labels` satisfy every requirement of `selector` (an empty selector matches nothing). */
export function matchesSelector(selector: LabelSelector, labels: Labels): boolean {
  if (selector.requirements.length === 0) return false;
  return selector.requirements.every((r) => matchesRequirement(r, labels));
}

function matchesRequirement(r: SelectorRequirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'equals':
      return value === r.value;
    case 'in':
      return value !== undefined && r.values.includes(value);
    case 'notIn':
      // As in Kubernetes: a missing key satisfies NotIn.
      return value === undefined || !r.values.includes(value);
    case 'exists':
      return has;
    case 'doesNotExist':
      return !has;
  }
}

/**
 * Members of every system: its `subsystems` first, then every other system its selector matches
 * (declaration order, without duplicates). Names that do not exist are kept; the parser reports them.
 */
export function resolveMembers(systems: readonly SystemConfig[]): Map<string, SystemMember[]> {
  const out = new Map<string, SystemMember[]>();
  for (const system of systems) {
    const members: SystemMember[] = [];
    const seen = new Set<string>();
    for (const name of system.subsystems) {
      if (seen.has(name)) continue;
      seen.add(name);
      members.push({ name, via: 'subsystems' });
    }
    if (system.selector) {
      for (const other of systems) {
        if (other.name === system.name || seen.has(other.name)) continue;
        if (matchesSelector(system.selector, other.labels)) {
          seen.add(other.name);
          members.push({ name: other.name, via: 'selector' });
        }
      }
    }
    out.set(system.name, members);
  }
  return out;
}

/** A cycle as a path that starts and ends with the same system, and the edge that closes it. */
export interface SystemCycle {
  readonly path: readonly string[];
  /** The system whose membership closes the cycle (the path's second-to-last entry). */
  readonly from: string;
  readonly to: string;
  readonly via: MembershipVia;
}

/**
 * Every distinct cycle reachable by a depth-first walk, each reported once at the edge that closes
 * it (`a → b → c → a`). Edges to unknown systems are ignored. Deterministic: declaration order.
 */
export function findCycles(order: readonly string[], members: ReadonlyMap<string, readonly SystemMember[]>): SystemCycle[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: SystemCycle[] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const member of members.get(name) ?? []) {
      if (!members.has(member.name)) continue;
      const s = state.get(member.name);
      if (s === 'visiting') {
        const start = stack.indexOf(member.name);
        cycles.push({ path: [...stack.slice(start), member.name], from: name, to: member.name, via: member.via });
      } else if (s === undefined) {
        visit(member.name);
      }
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of order) if (!state.has(name)) visit(name);
  return cycles;
}

/** `a → b → a`, the way cycle errors name a path. */
export function formatCyclePath(path: readonly string[]): string {
  return path.join(' → ');
}

/**
 * Builds the systems graph from a parsed config. Services collect the checks that name them
 * (`check.service`), restricted to the service's environments when it lists some.
 *
 * @throws ValidationError (`system_cycle`, field `systems.<name>.subsystems`) naming the cycle
 *   path when systems contain each other; `parseConfig` reports the same as a config issue first.
 */
export function buildSystemGraph(config: Pick<SignalboxConfig, 'systems' | 'checks'>): SystemGraph {
  const members = resolveMembers(config.systems);
  const order = config.systems.map((s) => s.name);
  const cycles = findCycles(order, members);
  if (cycles.length > 0) {
    const c = cycles[0]!;
    throw new ValidationError(`systems contain each other: ${formatCyclePath(c.path)}`, `systems.${c.from}.${c.via}`, 'system_cycle');
  }
  const systems = new Map<string, SystemNode>();
  const contained = new Set<string>();
  for (const system of config.systems) {
    const known = (members.get(system.name) ?? []).filter((m) => members.has(m.name));
    for (const m of known) contained.add(m.name);
    systems.set(system.name, {
      name: system.name,
      labels: system.labels,
      members: known,
      services: system.services.map((ref) => ({
        name: ref.name,
        environments: ref.environments,
        checks: checksOfService(config.checks, ref.name, ref.environments),
      })),
      checks: system.checks,
    });
  }
  return { systems, roots: order.filter((n) => !contained.has(n)) };
}

function checksOfService(checks: readonly CheckConfig[], service: string, environments: readonly string[]): string[] {
  return checks
    .filter((c) => c.service === service && (environments.length === 0 || c.environment === undefined || environments.includes(c.environment)))
    .map((c) => c.name);
}
