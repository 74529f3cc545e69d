import { describe, expect, it } from 'vitest';
import { InMemoryLiveConnections } from '../../functions/src/adapters/local/in-memory-live-connections';
import { ALERT_BUS_SOURCE, toAlertCdevent } from '../../functions/src/core/alerts/events';
import { eventKey } from '../../functions/src/core/cdevents/prepare';
import { toLiveMessages } from '../../functions/src/core/live/messages';
import { broadcast, encodeLiveMessage, handleLiveFrame, MAX_PUSH_FRAME_BYTES, parseClientFrame, type LiveDeps } from '../../functions/src/core/live/use-cases';
import type { DeliveredEvent } from '../../functions/src/core/ports/event-bus';
import type { LivePusher } from '../../functions/src/core/ports/live-connections';
import type { Logger } from '../../functions/src/core/ports/logger';
import { storedAlert } from '../contracts/alert-store.contract';
import { serviceEvent } from '../helpers/fixtures';

const AT = '2026-11-23T10:00:00.000Z';

function delivered(source: string, detailType: string, detail: unknown): DeliveredEvent {
  return { version: '0', id: 'bus-1', 'detail-type': detailType, source, account: '1', time: AT, region: 'eu-west-1', resources: [], detail };
}

describe('toLiveMessages', () => {
  it('maps an observation to one small health message', () => {
    const detail = {
      checkId: 'api-health',
      checkType: 'http',
      service: 'api',
      environment: 'prod',
      labels: { team: 'x' },
      status: 'critical',
      message: 'HTTP 500',
      metrics: { latency_ms: 12 },
      durationMs: 12,
      checkedAt: '2026-11-23T10:00:05.000Z',
    };
    expect(toLiveMessages(delivered('signalbox.monitoring', 'SignalboxObservation', detail))).toEqual([
      {
        topic: 'health',
        type: 'observation',
        at: '2026-11-23T10:00:05.000Z',
        data: { checkId: 'api-health', status: 'critical', message: 'HTTP 500', service: 'api', environment: 'prod', checkedAt: '2026-11-23T10:00:05.000Z' },
      },
    ]);
    expect(toLiveMessages(delivered('signalbox.monitoring', 'SignalboxObservation', { status: 'ok' }))).toEqual([]);
  });

  it('maps any CDEvent (bare or in a CloudEvent) to an events summary keyed like the store', () => {
    const event = serviceEvent({ service: 'svc', environment: 'prod', id: 'e-1', timestamp: AT });
    const expected = {
      topic: 'events',
      type: 'dev.cdevents.service.deployed.0.3.0',
      at: AT,
      data: {
        key: eventKey('/tests', 'e-1'),
        id: 'e-1',
        source: '/tests',
        type: 'dev.cdevents.service.deployed.0.3.0',
        subject: 'service',
        predicate: 'deployed',
        subjectId: 'svc',
        timestamp: AT,
        service: 'svc',
        environment: 'prod',
        chainId: null,
      },
    };
    expect(toLiveMessages(delivered('signalbox.ingest', 'CDEvent', event))).toEqual([expected]);
    const cloudEvent = { specversion: '1.0', id: 'e-1', source: '/tests', type: 'dev.cdevents.service.deployed.0.3.0', data: event };
    expect(toLiveMessages(delivered('peer', 'CDEvent', cloudEvent))).toEqual([expected]);
    expect(toLiveMessages(delivered('peer', 'CDEvent', { context: { type: 'not.a.cdevent', id: 'x', source: '/s' } }))).toEqual([]);
    expect(toLiveMessages(delivered('peer', 'Other', { hello: 1 }))).toEqual([]);
  });

  it('maps alert CDEvents to an alerts message too, named by transition', () => {
    const alert = { ...storedAlert('disk', { environment: 'prod' }) };
    const fired = toAlertCdevent({ kind: 'transition', alert, transition: alert.history[0]! as never });
    const messages = toLiveMessages(delivered(ALERT_BUS_SOURCE, 'CDEvent', fired));
    expect(messages.map((m) => `${m.topic}/${m.type}`)).toEqual(['events/dev.cdevents.incident.detected.0.3.0', 'alerts/fired']);
    expect(messages[1]!.data).toMatchObject({ fingerprint: alert.fingerprint, state: 'firing', severity: 'critical', labels: { alertname: 'disk', environment: 'prod' } });

    const acked = toAlertCdevent({
      kind: 'transition',
      alert: { ...alert, state: 'acknowledged' },
      transition: { kind: 'acknowledged', fingerprint: alert.fingerprint, at: AT, from: 'firing', to: 'acknowledged', severity: 'critical', by: 'ann', cause: 'manual' } as never,
    });
    const ackMessages = toLiveMessages(delivered(ALERT_BUS_SOURCE, 'CDEvent', acked));
    expect(ackMessages[1]).toMatchObject({ topic: 'alerts', type: 'acknowledged', data: { fingerprint: alert.fingerprint, state: 'acknowledged' } });
  });

  it('maps rollout CDEvents to a rollouts message with the rollout id', () => {
    const event = {
      context: { specversion: '0.5.1', id: 'ro-1/started', source: '/signalbox/rollouts', type: 'dev.cdevents.pipelinerun.started.0.3.0', timestamp: AT, chainId: 'ro-1' },
      subject: { id: 'ro-1', source: '/signalbox/rollouts', content: { pipelineName: 'rollout/api/prod', uri: 'http://x/rollouts/?id=ro-1' } },
      customData: { rollout: { id: 'ro-1', service: 'api', environment: 'prod' } },
    };
    const messages = toLiveMessages(delivered('signalbox.rollouts', 'CDEvent', event));
    expect(messages.map((m) => m.topic)).toEqual(['events', 'rollouts']);
    expect(messages[1]).toEqual({
      topic: 'rollouts',
      type: 'pipelinerun.started',
      at: AT,
      data: { rolloutId: 'ro-1', eventType: 'dev.cdevents.pipelinerun.started.0.3.0', subjectId: 'ro-1', outcome: null, eventId: 'ro-1/started' },
    });
  });
});

describe('parseClientFrame', () => {
  it('accepts subscribe (deduplicated, canonical order) and ping, refuses the rest with a field', () => {
    expect(parseClientFrame('{"action":"subscribe","topics":["events","alerts","events"]}')).toEqual({ ok: true, frame: { action: 'subscribe', topics: ['alerts', 'events'] } });
    expect(parseClientFrame('{"action":"ping"}')).toEqual({ ok: true, frame: { action: 'ping' } });
    expect(parseClientFrame('')).toMatchObject({ ok: false, code: 'invalid_json' });
    expect(parseClientFrame(null)).toMatchObject({ ok: false, code: 'invalid_json' });
    expect(parseClientFrame('{"action":"subscribe","topics":["x"]}')).toMatchObject({ ok: false, code: 'unknown_topic', field: 'topics' });
    expect(parseClientFrame('{"action":"sub"}')).toMatchObject({ ok: false, code: 'unknown_action', field: 'action' });
  });
});

class FakePusher implements LivePusher {
  readonly sent: [string, string][] = [];
  constructor(
    private readonly gone: Set<string> = new Set(),
    private readonly failing: Set<string> = new Set(),
  ) {}
  async send(connectionId: string, frame: string): Promise<'sent' | 'gone'> {
    if (this.failing.has(connectionId)) throw new Error('throttled');
    if (this.gone.has(connectionId)) return 'gone';
    this.sent.push([connectionId, frame]);
    return 'sent';
  }
}

function deps(pusher: LivePusher, store = new InMemoryLiveConnections()): LiveDeps & { warnings: string[]; store: InMemoryLiveConnections } {
  const warnings: string[] = [];
  const logger: Logger = { info() {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(m) };
  return { liveConnections: store, livePusher: pusher, clock: { now: () => AT }, logger, warnings, store };
}

describe('broadcast', () => {
  const observation = (checkId: string) =>
    delivered('signalbox.monitoring', 'SignalboxObservation', { checkId, status: 'ok', message: 'fine', service: null, environment: null, checkedAt: AT });

  it('sends each message to every subscriber of its topic (all pages) and nobody else', async () => {
    const pusher = new FakePusher();
    const d = deps(pusher);
    for (let i = 0; i < 130; i += 1) await d.store.setTopics(`h-${String(i).padStart(3, '0')}`, ['health'], AT);
    await d.store.setTopics('e-only', ['events'], AT);
    const out = await broadcast(d, [observation('a'), observation('b')]);
    expect(out).toEqual({ messages: 2, sent: 260, removed: 0, failed: 0 });
    expect(pusher.sent.some(([id]) => id === 'e-only')).toBe(false);
    expect(JSON.parse(pusher.sent[0]![1])).toMatchObject({ topic: 'health', type: 'observation', data: { checkId: 'a' } });
  });

  it('removes a gone connection once and skips it for later messages; a failing send is logged, not thrown', async () => {
    const pusher = new FakePusher(new Set(['dead']), new Set(['flaky']));
    const d = deps(pusher);
    await d.store.setTopics('dead', ['health'], AT);
    await d.store.setTopics('flaky', ['health'], AT);
    await d.store.setTopics('fine', ['health'], AT);
    const out = await broadcast(d, [observation('a'), observation('b')]);
    expect(out).toEqual({ messages: 2, sent: 2, removed: 1, failed: 2 });
    expect(await d.store.topicsOf('dead')).toBeNull();
    expect(await d.store.topicsOf('flaky')).toEqual(['health']);
    expect(d.warnings).toEqual(['pushing a live message failed', 'pushing a live message failed']);
  });

  it('keeps frames within the API Gateway frame limit', () => {
    const small = encodeLiveMessage({ topic: 'events', type: 't', data: { a: 1 }, at: AT });
    expect(JSON.parse(small)).toEqual({ topic: 'events', type: 't', data: { a: 1 }, at: AT });
    const big = encodeLiveMessage({ topic: 'events', type: 't', data: { a: 'x'.repeat(MAX_PUSH_FRAME_BYTES) }, at: AT });
    expect(JSON.parse(big)).toEqual({ topic: 'events', type: 't', data: null, at: AT, truncated: true });
  });
});

describe('handleLiveFrame', () => {
  it('subscribes and answers through the pusher; a gone asker is forgotten', async () => {
    const pusher = new FakePusher(new Set(['gone-1']));
    const d = deps(pusher);
    expect(await handleLiveFrame(d, { connectionId: 'c1', body: '{"action":"subscribe","topics":["alerts"]}' })).toEqual({ type: 'subscribed', topics: ['alerts'] });
    expect(pusher.sent).toEqual([['c1', '{"type":"subscribed","topics":["alerts"]}']]);
    expect(await d.store.topicsOf('c1')).toEqual(['alerts']);
    expect(await handleLiveFrame(d, { connectionId: 'c1', body: 'nope' })).toMatchObject({ type: 'error', error: { code: 'invalid_json' } });
    expect(await d.store.topicsOf('c1')).toEqual(['alerts']);
    await handleLiveFrame(d, { connectionId: 'gone-1', body: '{"action":"subscribe","topics":["alerts"]}' });
    expect(await d.store.topicsOf('gone-1')).toBeNull();
  });
});
