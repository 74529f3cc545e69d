import { describe, expect, it } from 'vitest';
import { acknowledge, evaluate, evaluateAll, expire, resolveManually } from '../../functions/src/core/alerts/evaluate';
import { toAlertCdevent } from '../../functions/src/core/alerts/events';
import { canonicalLabels, fingerprint, validateLabels } from '../../functions/src/core/alerts/fingerprint';
import { descendants, inhibitions } from '../../functions/src/core/alerts/inhibition';
import type { Alert, AlertObservation, GroupNotificationLog, Matcher, NotificationTiming, Silence } from '../../functions/src/core/alerts/model';
import { groupAlerts, groupKeyOf, planNotifications, viewAlerts } from '../../functions/src/core/alerts/notifications';
import {
  compileMatcher,
  compileSilence,
  silenceState,
  silencedBy,
  unsafeRegexReason,
  validateSilence,
  type SilenceInput,
} from '../../functions/src/core/alerts/silences';
import { validateCdevent } from '../../functions/src/core/cdevents/validator';
import { ConflictError, ValidationError } from '../../functions/src/core/errors';

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const timing: NotificationTiming = { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 3_600_000 };

function obs(labels: Record<string, string>, seconds: number, over: Partial<AlertObservation> = {}): AlertObservation {
  return { labels, severity: 'critical', active: true, at: at(seconds), ...over };
}

const disk = { alertname: 'DiskFull', environment: 'prod', system: 'payments' };

/** Fold observations, then plan with the log the previous plans recorded. */
class Harness {
  alerts = new Map<string, Alert>();
  logs = new Map<string, GroupNotificationLog>();
  silences: Silence[] = [];
  sent: { at: string; reason: string; firing: string[]; resolved: string[] }[] = [];

  observe(...observations: AlertObservation[]) {
    const out = evaluateAll(this.alerts, observations);
    this.alerts = out.alerts;
    return out.transitions;
  }

  tick(seconds: number, groupBy: readonly string[] = ['alertname', 'environment']) {
    const now = at(seconds);
    const all = [...this.alerts.values()];
    const views = viewAlerts(all, this.silences.map(compileSilence), new Map(), now);
    const plans = planNotifications(groupAlerts(views, groupBy), this.logs, now, timing);
    for (const p of plans) {
      expect(p.previousSentAt).toBe(this.logs.get(p.groupId)?.sentAt ?? null);
      this.logs.set(p.groupId, p.log);
      this.sent.push({
        at: now,
        reason: p.reason,
        firing: p.firing.map((a) => a.labels.alertname!),
        resolved: p.resolved.map((a) => a.labels.alertname!),
      });
    }
    return plans;
  }
}

describe('fingerprint', () => {
  it('does not depend on label order', () => {
    expect(fingerprint({ a: '1', b: '2', c: '3' })).toBe(fingerprint({ c: '3', a: '1', b: '2' }));
    expect(fingerprint({ a: '1' })).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    [{ a: 'b,c=d' }, { a: 'b', c: 'd' }],
    [{ a: '1b' }, { a: '1', b: '' }],
    [{ ab: 'c' }, { a: 'bc' }],
    [{ a: '' }, {}],
    [{ a: '3:b' }, { a: '' }],
  ])('separates label sets that a naive encoding confuses: %j vs %j', (x, y) => {
    expect(canonicalLabels(x)).not.toBe(canonicalLabels(y));
    expect(fingerprint(x)).not.toBe(fingerprint(y));
  });

  it.each([
    [{ severity: 'critical' }, 'labels.severity'],
    [{ '1abc': 'x' }, 'labels.1abc'],
    [{ a: 3 }, 'labels.a'],
    [{ a: 'x'.repeat(1025) }, 'labels.a'],
  ])('rejects invalid labels %j at %s', (labels, field) => {
    expect(() => validateLabels(labels)).toThrow(expect.objectContaining({ field }));
  });
});

describe('evaluate', () => {
  it('deduplicates 50 identical observations into one alert and one notification', () => {
    const h = new Harness();
    const transitions = h.observe(...Array.from({ length: 50 }, (_, i) => obs(disk, i)));
    expect(transitions.map((t) => t.kind)).toEqual(['fired']);
    expect(h.alerts.size).toBe(1);
    const alert = [...h.alerts.values()][0]!;
    expect(alert).toMatchObject({ state: 'firing', observations: 50, startsAt: at(0), lastObservedAt: at(49) });
    for (let s = 0; s <= 600; s += 10) h.tick(s);
    expect(h.sent).toEqual([{ at: at(30), reason: 'new', firing: ['DiskFull'], resolved: [] }]);
  });

  it('auto-resolves when the condition clears, notifies the resolution once, and fires a new episode later', () => {
    const h = new Harness();
    h.observe(obs(disk, 0));
    h.tick(30);
    expect(h.observe(obs(disk, 60, { active: false })).map((t) => [t.kind, t.cause])).toEqual([['resolved', 'condition']]);
    expect(h.observe(obs(disk, 70, { active: false }))).toEqual([]);
    const resolved = [...h.alerts.values()][0]!;
    expect(resolved).toMatchObject({ state: 'resolved', endsAt: at(60) });
    for (let s = 60; s <= 1000; s += 10) h.tick(s);
    expect(h.sent.map((n) => [n.at, n.reason, n.resolved])).toEqual([
      [at(30), 'new', []],
      [at(330), 'resolved', ['DiskFull']],
    ]);
    const again = h.observe(obs(disk, 2000));
    expect(again.map((t) => [t.kind, t.from])).toEqual([['fired', 'resolved']]);
    expect([...h.alerts.values()][0]).toMatchObject({ startsAt: at(2000), observations: 1, state: 'firing' });
    h.tick(2000);
    expect(h.sent.at(-1)).toEqual({ at: at(2000), reason: 'changed', firing: ['DiskFull'], resolved: [] });
  });

  it('keeps an acknowledged alert quiet until it changes severity, and an ack of a resolved alert conflicts', () => {
    const h = new Harness();
    h.observe(obs({ ...disk, alertname: 'Other' }, 0, { severity: 'warning' }));
    h.observe(obs(disk, 0, { severity: 'warning' }));
    h.tick(30);
    const fp = fingerprint(disk);
    const acked = acknowledge(h.alerts.get(fp)!, { by: 'bob', at: at(40), comment: 'looking' });
    expect(acked.transitions.map((t) => [t.kind, t.by, t.comment])).toEqual([['acknowledged', 'bob', 'looking']]);
    h.alerts.set(fp, acked.alert!);
    expect(acknowledge(acked.alert!, { by: 'bob', at: at(41) }).changed).toBe(false);
    expect(h.observe(obs(disk, 50, { severity: 'warning' }))).toEqual([]);
    expect(h.alerts.get(fp)).toMatchObject({ state: 'acknowledged', ackedBy: 'bob', observations: 2 });
    for (let s = 50; s <= 4000; s += 50) h.tick(s);
    // Only the other (unacknowledged) alert repeats.
    expect(h.sent.filter((n) => n.reason === 'repeat').every((n) => n.firing.join() === 'Other')).toBe(true);
    const before = h.sent.length;
    const changed = h.observe(obs(disk, 4010, { severity: 'critical' }));
    expect(changed.map((t) => [t.kind, t.from, t.to, t.previousSeverity])).toEqual([['severityChanged', 'acknowledged', 'firing', 'warning']]);
    expect(h.alerts.get(fp)).toMatchObject({ state: 'firing', ackedBy: null, severity: 'critical' });
    for (let s = 4010; s <= 4400; s += 10) h.tick(s);
    expect(h.sent.slice(before).map((n) => [n.reason, n.firing])).toEqual([['changed', ['DiskFull']]]);

    const done = resolveManually(h.alerts.get(fp)!, { by: 'bob', at: at(5000) });
    expect(done.transitions.map((t) => [t.kind, t.cause])).toEqual([['resolved', 'manual']]);
    expect(() => acknowledge(done.alert!, { by: 'bob', at: at(5001) })).toThrow(ConflictError);
    expect(() => acknowledge(h.alerts.get(fp)!, { by: ' ', at: at(5001) })).toThrow(expect.objectContaining({ field: 'by' }));
  });

  it('ignores a late observation and rejects one for another alert', () => {
    const first = evaluate(null, obs(disk, 100));
    expect(evaluate(first.alert, obs(disk, 50, { active: false }))).toMatchObject({ changed: false, transitions: [] });
    expect(() => evaluate(first.alert, obs({ alertname: 'x' }, 200))).toThrow(ConflictError);
  });

  it('resolves an event alert by itself when its endsAt passes without a new observation', () => {
    const rollback = { alertname: 'RolledBack', environment: 'prod', service: 'payments' };
    const fired = evaluate(null, obs(rollback, 0, { severity: 'warning', endsAt: at(600) })).alert!;
    expect(expire(fired, at(599)).changed).toBe(false);
    const out = expire(fired, at(600));
    expect(out.alert).toMatchObject({ state: 'resolved', endsAt: at(600) });
    expect(out.transitions.map((t) => [t.kind, t.cause, t.at])).toEqual([['resolved', 'expired', at(600)]]);
    // Re-observing extends it.
    const extended = evaluate(fired, obs(rollback, 500, { severity: 'warning', endsAt: at(1100) })).alert!;
    expect(expire(extended, at(700)).changed).toBe(false);
    // A resolve timeout bounds a rule that stopped reporting.
    const silent = evaluate(null, obs(disk, 0), { resolveTimeoutMs: 300_000 }).alert!;
    expect(expire(silent, at(300)).alert!.state).toBe('resolved');
  });

  it.each([
    [{ severity: 'fatal' }, 'severity'],
    [{ at: 'yesterday' }, 'at'],
    [{ endsAt: at(-1) }, 'endsAt'],
    [{ labels: { severity: 'x' } }, 'labels.severity'],
  ])('rejects a malformed observation %j at %s', (over, field) => {
    expect(() => evaluate(null, { ...obs(disk, 0), ...(over as Partial<AlertObservation>) })).toThrow(
      expect.objectContaining({ field, constructor: ValidationError }),
    );
  });
});

describe('silences', () => {
  const alert = (labels: Record<string, string>) => evaluate(null, obs(labels, 0, { severity: 'warning' })).alert!;
  const m = (name: string, op: Matcher['op'], value: string): Matcher => ({ name, op, value });

  it.each([
    [m('environment', '=', 'prod'), { environment: 'prod' }, true],
    [m('environment', '=', 'prod'), { environment: 'preprod' }, false],
    [m('environment', '!=', 'prod'), { environment: 'staging' }, true],
    [m('environment', '!=', 'prod'), { environment: 'prod' }, false],
    [m('environment', '!=', 'prod'), {}, true],
    [m('environment', '=~', 'prod'), { environment: 'preprod' }, false],
    [m('environment', '=~', 'prod'), { environment: 'production' }, false],
    [m('environment', '=~', 'prod|staging'), { environment: 'staging' }, true],
    [m('environment', '=~', 'prod|staging'), { environment: 'xstaging' }, false],
    [m('environment', '=~', 'pr.*'), { environment: 'prod' }, true],
    [m('environment', '!~', 'prod|staging'), { environment: 'dev' }, true],
    [m('environment', '!~', 'prod|staging'), { environment: 'prod' }, false],
    [m('environment', '!~', 'prod'), { environment: 'preprod' }, true],
    [m('environment', '=', ''), {}, true],
    [m('severity', '=', 'warning'), { environment: 'prod' }, true],
    [m('severity', '=~', 'critical|error'), { environment: 'prod' }, false],
  ])('%j against %j matches: %s', (matcher, labels, expected) => {
    const s: Silence = { id: 's', matchers: [matcher], startsAt: at(-10), endsAt: at(10), createdBy: 'a', comment: 'c', createdAt: at(-10), updatedAt: at(-10), revision: 0 };
    expect(silencedBy(alert({ alertname: 'X', ...labels }), [compileSilence(s)], at(0))).toEqual(expected ? ['s'] : []);
  });

  it('applies only between startsAt and endsAt', () => {
    const s: Silence = { id: 's', matchers: [m('alertname', '=', 'X')], startsAt: at(100), endsAt: at(200), createdBy: 'a', comment: 'c', createdAt: at(0), updatedAt: at(0), revision: 0 };
    expect([at(99), at(100), at(199), at(200)].map((t) => silenceState(s, t))).toEqual(['pending', 'active', 'active', 'expired']);
    expect([at(99), at(100), at(199), at(200)].map((t) => silencedBy(alert({ alertname: 'X' }), [compileSilence(s)], t).length)).toEqual([0, 1, 1, 0]);
  });

  it('mutes notifications but keeps the alert visible as silenced; expiry lets it notify', () => {
    const h = new Harness();
    h.silences = [{ id: 'mw', matchers: [m('alertname', '=~', 'Disk.*')], startsAt: at(0), endsAt: at(600), createdBy: 'alice', comment: 'maintenance', createdAt: at(0), updatedAt: at(0), revision: 0 }];
    h.observe(obs(disk, 10));
    const views = viewAlerts([...h.alerts.values()], h.silences.map(compileSilence), new Map(), at(20));
    expect(views.map((v) => [v.status, v.alert.state, v.silencedBy])).toEqual([['silenced', 'firing', ['mw']]]);
    for (let s = 10; s < 600; s += 10) h.tick(s);
    expect(h.sent).toEqual([]);
    h.tick(600);
    expect(h.sent).toEqual([{ at: at(600), reason: 'new', firing: ['DiskFull'], resolved: [] }]);
  });

  const valid: SilenceInput = { matchers: [m('alertname', '=', 'X')], startsAt: at(0), endsAt: at(60), createdBy: 'alice', comment: 'why' };
  it.each([
    [{ matchers: [] }, 'matchers'],
    [{ matchers: [m('environment', '=~', '.*')] }, 'matchers'],
    [{ matchers: [m('environment', '!=', 'prod')] }, 'matchers'],
    [{ matchers: [m('alertname', '=', 'X'), m('bad-name', '=', 'x')] }, 'matchers[1].name'],
    [{ matchers: [{ name: 'alertname', op: '~', value: 'X' }] as unknown as Matcher[] }, 'matchers[0].op'],
    [{ matchers: [m('alertname', '=~', '(')] }, 'matchers[0].value'],
    [{ matchers: [m('alertname', '=~', '(a+)+')] }, 'matchers[0].value'],
    [{ endsAt: at(0) }, 'endsAt'],
    [{ createdBy: '' }, 'createdBy'],
    [{ comment: ' ' }, 'comment'],
  ])('rejects %j at %s', (over, field) => {
    expect(() => validateSilence({ ...valid, ...over })).toThrow(expect.objectContaining({ field }));
  });

  it.each([
    ['(a+)+', true],
    ['(a*)*b', true],
    ['(a|aa)*', true],
    ['(x{1,3})+', true],
    ['((ab)*c)+', true],
    ['((a|b)?)+', true],
    ['.*.*.*x', true],
    ['(a)\\1', true],
    ['(?=a)a', true],
    ['a'.repeat(257), true],
    ['prod|staging', false],
    ['(prod|staging)-[0-9]+', false],
    ['.*-db', false],
    ['[(a+)+]', false],
    ['\\(a+\\)+', false],
    ['(ab)+', false],
  ])('judges %s unsafe: %s', (pattern, unsafe) => {
    expect(unsafeRegexReason(pattern) !== null).toBe(unsafe);
    if (unsafe) expect(() => compileMatcher(m('x', '=~', pattern))).toThrow(expect.objectContaining({ code: 'unsafe_regex' }));
  });
});

describe('inhibition', () => {
  const graph: Record<string, string[]> = { platform: ['payments', 'orders'], payments: ['payments-db'], 'payments-db': ['platform'] };
  const childrenOf = (s: string) => graph[s] ?? [];
  const make = (system: string, environment: string, severity: Alert['severity'] = 'warning') =>
    evaluate(null, obs({ alertname: `${system}Down`, system, environment }, 0, { severity })).alert!;

  it('walks the top-down graph transitively and survives a cycle', () => {
    expect([...descendants('platform', childrenOf)].sort()).toEqual(['orders', 'payments', 'payments-db']);
  });

  it('inhibits child alerts of a critical parent in the same environment only', () => {
    const parent = make('platform', 'prod', 'critical');
    const child = make('payments', 'prod');
    const grandchild = make('payments-db', 'prod');
    const otherEnv = make('orders', 'staging');
    const sameSystem = evaluate(null, obs({ alertname: 'Slow', system: 'platform', environment: 'prod' }, 0, { severity: 'warning' })).alert!;
    const result = inhibitions([parent, child, grandchild, otherEnv, sameSystem], { childrenOf });
    expect(result.get(child.fingerprint)).toEqual([parent.fingerprint]);
    expect(result.get(grandchild.fingerprint)).toEqual([parent.fingerprint]);
    expect(result.has(otherEnv.fingerprint)).toBe(false);
    expect(result.has(sameSystem.fingerprint)).toBe(false);
    expect(result.has(parent.fingerprint)).toBe(false);

    const views = viewAlerts([parent, child], [], result, at(1));
    expect(views.map((v) => v.status)).toEqual(['firing', 'inhibited']);
    const plans = planNotifications(groupAlerts(views, '...'), new Map(), at(60), timing);
    expect(plans.map((p) => p.firing.map((a) => a.labels.system))).toEqual([['platform']]);
  });

  it('does not inhibit from a warning parent or a resolved one', () => {
    const warn = make('platform', 'prod', 'warning');
    const child = make('payments', 'prod');
    expect(inhibitions([warn, child], { childrenOf }).size).toBe(0);
    const critical = make('platform', 'prod', 'critical');
    const resolved = evaluate(critical, obs(critical.labels, 10, { active: false })).alert!;
    expect(inhibitions([resolved, child], { childrenOf }).size).toBe(0);
  });
});

describe('planNotifications', () => {
  it('waits group_wait for a new group, then sends at most once per group_interval', () => {
    const h = new Harness();
    h.observe(obs({ alertname: 'A', environment: 'prod' }, 0));
    h.observe(obs({ alertname: 'A', environment: 'prod', instance: 'i-1' }, 5));
    expect(h.tick(29)).toEqual([]);
    h.tick(30);
    // New alerts in the group arrive every few seconds: still at most one notification per interval.
    for (let s = 31; s <= 1000; s += 1) {
      if (s % 7 === 0) h.observe(obs({ alertname: 'A', environment: 'prod', instance: `i-${s}` }, s));
      h.tick(s);
    }
    const times = h.sent.map((n) => Date.parse(n.at));
    expect(h.sent.map((n) => n.reason)).toEqual(['new', 'changed', 'changed', 'changed']);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(timing.groupIntervalMs);
    expect(h.sent[0]!.firing).toHaveLength(2);
  });

  it('repeats an unchanged firing group after repeat_interval and keeps groups apart', () => {
    const h = new Harness();
    h.observe(obs({ alertname: 'A', environment: 'prod' }, 0), obs({ alertname: 'A', environment: 'staging' }, 0));
    for (let s = 0; s <= 3700; s += 10) h.tick(s);
    expect(h.sent.map((n) => [n.at, n.reason])).toEqual([
      [at(30), 'new'],
      [at(30), 'new'],
      [at(3630), 'repeat'],
      [at(3630), 'repeat'],
    ]);
  });

  it('groups by the named labels with unambiguous keys', () => {
    const a = evaluate(null, obs({ alertname: 'A', environment: 'prod', instance: '1' }, 0)).alert!;
    expect(groupKeyOf(a, ['environment', 'alertname', 'severity', 'missing'])).toEqual({
      key: '{alertname="A",environment="prod",severity="critical"}',
      labels: { alertname: 'A', environment: 'prod', severity: 'critical' },
    });
    const tricky = evaluate(null, obs({ alertname: 'A",environment="prod' }, 0)).alert!;
    expect(groupKeyOf(tricky, ['alertname', 'environment']).key).not.toBe(groupKeyOf(a, ['alertname', 'environment']).key);
  });

  it('rejects inconsistent timing', () => {
    expect(() => planNotifications([], new Map(), at(0), { ...timing, repeatIntervalMs: 1000 })).toThrow(
      expect.objectContaining({ field: 'repeatIntervalMs' }),
    );
  });
});

describe('alert events', () => {
  it('maps every transition to a CDEvent that validates', () => {
    const labels = { alertname: 'DiskFull', environment: 'prod', service: 'payments' };
    const fired = evaluate(null, obs(labels, 0, { severity: 'warning', annotations: { summary: 'disk 91%' } }));
    const worse = evaluate(fired.alert, obs(labels, 10, { severity: 'critical' }));
    const acked = acknowledge(worse.alert!, { by: 'bob', at: at(20), comment: 'on it' });
    const resolved = evaluate(acked.alert, obs(labels, 30, { active: false }));
    const noEnv = evaluate(null, obs({ alertname: 'Global' }, 0));
    const noEnvResolved = evaluate(noEnv.alert, obs({ alertname: 'Global' }, 5, { active: false }));
    const cases = [fired, worse, acked, resolved, noEnv, noEnvResolved].flatMap((c) => c.transitions.map((t) => ({ alert: c.alert!, t })));
    const events = cases.map(({ alert, t }) => toAlertCdevent({ kind: 'transition', alert, transition: t }, 'https://signalbox.example.com/'));
    expect(events.map((e) => e.context.type)).toEqual([
      'dev.cdevents.incident.detected.0.3.0',
      'dev.cdeventsx.signalbox-alert.severityChanged.0.1.0',
      'dev.cdeventsx.signalbox-alert.acknowledged.0.1.0',
      'dev.cdevents.incident.resolved.0.3.0',
      'dev.cdeventsx.signalbox-alert.fired.0.1.0',
      'dev.cdeventsx.signalbox-alert.resolved.0.1.0',
    ]);
    for (const e of events) expect(validateCdevent(e)).toMatchObject({ valid: true, violations: [] });
    expect(events[0]!.subject.id).toBe(events[3]!.subject.id);
    expect(new Set(events.map((e) => e.context.id)).size).toBe(events.length);
    expect(events[0]!.subject.content).toEqual({ description: 'DiskFull (warning): disk 91%', environment: { id: 'prod' }, service: { id: 'payments' } });

    const s: Silence = { id: 'sil-1', matchers: [{ name: 'alertname', op: '=~', value: 'Disk.*' }], startsAt: at(0), endsAt: at(60), createdBy: 'alice', comment: 'mw', createdAt: at(0), updatedAt: at(0), revision: 0 };
    for (const action of ['created', 'updated', 'expired', 'deleted'] as const) {
      const e = toAlertCdevent({ kind: 'silence', action, silence: s, by: 'alice', at: at(1) });
      expect(validateCdevent(e)).toMatchObject({ valid: true });
      expect(e.context.type).toMatch(/^dev\.cdeventsx\.signalbox-alert\.silence[A-Z][a-z]+\.0\.1\.0$/);
    }
  });
});
