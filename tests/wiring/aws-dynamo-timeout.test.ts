import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyError } from '../../functions/src/core/errors';
import { awsDocumentClient, DYNAMO_REQUEST_HANDLER } from '../../functions/src/wiring/aws/dynamo';

/**
 * A DynamoDB endpoint that accepts the connection and never answers: the Lambdas' document client
 * gives up after its request timeout with `store_unavailable` (503 with Retry-After at the edge)
 * instead of hanging until API Gateway's 29 s.
 */
describe('the Lambdas’ DynamoDB client against a store that hangs', () => {
  let server: Server;
  const held: Array<() => void> = [];
  beforeAll(async () => {
    server = createServer((_req, res) => void held.push(() => res.destroy()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const release of held) release();
    await new Promise((r) => server.close(r));
  });

  it('fails the request with store_unavailable (timed out) after the request timeout', async () => {
    const doc = awsDocumentClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const error = await doc.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ code: 'store_unavailable' });
    expect((error as Error).message).toContain('timed out');
    expect(held.length).toBe(1);
  }, DYNAMO_REQUEST_HANDLER.requestTimeout * 5);
});
