import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EventBridgeBus,
  PUT_EVENTS_MAX_BYTES,
  checkBusEvent,
  putEventsEntrySize,
} from '../../functions/src/adapters/aws/eventbridge-bus';
import { DependencyError } from '../../functions/src/core/errors';
import type { BusEvent } from '../../functions/src/core/ports/event-bus';

const BUS = 'signalbox-bus';
const ebMock = mockClient(EventBridgeClient);
const client = new EventBridgeClient({ region: 'us-east-1' });

const event = (n: number, extra: Partial<BusEvent> = {}): BusEvent => ({
  source: 'signalbox.ingest',
  detailType: 'CDEvent',
  detail: { n, context: { type: 'dev.cdevents.service.deployed.0.3.0' } },
  ...extra,
});

const wire = (e: BusEvent): PutEventsRequestEntry => ({
  EventBusName: BUS,
  Source: e.source,
  DetailType: e.detailType,
  Detail: JSON.stringify(e.detail),
  ...(e.time !== undefined ? { Time: new Date(e.time) } : {}),
  ...(e.resources !== undefined ? { Resources: e.resources } : {}),
});

/** Answers every entry with an id derived from its Detail's `n`. */
const acceptAll = () =>
  ebMock.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((e) => ({ EventId: `id-${(JSON.parse(e.Detail ?? '{}') as { n: number }).n}` })),
  }));

describe('putEventsEntrySize', () => {
  it('counts Time as 14 bytes and the UTF-8 bytes of Source, DetailType, Detail and Resources', () => {
    expect(
      putEventsEntrySize({
        Source: 'src',
        DetailType: 'dt',
        Detail: '{"é":1}',
        Time: new Date(0),
        Resources: ['arn:a', 'ü'],
      }),
    ).toBe(14 + 3 + 2 + 8 + 5 + 2);
    expect(putEventsEntrySize({ Source: 'a', DetailType: 'b' })).toBe(2);
  });
});

describe('EventBridgeBus', () => {
  beforeEach(() => ebMock.reset());
  afterAll(() => ebMock.restore());

  it('puts events on the named bus and returns their ids', async () => {
    acceptAll();
    const events = [
      event(1, { time: '2026-01-02T03:04:05.000Z', resources: ['arn:aws:ecs:us-east-1:1:service/a'] }),
      event(2),
    ];

    const results = await new EventBridgeBus(client, BUS).publish(events);

    expect(results).toEqual([{ eventId: 'id-1' }, { eventId: 'id-2' }]);
    expect(ebMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(ebMock).toHaveReceivedCommandWith(PutEventsCommand, { Entries: events.map(wire) });
  });

  it('sends nothing for an empty list', async () => {
    acceptAll();
    expect(await new EventBridgeBus(client, BUS).publish([])).toEqual([]);
    expect(ebMock).not.toHaveReceivedCommand(PutEventsCommand);
  });

  it('chunks by count: 23 events go as 10 + 10 + 3, in order', async () => {
    acceptAll();
    const events = Array.from({ length: 23 }, (_, i) => event(i));

    const results = await new EventBridgeBus(client, BUS).publish(events);

    expect(results).toEqual(events.map((_, i) => ({ eventId: `id-${i}` })));
    expect(ebMock).toHaveReceivedCommandTimes(PutEventsCommand, 3);
    expect(ebMock).toHaveReceivedNthCommandWith(PutEventsCommand, 1, { Entries: events.slice(0, 10).map(wire) });
    expect(ebMock).toHaveReceivedNthCommandWith(PutEventsCommand, 2, { Entries: events.slice(10, 20).map(wire) });
    expect(ebMock).toHaveReceivedNthCommandWith(PutEventsCommand, 3, { Entries: events.slice(20).map(wire) });
    expect(ebMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input)).toEqual([
      { Entries: events.slice(0, 10).map(wire) },
      { Entries: events.slice(10, 20).map(wire) },
      { Entries: events.slice(20).map(wire) },
    ]);
  });

  it('chunks by size: a request never exceeds 256 KB', async () => {
    acceptAll();
    // Each big entry is ~100 KB: two fit in one request, a third would not.
    const big = (n: number) => event(n, { detail: { n, blob: 'x'.repeat(100 * 1024) } });
    const events = [big(0), big(1), big(2), event(3), big(4), big(5)];

    const results = await new EventBridgeBus(client, BUS).publish(events);

    expect(results).toEqual(events.map((_, i) => ({ eventId: `id-${i}` })));
    const calls = ebMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries ?? []);
    expect(calls.map((entries) => entries.map((e) => (JSON.parse(e.Detail ?? '') as { n: number }).n))).toEqual([
      [0, 1],
      [2, 3, 4],
      [5],
    ]);
    for (const entries of calls) {
      const bytes = entries.reduce((sum, e) => sum + putEventsEntrySize(e), 0);
      expect(bytes).toBeLessThanOrEqual(PUT_EVENTS_MAX_BYTES);
    }
  });

  it('fits an entry of exactly 256 KB alone in its request', async () => {
    acceptAll();
    const overhead = putEventsEntrySize({ Source: 'signalbox.ingest', DetailType: 'CDEvent', Detail: '{"n":1,"b":""}' });
    const exact = event(1, { detail: { n: 1, b: 'y'.repeat(PUT_EVENTS_MAX_BYTES - overhead) } });

    const results = await new EventBridgeBus(client, BUS).publish([event(0), exact, event(2)]);

    expect(results).toEqual([{ eventId: 'id-0' }, { eventId: 'id-1' }, { eventId: 'id-2' }]);
    const sizes = ebMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length);
    expect(sizes).toEqual([1, 1, 1]);
  });

  it('maps per-entry failures to their original positions', async () => {
    ebMock.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((e) => {
        const { n } = JSON.parse(e.Detail ?? '{}') as { n: number };
        return n === 11
          ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }
          : { EventId: `id-${n}` };
      }),
    }));
    const events = Array.from({ length: 12 }, (_, i) => event(i));

    const results = await new EventBridgeBus(client, BUS).publish(events);

    expect(results[11]).toEqual({ errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' });
    expect(results.filter((r) => 'eventId' in r)).toHaveLength(11);
    expect(results[10]).toEqual({ eventId: 'id-10' });
  });

  it('rejects bad entries locally without failing the others', async () => {
    acceptAll();
    const tooBig = event(1, { detail: { n: 1, blob: 'z'.repeat(PUT_EVENTS_MAX_BYTES) } });
    const events = [
      event(0),
      tooBig,
      event(2, { source: '' }),
      event(3, { detail: 'not an object' }),
      event(4, { time: 'yesterday' }),
      event(5),
    ];

    const results = await new EventBridgeBus(client, BUS).publish(events);

    expect(results).toEqual([
      { eventId: 'id-0' },
      { errorCode: 'InvalidArgument', errorMessage: expect.stringContaining('256 KB') },
      { errorCode: 'InvalidArgument', errorMessage: expect.stringContaining('Source') },
      { errorCode: 'MalformedDetail', errorMessage: expect.any(String) },
      { errorCode: 'InvalidArgument', errorMessage: expect.stringContaining('Time') },
      { eventId: 'id-5' },
    ]);
    expect(ebMock).toHaveReceivedCommandExactlyOnceWith(PutEventsCommand, { Entries: [wire(events[0]!), wire(events[5]!)] });
  });

  it('reports an entry EventBridge left without a result as InternalFailure', async () => {
    ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'only-one' }] });

    const results = await new EventBridgeBus(client, BUS).publish([event(0), event(1)]);

    expect(results).toEqual([{ eventId: 'only-one' }, { errorCode: 'InternalFailure', errorMessage: expect.any(String) }]);
  });

  it('throws DependencyError when EventBridge cannot be reached', async () => {
    ebMock.on(PutEventsCommand).rejects(new Error('connect ECONNREFUSED'));

    await expect(new EventBridgeBus(client, BUS).publish([event(0)])).rejects.toBeInstanceOf(DependencyError);
  });

  it('fails a later chunk and everything after it without sending them when its request fails', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    ebMock
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 0, Entries: Array.from({ length: 10 }, (_, i) => ({ EventId: `id-${i}` })) })
      .rejectsOnce(throttled)
      .resolves({ FailedEntryCount: 0, Entries: [] });
    const events = Array.from({ length: 25 }, (_, i) => event(i));

    const results = await new EventBridgeBus(client, BUS).publish(events);

    expect(results.slice(0, 10)).toEqual(events.slice(0, 10).map((_, i) => ({ eventId: `id-${i}` })));
    expect(results.slice(10)).toEqual(
      Array.from({ length: 15 }, () => ({ errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' })),
    );
    expect(ebMock).toHaveReceivedCommandTimes(PutEventsCommand, 2);
  });
});

describe('checkBusEvent', () => {
  it('refuses a detail that cannot be serialised', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(checkBusEvent(event(0, { detail: circular }))).toMatchObject({ ok: false, errorCode: 'MalformedDetail' });
    expect(checkBusEvent(event(0, { detail: [1, 2] }))).toMatchObject({ ok: false, errorCode: 'MalformedDetail' });
    expect(checkBusEvent(event(0, { detailType: ' ' }))).toMatchObject({ ok: false, errorCode: 'InvalidArgument' });
    expect(checkBusEvent(event(0, { resources: [1 as unknown as string] }))).toMatchObject({ ok: false, errorCode: 'InvalidArgument' });
  });
});
