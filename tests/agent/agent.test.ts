import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/src/handlers/http/openapi';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { authHeaders } from '../helpers/auth';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const MAIN = 'functions/src/agent/main.ts';

// The server's config folder: the same files the agent reads (one Git repository, two places).
const CHECKS_YAML = `checks:
  - name: dc1-proxy
    type: http
    description: The dc1 proxy, only reachable inside dc1
    agent: dc1-agent
    url: \${DC1_PROXY_URL}/health
    interval: 60s
    timeout: 5s
    expect: { status: 200 }
  - name: dc1-fast
    type: http
    agent: dc1-agent
    url: \${DC1_PROXY_URL}/fast
    interval: 1s
    timeout: 1s
  - name: dc2-proxy
    type: http
    agent: dc2-agent
    url: http://127.0.0.1:9/health
  - name: server-side
    type: tcp
    host: 127.0.0.1
    port: 9
    interval: 60s
`;
const SYSTEMS_YAML = `systems:
  - name: dc1
    checks: [dc1-proxy]
alerts:
  - name: dc1-proxy-down
    severity: critical
    system: dc1
    condition: { check: dc1-proxy, status: critical }
    labels: { team: dc1 }
`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI as a child process (tsx, as `npm run agent` does) and waits for it to exit. */
function runAgent(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, [TSX, MAIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child);
}

function collect(child: ChildProcess): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolveRun, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

/** Resolves once the child's output (stdout + stderr) matches; fails the test if the child exits first. */
function waitForOutput(child: ChildProcess, pattern: RegExp, out: { text: string }): Promise<void> {
  return new Promise((resolveWait, reject) => {
    const check = () => {
      if (pattern.test(out.text)) {
        child.stdout!.off('data', check);
        child.stderr!.off('data', check);
        child.off('close', closed);
        resolveWait();
      }
    };
    const closed = (code: number | null) => reject(new Error(`agent exited (${code}) before printing ${pattern}:\n${out.text}`));
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('close', closed);
    check();
  });
}

const doc = openApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>; components: unknown };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'signalbox', components: doc.components });
function documented(method: string, path: string, status: number, body: unknown) {
  const schema = doc.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;
  expect(schema, `${method} ${path} ${status} is documented`).toBeDefined();
  const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"signalbox#/components/')));
  expect(validate(body) ? [] : validate.errors, `${method} ${path} ${status}`).toEqual([]);
}

interface CheckSummary {
  name: string;
  agent: string | null;
  status: string;
  message: string;
  checkedAt: string | null;
}

describe('signalbox-agent against the local runtime', () => {
  let rt: LocalRuntime;
  let dir: string;
  let configDir: string;
  let target: Server;
  let targetUrl: string;
  let targetStatus = 200;
  let offsetMs = 0;

  /** An agent config file in the temp dir; `extra` lines are appended. */
  function agentConfig(name: string, opts: { server?: string; tokenFile?: string; extra?: string } = {}): string {
    const file = join(dir, name);
    writeFileSync(
      file,
      [
        `server: ${opts.server ?? rt.url}`,
        'agent: dc1-agent',
        `token: { file: ${opts.tokenFile ?? 'agent-token.txt'} }`,
        'checks: ./config',
        'placeholders:',
        `  DC1_PROXY_URL: ${targetUrl}`,
        opts.extra ?? '',
      ].join('\n'),
    );
    return file;
  }

  async function health(): Promise<{ checks: CheckSummary[]; roots: { name: string; status: string }[] }> {
    const res = await fetch(`${rt.url}/api/health`, { headers: authHeaders(rt, 'viewer') });
    expect(res.status).toBe(200);
    return (await res.json()) as { checks: CheckSummary[]; roots: { name: string; status: string }[] };
  }

  async function historyCount(check: string): Promise<number> {
    const res = await fetch(`${rt.url}/api/checks/${check}/history?minutes=60`, { headers: authHeaders(rt, 'viewer') });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { count: number }[] };
    return body.items.reduce((n, b) => n + b.count, 0);
  }

  async function post(body: unknown, token: string | null = rt.agentToken): Promise<{ status: number; body: { error?: { code: string; field: string | null; message: string } } & Record<string, unknown> }> {
    const res = await fetch(`${rt.url}/api/observations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as never };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sbx-agent-'));
    configDir = join(dir, 'config');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'checks.yaml'), CHECKS_YAML);
    writeFileSync(join(configDir, 'systems.yaml'), SYSTEMS_YAML);
    // The service inside the "private network" the agent checks.
    target = createServer((req, res) => {
      res.writeHead(targetStatus, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: targetStatus === 200 ? 'ok' : 'failing' }));
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    rt = await startLocalRuntime({
      port: 0,
      dataDir: join(dir, 'data'),
      quiet: true,
      webDir: join(dir, 'none'),
      clock: { now: () => new Date(Date.now() + offsetMs).toISOString() },
      monitoring: { configDir, evmNode: false, loopMs: 0 },
    });
    writeFileSync(join(dir, 'agent-token.txt'), `${rt.agentToken}\n`);
  }, 60_000);

  afterAll(async () => {
    await rt?.stop();
    await new Promise<void>((r) => (target ? target.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints usage with every option and an example config for --help (also through the bin launcher)', async () => {
    const run = await runAgent(['--help']);
    expect(run.code).toBe(0);
    for (const option of ['--config', '--once', '--verbose', '--help', '--version']) expect(run.stdout).toContain(option);
    expect(run.stdout).toContain('token:');
    expect(run.stdout).toContain('env: SIGNALBOX_AGENT_TOKEN');
    const bin = await collect(spawn(process.execPath, [join(ROOT, 'functions/bin/signalbox-agent.js'), '--help'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(bin.code).toBe(0);
    expect(bin.stdout).toContain('Usage: signalbox-agent --config <file>');
  });

  it('refuses a bad command line and a bad config with the file and line', async () => {
    const noConfig = await runAgent([]);
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toContain('--config <file> is required');

    // The token itself in the file (line 3), and an unknown key (line 8).
    const bad = join(dir, 'bad-agent.yaml');
    writeFileSync(bad, `server: ${rt.url}\nagent: dc1-agent\ntoken: ${rt.agentToken}\nchecks: ./config\nplaceholders:\n  DC1_PROXY_URL: ${targetUrl}\ninterval: 5s\nintervall: 5s\n`);
    const run = await runAgent(['--config', bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad-agent\.yaml:3:8 token: token: write {2}token: \{env: NAME\}/);
    expect(run.stderr).toMatch(/bad-agent\.yaml:8:1 intervall: unknown key "intervall"/);
    expect(run.stderr).not.toContain(rt.agentToken.slice(4));

    // A check file with a mistake: reported at its own file and line.
    const badChecks = join(dir, 'bad-checks');
    mkdirSync(badChecks);
    writeFileSync(join(badChecks, 'checks.yaml'), 'checks:\n  - name: x\n    type: http\n    agent: dc1-agent\n    url: http://127.0.0.1:1/\n    expect: { status: 999 }\n');
    const file = agentConfig('bad-checks-agent.yaml');
    writeFileSync(file, `server: ${rt.url}\nagent: dc1-agent\ntoken: { env: SBX_TEST_AGENT_TOKEN }\nchecks: ./bad-checks\n`);
    const run2 = await runAgent(['--config', file], { SBX_TEST_AGENT_TOKEN: 'x' });
    expect(run2.code).toBe(2);
    expect(run2.stderr).toMatch(/bad-checks\/checks\.yaml:6:23 checks\[0\]\.expect\.status: .*at most 599/);

    // The token's environment variable is not set.
    const run3 = await runAgent(['--config', file], { SBX_TEST_AGENT_TOKEN: '' });
    expect(run3.code).toBe(2);
    expect(run3.stderr).toMatch(/bad-checks-agent\.yaml:3:\d+ token\.env: .*SBX_TEST_AGENT_TOKEN is not set/);
  });

  it('shows agent checks as waiting for their agent; the server does not run them itself', async () => {
    const h = await health();
    const proxy = h.checks.find((c) => c.name === 'dc1-proxy')!;
    expect(proxy).toMatchObject({ agent: 'dc1-agent', status: 'unknown', message: 'no result from agent dc1-agent yet', checkedAt: null });
    expect(h.checks.find((c) => c.name === 'server-side')!.agent).toBeNull();
    const run = await rt.monitor.runNow();
    expect(run.ran.map((r) => r.checkId)).toEqual(['server-side']);
  });

  it('--once runs its checks and pushes the results: history and health show them', async () => {
    targetStatus = 200;
    const run = await runAgent(['--config', agentConfig('agent.yaml'), '--once', '--verbose']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('result dc1-proxy ok');
    expect(run.stdout).toMatch(/sent 2 results \(2 accepted, 0 duplicates\)/);
    expect(run.stdout).not.toContain('dc2-proxy');
    expect(run.stdout).not.toContain('server-side');

    expect(await historyCount('dc1-proxy')).toBe(1);
    const h = await health();
    expect(h.checks.find((c) => c.name === 'dc1-proxy')).toMatchObject({ agent: 'dc1-agent', status: 'ok' });
    expect(h.roots.find((r) => r.name === 'dc1')!.status).toBe('ok');
  });

  it('fires the check\'s alert rule when the agent reports the target failing', async () => {
    targetStatus = 503;
    const run = await runAgent(['--config', agentConfig('agent.yaml'), '--once']);
    expect(run.code).toBe(0);
    await rt.idle();
    const res = await fetch(`${rt.url}/api/alerts?state=firing`, { headers: authHeaders(rt, 'viewer') });
    const alerts = (await res.json()) as { items: { alert: { labels: Record<string, string>; severity: string; state: string } }[] };
    const fired = alerts.items.filter((a) => a.alert.labels.alertname === 'dc1-proxy-down');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.alert).toMatchObject({ severity: 'critical', state: 'firing', labels: { check: 'dc1-proxy', system: 'dc1', team: 'dc1' } });
    const h = await health();
    expect(h.checks.find((c) => c.name === 'dc1-proxy')!.status).toBe('critical');
    expect(h.roots.find((r) => r.name === 'dc1')!.status).toBe('critical');
  });

  it('exits 3 with a clear message when the server refuses its token', async () => {
    writeFileSync(join(dir, 'wrong-token.txt'), 'sbx_not-the-token\n');
    const run = await runAgent(['--config', agentConfig('wrong.yaml', { tokenFile: 'wrong-token.txt' }), '--once']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('the server refused the token of agent "dc1-agent" (HTTP 401');
    expect(run.stderr).toContain('wrong-token.txt');
  });

  it('exits 1 with --once when the server cannot be reached', async () => {
    const closed = await freePort();
    const run = await runAgent(['--config', agentConfig('down-once.yaml', { server: `http://127.0.0.1:${closed}`, extra: 'retry: { attempts: 2, delay: 0.05 }' }), '--once']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/could not deliver 2 results: http:\/\/127\.0\.0\.1:\d+\/api\/observations: ECONNREFUSED/);
  });

  it('buffers results while the server is down and sends them when it is back', async () => {
    targetStatus = 200;
    const before = await historyCount('dc1-fast');
    const port = await freePort();
    const file = agentConfig('down.yaml', { server: `http://127.0.0.1:${port}`, extra: 'interval: 1s\nretry: { attempts: 1, delay: 0.05 }' });
    const child = spawn(process.execPath, [TSX, MAIN, '--config', file, '--verbose'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { text: '' };
    child.stdout!.on('data', (d: Buffer) => (out.text += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out.text += d.toString()));
    const done = collect(child);
    let gateway: Server | null = null;
    try {
      // Two ticks' results (dc1-proxy once, dc1-fast every tick) pile up while nothing listens.
      await waitForOutput(child, /server unavailable: .*ECONNREFUSED; (?:[3-9]|\d{2,}) results buffered/, out);
      // The server comes back on that address (a forwarder to the runtime).
      gateway = await forwarder(port, rt.url);
      await waitForOutput(child, /server reachable again/, out);
      await waitForOutput(child, /sent \d+ results/, out);
    } finally {
      child.kill('SIGTERM');
      const run = await done;
      await new Promise<void>((r) => (gateway ? gateway.close(() => r()) : r()));
      expect(run.code, out.text).toBe(0);
    }
    const buffered = Number(/(\d+) results buffered/.exec(out.text)![1]);
    // Every buffered dc1-fast result arrived (dc1-proxy's one is a duplicate-free first result too).
    expect(await historyCount('dc1-fast')).toBeGreaterThanOrEqual(before + buffered - 1);
  }, 60_000);

  describe('POST /api/observations', () => {
    const result = (over: Record<string, unknown> = {}) => ({ checkId: 'dc1-proxy', status: 'ok', message: 'HTTP 200', metrics: { status_code: 200, latency_ms: 3 }, durationMs: 3, checkedAt: new Date(Date.now() + offsetMs).toISOString(), ...over });

    it('asks for the agent token, not the producer token', async () => {
      expect((await post({ agent: 'dc1-agent', results: [] }, null)).status).toBe(401);
      const wrong = await post({ agent: 'dc1-agent', results: [] }, rt.token);
      expect(wrong.status).toBe(401);
      expect(wrong.body.error).toMatchObject({ code: 'unauthorized', field: 'Authorization' });
    });

    it('names the field at fault', async () => {
      const cases: [unknown, string, string][] = [
        ['[1]', 'body', 'invalid_observation'],
        [{ agent: 'DC1', results: [] }, 'agent', 'invalid_observation'],
        [{ agent: 'dc1-agent', results: {} }, 'results', 'invalid_observation'],
        [{ agent: 'dc1-agent', results: [result(), result({ status: 'down' })] }, 'results[1].status', 'invalid_observation'],
        [{ agent: 'dc1-agent', results: [result({ metrics: { latency_ms: 'fast' } })] }, 'results[0].metrics.latency_ms', 'invalid_observation'],
        [{ agent: 'dc1-agent', results: [result({ checkedAt: 'yesterday' })] }, 'results[0].checkedAt', 'invalid_observation'],
        [{ agent: 'dc1-agent', results: [result({ checkedAt: new Date(Date.now() + offsetMs + 3_600_000).toISOString() })] }, 'results[0].checkedAt', 'invalid_observation'],
        [{ agent: 'dc1-agent', results: [result({ durationMs: -1 })] }, 'results[0].durationMs', 'invalid_observation'],
        [{ agent: 'dc1-agent', results: [result({ extra: 1 })] }, 'results[0].extra', 'invalid_observation'],
        [{ agent: 'dc1-agent', results: [result({ checkId: 'nope' })] }, 'results[0].checkId', 'unknown_check'],
        [{ agent: 'dc1-agent', results: [result({ checkId: 'server-side' })] }, 'results[0].checkId', 'check_not_for_agent'],
        [{ agent: 'dc1-agent', results: [result({ checkId: 'dc2-proxy' })] }, 'results[0].checkId', 'check_not_for_agent'],
      ];
      const before = await historyCount('dc1-proxy');
      for (const [body, field, code] of cases) {
        const res = await post(body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error, JSON.stringify(body)).toMatchObject({ field, code });
      }
      const foreign = await post({ agent: 'dc1-agent', results: [result({ checkId: 'dc2-proxy' })] });
      expect(foreign.body.error!.message).toContain('run by agent "dc2-agent"');
      // All or nothing: the valid first result of a refused request was not recorded.
      expect(await historyCount('dc1-proxy')).toBe(before);
    });

    it('records a valid batch once (a retried request counts duplicates) and answers as documented', async () => {
      const body = { agent: 'dc1-agent', results: [result({ status: 'ok' })] };
      const first = await post(body);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ agent: 'dc1-agent', accepted: 1, duplicates: 0 });
      documented('post', '/api/observations', 200, first.body);
      const again = await post(body);
      expect(again.body).toMatchObject({ accepted: 0, duplicates: 1, alertTransitions: 0 });
      documented('post', '/api/observations', 400, (await post({ agent: 'dc1-agent', results: 1 })).body);
    });
  });

  it('reads unknown when the agent has sent nothing for three intervals', async () => {
    const latest = (await health()).checks.find((c) => c.name === 'dc1-proxy')!;
    expect(latest.status).toBe('ok');
    offsetMs = 4 * 60_000; // dc1-proxy runs every 60s
    const stale = (await health()).checks.find((c) => c.name === 'dc1-proxy')!;
    expect(stale).toMatchObject({ status: 'unknown', message: `no result from agent dc1-agent since ${latest.checkedAt}` });
    const sys = await fetch(`${rt.url}/api/systems/dc1`, { headers: authHeaders(rt, 'viewer') });
    expect(((await sys.json()) as { system: { status: string } }).system.status).toBe('unknown');
    offsetMs = 0;
  });
});

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolvePort(port));
    });
  });
}

/** An HTTP server on `port` that forwards every request to `to` (the server "coming back"). */
async function forwarder(port: number, to: string): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      fetch(`${to}${req.url}`, { method: req.method, headers: { authorization: req.headers.authorization ?? '', 'content-type': req.headers['content-type'] ?? 'application/json' }, body: req.method === 'GET' ? undefined : Buffer.concat(chunks) })
        .then(async (r) => {
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  await new Promise<void>((r, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => r());
  });
  return server;
}
