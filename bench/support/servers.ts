/** Starts `server-child.ts` in its own process and stops it again (bench side). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Agent } from 'node:http';
import type { ServerInfo } from './server-child';

const require = createRequire(import.meta.url);
// Node with tsx's loader, no wrapper process in between (so the pid is the server's own).
const TSX_LOADER = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;
const CHILD = resolve(import.meta.dirname, 'server-child.ts');

export interface ServerProcess {
  info: ServerInfo;
  pid: number;
  /** Resolves once the runtime's bus has delivered everything published so far (runtime mode). */
  idle(): Promise<void>;
  /** DynamoDB operations the server process has served so far, by operation name. */
  dynamoOps(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** Spawns the server child (`runtime` or `dynalite`) with data under `dataDir`; resolves once it listens. */
export async function startServerProcess(mode: 'runtime' | 'dynalite', dataDir: string, log: (l: string) => void): Promise<ServerProcess> {
  // SIGNALBOX_BENCH_CPU_PROF=<dir>: write a CPU profile of the server process there (finding out why).
  const prof = process.env.SIGNALBOX_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SIGNALBOX_BENCH_CPU_PROF}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...prof, '--import', TSX_LOADER, CHILD, mode, dataDir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  const lines = createInterface({ input: child.stdout! });
  const idleWaiters = new Map<string, (rest: string) => void>();
  let idleSeq = 0;
  const info = await new Promise<ServerInfo>((resolveInfo, reject) => {
    let first = true;
    lines.on('line', (line) => {
      if (first) {
        first = false;
        try {
          resolveInfo(JSON.parse(line) as ServerInfo);
        } catch {
          reject(new Error(`server child printed ${line}`));
        }
        return;
      }
      const m = /^(\w+ \d+)(?: (.*))?$/.exec(line.trim());
      const waiter = m ? idleWaiters.get(m[1]!) : undefined;
      if (m && waiter) {
        idleWaiters.delete(m[1]!);
        waiter(m[2] ?? '');
      }
    });
    child.once('exit', (code) => reject(new Error(`server child (${mode}) exited with ${code} before listening: ${stderr}`)));
  });
  log(`${mode} server process ${child.pid} ready (${info.url ?? info.dynamoEndpoint})`);
  let stopping = false;
  const exited = new Promise<void>((r) =>
    child.once('exit', (code, signal) => {
      if (!stopping) log(`${mode} server process ${child.pid} exited unexpectedly (${code ?? signal}): ${stderr.slice(-2000)}`);
      r();
    }),
  );
  return {
    info,
    pid: child.pid!,
    idle() {
      const tag = `idle ${++idleSeq}`;
      return new Promise<void>((r) => {
        idleWaiters.set(tag, () => r());
        child.stdin!.write(`${tag}\n`);
      });
    },
    dynamoOps() {
      const tag = `ops ${++idleSeq}`;
      return new Promise<Record<string, number>>((r) => {
        idleWaiters.set(tag, (rest) => r(JSON.parse(rest) as Record<string, number>));
        child.stdin!.write(`${tag}\n`);
      });
    },
    async stop() {
      stopping = true;
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      const warnings = stderr.split('\n').filter((l) => /ERROR|WARN/.test(l));
      if (warnings.length) log(`${mode} server logged ${warnings.length} warning/error line(s); first: ${warnings[0]!.slice(0, 300)}`);
    },
  };
}

/** A DynamoDB client for a dynalite endpoint, with the same socket pool as the runtime's own. */
export function dynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }) },
  });
}
