/**
 * The local runtime in a process of its own, for the kill/restart test: `tsx runtime-child.ts
 * <dataDir>`. Starts on a free loopback port, waits until the bus has delivered what its journal
 * held from a previous (killed) run, then prints one JSON line `{"url", "token", "recovered"}` to
 * stdout. Runs until killed; SIGTERM stops it cleanly.
 */
import { join } from 'node:path';
import { startLocalRuntime } from '../../local/runtime';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: runtime-child.ts <dataDir>\n');
  process.exit(2);
}
const rt = await startLocalRuntime({ port: 0, dataDir, seed: false, quiet: true, webDir: join(dataDir, 'no-web'), rateLimits: false });
await rt.idle();
process.stdout.write(`${JSON.stringify({ url: rt.url, token: rt.token, recovered: rt.recoveredDeliveries })}\n`);
process.once('SIGTERM', () => {
  void rt.stop().then(() => process.exit(0));
});
