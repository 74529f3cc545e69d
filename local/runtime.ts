import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { ensureTable, startDynalite } from '../functions/src/adapters/local/dynalite';
import { loadOrCreateToken } from '../functions/src/adapters/local/file-producer-tokens';
import { BodyTooLargeError, readBody, toApiGatewayEvent, writeResult, type HttpLambda } from '../functions/src/adapters/local/lambda-http';
import { createPutEventsListener } from '../functions/src/adapters/local/put-events-endpoint';
import type { Deps } from '../functions/src/core/deps';
import type { Clock } from '../functions/src/core/ports/clock';
import type { Logger } from '../functions/src/core/ports/logger';
import { MAX_BODY_BYTES } from '../functions/src/core/use-cases/ingest-events';
import { createApiHandler } from '../functions/src/handlers/http/api';
import { createIngestHandler } from '../functions/src/handlers/http/ingest';
import { localDeps } from '../functions/src/wiring/local';
import { seedDemo } from './seed/seed-demo';
import { staticFiles } from './static-files';
import { WEB_OUT } from './web-build';

export const TABLE_NAME = 'signalbox';

export interface LocalRuntimeOptions {
  /** HTTP port; 0 picks a free one (tests). */
  port?: number;
  host?: string;
  /** Where dynalite keeps its data and the producer token lives. */
  dataDir: string;
  /** Seed the demo on first start (once per data dir). */
  seed?: boolean;
  /** The portal's static export; default web/out. */
  webDir?: string;
  /** DynamoDB (dynalite) port; 0 picks a free one. */
  dynamoPort?: number;
  /** Use this producer token instead of the one in the data dir (SIGNALBOX_INGEST_TOKEN). */
  token?: string;
  quiet?: boolean;
  clock?: Clock;
  /** Bus retry policy (tests shorten it). */
  retry?: { attempts: number; baseDelayMs: number };
  log?: (line: string) => void;
}

export interface LocalRuntime {
  url: string;
  dynamoEndpoint: string;
  token: string;
  tokenFile: string;
  tokenCreated: boolean;
  dataDir: string;
  deps: Deps;
  /** Resolves when the bus has delivered everything published so far. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

function consoleLogger(quiet: boolean): Logger {
  const write = (level: string) => (message: string, data?: Record<string, unknown>) => {
    if (quiet && level === 'info') return;
    process.stderr.write(`${new Date().toISOString()} ${level} ${message}${data ? ' ' + JSON.stringify(data) : ''}\n`);
  };
  return { info: write('INFO'), warn: write('WARN'), error: write('ERROR') };
}

/**
 * Starts Signalbox locally in this process: dynalite with data under `dataDir`, the in-process
 * bus with the CDK stack's rules, the same Lambda handlers behind one HTTP server that also serves
 * the portal and an EventBridge-compatible PutEvents endpoint (requests with `X-Amz-Target`).
 */
export async function startLocalRuntime(opts: LocalRuntimeOptions): Promise<LocalRuntime> {
  const dataDir = resolve(opts.dataDir);
  const log = opts.log ?? ((line: string) => (opts.quiet ? undefined : process.stdout.write(`${line}\n`)));
  await mkdir(dataDir, { recursive: true });
  const dynamo = await startDynalite({ path: join(dataDir, 'dynamodb'), port: opts.dynamoPort ?? 0 });
  await ensureTable(dynamo.client, TABLE_NAME);
  const tokenFile = join(dataDir, 'ingest-token');
  const { token, created } = await loadOrCreateToken(tokenFile, opts.token);
  const logger = consoleLogger(opts.quiet ?? false);
  const { deps, bus } = localDeps({ dynamo: dynamo.client, tableName: TABLE_NAME, token, logger, clock: opts.clock, retry: opts.retry });

  const ingest = createIngestHandler(deps) as unknown as HttpLambda;
  const api = createApiHandler(deps) as unknown as HttpLambda;
  const putEvents = createPutEventsListener(bus);
  const web = staticFiles(opts.webDir ?? WEB_OUT);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.headers['x-amz-target']) return putEvents(req, res);
    if (path === '/api' || path.startsWith('/api/')) {
      const isIngest = req.method === 'POST' && /^\/api\/events\/?$/.test(path);
      let body: Buffer;
      try {
        body = await readBody(req, MAX_BODY_BYTES + 1);
      } catch (err) {
        if (err instanceof BodyTooLargeError) {
          res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
          res.end(JSON.stringify({ error: { code: 'payload_too_large', field: 'body', message: `request body exceeds ${MAX_BODY_BYTES} bytes` } }));
          req.destroy();
          return;
        }
        throw err;
      }
      const event = toApiGatewayEvent(req, body, isIngest ? 'POST /api/events' : 'ANY /api/{proxy+}');
      writeResult(res, await (isIngest ? ingest : api)(event, {} as never));
      return;
    }
    if (!existsSync(opts.webDir ?? WEB_OUT)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The portal is not built yet: run `npm run build:web` (npm start does it for you).\nThe API is at /api/.\n');
      return;
    }
    return web(req, res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      logger.error('request failed', { url: req.url, error: err.message });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal', field: null, message: 'internal error; see the server log' } }));
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 3000, opts.host ?? '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${opts.host === '0.0.0.0' ? '127.0.0.1' : (opts.host ?? '127.0.0.1')}:${port}`;

  const runtime: LocalRuntime = {
    url,
    dynamoEndpoint: dynamo.endpoint,
    token,
    tokenFile,
    tokenCreated: created,
    dataDir,
    deps,
    idle: () => bus.idle(),
    stop: async () => {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await bus.idle();
      bus.close();
      await dynamo.stop();
    },
  };

  const seededMarker = join(dataDir, 'demo-seeded');
  if (opts.seed && !existsSync(seededMarker)) {
    log('Seeding the demo through POST /api/events ...');
    let lastShown = -1;
    const result = await seedDemo({
      baseUrl: url,
      token,
      onProgress: (sent, total) => {
        const pct = Math.floor((sent / total) * 10);
        if (pct !== lastShown) {
          lastShown = pct;
          log(`  seeded ${sent}/${total} events`);
        }
      },
    });
    await bus.idle();
    await writeFile(seededMarker, `${JSON.stringify({ ...result, at: new Date().toISOString() })}\n`);
    log(`Demo seeded: ${result.stored} stored, ${result.duplicate} duplicate, ${result.rejected} rejected.`);
  }
  return runtime;
}
