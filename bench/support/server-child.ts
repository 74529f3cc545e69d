/**
 * The server side of a benchmark, in its own process (as `npm start` runs it), so the load
 * generator in the bench process does not share the server's event loop. Two modes:
 *
 *   tsx bench/support/server-child.ts runtime  <dataDir>   the whole local runtime (HTTP, bus, dynalite)
 *   tsx bench/support/server-child.ts dynalite <dataDir>   dynalite alone with the Signalbox table
 *
 * Prints one JSON line with what the bench needs, then runs until SIGTERM/SIGINT or stdin closes.
 * The line `idle <n>` on stdin is answered with `idle <n>` on stdout once the runtime's bus has
 * delivered everything published so far (how the ingest bench knows the projections are done);
 * `ops <n>` with `ops <n> {"PutItem":…}`: the DynamoDB operations this process has served so far.
 */
import { Server, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureTable, startDynalite } from '../../functions/src/adapters/local/dynalite';
import { startLocalRuntime, TABLE_NAME } from '../../local/runtime';

export interface ServerInfo {
  mode: 'runtime' | 'dynalite';
  dynamoEndpoint: string;
  tableName: string;
  /** Runtime only: the API's base URL, the producer token and a viewer's access token. */
  url?: string;
  producerToken?: string;
  userToken?: string;
}

/**
 * DynamoDB operations served by this process (dynalite runs in it), by operation name: every
 * request to any HTTP server here whose `X-Amz-Target` is `DynamoDB_*.<Operation>`. Bench-only.
 */
const dynamoOps: Record<string, number> = {};
const originalEmit = Server.prototype.emit;
Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'request') {
    const target = (args[0] as IncomingMessage).headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith('DynamoDB_')) {
      const op = target.slice(target.indexOf('.') + 1);
      dynamoOps[op] = (dynamoOps[op] ?? 0) + 1;
    }
  }
  return originalEmit.apply(this, [event, ...args] as Parameters<typeof originalEmit>);
} as typeof Server.prototype.emit;

async function main(): Promise<void> {
  const [mode, dataDir] = process.argv.slice(2);
  if ((mode !== 'runtime' && mode !== 'dynalite') || !dataDir) {
    process.stderr.write('usage: server-child.ts runtime|dynalite <dataDir>\n');
    process.exit(2);
  }
  let stop: () => Promise<void>;
  let idle: () => Promise<void> = async () => undefined;
  let info: ServerInfo;
  if (mode === 'runtime') {
    const rt = await startLocalRuntime({
      port: 0,
      dataDir,
      seed: false,
      quiet: true,
      webDir: join(dataDir, 'no-web'),
      // The bench measures throughput, not the per-address budget.
      rateLimits: false,
    });
    info = {
      mode,
      dynamoEndpoint: rt.dynamoEndpoint,
      tableName: TABLE_NAME,
      url: rt.url,
      producerToken: rt.token,
      userToken: rt.issuer.issue(rt.issuer.userFor('viewer'), { lifetimeSeconds: 6 * 3600 }),
    };
    stop = () => rt.stop();
    idle = () => rt.idle();
  } else {
    // The same store configuration as the runtime's: on disk under the data dir.
    const dynamo = await startDynalite({ path: join(dataDir, 'dynamodb'), port: 0 });
    await ensureTable(dynamo.client, TABLE_NAME);
    info = { mode, dynamoEndpoint: dynamo.endpoint, tableName: TABLE_NAME };
    stop = () => dynamo.stop();
  }
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  // Control lines from the bench: "idle <n>" answers "idle <n>" once the bus has delivered everything.
  createInterface({ input: process.stdin }).on('line', (line) => {
    const m = /^idle (\d+)$/.exec(line.trim());
    if (m) void idle().then(() => process.stdout.write(`idle ${m[1]}\n`));
    const st = /^ops (\d+)$/.exec(line.trim());
    if (st) process.stdout.write(`ops ${st[1]} ${JSON.stringify(dynamoOps)}\n`);
  });
  process.stdout.write(`${JSON.stringify(info)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
