import { ApiGatewayManagementApiClient, ForbiddenException, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ApiGatewayLivePusher } from '../../functions/src/adapters/aws/api-gateway-live-pusher';
import { DynamoLiveConnections } from '../../functions/src/adapters/aws/dynamo-live-connections';
import { InMemoryLiveConnections } from '../../functions/src/adapters/local/in-memory-live-connections';
import { LocalLiveSocketServer } from '../../functions/src/adapters/local/live-socket-server';
import { silentLogger } from '../../functions/src/core/ports/logger';
import { liveConnectionsContract } from '../contracts/live-connections.contract';
import { useDynaliteTables } from '../helpers/dynalite';

const freshTable = useDynaliteTables('live');

liveConnectionsContract('DynamoDB (dynalite)', async () => {
  const { doc, table } = await freshTable();
  return new DynamoLiveConnections(doc, table);
});

liveConnectionsContract('in memory', async () => new InMemoryLiveConnections());

describe('DynamoLiveConnections item layout and expiry', () => {
  it('writes one item per connection × topic under LIVE#<topic>, with a 2 h TTL, and skips expired ones', async () => {
    const { doc, table } = await freshTable();
    let now = Date.parse('2026-11-23T10:00:00.000Z') / 1000;
    const store = new DynamoLiveConnections(doc, table, () => now);
    await store.setTopics('c1', ['alerts'], '2026-11-23T10:00:00.000Z');
    const out = await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'LIVE#alerts' } }));
    expect(out.Items).toEqual([{ pk: 'LIVE#alerts', sk: 'c1', expiresAt: now + 7200 }]);
    now += 7201;
    expect((await store.listByTopic('alerts', { limit: 10 })).items).toEqual([]);
    expect(await store.topicsOf('c1')).toBeNull();
  });
});

describe('ApiGatewayLivePusher', () => {
  const api = mockClient(ApiGatewayManagementApiClient);
  const client = new ApiGatewayManagementApiClient({ region: 'eu-west-1', endpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com/live' });
  beforeEach(() => api.reset());

  it('posts the frame as UTF-8 bytes to the connection', async () => {
    api.on(PostToConnectionCommand).resolves({});
    expect(await new ApiGatewayLivePusher(client).send('conn-1=', '{"topic":"alerts","x":"é"}')).toBe('sent');
    expect(api).toHaveReceivedCommandExactlyOnceWith(PostToConnectionCommand, {
      ConnectionId: 'conn-1=',
      Data: new TextEncoder().encode('{"topic":"alerts","x":"é"}'),
    });
  });

  it('reports 410 GoneException as gone', async () => {
    api.on(PostToConnectionCommand).rejects(new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } }));
    expect(await new ApiGatewayLivePusher(client).send('conn-2', '{}')).toBe('gone');
  });

  it('throws other failures', async () => {
    api.on(PostToConnectionCommand).rejects(new ForbiddenException({ message: 'no', $metadata: { httpStatusCode: 403 } }));
    await expect(new ApiGatewayLivePusher(client).send('conn-3', '{}')).rejects.toThrow(ForbiddenException);
  });
});

describe('LocalLiveSocketServer', () => {
  let http: Server;
  let live: LocalLiveSocketServer;
  const events: string[] = [];
  let url: string;

  const start = async (maxBufferedBytes: number) => {
    events.length = 0;
    live = new LocalLiveSocketServer({
      logger: silentLogger,
      maxBufferedBytes,
      heartbeatMs: 0,
      handlers: {
        onConnect: async (id) => void events.push(`connect ${id}`),
        onMessage: async (id, body) => void events.push(`message ${id} ${body}`),
        onDisconnect: async (id) => void events.push(`disconnect ${id}`),
      },
    });
    http = createServer((_req, res) => res.end());
    http.on('upgrade', (req, socket, head) => live.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`;
  };
  afterEach(async () => {
    await live.close();
    await new Promise<void>((r) => http.close(() => r()));
  });

  const open = async () => {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return ws;
  };
  const until = async (condition: () => boolean) => {
    while (!condition()) await new Promise((r) => setTimeout(r, 10));
  };

  it('reports connect, frames and disconnect in order, and sends to the connection', async () => {
    await start(1024 * 1024);
    const ws = await open();
    const received: string[] = [];
    ws.on('message', (d) => received.push(String(d)));
    ws.send('one');
    ws.send('two');
    await until(() => events.length === 3);
    const id = events[0]!.slice('connect '.length);
    expect(events).toEqual([`connect ${id}`, `message ${id} one`, `message ${id} two`]);
    expect(await live.send(id, 'hello')).toBe('sent');
    await until(() => received.length === 1);
    expect(received).toEqual(['hello']);
    ws.close();
    await until(() => events.length === 4);
    expect(events[3]).toBe(`disconnect ${id}`);
    expect(await live.send(id, 'late')).toBe('gone');
    expect(await live.send('unknown', 'x')).toBe('gone');
  });

  it('drops and closes a client whose send queue is over the limit instead of queueing', async () => {
    await start(16);
    const ws = await open();
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    await until(() => events.length === 1);
    const id = events[0]!.slice('connect '.length);
    expect(await live.send(id, 'x'.repeat(17))).toBe('gone');
    expect(await closed).toBe(1006);
    expect(live.connectionCount).toBe(0);
  });
});
