import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfigFolder } from '../../functions/src/adapters/local/config-folder';
import { listFocusFolder } from '../../functions/src/adapters/local/focus-folder';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { staticFiles } from '../../local/static-files';
import { authHeaders } from '../helpers/auth';

/**
 * Path traversal in every place the product reads a name it was given: FOCUS uploads (the name in
 * the query), the FOCUS import folder, the monitoring config folder, the portal's static files.
 * A secret file outside each folder must never be read.
 */
let root: string;
let outside: string;
const SECRET = 'TOP-SECRET-OUTSIDE';

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sbx-traversal-'));
  outside = join(root, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.csv'), `BilledCost,ChargePeriodStart\n${SECRET},2026-01-01\n`);
  writeFileSync(join(outside, 'secret.yaml'), `secret: ${SECRET}\n`);
  writeFileSync(join(outside, 'secret.html'), SECRET);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('FOCUS upload names', () => {
  let rt: LocalRuntime;
  beforeAll(async () => {
    rt = await startLocalRuntime({ port: 0, dataDir: join(root, 'data'), quiet: true, webDir: join(root, 'none'), rateLimits: false, log: () => {} });
  });
  afterAll(async () => rt?.stop());

  for (const name of ['../x.csv', '../../outside/secret.csv', '/etc/passwd.csv', 'a/b.csv', 'a\\b.csv', '..csv', '.%2e/x.csv', 'x.csv\u0000.txt']) {
    it(`refuses ${JSON.stringify(name)} with 400 invalid_file_name`, async () => {
      const res = await fetch(`${rt.url}/api/costs/imports?name=${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: authHeaders(rt, 'admin', { 'content-type': 'text/csv' }),
        body: 'BilledCost\n1\n',
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_file_name', field: 'name' } });
    });
  }
});

describe('the FOCUS import folder', () => {
  it('reads only regular files directly in it: symlinks (to files or folders outside) and sub-folders are ignored', async () => {
    const dir = join(root, 'focus');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ok.csv'), 'BilledCost\n1\n');
    symlinkSync(join(outside, 'secret.csv'), join(dir, 'linked.csv'));
    symlinkSync(outside, join(dir, 'linked-dir.csv'));
    mkdirSync(join(dir, 'sub.csv'));
    writeFileSync(join(dir, 'sub.csv', 'inner.csv'), 'BilledCost\n1\n');
    const { files, ignored } = await listFocusFolder(dir);
    expect(files.map((f) => f.name)).toEqual(['ok.csv']);
    expect(ignored.sort()).toEqual(['linked-dir.csv', 'linked.csv', 'sub.csv']);
    const text = Buffer.from(await files[0]!.read()).toString('utf8');
    expect(text).not.toContain(SECRET);
  });
});

describe('the monitoring config folder', () => {
  it('reads YAML files inside it only: symlinked files and symlinked folders pointing outside are not followed', async () => {
    const dir = join(root, 'config');
    mkdirSync(join(dir, 'checks'), { recursive: true });
    writeFileSync(join(dir, 'checks', 'ok.yaml'), 'checks: []\n');
    symlinkSync(join(outside, 'secret.yaml'), join(dir, 'linked.yaml'));
    symlinkSync(outside, join(dir, 'linked-dir'));
    const files = await readConfigFolder(dir);
    expect(files.map((f) => f.name)).toEqual(['checks/ok.yaml']);
    expect(files.some((f) => f.text.includes(SECRET))).toBe(false);
  });
});

describe('the portal static files', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    const web = join(root, 'web', 'out');
    mkdirSync(web, { recursive: true });
    writeFileSync(join(web, 'index.html'), 'portal');
    const serve = staticFiles(web);
    server = createServer((req, res) => void serve(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  /** A GET with the path exactly as written (fetch would normalise the dots away). */
  const rawGet = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  for (const path of ['/../../outside/secret.html', '/..%2f..%2foutside%2fsecret.html', '/%2e%2e/%2e%2e/outside/secret.html', '/..\\..\\outside\\secret.html', '/%2e%2e%5c%2e%2e%5coutside%5csecret.html', '//../outside/secret.html']) {
    it(`never serves a file outside the export for ${path}`, async () => {
      const res = await rawGet(path);
      expect(res.body).not.toContain(SECRET);
      expect([400, 403, 404]).toContain(res.status);
    });
  }

  it('still serves the export itself', async () => {
    expect(await rawGet('/')).toEqual({ status: 200, body: 'portal' });
  });
});
