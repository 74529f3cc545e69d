import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..');
export const WEB_DIR = join(REPO_ROOT, 'web');
export const WEB_OUT = join(WEB_DIR, 'out');

async function newestSourceTime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (['out', '.next', 'node_modules'].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestSourceTime(path));
    else newest = Math.max(newest, (await stat(path)).mtimeMs);
  }
  return newest;
}

/** True when web/out is missing or older than any portal source file. */
export async function webBuildIsStale(): Promise<boolean> {
  const marker = join(WEB_OUT, 'index.html');
  if (!existsSync(marker)) return true;
  const built = (await stat(marker)).mtimeMs;
  const sources = Math.max(await newestSourceTime(WEB_DIR), (await stat(join(REPO_ROOT, 'functions/src/core/read-models.ts'))).mtimeMs);
  return sources > built;
}

/** Builds the portal's static export with the project's own Next.js (offline, no telemetry). */
export async function buildWeb(log: (line: string) => void = (l) => process.stdout.write(l)): Promise<void> {
  const next = join(REPO_ROOT, 'node_modules', '.bin', 'next');
  await new Promise<void>((resolvePromise, reject) => {
    const child = spawn(next, ['build', WEB_DIR], {
      cwd: REPO_ROOT,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => log(d.toString()));
    child.stderr.on('data', (d: Buffer) => log(d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`next build exited with ${code}`))));
  });
}

const BUILD_LOCK = join(REPO_ROOT, '.web-build.lock');
/** A lock older than this belongs to a build that died; `next build` takes about a minute. */
const STALE_LOCK_MS = 10 * 60_000;

/**
 * Takes the build lock (a directory: `mkdir` is atomic across processes), waiting while another
 * process builds. Two `next build`s of one folder at once fail ("Another next build process is
 * already running"), and test files run in parallel workers.
 */
async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(BUILD_LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const since = await stat(BUILD_LOCK).then((s) => s.mtimeMs, () => Date.now());
      if (Date.now() - since > STALE_LOCK_MS) await rm(BUILD_LOCK, { recursive: true, force: true });
      else await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    }
  }
  try {
    return await work();
  } finally {
    await rm(BUILD_LOCK, { recursive: true, force: true });
  }
}

/** Builds the portal only when its sources changed since the last build; safe to call from parallel processes. */
export async function ensureWebBuilt(log?: (line: string) => void): Promise<boolean> {
  if (!(await webBuildIsStale())) return false;
  return withBuildLock(async () => {
    // Another process may have built it while this one waited for the lock.
    if (!(await webBuildIsStale())) return false;
    await buildWeb(log);
    return true;
  });
}
