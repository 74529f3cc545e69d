import { loadLocalConfig } from '../functions/src/config';
import { startLocalRuntime } from './runtime';
import { ensureWebBuilt, webBuildIsStale } from './web-build';

const HELP = `Usage: npm start [-- options]

Runs Signalbox locally: the portal and API on http://localhost:3000, DynamoDB (dynalite) with data
under .signalbox/, the in-process event bus, an EventBridge PutEvents-compatible endpoint, the
rollout demo (demo-api versions behind a weighted proxy, with load), a local EVM node (Ganache,
port 8545 when free) and the health checks of the signalbox/ config folder every 5 seconds.

Options:
  --no-seed        start empty (no demo data)
  --port N         HTTP port (default 3000, or SIGNALBOX_PORT)
  --no-build       do not (re)build the portal, serve web/out as it is
  --no-demo        do not start the rollout demo (demo-api versions behind a weighted proxy)
  --demo-error-rate R
                   share of requests the bad demo version (1.2.0) fails, 0 to 1 (default 0.3)
  --demo-latency MS
                   extra latency of the bad demo version in ms (default 250)
  --help           this text

Environment:
  SIGNALBOX_PORT           HTTP port (3000)
  SIGNALBOX_HOST           listen address (127.0.0.1)
  SIGNALBOX_DATA_DIR       data folder (.signalbox)
  SIGNALBOX_DYNAMO_PORT    dynalite port (4567; 0 = any free port)
  SIGNALBOX_INGEST_TOKEN   producer token to use instead of the generated one
`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(HELP);
  process.exit(0);
}
const known = new Set(['--no-seed', '--port', '--no-build', '--no-demo', '--demo-error-rate', '--demo-latency']);
const withValue = new Set(['--port', '--demo-error-rate', '--demo-latency']);
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (!known.has(a) && !withValue.has(args[i - 1]!)) {
    process.stderr.write(`Unknown option ${a}\n\n${HELP}`);
    process.exit(2);
  }
}

let config;
try {
  config = loadLocalConfig();
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : config.SIGNALBOX_PORT;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be a number from 0 to 65535\n`);
  process.exit(2);
}

const numberArg = (name: string, min: number, max: number): number | undefined => {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value) || value < min || value > max) {
    process.stderr.write(`${name} must be a number from ${min} to ${max}\n`);
    process.exit(2);
  }
  return value;
};
const badErrorRate = numberArg('--demo-error-rate', 0, 1);
const badLatencyMs = numberArg('--demo-latency', 0, 60_000);

if (!args.includes('--no-build') && (await webBuildIsStale())) {
  process.stdout.write('Building the portal (next build, about a minute the first time) ...\n');
  const started = Date.now();
  await ensureWebBuilt((line) => {
    for (const l of line.split('\n')) if (l.trim()) process.stdout.write(`  | ${l}\n`);
  });
  process.stdout.write(`Portal built in ${((Date.now() - started) / 1000).toFixed(0)} s.\n`);
}

let runtime;
try {
  runtime = await startLocalRuntime({
    port,
    host: config.SIGNALBOX_HOST,
    dataDir: config.SIGNALBOX_DATA_DIR,
    dynamoPort: config.SIGNALBOX_DYNAMO_PORT,
    token: config.SIGNALBOX_INGEST_TOKEN,
    seed: !args.includes('--no-seed'),
    demo: args.includes('--no-demo') ? false : { badErrorRate, badLatencyMs },
    monitoring: {
      evmPort: 8545,
      // Notification receivers' URL placeholders (signalbox/notifications.yaml), when given.
      placeholders: Object.fromEntries(
        (['ALERT_WEBHOOK_URL', 'SLACK_WEBHOOK_URL'] as const).flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])),
      ),
    },
  });
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') {
    process.stderr.write(`A port is already in use (${e.message}). Is Signalbox already running? Use --port or SIGNALBOX_DYNAMO_PORT.\n`);
    process.exit(1);
  }
  throw err;
}

const shownUrl = runtime.url.replace('127.0.0.1', 'localhost');
process.stdout.write(`
Signalbox is running.
  Portal          ${shownUrl}
  Sign in         ${shownUrl}/sign-in/  (demo users: vera.viewer, olu.operator, ada.admin @example.com)
  API             ${shownUrl}/api/  (OpenAPI: ${shownUrl}/api/openapi.json)
  EventBridge     ${shownUrl}  (PutEvents, AWS JSON 1.1; use it as the SDK endpoint)
  DynamoDB        ${runtime.dynamoEndpoint}  (dynalite; data in ${runtime.dataDir})
  Rollout demo    ${runtime.demo ? `${runtime.demo.proxyUrl}  (demo-api behind the weighted proxy; start a canary at ${shownUrl}/rollouts/new/)` : 'off (--no-demo)'}
  Producer token  ${runtime.token}
                  ${config.SIGNALBOX_INGEST_TOKEN ? '(from SIGNALBOX_INGEST_TOKEN)' : `(${runtime.tokenCreated ? 'created now, ' : ''}kept in ${runtime.tokenFile})`}
  Agent token     kept in ${runtime.agentTokenFile}  (signalbox-agent: npm run agent -- --help)

Call the API as a user (tokens last an hour; role viewer, operator or admin):
  TOKEN=$(curl -s '${shownUrl}/local/token?role=operator' | jq -r .token)
  curl -s ${shownUrl}/api/inventory -H "Authorization: Bearer $TOKEN"

Send an event:
  curl -X POST ${shownUrl}/api/events -H "Authorization: Bearer $(cat ${runtime.tokenFile})" \\
       -H 'Content-Type: application/json' -d @event.json

Stop with Ctrl+C.
`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping ...\n`);
  await runtime.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
