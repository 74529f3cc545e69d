import type { CheckStatus } from '../monitoring/model';
import type { SystemGraph, SystemNode } from './graph';

/** The latest status of one check, as the roll-up reads it. */
export interface CheckStatusInput {
  readonly status: CheckStatus;
  readonly message?: string;
}

/** One check's status inside a node. A check without an input is `unknown` ("no result yet"). */
export interface CheckHealth {
  readonly name: string;
  readonly status: CheckStatus;
  readonly message: string;
}

/** What made a node's status: one of its checks or one of its children. */
export interface Culprit {
  readonly kind: 'check' | 'system' | 'service';
  readonly name: string;
  readonly status: CheckStatus;
}

/**
 * One layer of the roll-up. Every node keeps its own status, its checks' statuses and its
 * children (subsystems, then services), so no intermediate layer is lost. A shared subsystem
 * appears under each parent (the same node object).
 */
export interface HealthNode {
  readonly kind: 'system' | 'service';
  readonly name: string;
  readonly status: CheckStatus;
  /** For people: `ok`, or which child/check made the status, down to the check. */
  readonly reason: string;
  /** The worst contributor; absent when the node is ok or unobserved. */
  readonly culprit?: Culprit;
  /** False when no check exists anywhere below this node: it does not affect its parents. */
  readonly observed: boolean;
  readonly checks: readonly CheckHealth[];
  readonly children: readonly HealthNode[];
  /** Services only: the environments the system includes it in (empty: all). */
  readonly environments?: readonly string[];
}

export interface RollUp {
  /** One tree per root system (a system no other system contains). */
  readonly roots: readonly HealthNode[];
  /** Every system's node by name. */
  readonly systems: ReadonlyMap<string, HealthNode>;
}

const RANK: Record<CheckStatus, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

/** The worse of two statuses: critical > warning > unknown > ok. */
export function worse(a: CheckStatus, b: CheckStatus): CheckStatus {
  return RANK[b] > RANK[a] ? b : a;
}

/**
 * Rolls check statuses up the systems graph. A node's status is the worst of its own checks and
 * its observed children (critical > warning > unknown > ok): a known problem outranks missing
 * knowledge, and missing knowledge (a check without a result, or one that could not evaluate)
 * outranks ok, so "unknown" is never hidden as healthy. Children with no check anywhere below them
 * are `unknown` themselves but are left out of their parents' status, so declaring a service
 * without a check does not degrade the whole system. On ties the first contributor wins (own
 * checks, then subsystems, then services, in declaration order). Pure; expects an acyclic graph
 * (`buildSystemGraph` guarantees it).
 */
export function rollUp(graph: SystemGraph, statuses: ReadonlyMap<string, CheckStatusInput>): RollUp {
  const done = new Map<string, HealthNode>();
  const checkHealth = (name: string): CheckHealth => {
    const input = statuses.get(name);
    return input ? { name, status: input.status, message: input.message ?? '' } : { name, status: 'unknown', message: 'no result yet' };
  };
  const systemNode = (system: SystemNode): HealthNode => {
    const known = done.get(system.name);
    if (known) return known;
    const children: HealthNode[] = [];
    for (const member of system.members) {
      const child = graph.systems.get(member.name);
      if (child) children.push(systemNode(child));
    }
    for (const service of system.services) {
      children.push(combine('service', service.name, service.checks.map(checkHealth), [], service.environments));
    }
    const node = combine('system', system.name, system.checks.map(checkHealth), children);
    done.set(system.name, node);
    return node;
  };
  for (const system of graph.systems.values()) systemNode(system);
  return { roots: graph.roots.map((name) => done.get(name)!), systems: done };
}

function combine(kind: HealthNode['kind'], name: string, checks: CheckHealth[], children: HealthNode[], environments?: readonly string[]): HealthNode {
  const extra = environments ? { environments } : {};
  const observedChildren = children.filter((c) => c.observed);
  if (checks.length === 0 && observedChildren.length === 0) {
    return { kind, name, status: 'unknown', reason: 'not observed: no checks here or below', observed: false, checks, children, ...extra };
  }
  let culprit: Culprit | undefined;
  let reason = '';
  for (const check of checks) {
    if (!culprit || RANK[check.status] > RANK[culprit.status]) {
      culprit = { kind: 'check', name: check.name, status: check.status };
      reason = `check ${check.name} is ${check.status}${check.message ? `: ${check.message}` : ''}`;
    }
  }
  for (const child of observedChildren) {
    if (!culprit || RANK[child.status] > RANK[culprit.status]) {
      culprit = { kind: child.kind, name: child.name, status: child.status };
      reason = `${child.kind === 'system' ? 'subsystem' : 'service'} ${child.name} is ${child.status}: ${child.reason}`;
    }
  }
  const status = culprit!.status;
  if (status === 'ok') {
    const parts = [checks.length > 0 ? `${checks.length} check${checks.length === 1 ? '' : 's'}` : '', observedChildren.length > 0 ? `${observedChildren.length} member${observedChildren.length === 1 ? '' : 's'}` : ''];
    return { kind, name, status, reason: `ok: ${parts.filter(Boolean).join(' and ')} ok`, observed: true, checks, children, ...extra };
  }
  return { kind, name, status, reason, culprit: culprit!, observed: true, checks, children, ...extra };
}
