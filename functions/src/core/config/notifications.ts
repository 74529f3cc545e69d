import { isMap, isScalar, type Node, type YAMLMap } from 'yaml';
import { compileMatcher } from '../alerts/silences';
import { ValidationError } from '../errors';
import {
  RECEIVER_TYPES,
  type ConfigIssue,
  type NotificationsConfig,
  type ReceiverConfig,
  type RouteConfig,
  type RouteMatcherConfig,
  type SourceLocation,
} from './model';
import { join, type Reader } from './read';
import { url as readUrl } from './read-values';

/** What the `notifications:` sections of all files add up to while parsing. */
export interface NotificationsCollector {
  receivers: ReceiverConfig[];
  receiverNames: Map<string, SourceLocation>;
  route?: RouteConfig;
  routeAt?: SourceLocation;
  /** Receiver names routes use, checked once every file is read. */
  receiverRefs: { name: string; at: SourceLocation; field: string }[];
  /** Whether any file had a `notifications` section. */
  seen: boolean;
}

export function newNotificationsCollector(): NotificationsCollector {
  return { receivers: [], receiverNames: new Map(), receiverRefs: [], seen: false };
}

const SECRET_NAME = /^[A-Za-z0-9_.@+=-]+$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TOPIC_ARN = /^(arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?|\$\{[A-Z0-9_]+\})$/;
const MATCHER_TEXT = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

/**
 * Reads one `notifications:` mapping: `receivers` (name, type webhook|slack|sns, url, secret,
 * topicArn) and `route` (Alertmanager-like tree: receiver, groupBy, groupWait, groupInterval,
 * repeatInterval, matchers, continue, routes). Issues are recorded on `r`; valid parts go to `c`.
 */
export function readNotifications(r: Reader, node: Node | null, field: string, c: NotificationsCollector): void {
  c.seen = true;
  const map = r.map(node, field);
  if (!map) return;
  const f = r.fields(map, field, ['receivers', 'route']);
  const receivers = f.value('receivers');
  if (receivers !== undefined) {
    const seq = r.seq(receivers, join(field, 'receivers'));
    seq?.items.forEach((item, i) => readReceiver(r, c, item, `${join(field, 'receivers')}[${i}]`));
  }
  const route = f.value('route');
  if (route !== undefined) {
    const p = join(field, 'route');
    if (c.route !== undefined || c.routeAt !== undefined) {
      const at = c.routeAt!;
      r.fail(route, p, `${p} is already declared at ${at.file}:${at.line} (one routing tree per config folder)`);
      return;
    }
    c.routeAt = r.at(route);
    const before = r.issues.length;
    const parsed = readRoute(r, c, route, p, true);
    if (parsed && r.issues.length === before) c.route = parsed;
  }
}

function readReceiver(r: Reader, c: NotificationsCollector, node: Node | null, field: string): void {
  const map = r.map(node, field);
  if (!map) return;
  const before = r.issues.length;
  const f = r.fields(map, field, ['name', 'type', 'url', 'secret', 'topicArn'], ['name', 'type']);
  const name = opt(f.value('name'), (n) => r.name(n, join(field, 'name')));
  const type = opt(f.value('type'), (n) => r.oneOf(n, join(field, 'type'), RECEIVER_TYPES));
  const urlNode = f.value('url');
  const secretNode = f.value('secret');
  const topicNode = f.value('topicArn');
  let url: string | undefined;
  let secret: string | undefined;
  let topicArn: string | undefined;
  if (type === 'webhook' || type === 'slack') {
    if (urlNode === undefined || urlNode === null) r.fail(map, join(field, 'url'), `${join(field, 'url')} is required for a ${type} receiver`);
    else url = readUrl(r, urlNode, join(field, 'url'), ['http:', 'https:']);
    if (topicNode !== undefined) r.fail(topicNode, join(field, 'topicArn'), `${join(field, 'topicArn')} applies to sns receivers only`);
  }
  if (type === 'webhook' && secretNode !== undefined) {
    secret = r.string(secretNode, join(field, 'secret'), { pattern: SECRET_NAME, patternText: 'a secret name (letters, digits and _ . @ + = -)', max: 256 });
  } else if (type !== undefined && type !== 'webhook' && secretNode !== undefined) {
    r.fail(secretNode, join(field, 'secret'), `${join(field, 'secret')} applies to webhook receivers only (a Slack URL carries its own token)`);
  }
  if (type === 'sns') {
    if (topicNode === undefined) r.fail(map, join(field, 'topicArn'), `${join(field, 'topicArn')} is required for an sns receiver`);
    else topicArn = r.string(topicNode, join(field, 'topicArn'), { pattern: TOPIC_ARN, patternText: 'an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>) or a ${NAME} placeholder' });
    if (urlNode !== undefined) r.fail(urlNode, join(field, 'url'), `${join(field, 'url')} applies to webhook and slack receivers; sns uses topicArn`);
  }
  if (name !== undefined) {
    const seen = c.receiverNames.get(name);
    if (seen) {
      r.fail(f.value('name')!, join(field, 'name'), `receiver "${name}" is already declared at ${seen.file}:${seen.line}`);
      return;
    }
    c.receiverNames.set(name, r.at(map));
  }
  if (r.issues.length > before || name === undefined || type === undefined) return;
  c.receivers.push({
    name,
    type,
    ...(url !== undefined ? { url } : {}),
    ...(secret !== undefined ? { secret } : {}),
    ...(topicArn !== undefined ? { topicArn } : {}),
    source: r.at(map),
  });
}


function readRoute(r: Reader, c: NotificationsCollector, node: Node | null, field: string, root: boolean): RouteConfig | undefined {
  const map = r.map(node, field);
  if (!map) return undefined;
  const allowed = root
    ? ['receiver', 'groupBy', 'groupWait', 'groupInterval', 'repeatInterval', 'routes']
    : ['receiver', 'groupBy', 'groupWait', 'groupInterval', 'repeatInterval', 'matchers', 'continue', 'routes'];
  const f = r.fields(map, field, allowed, root ? ['receiver'] : []);
  const receiverNode = f.value('receiver');
  const receiver = opt(receiverNode, (n) => r.name(n, join(field, 'receiver')));
  if (receiver !== undefined) c.receiverRefs.push({ name: receiver, at: r.at(receiverNode), field: join(field, 'receiver') });
  const groupBy = opt(f.value('groupBy'), (n) => readGroupBy(r, n, join(field, 'groupBy')));
  const groupWait = opt(f.value('groupWait'), (n) => r.duration(n, join(field, 'groupWait')));
  const groupInterval = opt(f.value('groupInterval'), (n) => r.duration(n, join(field, 'groupInterval'), { min: 1 }));
  const repeatInterval = opt(f.value('repeatInterval'), (n) => r.duration(n, join(field, 'repeatInterval'), { min: 1 }));
  const matchersNode = f.value('matchers');
  const matchers = opt(matchersNode, (n) => r.list(n, join(field, 'matchers'), (x, p) => readMatcher(r, x, p)))?.map((m) => m.value) ?? [];
  if (!root && matchersNode === undefined) r.fail(map, join(field, 'matchers'), `${join(field, 'matchers')} is required for a child route (which alerts it takes)`);
  const cont = opt(f.value('continue'), (n) => r.boolean(n, join(field, 'continue'))) ?? false;
  const routes: RouteConfig[] = [];
  const routesNode = f.value('routes');
  if (routesNode !== undefined) {
    const seq = r.seq(routesNode, join(field, 'routes'));
    seq?.items.forEach((item, i) => {
      const child = readRoute(r, c, item, `${join(field, 'routes')}[${i}]`, false);
      if (child) routes.push(child);
    });
  }
  return {
    ...(receiver !== undefined ? { receiver } : {}),
    ...(groupBy !== undefined ? { groupBy } : {}),
    ...(groupWait !== undefined ? { groupWaitSeconds: groupWait } : {}),
    ...(groupInterval !== undefined ? { groupIntervalSeconds: groupInterval } : {}),
    ...(repeatInterval !== undefined ? { repeatIntervalSeconds: repeatInterval } : {}),
    matchers,
    continue: cont,
    routes,
    source: r.at(map),
  };
}

/** `[alertname, environment]`, or `'...'` / `['...']` for every label. */
function readGroupBy(r: Reader, node: Node, field: string): readonly string[] | '...' | undefined {
  if (isScalar(node) && node.value === '...') return '...';
  const items = r.list(node, field, (x, p) => {
    if (isScalar(x) && x.value === '...') return '...';
    return r.string(x, p, { pattern: LABEL_NAME, patternText: `a label name (${LABEL_NAME.source}) or "..."` });
  });
  if (!items) return undefined;
  const names = items.map((i) => i.value);
  if (names.includes('...')) return names.length === 1 ? '...' : r.fail(node, field, `${field}: "..." groups by every label and cannot be combined with names`);
  return names;
}

/**
 * A matcher as text (`team="payments"`, `severity=~"critical|error"`, `env!=dev`) or as a mapping
 * `{name, op, value}`, validated like a silence matcher (anchored, safe regular expressions).
 */
function readMatcher(r: Reader, node: Node | null, field: string): RouteMatcherConfig | undefined {
  let candidate: RouteMatcherConfig;
  if (isMap(node)) {
    const f = r.fields(node as YAMLMap<Node, Node | null>, field, ['name', 'op', 'value'], ['name', 'op', 'value']);
    const name = opt(f.value('name'), (n) => r.string(n, join(field, 'name')));
    const op = opt(f.value('op'), (n) => r.oneOf(n, join(field, 'op'), ['=', '!=', '=~', '!~'] as const));
    const valueNode = f.value('value');
    const value = isScalar(valueNode) && valueNode.value !== null ? String(valueNode.value) : undefined;
    if (valueNode !== undefined && value === undefined) r.fail(valueNode, join(field, 'value'), `${join(field, 'value')} must be text`);
    if (name === undefined || op === undefined || value === undefined) return undefined;
    candidate = { name, op, value };
  } else {
    const text = r.string(node, field);
    if (text === undefined) return undefined;
    const m = MATCHER_TEXT.exec(text);
    if (!m) return r.fail(node, field, `${field}: "${text}" is not a matcher such as team="payments" or severity=~"critical|error"`);
    let value = m[3]!;
    if (value.startsWith('"')) {
      try {
        const parsed: unknown = JSON.parse(value);
        if (typeof parsed !== 'string') throw new Error('not text');
        value = parsed;
      } catch {
        return r.fail(node, field, `${field}: the quoted value ${value} is not a valid double-quoted string`);
      }
    }
    candidate = { name: m[1]!, op: m[2] as RouteMatcherConfig['op'], value };
  }
  try {
    compileMatcher(candidate, field);
  } catch (error) {
    if (error instanceof ValidationError) return r.fail(node, error.field ?? field, `${error.field ?? field}: ${error.message}`);
    throw error;
  }
  return candidate;
}

/**
 * Checks what needs every file: routes name declared receivers, and the resolved timing of every
 * route is consistent (repeatInterval at least groupInterval, after inheritance). Returns the
 * section, or undefined when no file had one.
 */
export function finishNotifications(c: NotificationsCollector, issues: ConfigIssue[]): NotificationsConfig | undefined {
  if (!c.seen) return undefined;
  let routeOk = c.route !== undefined;
  for (const ref of c.receiverRefs) {
    if (!c.receiverNames.has(ref.name)) {
      issues.push({ ...ref.at, field: ref.field, message: `unknown receiver "${ref.name}"; declared: ${[...c.receiverNames.keys()].join(', ') || 'none'}` });
      routeOk = false;
    }
  }
  if (c.route && !checkTiming(c.route, DEFAULT_TIMING_SECONDS, 'notifications.route', issues)) routeOk = false;
  return { receivers: c.receivers, ...(routeOk && c.route ? { route: c.route } : {}) };
}

/** Alertmanager's defaults: group_wait 30s, group_interval 5m, repeat_interval 4h. */
export const DEFAULT_TIMING_SECONDS = { groupWait: 30, groupInterval: 300, repeatInterval: 4 * 3600 } as const;

function checkTiming(route: RouteConfig, inherited: { groupWait: number; groupInterval: number; repeatInterval: number }, field: string, issues: ConfigIssue[]): boolean {
  const t = {
    groupWait: route.groupWaitSeconds ?? inherited.groupWait,
    groupInterval: route.groupIntervalSeconds ?? inherited.groupInterval,
    repeatInterval: route.repeatIntervalSeconds ?? inherited.repeatInterval,
  };
  let ok = true;
  if (t.repeatInterval < t.groupInterval) {
    issues.push({ ...route.source, field: join(field, 'repeatInterval'), message: `${join(field, 'repeatInterval')} (${t.repeatInterval}s) must be at least groupInterval (${t.groupInterval}s)` });
    ok = false;
  }
  route.routes.forEach((child, i) => {
    if (!checkTiming(child, t, `${join(field, 'routes')}[${i}]`, issues)) ok = false;
  });
  return ok;
}

function opt<T>(node: Node | null | undefined, read: (node: Node) => T | undefined): T | undefined {
  return node === undefined || node === null ? undefined : read(node);
}
