import { LineCounter, isMap, isScalar, parseAllDocuments, type Node, type YAMLMap } from 'yaml';
import { ValidationError } from '../errors';
import { findCycles, formatCyclePath, resolveMembers } from '../systems/graph';
import {
  CHECK_METRICS,
  CHECK_TYPES,
  COMPARISONS,
  ENVIRONMENT_KINDS,
  PROVIDERS,
  SEVERITIES,
  TIERS,
  type AlertCondition,
  type AlertRuleConfig,
  type CheckConfig,
  type ConfigFile,
  type ConfigIssue,
  type EnvironmentConfig,
  type LabelSelector,
  type SelectorRequirement,
  type ServiceRef,
  type SignalboxConfig,
  type SourceLocation,
  type SystemConfig,
  type Threshold,
} from './model';
import { CHAIN_CHECK_KEYS, CHAIN_THRESHOLDS, readChainCheck } from './chain-checks';
import { placeholderProblem } from './placeholders';
import { Reader, isNull, join, type Fields } from './read';
import { need, opt, readSecondsThreshold, url } from './read-values';
import { finishNotifications, newNotificationsCollector, readNotifications } from './notifications';

/** The parsed config (only the items without issues) and every issue found, in file order. */
export interface ParseConfigResult {
  readonly config: SignalboxConfig;
  readonly issues: readonly ConfigIssue[];
}

/** A config folder with issues; `issues` lists all of them. */
export class ConfigValidationError extends ValidationError {
  constructor(readonly issues: readonly ConfigIssue[]) {
    const first = issues[0];
    super(
      `${issues.length} problem${issues.length === 1 ? '' : 's'} in the config folder:\n${issues.map(formatIssue).join('\n')}`,
      first ? `${first.file}:${first.line}:${first.column} ${first.field}` : null,
      'invalid_config',
    );
  }
}

/** `systems.yaml:12:7 systems[0].subsystems[1]: unknown system "x"`. */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.column} ${issue.field}: ${issue.message}`;
}

const TOP_LEVEL = ['environments', 'systems', 'checks', 'alerts', 'notifications'] as const;

interface Ref {
  readonly kind: 'system' | 'check' | 'environment';
  readonly name: string;
  readonly at: SourceLocation;
  readonly field: string;
}

interface Collected {
  environments: EnvironmentConfig[];
  systems: SystemConfig[];
  checks: CheckConfig[];
  alerts: AlertRuleConfig[];
  refs: Ref[];
  /** Where each system names each member (subsystem entry or its selector), for cycle issues. */
  memberAt: Map<string, { subsystems: Map<string, { at: SourceLocation; field: string }>; selector?: { at: SourceLocation; field: string } }>;
  /** Alert rules whose metric must exist on the named check's type. */
  metricRefs: { check: string; metric: string; at: SourceLocation; field: string }[];
  names: Record<'environment' | 'system' | 'check' | 'alert', Map<string, SourceLocation>>;
}

/**
 * Parses and validates the `signalbox/` config folder. Pure: takes file names and texts, never
 * reads the disk. A file holds one or more YAML documents, each a mapping with any of
 * `environments`, `systems`, `checks`, `alerts` (lists); items merge across files.
 *
 * Reports every problem, not just the first: YAML syntax, unknown keys, wrong types, duplicate
 * names, references to unknown systems/checks/environments (at the referencing line), and system
 * cycles (naming the path, at the entry that closes it). Items with issues are left out of `config`.
 */
export function parseConfig(files: readonly ConfigFile[]): ParseConfigResult {
  const issues: ConfigIssue[] = [];
  const c: Collected = {
    environments: [],
    systems: [],
    checks: [],
    alerts: [],
    refs: [],
    memberAt: new Map(),
    metricRefs: [],
    names: { environment: new Map(), system: new Map(), check: new Map(), alert: new Map() },
  };
  const notifications = newNotificationsCollector();
  for (const file of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const lines = new LineCounter();
    const r = new Reader(file.name, lines, issues);
    const docs = parseAllDocuments(file.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const list = Array.isArray(docs) ? docs : [docs];
    for (const doc of list) {
      if (doc.errors.length > 0) {
        for (const e of doc.errors) issues.push({ ...r.offset(e.pos[0]), field: '', message: `YAML: ${e.message.split('\n')[0]}` });
        continue;
      }
      const root = doc.contents as Node | null;
      if (isNull(root)) continue;
      const map = r.map(root, 'document');
      if (!map) continue;
      const fields = r.fields(map, '', TOP_LEVEL);
      readList(r, fields, 'environments', (node, field) => readEnvironment(r, c, node, field));
      readList(r, fields, 'systems', (node, field) => readSystem(r, c, node, field));
      readList(r, fields, 'checks', (node, field) => readCheck(r, c, node, field));
      readList(r, fields, 'alerts', (node, field) => readAlert(r, c, node, field));
      const notificationsNode = fields.value('notifications');
      if (notificationsNode !== undefined) readNotifications(r, notificationsNode, 'notifications', notifications);
    }
  }
  checkReferences(c, issues);
  checkCycles(c, issues);
  const notify = finishNotifications(notifications, issues);
  return { config: { environments: c.environments, systems: c.systems, checks: c.checks, alerts: c.alerts, ...(notify ? { notifications: notify } : {}) }, issues: sortIssues(issues) };
}

/**
 * Like {@link parseConfig} but for callers that need a valid config.
 *
 * @throws ConfigValidationError listing every issue.
 */
export function loadConfig(files: readonly ConfigFile[]): SignalboxConfig {
  const { config, issues } = parseConfig(files);
  if (issues.length > 0) throw new ConfigValidationError(issues);
  return config;
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => (a.issue.file < b.issue.file ? -1 : a.issue.file > b.issue.file ? 1 : a.issue.line - b.issue.line || a.issue.column - b.issue.column || a.i - b.i))
    .map((x) => x.issue);
}

function readList(r: Reader, fields: Fields, key: string, item: (node: Node | null, field: string) => void): void {
  const node = fields.value(key);
  if (node === undefined) return;
  const seq = r.seq(node, key);
  seq?.items.forEach((entry, i) => item(entry, `${key}[${i}]`));
}

function claimName(r: Reader, c: Collected, kind: keyof Collected['names'], name: string, node: Node | null, field: string): boolean {
  const seen = c.names[kind].get(name);
  if (seen) {
    r.fail(node, field, `${kind} "${name}" is already declared at ${seen.file}:${seen.line}`);
    return false;
  }
  c.names[kind].set(name, r.at(node));
  return true;
}

function ref(r: Reader, c: Collected, kind: Ref['kind'], name: string, node: Node | null, field: string): void {
  c.refs.push({ kind, name, at: r.at(node), field });
}

function readEnvironment(r: Reader, c: Collected, node: Node | null, field: string): void {
  const map = r.map(node, field);
  if (!map) return;
  const before = r.issues.length;
  const f = r.fields(map, field, ['name', 'provider', 'kind', 'regions', 'tier', 'uri', 'components', 'enabled', 'labels', 'accounts'], ['name', 'provider', 'kind']);
  const name = opt(f, 'name', (n) => r.name(n, join(field, 'name')));
  const provider = opt(f, 'provider', (n) => r.oneOf(n, join(field, 'provider'), PROVIDERS));
  const kind = opt(f, 'kind', (n) => r.oneOf(n, join(field, 'kind'), ENVIRONMENT_KINDS));
  const regions = opt(f, 'regions', (n) => r.list(n, join(field, 'regions'), (x, p) => r.string(x, p)));
  const tier = opt(f, 'tier', (n) => r.oneOf(n, join(field, 'tier'), TIERS));
  const uri = opt(f, 'uri', (n) => url(r, n, join(field, 'uri'), ['http:', 'https:']));
  const components = opt(f, 'components', (n) => r.list(n, join(field, 'components'), (x, p) => r.string(x, p)));
  const enabled = opt(f, 'enabled', (n) => r.boolean(n, join(field, 'enabled')));
  const labels = opt(f, 'labels', (n) => r.labels(n, join(field, 'labels')));
  const accounts = opt(f, 'accounts', (n) => r.list(n, join(field, 'accounts'), (x, p) => r.string(x, p)));
  if (name !== undefined && !claimName(r, c, 'environment', name, f.value('name') ?? map, join(field, 'name'))) return;
  if (r.issues.length > before || !name || !provider || !kind) return;
  c.environments.push({
    name,
    provider,
    kind,
    regions: (regions ?? []).map((x) => x.value),
    ...(tier ? { tier } : {}),
    ...(uri ? { uri } : {}),
    components: (components ?? []).map((x) => x.value),
    enabled: enabled ?? true,
    labels: labels ?? {},
    ...(accounts?.length ? { accounts: accounts.map((x) => x.value) } : {}),
    source: r.at(map),
  });
}

function readSystem(r: Reader, c: Collected, node: Node | null, field: string): void {
  const map = r.map(node, field);
  if (!map) return;
  const before = r.issues.length;
  const f = r.fields(map, field, ['name', 'description', 'labels', 'subsystems', 'selector', 'services', 'checks'], ['name']);
  const name = opt(f, 'name', (n) => r.name(n, join(field, 'name')));
  const description = opt(f, 'description', (n) => r.string(n, join(field, 'description')));
  const labels = opt(f, 'labels', (n) => r.labels(n, join(field, 'labels')));
  const subsystems = opt(f, 'subsystems', (n) => r.list(n, join(field, 'subsystems'), (x, p) => r.name(x, p))) ?? [];
  const selector = opt(f, 'selector', (n) => readSelector(r, n, join(field, 'selector')));
  const services = opt(f, 'services', (n) => r.list(n, join(field, 'services'), (x, p) => readServiceRef(r, c, x, p))) ?? [];
  const checks = opt(f, 'checks', (n) => r.list(n, join(field, 'checks'), (x, p) => r.name(x, p))) ?? [];
  if (name === undefined) return;
  if (!claimName(r, c, 'system', name, f.value('name') ?? map, join(field, 'name'))) return;
  const memberAt = { subsystems: new Map<string, { at: SourceLocation; field: string }>() } as {
    subsystems: Map<string, { at: SourceLocation; field: string }>;
    selector?: { at: SourceLocation; field: string };
  };
  subsystems.forEach((s, i) => {
    const p = `${join(field, 'subsystems')}[${i}]`;
    if (s.value === name) r.fail(s.node, p, `system "${name}" cannot contain itself`);
    else if (memberAt.subsystems.has(s.value)) r.fail(s.node, p, `subsystem "${s.value}" is listed twice`);
    else {
      memberAt.subsystems.set(s.value, { at: r.at(s.node), field: p });
      ref(r, c, 'system', s.value, s.node, p);
    }
  });
  checks.forEach((x, i) => ref(r, c, 'check', x.value, x.node, `${join(field, 'checks')}[${i}]`));
  if (selector) memberAt.selector = { at: r.at(f.value('selector')), field: join(field, 'selector') };
  if (r.issues.length > before) return;
  c.memberAt.set(name, memberAt);
  c.systems.push({
    name,
    ...(description ? { description } : {}),
    labels: labels ?? {},
    subsystems: subsystems.map((s) => s.value),
    ...(selector ? { selector } : {}),
    services: services.map((s) => s.value),
    checks: checks.map((x) => x.value),
    source: r.at(map),
  });
}

function readServiceRef(r: Reader, c: Collected, node: Node | null, field: string): ServiceRef | undefined {
  if (isScalar(node)) {
    const name = r.name(node, field);
    return name === undefined ? undefined : { name, environments: [] };
  }
  const map = r.map(node, field);
  if (!map) return undefined;
  const f = r.fields(map, field, ['name', 'environments'], ['name']);
  const name = opt(f, 'name', (n) => r.name(n, join(field, 'name')));
  const envs = opt(f, 'environments', (n) => r.list(n, join(field, 'environments'), (x, p) => r.name(x, p))) ?? [];
  envs.forEach((e, i) => ref(r, c, 'environment', e.value, e.node, `${join(field, 'environments')}[${i}]`));
  return name === undefined ? undefined : { name, environments: envs.map((e) => e.value) };
}

/**
 * `{kind: storage, site: dc1}` (equality), or per key `{in: [...]}`, `{notIn: [...]}`,
 * `{exists: true}` / `{exists: false}`.
 */
function readSelector(r: Reader, node: Node | null, field: string): LabelSelector | undefined {
  const map = r.map(node, field);
  if (!map) return undefined;
  const requirements: SelectorRequirement[] = [];
  let ok = true;
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof key !== 'string') {
      ok = !!r.fail(pair.key as Node, field, `${field}: label keys must be text`, map);
      continue;
    }
    const p = join(field, key);
    const value = pair.value as Node | null;
    if (isMap(value)) {
      const f = r.fields(value as YAMLMap<Node, Node | null>, p, ['in', 'notIn', 'exists']);
      if (f.size !== 1) {
        ok = !!r.fail(value, p, `${p} must have exactly one of in, notIn, exists`);
        continue;
      }
      const [op, entry] = [...f.entries()][0]!;
      if (op === 'exists') {
        const b = r.boolean(entry.value, join(p, 'exists'));
        if (b === undefined) ok = false;
        else requirements.push({ key, operator: b ? 'exists' : 'doesNotExist' });
      } else {
        const values = r.list(entry.value, join(p, op), (x, q) => scalarText(r, x, q));
        if (!values) ok = false;
        else if (values.length === 0) ok = !!r.fail(entry.value, join(p, op), `${join(p, op)} must list at least one value`);
        else requirements.push({ key, operator: op as 'in' | 'notIn', values: values.map((v) => v.value) });
      }
    } else {
      const text = scalarText(r, value, p);
      if (text === undefined) ok = false;
      else requirements.push({ key, operator: 'equals', value: text });
    }
  }
  if (ok && requirements.length === 0) return r.fail(map, field, `${field} must have at least one label requirement`);
  return ok ? { requirements } : undefined;
}

function scalarText(r: Reader, node: Node | null, field: string): string | undefined {
  const v = isScalar(node) ? node.value : undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return r.fail(node, field, `${field} must be a label value (text)`);
}

const COMMON_CHECK_KEYS = ['name', 'type', 'description', 'interval', 'timeout', 'service', 'environment', 'agent', 'labels', 'thresholds'];
const CHECK_KEYS: Record<CheckConfig['type'], string[]> = {
  http: ['url', 'method', 'headers', 'body', 'expect'],
  tcp: ['host', 'port'],
  jsonrpc: ['url', 'method', 'params', 'headers', 'expect'],
  evm: ['url', 'headers', 'expect', 'stalledAfter'],
  ...CHAIN_CHECK_KEYS,
};
const THRESHOLDS: Record<CheckConfig['type'], Record<string, Threshold['direction']>> = {
  http: { latencyMs: 'above', tlsDaysLeft: 'below' },
  tcp: { latencyMs: 'above' },
  jsonrpc: { latencyMs: 'above' },
  evm: { latencyMs: 'above', peers: 'below' },
  ...CHAIN_THRESHOLDS,
};

function readCheck(r: Reader, c: Collected, node: Node | null, field: string): void {
  const map = r.map(node, field);
  if (!map) return;
  const before = r.issues.length;
  const typeNode = map.get('type', true) as Node | undefined;
  const type = typeNode === undefined ? undefined : r.oneOf(typeNode, join(field, 'type'), CHECK_TYPES);
  if (typeNode === undefined) r.fail(map, join(field, 'type'), `${join(field, 'type')} is required (one of ${CHECK_TYPES.join(', ')})`);
  const f = r.fields(map, field, type ? [...COMMON_CHECK_KEYS, ...CHECK_KEYS[type]] : [...COMMON_CHECK_KEYS, ...new Set(Object.values(CHECK_KEYS).flat())], ['name']);
  const name = opt(f, 'name', (n) => r.name(n, join(field, 'name')));
  const description = opt(f, 'description', (n) => r.string(n, join(field, 'description')));
  const interval = opt(f, 'interval', (n) => r.duration(n, join(field, 'interval'), { min: 1 })) ?? 60;
  const timeout = opt(f, 'timeout', (n) => r.duration(n, join(field, 'timeout'), { min: 1 })) ?? Math.min(10, interval);
  if (timeout > interval) r.fail(f.value('timeout') ?? map, join(field, 'timeout'), `${join(field, 'timeout')} (${timeout}s) must not exceed the interval (${interval}s)`);
  const service = opt(f, 'service', (n) => r.name(n, join(field, 'service')));
  const environment = opt(f, 'environment', (n) => r.name(n, join(field, 'environment')));
  if (environment !== undefined) ref(r, c, 'environment', environment, f.value('environment')!, join(field, 'environment'));
  const agent = opt(f, 'agent', (n) => r.name(n, join(field, 'agent')));
  const labels = opt(f, 'labels', (n) => r.labels(n, join(field, 'labels'))) ?? {};
  const thresholds = type ? (opt(f, 'thresholds', (n) => readThresholds(r, n, join(field, 'thresholds'), THRESHOLDS[type])) ?? {}) : {};
  if (name !== undefined && !claimName(r, c, 'check', name, f.value('name') ?? map, join(field, 'name'))) return;
  if (!type || name === undefined) return;
  const base = {
    name,
    ...(description ? { description } : {}),
    intervalSeconds: interval,
    timeoutSeconds: timeout,
    ...(service ? { service } : {}),
    ...(environment ? { environment } : {}),
    ...(agent ? { agent } : {}),
    labels,
    source: r.at(map),
  };
  let check: CheckConfig | undefined;
  if (type === 'http') {
    const u = need(r, f, map, field, 'url', (n, p) => url(r, n, p, ['http:', 'https:']));
    const method = opt(f, 'method', (n) => r.oneOf(n, join(field, 'method'), ['GET', 'HEAD', 'POST'] as const)) ?? 'GET';
    const headers = opt(f, 'headers', (n) => r.labels(n, join(field, 'headers'))) ?? {};
    const body = opt(f, 'body', (n) => r.string(n, join(field, 'body')));
    const expect = opt(f, 'expect', (n) => readHttpExpect(r, n, join(field, 'expect'))) ?? {};
    if (u !== undefined) check = { ...base, type, url: u, method, headers, ...(body ? { body } : {}), ...(expect.status ? { expectStatus: expect.status } : {}), ...(expect.bodyContains !== undefined ? { bodyContains: expect.bodyContains } : {}), ...(expect.bodyMatches !== undefined ? { bodyMatches: expect.bodyMatches } : {}), thresholds };
  } else if (type === 'tcp') {
    const host = need(r, f, map, field, 'host', (n, p) => hostText(r, n, p));
    const port = need(r, f, map, field, 'port', (n, p) => r.number(n, p, { integer: true, min: 1, max: 65_535 }));
    if (host !== undefined && port !== undefined) check = { ...base, type, host, port, thresholds };
  } else if (type === 'jsonrpc') {
    const u = need(r, f, map, field, 'url', (n, p) => url(r, n, p, ['http:', 'https:']));
    const method = need(r, f, map, field, 'method', (n, p) => r.string(n, p));
    const params = opt(f, 'params', (n) => (r.seq(n, join(field, 'params')) ? (n.toJSON() as unknown[]) : undefined)) ?? [];
    const expectNode = f.value('expect');
    let expectResult: unknown;
    let hasExpectResult = false;
    if (expectNode !== undefined) {
      const em = r.map(expectNode, join(field, 'expect'));
      if (em) {
        const ef = r.fields(em, join(field, 'expect'), ['result'], ['result']);
        const e = ef.get('result');
        if (e) {
          expectResult = e.value === null ? null : e.value.toJSON();
          hasExpectResult = true;
        }
      }
    }
    const headers = opt(f, 'headers', (n) => r.labels(n, join(field, 'headers'))) ?? {};
    if (u !== undefined && method !== undefined) check = { ...base, type, url: u, method, params, headers, ...(hasExpectResult ? { expectResult } : {}), hasExpectResult, thresholds };
  } else if (type === 'evm') {
    const u = need(r, f, map, field, 'url', (n, p) => url(r, n, p, ['http:', 'https:', 'ws:', 'wss:']));
    let chainId: number | undefined;
    const expectNode = f.value('expect');
    if (expectNode !== undefined) {
      const em = r.map(expectNode, join(field, 'expect'));
      if (em) chainId = opt(r.fields(em, join(field, 'expect'), ['chainId'], ['chainId']), 'chainId', (n) => r.number(n, join(field, 'expect.chainId'), { integer: true, min: 0 }));
    }
    const headers = opt(f, 'headers', (n) => r.labels(n, join(field, 'headers'))) ?? {};
    const stalled = opt(f, 'stalledAfter', (n) => readSecondsThreshold(r, n, join(field, 'stalledAfter')));
    if (u !== undefined) check = { ...base, type, url: u, headers, ...(chainId !== undefined ? { chainId } : {}), ...(stalled ? { stalledAfterSeconds: stalled } : {}), thresholds };
  } else {
    check = readChainCheck(r, f, map, field, base, type, thresholds);
  }
  if (check && r.issues.length === before) c.checks.push(check);
}


function readHttpExpect(r: Reader, node: Node, field: string): { status?: number[]; bodyContains?: string; bodyMatches?: string } | undefined {
  const map = r.map(node, field);
  if (!map) return undefined;
  const f = r.fields(map, field, ['status', 'bodyContains', 'bodyMatches']);
  const statusNode = f.value('status');
  let status: number[] | undefined;
  if (statusNode !== undefined) {
    if (isScalar(statusNode)) {
      const n = r.number(statusNode, join(field, 'status'), { integer: true, min: 100, max: 599 });
      if (n !== undefined) status = [n];
    } else {
      status = r.list(statusNode, join(field, 'status'), (x, p) => r.number(x, p, { integer: true, min: 100, max: 599 }))?.map((x) => x.value);
    }
  }
  const bodyContains = opt(f, 'bodyContains', (n) => r.string(n, join(field, 'bodyContains')));
  const bodyMatches = opt(f, 'bodyMatches', (n) => {
    const text = r.string(n, join(field, 'bodyMatches'));
    if (text === undefined) return undefined;
    try {
      new RegExp(text);
      return text;
    } catch (error) {
      return r.fail(n, join(field, 'bodyMatches'), `${join(field, 'bodyMatches')} is not a valid regular expression: ${(error as Error).message}`);
    }
  });
  return { ...(status ? { status } : {}), ...(bodyContains !== undefined ? { bodyContains } : {}), ...(bodyMatches !== undefined ? { bodyMatches } : {}) };
}

function readThresholds(r: Reader, node: Node, field: string, known: Record<string, Threshold['direction']>): Record<string, Threshold> | undefined {
  const map = r.map(node, field);
  if (!map) return undefined;
  const f = r.fields(map, field, Object.keys(known));
  const out: Record<string, Threshold> = {};
  for (const [metric, entry] of f) {
    const p = join(field, metric);
    const m = r.map(entry.value, p, entry.key);
    if (!m) continue;
    const tf = r.fields(m, p, ['warning', 'critical']);
    const warning = opt(tf, 'warning', (n) => r.number(n, join(p, 'warning'), { min: 0 }));
    const critical = opt(tf, 'critical', (n) => r.number(n, join(p, 'critical'), { min: 0 }));
    if (!tf.has('warning') && !tf.has('critical')) {
      r.fail(m, p, `${p} needs warning and/or critical`);
      continue;
    }
    const direction = known[metric]!;
    if (warning !== undefined && critical !== undefined && (direction === 'above' ? warning > critical : warning < critical)) {
      r.fail(tf.value('warning')!, join(p, 'warning'), `${join(p, 'warning')} (${warning}) must be ${direction === 'above' ? 'at most' : 'at least'} critical (${critical}): ${metric} is bad when ${direction === 'above' ? 'high' : 'low'}`);
      continue;
    }
    out[metric] = { direction, ...(warning !== undefined ? { warning } : {}), ...(critical !== undefined ? { critical } : {}) };
  }
  return out;
}

function readAlert(r: Reader, c: Collected, node: Node | null, field: string): void {
  const map = r.map(node, field);
  if (!map) return;
  const before = r.issues.length;
  const f = r.fields(map, field, ['name', 'severity', 'condition', 'for', 'resolveAfter', 'labels', 'summary', 'description', 'system'], ['name', 'severity', 'condition']);
  const name = opt(f, 'name', (n) => r.name(n, join(field, 'name')));
  const severity = opt(f, 'severity', (n) => r.oneOf(n, join(field, 'severity'), SEVERITIES));
  const condition = opt(f, 'condition', (n) => readCondition(r, c, n, join(field, 'condition')));
  const forSeconds = opt(f, 'for', (n) => r.duration(n, join(field, 'for'))) ?? 0;
  if (condition?.kind === 'event' && f.value('for') !== undefined) r.fail(f.value('for')!, join(field, 'for'), `${join(field, 'for')} applies to check and metric conditions, not to events`);
  const resolveAfter = opt(f, 'resolveAfter', (n) => r.duration(n, join(field, 'resolveAfter'), { min: 1 }));
  if (condition && condition.kind !== 'event' && resolveAfter !== undefined) r.fail(f.value('resolveAfter')!, join(field, 'resolveAfter'), `${join(field, 'resolveAfter')} applies to event conditions; check and metric alerts resolve when the condition clears`);
  const labels = opt(f, 'labels', (n) => r.labels(n, join(field, 'labels'))) ?? {};
  const summary = opt(f, 'summary', (n) => r.string(n, join(field, 'summary')));
  const description = opt(f, 'description', (n) => r.string(n, join(field, 'description')));
  const system = opt(f, 'system', (n) => r.name(n, join(field, 'system')));
  if (system !== undefined) ref(r, c, 'system', system, f.value('system')!, join(field, 'system'));
  if (name !== undefined && !claimName(r, c, 'alert', name, f.value('name') ?? map, join(field, 'name'))) return;
  if (r.issues.length > before || name === undefined || !severity || !condition) return;
  c.alerts.push({
    name,
    severity,
    condition,
    forSeconds,
    ...(resolveAfter !== undefined ? { resolveAfterSeconds: resolveAfter } : {}),
    labels,
    ...(summary ? { summary } : {}),
    ...(description ? { description } : {}),
    ...(system ? { system } : {}),
    source: r.at(map),
  });
}

const EVENT_TYPE = /^dev\.cdevents(x)?\.[a-z0-9-]+(\.[a-z0-9-]+)*(\.\*|\*)?$|^dev\.cdevents(x)?\.\*$/;

/**
 * `{check: api-health, status: critical}`, `{check: besu-rpc, metric: peers, op: '<', value: 2}`
 * or `{event: [dev.cdevents.service.rolledback.*], match: {environment: prod}}`.
 */
function readCondition(r: Reader, c: Collected, node: Node, field: string): AlertCondition | undefined {
  const map = r.map(node, field);
  if (!map) return undefined;
  const isEvent = map.has('event');
  const isMetric = map.has('metric');
  if (isEvent) {
    const f = r.fields(map, field, ['event', 'match'], ['event']);
    const ev = f.value('event');
    const before = r.issues.length;
    const types = ev === undefined ? undefined : isScalar(ev) ? [eventType(r, ev, join(field, 'event'))] : r.list(ev, join(field, 'event'), (x, p) => eventType(r, x, p))?.map((t) => t.value);
    const match = opt(f, 'match', (n) => r.labels(n, join(field, 'match'))) ?? {};
    if (!types || r.issues.length > before) return undefined;
    if (types.length === 0) return r.fail(ev!, join(field, 'event'), `${join(field, 'event')} must name at least one event type`);
    return { kind: 'event', types: types as string[], match };
  }
  if (isMetric) {
    const f = r.fields(map, field, ['check', 'metric', 'op', 'value'], ['check', 'metric', 'op', 'value']);
    const check = opt(f, 'check', (n) => r.name(n, join(field, 'check')));
    const metric = opt(f, 'metric', (n) => r.string(n, join(field, 'metric')));
    const op = opt(f, 'op', (n) => r.oneOf(n, join(field, 'op'), COMPARISONS));
    const value = opt(f, 'value', (n) => r.number(n, join(field, 'value')));
    if (check !== undefined) ref(r, c, 'check', check, f.value('check')!, join(field, 'check'));
    if (check !== undefined && metric !== undefined) c.metricRefs.push({ check, metric, at: r.at(f.value('metric')), field: join(field, 'metric') });
    if (check === undefined || metric === undefined || op === undefined || value === undefined) return undefined;
    return { kind: 'metric', check, metric, op, value };
  }
  if (!map.has('check')) return r.fail(map, field, `${field} needs one of: check (+ status), check + metric + op + value, or event`);
  const f = r.fields(map, field, ['check', 'status'], ['check']);
  const check = opt(f, 'check', (n) => r.name(n, join(field, 'check')));
  const status = opt(f, 'status', (n) => r.oneOf(n, join(field, 'status'), ['warning', 'critical', 'unknown'] as const)) ?? 'critical';
  if (check === undefined) return undefined;
  ref(r, c, 'check', check, f.value('check')!, join(field, 'check'));
  return { kind: 'check', check, status };
}

function eventType(r: Reader, node: Node | null, field: string): string | undefined {
  return r.string(node, field, { pattern: EVENT_TYPE, patternText: 'a CDEvents type such as dev.cdevents.service.rolledback.0.3.0 (a trailing * matches a prefix)' });
}


function hostText(r: Reader, node: Node, field: string): string | undefined {
  const text = r.string(node, field);
  if (text === undefined) return undefined;
  const problem = placeholderProblem(text);
  if (problem) return r.fail(node, field, `${field}: ${problem}`);
  if (/[\s/:]/.test(text.replace(/\$\{[A-Z0-9_]+\}/g, 'x')) && !/^\[[0-9a-fA-F:]+\]$/.test(text)) return r.fail(node, field, `${field}: "${text}" is not a host name or address`);
  return text;
}



function checkReferences(c: Collected, issues: ConfigIssue[]): void {
  const known = { system: c.names.system, check: c.names.check, environment: c.names.environment };
  for (const ref of c.refs) {
    if (!known[ref.kind].has(ref.name)) issues.push({ ...ref.at, field: ref.field, message: `unknown ${ref.kind} "${ref.name}"${suggest(ref.name, known[ref.kind])}` });
  }
  const types = new Map(c.checks.map((x) => [x.name, x.type]));
  for (const m of c.metricRefs) {
    const type = types.get(m.check);
    if (type && !CHECK_METRICS[type].includes(m.metric)) {
      issues.push({ ...m.at, field: m.field, message: `a ${type} check has no metric "${m.metric}"; it has ${CHECK_METRICS[type].join(', ')}` });
    }
  }
}

function suggest(name: string, known: ReadonlyMap<string, unknown>): string {
  const close = [...known.keys()].find((k) => k.includes(name) || name.includes(k));
  return close ? ` (did you mean "${close}"?)` : '';
}

function checkCycles(c: Collected, issues: ConfigIssue[]): void {
  const members = resolveMembers(c.systems);
  for (const cycle of findCycles(c.systems.map((s) => s.name), members)) {
    const where = c.memberAt.get(cycle.from);
    const at = cycle.via === 'subsystems' ? where?.subsystems.get(cycle.to) : where?.selector;
    const loc = at ?? { at: c.systems.find((s) => s.name === cycle.from)!.source, field: `systems.${cycle.from}` };
    issues.push({ ...loc.at, field: loc.field, message: `systems contain each other: ${formatCyclePath(cycle.path)}${cycle.via === 'selector' ? ` (${cycle.from} selects ${cycle.to} by its labels)` : ''}` });
  }
}
