/**
 * A store that is down answers 503 with `Retry-After`: the DynamoDB client middleware
 * (`withStoreErrors`) turns connection failures, timeouts, throttling and the service's 5xx into a
 * `DependencyError` (`store_unavailable`, the original as `cause`) and leaves the answers the stores
 * handle (conditional check, validation, transaction) alone; the edge mapper (`httpErrors`) gives
 * every 503 a `Retry-After` and keeps everything else as it was. Real `DynamoDBClient`s talk to
 * loopback: a closed port, a server that never answers, and a small server speaking DynamoDB's
 * JSON error protocol.
 */
import middy from '@middy/core';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ResourceNotFoundException,
  ThrottlingException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_UNAVAILABLE, storeUnavailableReason, translateStoreError, withStoreErrors } from '../../functions/src/adapters/aws/dynamo-errors';
import { documentClient } from '../../functions/src/adapters/aws/dynamo-stores';
import { DependencyError, RateLimitedError, ValidationError } from '../../functions/src/core/errors';
import type { Logger } from '../../functions/src/core/ports/logger';
import { DEFAULT_RETRY_AFTER_SECONDS, httpErrors, type HttpEvent, type HttpResult } from '../../functions/src/handlers/middleware/http';
import { openApiDocument } from '../../functions/src/handlers/http/openapi';

const meta = { $metadata: {} };

function recordingLogger(): Logger & { errors: Array<{ message: string; data?: Record<string, unknown> }> } {
  const errors: Array<{ message: string; data?: Record<string, unknown> }> = [];
  return { errors, info() {}, warn() {}, error: (message, data) => errors.push({ message, data }) };
}

/** A handler behind the edge mapper that fails with `error` (or whatever `run` throws). */
async function answer(run: () => Promise<unknown>, logger: Logger = recordingLogger()): Promise<HttpResult & { headers: Record<string, string>; body: string }> {
  const handler = middy<HttpEvent, HttpResult>()
    .use(httpErrors(logger))
    .handler(async () => {
      await run();
      return { statusCode: 200, body: '{}' };
    });
  return (await handler({} as HttpEvent, {} as never)) as HttpResult & { headers: Record<string, string>; body: string };
}

function client(endpoint: string, extra: Partial<ConstructorParameters<typeof DynamoDBClient>[0]> = {}): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1, ...extra });
}

const getItem = () => new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' }, sk: { S: 'b' } } });

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('httpErrors: every 503 carries Retry-After; other statuses are unchanged', () => {
  it('answers a DependencyError 503 with the default Retry-After and the error shape, and logs the cause', async () => {
    const logger = recordingLogger();
    const cause = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:8000'), { code: 'ECONNREFUSED' });
    const res = await answer(async () => {
      throw new DependencyError('the data store is unavailable', null, { code: 'store_unavailable', cause });
    }, logger);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe(String(DEFAULT_RETRY_AFTER_SECONDS));
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'store_unavailable', field: null, message: 'the data store is unavailable' } });
    expect(res.body).not.toContain('10.1.2.3');
    // The operator's log has what the caller does not get.
    expect(logger.errors).toEqual([{ message: 'dependency failure', data: expect.objectContaining({ code: 'store_unavailable', cause: expect.objectContaining({ code: 'ECONNREFUSED' }) }) }]);
  });

  it("uses the error's own Retry-After when it carries one", async () => {
    const res = await answer(async () => {
      throw new DependencyError('throttled', null, { code: 'store_unavailable', retryAfterSeconds: 2 });
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
  });

  it('gives Retry-After to any other 503 too (a dependency not configured)', async () => {
    const res = await answer(async () => {
      throw new DependencyError('monitoring is not configured in this deployment', null, { code: 'monitoring_unavailable' });
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe(String(DEFAULT_RETRY_AFTER_SECONDS));
    expect(JSON.parse(res.body).error.code).toBe('monitoring_unavailable');
  });

  it('keeps 429 with its own Retry-After, 400 without one, and a bug a 500 without one', async () => {
    const limited = await answer(async () => {
      throw new RateLimitedError('slow down', 7);
    });
    expect([limited.statusCode, limited.headers['retry-after']]).toEqual([429, '7']);
    const invalid = await answer(async () => {
      throw new ValidationError('bad', 'limit');
    });
    expect([invalid.statusCode, invalid.headers['retry-after']]).toEqual([400, undefined]);
    const bug = await answer(async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'pk')");
    });
    expect([bug.statusCode, bug.headers['retry-after']]).toEqual([500, undefined]);
    expect(JSON.parse(bug.body)).toEqual({ error: { code: 'internal', field: null, message: 'internal error; see the server log' } });
  });
});

describe('translateStoreError: which DynamoDB failures mean the store is unavailable', () => {
  const service = (name: string, httpStatusCode: number, fault: 'client' | 'server') =>
    new DynamoDBServiceException({ name, $fault: fault, message: name, $metadata: { httpStatusCode } });

  it.each([
    ['ThrottlingException', new ThrottlingException({ message: 'Rate exceeded', ...meta }), 'throttled'],
    ['ProvisionedThroughputExceededException', new ProvisionedThroughputExceededException({ message: 'too much', ...meta }), 'throttled'],
    ['RequestLimitExceeded', new RequestLimitExceeded({ message: 'account limit', ...meta }), 'throttled'],
    ['InternalServerError', new InternalServerError({ message: 'oops', ...meta }), 'failing'],
    ['ServiceUnavailable', service('ServiceUnavailable', 503, 'server'), 'failing'],
    ['an unknown 5xx', service('SomethingNew', 502, 'server'), 'failing'],
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'unreachable'],
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'unreachable'],
    ['an AggregateError of refused connects', Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], 'all failed')), 'unreachable'],
    ['ETIMEDOUT', Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }), 'timed out'],
    ['TimeoutError', Object.assign(new Error('Connection timed out after 200 ms'), { name: 'TimeoutError' }), 'timed out'],
  ])('%s becomes store_unavailable (%#)', (_label, error, reason) => {
    expect(storeUnavailableReason(error)).toBe(reason);
    const translated = translateStoreError(error);
    expect(translated).toBeInstanceOf(DependencyError);
    const e = translated as DependencyError;
    expect(e.code).toBe(STORE_UNAVAILABLE);
    expect(e.cause).toBe(error);
    expect(e.field).toBeNull();
    expect(e.retryAfterSeconds).toBeGreaterThan(0);
    expect(e.message).toContain(reason);
    expect(e.message).not.toMatch(/127\.0\.0\.1|ECONN|Exception/);
  });

  it.each([
    ['ConditionalCheckFailedException', new ConditionalCheckFailedException({ message: 'The conditional request failed', ...meta })],
    ['TransactionCanceledException', new TransactionCanceledException({ message: 'cancelled', ...meta })],
    ['ResourceNotFoundException', new ResourceNotFoundException({ message: 'no table', ...meta })],
    ['ValidationException', service('ValidationException', 400, 'client')],
    ['a bug', new TypeError('x is not a function')],
    ['a DependencyError already', new DependencyError('bus down')],
    ['not an error', 'boom'],
  ])('%s stays what it is', (_label, error) => {
    expect(storeUnavailableReason(error)).toBeNull();
    expect(translateStoreError(error)).toBe(error);
  });
});

describe('withStoreErrors on a real DynamoDBClient over loopback', () => {
  let closedEndpoint: string;
  let silent: Server;
  let silentEndpoint: string;
  const silentSockets = new Set<Socket>();
  let fake: Server;
  let fakeEndpoint: string;
  /** What the fake DynamoDB answers next: status and `__type`, in order; then 200 `{}`. */
  let script: Array<{ status: number; type?: string }> = [];
  let fakeRequests = 0;

  beforeAll(async () => {
    // A port nothing listens on: bind, note, close.
    const probe = createServer();
    closedEndpoint = await listen(probe);
    await close(probe);
    // Accepts the connection and never answers.
    silent = createServer(() => {});
    silent.on('connection', (s) => silentSockets.add(s));
    silentEndpoint = await listen(silent);
    fake = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on('end', () => {
        fakeRequests += 1;
        const next = script.shift();
        if (!next) {
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
          return;
        }
        const body = next.type ? JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${next.type}`, message: `${next.type} from the fake` }) : '';
        res.writeHead(next.status, { 'content-type': 'application/x-amz-json-1.0' }).end(body);
      });
    });
    fakeEndpoint = await listen(fake);
  });

  afterAll(async () => {
    for (const s of silentSockets) s.destroy();
    await close(silent);
    await close(fake);
  });

  it('a refused connection becomes store_unavailable, with the SDK error as cause (and without the middleware it does not)', async () => {
    const wrapped = withStoreErrors(client(closedEndpoint));
    const error = await wrapped.send(getItem()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ code: STORE_UNAVAILABLE, retryAfterSeconds: 5 });
    expect((error as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
    expect((error as Error).message).not.toContain(new URL(closedEndpoint).port);

    const bare = client(closedEndpoint);
    const raw = await bare.send(getItem()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(raw).not.toBeInstanceOf(DependencyError);
    expect(raw).toMatchObject({ code: 'ECONNREFUSED' });
    wrapped.destroy();
    bare.destroy();
  });

  it('applies to document clients made from the client (they share its middleware stack)', async () => {
    const base = withStoreErrors(client(closedEndpoint));
    const doc = documentClient(base);
    await expect(doc.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } }))).rejects.toMatchObject({ name: 'DependencyError', code: STORE_UNAVAILABLE });
    base.destroy();
  });

  it('a store that never answers becomes store_unavailable (timed out)', async () => {
    // Without throwOnRequestTimeout the SDK only logs a warning at requestTimeout and keeps waiting.
    const wrapped = withStoreErrors(client(silentEndpoint, { requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } }));
    const error = await wrapped.send(getItem()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as DependencyError).message).toContain('timed out');
    wrapped.destroy();
  });

  it.each([
    [400, 'ThrottlingException', 'throttled'],
    [400, 'ProvisionedThroughputExceededException', 'throttled'],
    [400, 'RequestLimitExceeded', 'throttled'],
    [500, 'InternalServerError', 'failing'],
    [503, undefined, 'failing'],
  ])('the service answering %i %s becomes store_unavailable (%s)', async (status, type, reason) => {
    script = [{ status, type }];
    const wrapped = withStoreErrors(client(fakeEndpoint));
    const error = await wrapped.send(getItem()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as DependencyError).message).toContain(reason);
    if (type) expect(((error as Error).cause as Error).name).toBe(type);
    wrapped.destroy();
  });

  it.each([
    ['ConditionalCheckFailedException', ConditionalCheckFailedException],
    ['TransactionCanceledException', TransactionCanceledException],
    ['ValidationException', DynamoDBServiceException],
  ])('the service answering 400 %s passes through unchanged', async (type, cls) => {
    script = [{ status: 400, type }];
    const wrapped = withStoreErrors(client(fakeEndpoint));
    const error = await wrapped.send(getItem()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).not.toBeInstanceOf(DependencyError);
    expect(error).toBeInstanceOf(cls);
    expect((error as Error).name).toBe(type);
    wrapped.destroy();
  });

  it("runs outside the SDK's retries: a store failing twice then answering is a success", async () => {
    script = [
      { status: 500, type: 'InternalServerError' },
      { status: 500, type: 'InternalServerError' },
    ];
    fakeRequests = 0;
    const wrapped = withStoreErrors(client(fakeEndpoint, { maxAttempts: 3 }));
    await expect(wrapped.send(getItem())).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
    expect(fakeRequests).toBe(3);
    wrapped.destroy();
  });

  it('through the edge: a handler reading a store that is down answers 503, Retry-After and the error shape', async () => {
    const base = withStoreErrors(client(closedEndpoint));
    const doc = documentClient(base);
    const res = await answer(() => doc.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } })));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    const body = JSON.parse(res.body) as { error: { code: string; field: null; message: string } };
    expect(body).toEqual({ error: { code: 'store_unavailable', field: null, message: expect.stringMatching(/^the data store is unavailable \(unreachable\); retry in 5 s$/) } });
    base.destroy();
  });
});

describe('the OpenAPI document: where 503 and 429 can happen', () => {
  type Response = { headers?: Record<string, { required?: boolean }>; content?: Record<string, unknown> };
  const doc = openApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, Response> }>> };
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })));
  // Served from memory or the configuration alone: no store, no other dependency.
  const noDependency = ['GET /api/openapi.json', 'GET /api/auth/config', 'GET /api/live', 'GET /api/rollout-presets'];

  it('every route that touches the store documents 503, and every documented 503 carries Retry-After', () => {
    const without503 = operations.filter(({ op }) => !op.responses['503']).map(({ route }) => route);
    expect(without503.filter((r) => !noDependency.includes(r))).toEqual([]);
    const withoutHeader = operations.filter(({ op }) => op.responses['503'] && !op.responses['503'].headers?.['Retry-After']?.required).map(({ route }) => route);
    expect(withoutHeader).toEqual([]);
    expect(operations.length).toBeGreaterThan(noDependency.length);
  });

  it('POST /api/events documents 429 with Retry-After and 503 with Retry-After, both JSON', () => {
    const ingest = doc.paths['/api/events']!.post!.responses;
    expect(ingest['429']?.headers?.['Retry-After']).toBeDefined();
    expect(ingest['429']?.content?.['application/json']).toBeDefined();
    expect(ingest['503']?.headers?.['Retry-After']?.required).toBe(true);
    expect(ingest['503']?.content?.['application/json']).toBeDefined();
  });
});
