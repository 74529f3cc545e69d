import { belowThreshold, conclude, failed, latencyFinding, type Finding } from '../evaluate';
import type { CheckResult, FireflyCheckSpec, FireflyOutcome, FireflyStatus } from '../model';

/** Plugin kinds FireFly reports under `plugins` in its status document. */
export const FIREFLY_PLUGIN_KINDS = ['blockchain', 'database', 'dataExchange', 'events', 'identity', 'sharedStorage', 'tokens'] as const;

function record(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function flag(v: unknown): boolean | null {
  return typeof v === 'boolean' ? v : null;
}

/**
 * Reads a FireFly status document (`GET /api/v1/status` or a namespace's status): `namespace.name`,
 * `node.{name, registered}`, `org.{name, registered}`, `plugins.{kind: [{name, pluginType}]}` and
 * `multiparty.enabled`. Returns null when the value is not an object with at least one of `node`,
 * `org`, `plugins` or `namespace` (an error body, some other service).
 */
export function parseFireflyStatus(body: unknown): FireflyStatus | null {
  const doc = record(body);
  if (!doc || !(['node', 'org', 'plugins', 'namespace'] as const).some((k) => record(doc[k]))) return null;
  const node = record(doc.node);
  const org = record(doc.org);
  const plugins: Record<string, number> = {};
  for (const [kind, list] of Object.entries(record(doc.plugins) ?? {})) {
    if (Array.isArray(list)) plugins[kind] = list.length;
  }
  const multiparty = record(doc.multiparty);
  return {
    namespace: text(record(doc.namespace)?.name),
    nodeName: text(node?.name),
    nodeRegistered: flag(node?.registered),
    orgName: text(org?.name),
    orgRegistered: flag(org?.registered),
    plugins,
    multiparty: multiparty ? flag(multiparty.enabled) ?? false : null,
  };
}

/**
 * Reads `GET /api/v1/namespaces`: a list of `{ name, networkName, description, created }`.
 * Returns null when it is not a list of objects with names.
 */
export function parseFireflyNamespaces(body: unknown): string[] | null {
  if (!Array.isArray(body)) return null;
  const names = body.map((n) => text(record(n)?.name));
  return names.every((n): n is string => n !== null) ? names : null;
}

/** Registration problems of a multiparty status (none in gateway mode or when not said). */
function registrationFindings(s: FireflyStatus, where: string): Finding[] {
  if (s.multiparty !== true) return [];
  const out: Finding[] = [];
  if (s.orgRegistered === false) out.push({ status: 'warning', reason: `${where}: org ${s.orgName ?? '(unnamed)'} not registered` });
  if (s.nodeRegistered === false) out.push({ status: 'warning', reason: `${where}: node ${s.nodeName ?? '(unnamed)'} not registered` });
  return out;
}

/**
 * Evaluates a FireFly collection. Critical: the status API unreachable or not answering a status
 * document, a required plugin kind absent, a required namespace missing or not answering. Warning:
 * another listed namespace not answering, the namespace list unavailable, an org or node not
 * registered in a multiparty namespace. `minNamespaces` and `latencyMs` by their limits.
 *
 * Metrics: `namespaces`, `namespaces_ok`, `namespaces_failing`, `plugins`, `multiparty`,
 * `node_registered`, `org_registered` (1/0, when said), `latency_ms`.
 */
export function evaluateFirefly(spec: FireflyCheckSpec, outcome: FireflyOutcome, checkedAt: string): CheckResult {
  if (!outcome.reachable) return failed(outcome, spec.url, checkedAt);
  const metrics: Record<string, number> = { latency_ms: Math.round(outcome.durationMs) };
  const findings: Finding[] = [latencyFinding(outcome.durationMs, spec.latencyMs)];
  const s = outcome.status;
  if (!s) {
    findings.push({ status: 'critical', reason: `status API: ${outcome.statusError ?? 'no status document'}` });
  } else {
    metrics.plugins = Object.values(s.plugins).reduce((a, b) => a + b, 0);
    if (s.multiparty !== null) metrics.multiparty = s.multiparty ? 1 : 0;
    if (s.nodeRegistered !== null) metrics.node_registered = s.nodeRegistered ? 1 : 0;
    if (s.orgRegistered !== null) metrics.org_registered = s.orgRegistered ? 1 : 0;
    const missing = (spec.plugins ?? []).filter((kind) => !(s.plugins[kind]! > 0));
    if (missing.length > 0) findings.push({ status: 'critical', reason: `plugins missing: ${missing.join(', ')}` });
    findings.push(...registrationFindings(s, `namespace ${s.namespace ?? 'default'}`));
  }

  const required = new Set(spec.namespaces ?? []);
  if (outcome.namespaces === null) {
    findings.push({ status: required.size > 0 ? 'critical' : 'warning', reason: `namespaces API: ${outcome.namespacesError ?? 'no namespace list'}` });
  } else {
    metrics.namespaces = outcome.namespaces.length;
    const absent = [...required].filter((n) => !outcome.namespaces!.includes(n));
    if (absent.length > 0) findings.push({ status: 'critical', reason: `namespaces missing: ${absent.join(', ')}` });
    if (spec.minNamespaces) {
      const st = belowThreshold(outcome.namespaces.length, spec.minNamespaces);
      findings.push({ status: st, reason: `${outcome.namespaces.length} namespaces, below ${st === 'critical' ? spec.minNamespaces.critical : spec.minNamespaces.warning}` });
    }
  }
  let ok = 0;
  for (const p of outcome.namespaceProbes) {
    if (!p.ok) {
      findings.push({ status: required.has(p.name) ? 'critical' : 'warning', reason: `namespace ${p.name} not answering: ${p.error ?? 'no status document'}` });
      continue;
    }
    ok++;
    // The node-wide status already covers its own (default) namespace.
    if (p.status && p.status.namespace !== s?.namespace) findings.push(...registrationFindings(p.status, `namespace ${p.name}`));
  }
  metrics.namespaces_ok = ok;
  metrics.namespaces_failing = outcome.namespaceProbes.length - ok;

  const who = s?.nodeName ? `node ${s.nodeName}` : 'FireFly';
  const pluginsText = s ? `${metrics.plugins} plugins` : '';
  return conclude(findings, `${who}: ${ok} namespaces answering, ${pluginsText}${s?.multiparty ? ', multiparty' : ''}`, metrics, outcome.durationMs, checkedAt);
}
