import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../functions/src/core/use-cases/ingest-events';
import { MAX_FOCUS_TEXT_BYTES } from '../../functions/src/shared/focus-body';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../helpers/runtime';
import { authHeaders } from '../helpers/auth';

/**
 * Oversized and compressed-bomb bodies: refused with 413 (or 415) without the runtime buffering
 * them. The runtime runs in this process, so its memory is this process's: the bound on growth is
 * generous (far below the sizes sent), a memory figure and never a time.
 */
const MB = 1024 * 1024;
const STREAMED_BYTES = Number(process.env.OVERSIZED_MB ?? 200) * MB;
const BOMB_INFLATED_BYTES = Number(process.env.BOMB_MB ?? 512) * MB;
/** How much the process may grow while refusing a body many times larger. */
const GROWTH_BOUND = 96 * MB;

let rt: LocalRuntime;

beforeAll(async () => {
  rt = await startTestRuntime('sbx-oversized-', { rateLimits: false, log: () => {} });
});
afterAll(async () => {
  await rt?.stop();
});

interface Sent {
  status: number | null;
  body: string;
  bytesWritten: number;
  peakRss: number;
}

/**
 * Streams `total` bytes (zeros, in 64 KiB chunks, honouring backpressure) to `path`, declaring
 * the length or sending chunked. Stops writing once the server answers or closes the connection.
 */
function stream(path: string, total: number, headers: Record<string, string>, chunked: boolean, base = rt.url): Promise<Sent> {
  return new Promise((resolve) => {
    const url = new URL(path, base);
    const chunk = Buffer.alloc(64 * 1024);
    let bytesWritten = 0;
    let status: number | null = null;
    let body = '';
    let peakRss = process.memoryUsage().rss;
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      resolve({ status, body, bytesWritten, peakRss });
    };
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers: { ...headers, ...(chunked ? {} : { 'content-length': String(total) }) } },
      (res) => {
        status = res.statusCode ?? null;
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', done);
        res.on('error', done);
      },
    );
    req.on('error', () => setImmediate(done));
    req.on('close', () => setTimeout(done, 50));
    const pump = () => {
      while (!finished && status === null && !req.destroyed && bytesWritten < total) {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        bytesWritten += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (bytesWritten >= total && !req.destroyed) req.end();
    };
    pump();
  });
}

/** A gzip stream of `inflated` zero bytes, built without holding the inflated bytes. */
async function gzipBomb(inflated: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gz.on('data', (d: Buffer) => parts.push(d));
  const ended = new Promise((r) => gz.on('end', r));
  const zeros = Buffer.alloc(MB);
  for (let sent = 0; sent < inflated; sent += MB) {
    if (!gz.write(zeros)) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await ended;
  return Buffer.concat(parts);
}

describe('oversized bodies', () => {
  for (const chunked of [false, true]) {
    it(`refuses ${STREAMED_BYTES / MB} MB streamed to POST /api/events (${chunked ? 'chunked' : 'Content-Length declared'}) with 413, without buffering it`, async () => {
      const before = process.memoryUsage().rss;
      const sent = await stream('/api/events', STREAMED_BYTES, { authorization: `Bearer ${rt.token}`, 'content-type': 'application/json' }, chunked);
      expect(sent.status).toBe(413);
      expect(JSON.parse(sent.body)).toMatchObject({ error: { code: 'payload_too_large', field: 'body' } });
      // The server stopped reading near the limit, so most of the body was never even sent.
      expect(sent.bytesWritten).toBeLessThan(STREAMED_BYTES);
      expect(sent.peakRss - before).toBeLessThan(GROWTH_BOUND);
      expect((await fetch(`${rt.url}/api/health`, { headers: authHeaders(rt, 'viewer') })).status).toBe(200);
    });
  }

  it('(control) the memory measure catches a server that does buffer the body', async () => {
    // Without this, a growth bound that can never be exceeded would pass for the wrong reason.
    const parts: Buffer[] = [];
    const buffering = createServer((req, res) => {
      req.on('data', (c: Buffer) => parts.push(Buffer.from(c)));
      req.on('end', () => res.end('{}'));
    });
    await new Promise<void>((r) => buffering.listen(0, '127.0.0.1', r));
    try {
      const before = process.memoryUsage().rss;
      const sent = await stream('/', STREAMED_BYTES, { 'content-type': 'application/json' }, false, `http://127.0.0.1:${(buffering.address() as AddressInfo).port}`);
      expect(sent.status).toBe(200);
      const grown = Math.max(sent.peakRss, process.memoryUsage().rss) - before;
      expect(grown).toBeGreaterThan(GROWTH_BOUND);
    } finally {
      parts.length = 0;
      await new Promise((r) => buffering.close(r));
    }
  });

  it('refuses an oversized body on any API route (a FOCUS upload) with 413', async () => {
    const before = process.memoryUsage().rss;
    const sent = await stream('/api/costs/imports?name=big.csv', STREAMED_BYTES, authHeaders(rt, 'admin', { 'content-type': 'text/csv' }), true);
    expect(sent.status).toBe(413);
    expect(sent.bytesWritten).toBeLessThan(STREAMED_BYTES);
    expect(sent.peakRss - before).toBeLessThan(GROWTH_BOUND);
  });
});

describe('compressed bombs', () => {
  let bomb: Buffer;
  beforeAll(async () => {
    bomb = await gzipBomb(BOMB_INFLATED_BYTES);
    // The point of a bomb: small on the wire, huge inflated; small enough to pass the body limit.
    expect(bomb.length).toBeLessThan(MAX_BODY_BYTES);
    expect(BOMB_INFLATED_BYTES).toBeGreaterThan(MAX_FOCUS_TEXT_BYTES * 4);
  }, 120_000);

  it('refuses a gzip bomb on ingest with 415, never inflating it', async () => {
    const before = process.memoryUsage().rss;
    const res = await fetch(`${rt.url}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${rt.token}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: bomb,
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: 'unsupported_media_type', field: 'content-encoding' } });
    // Inflating would have cost hundreds of MB; refusing costs about the body.
    expect(process.memoryUsage().rss - before).toBeLessThan(GROWTH_BOUND);
  });

  for (const encodingHeader of [false, true]) {
    it(`refuses a gzip bomb uploaded as a FOCUS file${encodingHeader ? ' (with Content-Encoding: gzip)' : ''} with 413, inflating at most the text limit`, async () => {
      const before = process.memoryUsage().rss;
      const res = await fetch(`${rt.url}/api/costs/imports?name=bomb.csv.gz`, {
        method: 'POST',
        headers: authHeaders(rt, 'admin', { 'content-type': 'application/gzip', ...(encodingHeader ? { 'content-encoding': 'gzip' } : {}) }),
        body: bomb,
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
      // Decompression stops at MAX_FOCUS_TEXT_BYTES (64 MiB); the bomb inflates to 512 MiB.
      expect(process.memoryUsage().rss - before).toBeLessThan(MAX_FOCUS_TEXT_BYTES + GROWTH_BOUND);
      const imports = (await (await fetch(`${rt.url}/api/costs/imports`, { headers: authHeaders(rt, 'viewer') })).json()) as { items: unknown[] };
      expect(imports.items).toEqual([]);
    });
  }
});
