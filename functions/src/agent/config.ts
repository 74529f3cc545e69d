import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { LineCounter, isMap, isScalar, parseAllDocuments, type Node, type YAMLMap } from 'yaml';
import { readConfigFolder } from '../adapters/local/config-folder';
import { toCheckSpec } from '../core/config/check-spec';
import type { CheckConfig, ConfigFile, ConfigIssue } from '../core/config/model';
import { formatIssue, parseConfig } from '../core/config/parse';
import { isNull, join, Reader } from '../core/config/read';

/** The agent's settings, read from its YAML file (see `AGENT_CONFIG_HELP`). */
export interface AgentConfig {
  /** The config file as given on the command line. */
  readonly file: string;
  /** Base URL of the Signalbox API (`/api/observations` is appended). */
  readonly server: string;
  readonly agent: string;
  /** The agent token itself (read from the env var or file the config names). */
  readonly token: string;
  /** Where the token came from, for messages: `env SIGNALBOX_AGENT_TOKEN` or `file /etc/...`. */
  readonly tokenSource: string;
  /** The folder or file of checks (absolute). */
  readonly checksPath: string;
  /** The checks this agent runs (see `selectAgentChecks`). */
  readonly checks: readonly CheckConfig[];
  /** `${NAME}` values: the config's `placeholders`, then the environment. */
  readonly placeholders: Readonly<Record<string, string | undefined>>;
  /** Seconds between loop ticks; each check still runs at its own interval. */
  readonly intervalSeconds: number;
  /** Most results kept while the server is unreachable (the oldest are dropped beyond). */
  readonly bufferSize: number;
  /** Most results per request. */
  readonly batchSize: number;
  readonly retry: { readonly attempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number };
  readonly requestTimeoutMs: number;
}

/** The config file (or its checks) has problems; `issues` are `file:line:column field: message` lines. */
export class AgentConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`${issues.length} problem${issues.length === 1 ? '' : 's'} in the agent config:\n${issues.map((i) => `  ${i}`).join('\n')}`);
    this.name = 'AgentConfigError';
  }
}

export const AGENT_CONFIG_HELP = `Config file (YAML):
  server: https://signalbox.example.com   # Signalbox base URL (required)
  agent: dc1-agent                        # this agent's name (required); the server's config
                                          # declares its checks with  agent: dc1-agent
  token:                                  # required; never the token itself in this file:
    env: SIGNALBOX_AGENT_TOKEN            #   an environment variable holding it, or
    # file: /etc/signalbox/agent-token    #   a file holding it (relative to this file)
  checks: ./signalbox                     # a folder or file of checks, the same YAML as
                                          # signalbox/checks.yaml (default ./signalbox)
  placeholders:                           # values of \${NAME} in check URLs and hosts
    DEMO_PROXY_URL: http://10.1.0.5:8080  # (unset names are taken from the environment)
  interval: 15s                           # loop tick (default 15s); each check keeps its interval
  buffer: 1000                            # results kept while the server is unreachable
                                          # (default 1000; the oldest are dropped beyond)
  batch: 100                              # results per request (default 100, at most 500)
  retry: { attempts: 5, delay: 1s, maxDelay: 30s }   # per send, exponential backoff
  requestTimeout: 10s

Which checks run: those declared with  agent: <this agent's name>; when no check in the
file(s) names any agent (the agent's own checks file), all of them. The server's config must
declare the same checks with  agent: <this agent's name>, or it refuses their results.`;

const KEYS = ['server', 'agent', 'token', 'checks', 'placeholders', 'interval', 'buffer', 'batch', 'retry', 'requestTimeout'];

/**
 * The checks an agent runs: those with `agent: <name>`; when none of the checks names any agent
 * (the agent's own file), all of them.
 */
export function selectAgentChecks(checks: readonly CheckConfig[], agent: string): CheckConfig[] {
  if (checks.every((c) => c.agent === undefined)) return [...checks];
  return checks.filter((c) => c.agent === agent);
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

async function readChecks(path: string): Promise<{ files: ConfigFile[] } | { error: string }> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      const files = await readConfigFolder(path);
      return { files: files.map((f) => ({ name: `${shown(path)}/${f.name}`, text: f.text })) };
    }
    return { files: [{ name: shown(path), text: await readFile(path, 'utf8') }] };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { error: e.code === 'ENOENT' ? 'not found' : e.message };
  }
}

/**
 * Reads and validates the agent's config file, its token and its checks. Every problem is
 * reported at once with file, line and column.
 *
 * @throws AgentConfigError listing the problems.
 */
export async function loadAgentConfig(file: string, env: Readonly<Record<string, string | undefined>>): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new AgentConfigError([`${file}: cannot read the config file: ${e.code === 'ENOENT' ? 'not found' : e.message}`]);
  }
  const base = dirname(resolve(file));
  const issues: ConfigIssue[] = [];
  const lines = new LineCounter();
  const r = new Reader(file, lines, issues);
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const doc = list[0];
  if (!doc || list.length !== 1) throw new AgentConfigError([`${file}: must hold exactly one YAML document`]);
  if (doc.errors.length > 0) throw new AgentConfigError(doc.errors.map((e) => formatIssue({ ...r.offset(e.pos[0]), field: '', message: `YAML: ${e.message.split('\n')[0]}` })));
  const root = doc.contents as Node | null;
  const map = isNull(root) ? r.fail(root, 'document', 'the file is empty; see --help for the format') : r.map(root, 'document');
  if (!map) throw new AgentConfigError(issues.map(formatIssue));

  const f = r.fields(map, '', KEYS, ['server', 'agent', 'token']);
  const opt = <T>(key: string, read: (n: Node) => T | undefined): T | undefined => {
    const n = f.value(key);
    return n === undefined || n === null ? undefined : read(n);
  };
  const server = opt('server', (n) => {
    const s = r.string(n, 'server');
    if (s === undefined) return undefined;
    try {
      const u = new URL(s);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return r.fail(n, 'server', `server: "${s}" must use http or https`);
    } catch {
      return r.fail(n, 'server', `server: "${s}" is not a URL`);
    }
    return s.replace(/\/+$/, '');
  });
  const agent = opt('agent', (n) => r.name(n, 'agent'));
  const token = opt('token', (n) => readToken(r, n, base, env));
  const checksRel = opt('checks', (n) => r.string(n, 'checks')) ?? './signalbox';
  const placeholders = opt('placeholders', (n) => {
    const labels = r.labels(n, 'placeholders');
    for (const key of Object.keys(labels ?? {})) if (!/^[A-Z_][A-Z0-9_]*$/.test(key)) r.fail(n, join('placeholders', key), `placeholders.${key}: placeholder names are upper-case (A-Z, 0-9, _)`);
    return labels;
  });
  const interval = opt('interval', (n) => r.duration(n, 'interval', { min: 1 })) ?? 15;
  const buffer = opt('buffer', (n) => r.number(n, 'buffer', { integer: true, min: 1, max: 1_000_000 })) ?? 1000;
  const batch = opt('batch', (n) => r.number(n, 'batch', { integer: true, min: 1, max: 500 })) ?? 100;
  const requestTimeout = opt('requestTimeout', (n) => r.duration(n, 'requestTimeout', { min: 1 })) ?? 10;
  const retry = opt('retry', (n) => {
    const m = r.map(n, 'retry');
    if (!m) return undefined;
    const rf = r.fields(m, 'retry', ['attempts', 'delay', 'maxDelay']);
    const val = (key: string, read: (x: Node) => number | undefined) => {
      const x = rf.value(key);
      return x === undefined || x === null ? undefined : read(x);
    };
    return {
      attempts: val('attempts', (x) => r.number(x, 'retry.attempts', { integer: true, min: 1, max: 100 })),
      // Durations in seconds; fractions ("0.1") allowed for tests.
      delay: val('delay', (x) => seconds(r, x, 'retry.delay')),
      maxDelay: val('maxDelay', (x) => seconds(r, x, 'retry.maxDelay')),
    };
  });
  if (issues.length > 0 || server === undefined || agent === undefined || token === undefined) throw new AgentConfigError(issues.map(formatIssue));

  const checksPath = resolve(base, checksRel);
  const read = await readChecks(checksPath);
  if ('error' in read) throw new AgentConfigError([formatIssue({ ...r.at(f.value('checks') ?? map), field: 'checks', message: `checks: ${shown(checksPath)}: ${read.error}` })]);
  if (read.files.length === 0) throw new AgentConfigError([formatIssue({ ...r.at(f.value('checks') ?? map), field: 'checks', message: `checks: no *.yaml files in ${shown(checksPath)}` })]);
  const parsed = parseConfig(read.files);
  if (parsed.issues.length > 0) throw new AgentConfigError(parsed.issues.map(formatIssue));
  const checks = selectAgentChecks(parsed.config.checks, agent);
  if (checks.length === 0) {
    throw new AgentConfigError([formatIssue({ ...r.at(f.value('agent') ?? map), field: 'agent', message: `no check in ${shown(checksPath)} is declared with agent: ${agent}` })]);
  }
  const values: Record<string, string | undefined> = { ...env, ...placeholders };
  const problems: string[] = [];
  for (const check of checks) {
    try {
      toCheckSpec(check, values);
    } catch (error) {
      problems.push(formatIssue({ ...check.source, field: `checks.${check.name}`, message: `${(error as Error).message} (set it under placeholders: in ${file} or in the environment)` }));
    }
  }
  if (problems.length > 0) throw new AgentConfigError(problems);

  const delayS = retry?.delay ?? 1;
  return {
    file,
    server,
    agent,
    token: token.value,
    tokenSource: token.source,
    checksPath,
    checks,
    placeholders: values,
    intervalSeconds: interval,
    bufferSize: buffer,
    batchSize: batch,
    retry: { attempts: retry?.attempts ?? 5, baseDelayMs: delayS * 1000, maxDelayMs: (retry?.maxDelay ?? Math.max(30, delayS)) * 1000 },
    requestTimeoutMs: requestTimeout * 1000,
  };
}

/** A duration (`1s`, `2m`) or a plain number of seconds (fractions allowed). */
function seconds(r: Reader, node: Node, field: string): number | undefined {
  return isScalar(node) && typeof node.value === 'number' ? r.number(node, field, { min: 0 }) : r.duration(node, field);
}

function readToken(r: Reader, node: Node, base: string, env: Readonly<Record<string, string | undefined>>): { value: string; source: string } | undefined {
  if (!isMap(node)) return r.fail(node, 'token', 'token: write  token: {env: NAME}  or  token: {file: path}, never the token itself in the config file');
  const map = node as YAMLMap<Node, Node | null>;
  const f = r.fields(map, 'token', ['env', 'file']);
  if (f.size !== 1) return r.fail(map, 'token', 'token needs exactly one of env, file');
  const envNode = f.value('env');
  if (envNode !== undefined && envNode !== null) {
    const name = r.string(envNode, 'token.env', { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, patternText: 'an environment variable name' });
    if (name === undefined) return undefined;
    const value = env[name]?.trim();
    if (!value) return r.fail(envNode, 'token.env', `token.env: the environment variable ${name} is not set`);
    return { value, source: `env ${name}` };
  }
  const fileNode = f.value('file');
  if (fileNode === undefined || fileNode === null) return r.fail(map, 'token', 'token needs env or file');
  const path = r.string(fileNode, 'token.file');
  if (path === undefined) return undefined;
  return readTokenFile(r, fileNode, resolve(base, path));
}

// Read synchronously so the one pass of the reader reports every problem in file order.
function readTokenFile(r: Reader, node: Node, path: string): { value: string; source: string } | undefined {
  let value: string;
  try {
    value = readFileSync(path, 'utf8').trim();
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return r.fail(node, 'token.file', `token.file: cannot read ${path}: ${e.code === 'ENOENT' ? 'not found' : e.message}`);
  }
  if (!value) return r.fail(node, 'token.file', `token.file: ${path} is empty`);
  return { value, source: `file ${path}` };
}
