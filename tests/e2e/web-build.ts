import { ensureWebBuilt as ensureBuilt } from '../../local/web-build';

/**
 * Builds the portal (`next build web`, telemetry off) only when web/out is missing or older than a
 * file under web/, so repeated test runs skip the ~15 s build. Shares the staleness rule with
 * `npm run build:web -- --if-stale`.
 */
export async function ensureWebBuilt(): Promise<void> {
  const output: string[] = [];
  try {
    await ensureBuilt((line) => output.push(line));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${output.join('')}`);
  }
}
