/**
 * `signalbox-agent`: runs Signalbox checks inside a private network and pushes the results to the
 * server (outbound HTTPS only) with its own token. A composition root like `wiring/`: it picks the
 * Node probes and the HTTP sender; the check code is the core's, the same the server runs.
 */
import { NodeProbes } from '../adapters/probes/node-probes';
import { systemClock } from '../core/ports/clock';
import { AGENT_CONFIG_HELP, AgentConfigError, loadAgentConfig, type AgentConfig } from './config';
import { AgentLoop, httpSender, type AgentEvents } from './loop';

const VERSION = '0.1.0';

/** Exit codes, also listed in --help. */
export const EXIT = { ok: 0, delivery: 1, usage: 2, unauthorized: 3 } as const;

export const HELP = `Usage: signalbox-agent --config <file> [--once] [--verbose]
       npm run agent -- --config <file> [--once] [--verbose]

Runs the Signalbox checks declared for this agent (same check types and the same code as the
server: http, tcp, jsonrpc, evm, ...) inside a private network and pushes the results to the
Signalbox server, POST /api/observations, with the agent's own token. Only outbound requests.
Results are kept (bounded) while the server is unreachable and sent when it is back.

Options:
  --config, -c <file>  the agent's config file (YAML, below); required
  --once               run every check once, send the results, exit
  --verbose, -v        print every result and every send
  --help, -h           this text
  --version            print the version

Exit codes:
  0  done (--once), or stopped by SIGINT/SIGTERM
  1  results could not be delivered (--once: server unreachable, or it refused them)
  2  bad command line or config file (problems are printed as file:line:column field: message)
  3  the server refused the token (HTTP 401)

${AGENT_CONFIG_HELP}

The server side: declare the checks in the server's signalbox/ folder with  agent: <name>  (the
server does not run them itself; its health shows them unknown when no result arrived for three
intervals). Locally the agent token is in .signalbox/agent-token (printed by npm start).

Example:
  SIGNALBOX_AGENT_TOKEN=$(cat .signalbox/agent-token) npm run agent -- --config agent.yaml --once
`;

interface Args {
  config?: string;
  once: boolean;
  verbose: boolean;
  help: boolean;
  version: boolean;
}

/** Parses the command line; a string is a usage error. */
export function parseArgs(argv: readonly string[]): Args | string {
  const args: Args = { once: false, verbose: false, help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') args.help = true;
    else if (a === '--version') args.version = true;
    else if (a === '--once') args.once = true;
    else if (a === '--verbose' || a === '-v') args.verbose = true;
    else if (a === '--config' || a === '-c') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('-')) return `${a} needs a file`;
      args.config = v;
    } else if (a.startsWith('--config=')) args.config = a.slice('--config='.length);
    else return `unknown option ${a}`;
  }
  if (!args.help && !args.version && !args.config) return '--config <file> is required';
  return args;
}

function line(stream: NodeJS.WriteStream, text: string): void {
  stream.write(`${new Date().toISOString()} ${text}\n`);
}

function events(verbose: boolean): AgentEvents {
  let unavailableSince: string | null = null;
  return {
    result: (r) => verbose && line(process.stdout, `result ${r.checkId} ${r.status} ${r.message} (${r.durationMs} ms)`),
    sent: (count, accepted, duplicates) => {
      if (unavailableSince) line(process.stdout, `server reachable again (unreachable since ${unavailableSince})`);
      unavailableSince = null;
      if (verbose) line(process.stdout, `sent ${count} results (${accepted} accepted, ${duplicates} duplicates)`);
    },
    retrying: (attempt, delayMs, message) => verbose && line(process.stderr, `send failed (attempt ${attempt}): ${message}; retrying in ${delayMs} ms`),
    unavailable: (buffered, message) => {
      unavailableSince ??= new Date().toISOString();
      line(process.stderr, `server unavailable: ${message}; ${buffered} results buffered`);
    },
    dropped: (count, total) => line(process.stderr, `buffer full: dropped the ${count} oldest results (${total} dropped so far)`),
    rejected: (count, status, message) => line(process.stderr, `the server refused ${count} results (HTTP ${status}): ${message}; they are dropped`),
  };
}

function unauthorized(config: AgentConfig, message: string): number {
  process.stderr.write(`signalbox-agent: the server refused the token of agent "${config.agent}" (${message}).\nCheck the token (${config.tokenSource}) against the server's agent token.\n`);
  return EXIT.unauthorized;
}

/** The whole CLI; returns the exit code. */
export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`signalbox-agent: ${args}\nUsage: signalbox-agent --config <file> [--once] [--verbose]; --help lists every option.\n`);
    return EXIT.usage;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  if (args.version) {
    process.stdout.write(`signalbox-agent ${VERSION}\n`);
    return EXIT.ok;
  }
  let config: AgentConfig;
  try {
    config = await loadAgentConfig(args.config!, env);
  } catch (error) {
    if (!(error instanceof AgentConfigError)) throw error;
    process.stderr.write(`signalbox-agent: ${error.message}\n`);
    return EXIT.usage;
  }

  const loop = new AgentLoop({
    checks: config.checks,
    placeholders: config.placeholders,
    probes: new NodeProbes(systemClock),
    clock: systemClock,
    send: httpSender({ server: config.server, agent: config.agent, token: config.token, timeoutMs: config.requestTimeoutMs, userAgent: `signalbox-agent/${VERSION}` }),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    bufferSize: config.bufferSize,
    batchSize: config.batchSize,
    retry: config.retry,
    events: events(args.verbose),
  });
  line(process.stdout, `signalbox-agent ${config.agent}: ${config.checks.length} checks (${config.checks.map((c) => c.name).join(', ')}) → ${config.server}${args.once ? ' (once)' : `, every ${config.intervalSeconds}s`}`);

  if (args.once) {
    await loop.runDue(true);
    const out = await loop.flush();
    if (out.unauthorized) return unauthorized(config, out.unauthorized);
    if (out.remaining > 0) {
      process.stderr.write(`signalbox-agent: could not deliver ${out.remaining} results: ${out.unavailable}\n`);
      return EXIT.delivery;
    }
    if (out.rejected > 0) return EXIT.delivery;
    line(process.stdout, `done: ${out.sent} results sent`);
    return EXIT.ok;
  }

  let stopping = false;
  let wake: (() => void) | null = null;
  const stop = () => {
    stopping = true;
    wake?.();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  while (!stopping) {
    await loop.runDue(false);
    const out = await loop.flush();
    if (out.unauthorized) return unauthorized(config, out.unauthorized);
    if (stopping) break;
    await new Promise<void>((r) => {
      const t = setTimeout(r, config.intervalSeconds * 1000);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });
    wake = null;
  }
  // One last try, without backoff, for what is still buffered.
  const last = loop.outbox.size > 0 ? await loop.flush(1) : null;
  line(process.stdout, `stopped${last && last.remaining > 0 ? `; ${last.remaining} results were not delivered` : ''}`);
  return EXIT.ok;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Keep-alive sockets of the probes or fetch must not hold the process open.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (error: Error) => {
    process.stderr.write(`signalbox-agent: ${error.stack ?? error.message}\n`);
    process.exitCode = 1;
  },
);
