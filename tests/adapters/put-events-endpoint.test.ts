import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalEventBus, type DeadLetter } from '../../functions/src/adapters/local/local-event-bus';
import { createPutEventsListener } from '../../functions/src/adapters/local/put-events-endpoint';
import type { DeliveredEvent, EventBus } from '../../functions/src/core/ports/event-bus';
import { BUS_RULES, CDEVENT_DETAIL_TYPE, INGEST_BUS_SOURCE } from '../../functions/src/shared/bus-rules';

const cdevent = {
  context: {
    specversion: '0.5.1',
    id: '271069a8-fc18-44f1-b38f-9d70a1695819',
    source: '/event/source/123',
    type: 'dev.cdevents.service.deployed.0.3.0',
    timestamp: '2023-03-20T14:27:05.315384Z',
  },
  subject: { id: 'mySubject123', source: '/event/source/123', content: { environment: { id: 'test123' }, artifactId: 'pkg:oci/myapp' } },
};

const entry = (extra: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  EventBusName: 'signalbox',
  Source: INGEST_BUS_SOURCE,
  DetailType: CDEVENT_DETAIL_TYPE,
  Detail: JSON.stringify(cdevent),
  ...extra,
});

async function listen(bus: EventBus, busNames?: string[]): Promise<{ server: Server; url: string }> {
  const server = createServer(createPutEventsListener(bus, busNames ? { busNames } : {}));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

const clientFor = (endpoint: string) =>
  new EventBridgeClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAFAKEFAKEFAKE', secretAccessKey: 'fake-secret' },
    maxAttempts: 1,
  });

describe('createPutEventsListener', () => {
  let server: Server;
  let url: string;
  let client: EventBridgeClient;
  let bus: LocalEventBus;
  let received: DeliveredEvent[];
  let deadLetters: DeadLetter[];

  beforeAll(async () => {
    deadLetters = [];
    bus = new LocalEventBus({
      busName: 'signalbox',
      retry: { attempts: 1, baseDelayMs: 0 },
      onDeadLetter: async (d) => {
        deadLetters.push(d);
      },
    });
    const store = BUS_RULES.find((r) => r.id === 'StoreCdEvents')!;
    bus.addRule(store.id, store.pattern, async (e) => {
      received.push(e);
    });
    ({ server, url } = await listen(bus, ['signalbox']));
    client = clientFor(url);
  });

  afterEach(() => {
    received = [];
  });

  afterAll(async () => {
    client.destroy();
    await stop(server);
    await bus.close();
  });

  received = [];

  it('delivers a CDEvent put with the real EventBridge client to the matching rule', async () => {
    const time = new Date('2026-02-03T04:05:06.000Z');

    const out = await client.send(new PutEventsCommand({ Entries: [entry({ Time: time, Resources: ['arn:aws:ecs:x'] })] }));
    await bus.idle();

    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries).toEqual([{ EventId: expect.any(String) }]);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      id: out.Entries![0]!.EventId,
      source: INGEST_BUS_SOURCE,
      'detail-type': CDEVENT_DETAIL_TYPE,
      time: time.toISOString(),
      resources: ['arn:aws:ecs:x'],
      detail: cdevent,
    });
  });

  it('accepts a bus ARN as EventBusName and answers per entry', async () => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          entry({ EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/signalbox' }),
          entry({ Detail: '{not json' }),
          entry({ Source: '' }),
          entry({ EventBusName: 'other-bus' }),
          entry({ Detail: JSON.stringify({ hello: 'not a CDEvent' }) }),
        ],
      }),
    );
    await bus.idle();

    expect(out.FailedEntryCount).toBe(3);
    expect(out.Entries).toEqual([
      { EventId: expect.any(String) },
      { ErrorCode: 'MalformedDetail', ErrorMessage: expect.any(String) },
      { ErrorCode: 'InvalidArgument', ErrorMessage: expect.stringContaining('Source') },
      { ErrorCode: 'InvalidArgument', ErrorMessage: expect.stringContaining('other-bus') },
      { EventId: expect.any(String) },
    ]);
    expect(received.map((e) => e.id)).toEqual([out.Entries![0]!.EventId]);
  });

  it('refuses more than 10 entries with a ValidationException', async () => {
    const error = await client
      .send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry()) }))
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toContain('entries');
    await bus.idle();
    expect(received).toEqual([]);
  });

  it('refuses entries over 256 KB in total with a ValidationException', async () => {
    const half = entry({ Detail: JSON.stringify({ ...cdevent, blob: 'x'.repeat(130 * 1024) }) });

    const error = await client.send(new PutEventsCommand({ Entries: [half, half] })).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toContain('over the limit');
  });

  it('answers another operation with UnknownOperationException', async () => {
    const error = await client
      .send(new PutRuleCommand({ Name: 'r', EventPattern: '{"source":["x"]}' }))
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'UnknownOperationException', $metadata: { httpStatusCode: 400 } });
  });

  describe('raw requests', () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents', ...headers },
        body,
      });

    it.each([
      ['a body that is not JSON', '{"Entries": ['],
      ['a body without Entries', '{}'],
      ['no entries', '{"Entries": []}'],
      ['an entry that is not an object', '{"Entries": [1]}'],
      ['a Detail that is not a string', '{"Entries": [{"Source":"s","DetailType":"d","Detail":{"a":1}}]}'],
      ['Resources that are not strings', '{"Entries": [{"Source":"s","DetailType":"d","Detail":"{}","Resources":[1]}]}'],
    ])('answers %s with a 400 ValidationException', async (_name, body) => {
      const res = await post(body);

      expect(res.status).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('ValidationException');
      expect(await res.json()).toEqual({ __type: 'ValidationException', message: expect.any(String) });
    });

    it('refuses another content type', async () => {
      const res = await post('{"Entries": []}', { 'content-type': 'application/json' });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ __type: 'ValidationException' });
    });

    it('answers a GET with UnknownOperationException', async () => {
      const res = await fetch(url);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ __type: 'UnknownOperationException' });
    });

    it('accepts a Time given as an RFC 3339 string', async () => {
      const res = await post(
        JSON.stringify({ Entries: [{ Source: 's', DetailType: 'CDEvent', Detail: JSON.stringify(cdevent), Time: '2026-01-01T00:00:00Z' }] }),
      );
      await bus.idle();

      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      expect(await res.json()).toEqual({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
      expect(received[0]?.time).toBe('2026-01-01T00:00:00Z');
    });
  });
});

describe('createPutEventsListener with a failing bus', () => {
  it('answers 500 InternalException when the bus throws', async () => {
    const broken: EventBus = {
      publish: async () => {
        throw new Error('bus is down');
      },
    };
    const { server, url } = await listen(broken);
    const client = clientFor(url);
    try {
      const error = await client.send(new PutEventsCommand({ Entries: [entry()] })).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'InternalException', $metadata: { httpStatusCode: 500 } });
    } finally {
      client.destroy();
      await stop(server);
    }
  });

  it('takes any EventBusName when no bus names are configured', async () => {
    const published: unknown[] = [];
    const spy: EventBus = {
      publish: async (events) => {
        published.push(...events);
        return events.map((_, i) => ({ eventId: `id-${i}` }));
      },
    };
    const { server, url } = await listen(spy);
    const client = clientFor(url);
    try {
      const out = await client.send(new PutEventsCommand({ Entries: [entry({ EventBusName: 'anything' })] }));
      expect(out.Entries).toEqual([{ EventId: 'id-0' }]);
      expect(published).toEqual([{ source: INGEST_BUS_SOURCE, detailType: CDEVENT_DETAIL_TYPE, detail: cdevent }]);
    } finally {
      client.destroy();
      await stop(server);
    }
  });
});
