import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../local/runtime';

/**
 * The local runtime for one test file: a fresh temp data dir named `prefix…`, a free port, quiet,
 * no portal (`webDir` points nowhere); `options` add to or override that. Its `stop()` also removes
 * the data dir (also removed when the start fails).
 */
export async function startTestRuntime(prefix: string, options: Partial<LocalRuntimeOptions> = {}): Promise<LocalRuntime> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  let rt: LocalRuntime;
  try {
    rt = await startLocalRuntime({ port: 0, dataDir: dir, quiet: true, webDir: join(dir, 'no-web'), ...options });
  } catch (error) {
    remove();
    throw error;
  }
  const stop = rt.stop;
  return Object.assign(rt, {
    stop: async () => {
      try {
        await stop();
      } finally {
        remove();
      }
    },
  });
}
