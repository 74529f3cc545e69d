import { X509Certificate, generateKeyPairSync, sign } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import ganache from 'ganache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeProbes } from '../../functions/src/adapters/probes/node-probes';
import type { EvmCheckSpec, EvmObservation } from '../../functions/src/core/monitoring/model';
import { runCheck } from '../../functions/src/core/monitoring/run-check';
import { systemClock } from '../../functions/src/core/ports/clock';

// node:crypto signs but cannot build X.509, and no X.509 library is installed: the test writes the
// few DER structures of a self-signed ECDSA certificate itself.
const der = {
  tlv(tag: number, body: Buffer): Buffer {
    const n = body.length;
    const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
    return Buffer.concat([Buffer.from([tag]), len, body]);
  },
  seq: (...parts: Buffer[]) => der.tlv(0x30, Buffer.concat(parts)),
  set: (...parts: Buffer[]) => der.tlv(0x31, Buffer.concat(parts)),
  int(n: number): Buffer {
    const hex = n.toString(16).padStart(2, '0');
    let b = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
    if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return der.tlv(0x02, b);
  },
  oid(dotted: string): Buffer {
    const [a, b, ...rest] = dotted.split('.').map(Number);
    const bytes = [a! * 40 + b!];
    for (const v of rest) {
      const chunk = [v & 0x7f];
      for (let x = v >> 7; x > 0; x >>= 7) chunk.unshift((x & 0x7f) | 0x80);
      bytes.push(...chunk);
    }
    return der.tlv(0x06, Buffer.from(bytes));
  },
  utf8: (s: string) => der.tlv(0x0c, Buffer.from(s, 'utf8')),
  time(d: Date): Buffer {
    const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
    return d.getUTCFullYear() < 2050 ? der.tlv(0x17, Buffer.from(iso.slice(2))) : der.tlv(0x18, Buffer.from(iso));
  },
};

function selfSignedCertificate(notBefore: Date, notAfter: Date, dnsName = 'localhost', ip: number[] | null = [127, 0, 0, 1]): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ecdsaSha256 = der.seq(der.oid('1.2.840.10045.4.3.2'));
  const name = der.seq(der.set(der.seq(der.oid('2.5.4.3'), der.utf8(dnsName))));
  // subjectAltName: by default DNS localhost and IP 127.0.0.1, so only the trust chain fails, not the host name.
  const san = der.seq(der.tlv(0x82, Buffer.from(dnsName)), ...(ip ? [der.tlv(0x87, Buffer.from(ip))] : []));
  const extensions = der.tlv(0xa3, der.seq(der.seq(der.oid('2.5.29.17'), der.tlv(0x04, san))));
  const tbs = der.seq(
    der.tlv(0xa0, der.int(2)),
    der.int(Math.floor(Math.random() * 0x7fffffff)),
    ecdsaSha256,
    name,
    der.seq(der.time(notBefore), der.time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const signature = sign('sha256', tbs, privateKey);
  const certDer = der.seq(tbs, ecdsaSha256, der.tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const b64 = certDer.toString('base64').match(/.{1,64}/g)!.join('\n');
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n` };
}

type Server = http.Server | https.Server | net.Server;

async function listen<S extends Server>(server: S): Promise<{ server: S; port: number }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
}

function close(server: Server): Promise<void> {
  if ('closeAllConnections' in server) server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port nothing listens on: bind, note the port, close. */
async function deadPort(): Promise<number> {
  const { server, port } = await listen(net.createServer());
  await close(server);
  return port;
}

const probes = new NodeProbes(systemClock);
const deps = { probes, clock: systemClock };

const pageHandler: http.RequestListener = (req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"UP"}');
  } else if (req.url === '/down') {
    res.writeHead(503).end('maintenance');
  } else if (req.url === '/echo') {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => res.writeHead(200).end(`${req.method} ${body}`));
  } else if (req.url === '/big') {
    res.writeHead(200).end('x'.repeat(600 * 1024));
  } else if (req.url === '/hang') {
    res.writeHead(200);
    res.write('partial');
    // never ends: the probe's deadline must.
  } else {
    res.writeHead(404).end();
  }
};

describe('NodeProbes.http', () => {
  let port = 0;
  let server: http.Server;
  beforeAll(async () => ({ server, port } = await listen(http.createServer(pageHandler))));
  afterAll(() => close(server));

  it('reads status and body and grades them', async () => {
    const outcome = await probes.http({ type: 'http', url: `http://127.0.0.1:${port}/health` });
    expect(outcome).toMatchObject({ reachable: true, statusCode: 200, body: '{"status":"UP"}', bodyTruncated: false });
    expect(outcome.reachable && outcome.tls).toBeUndefined();
    const ok = await runCheck(deps, { spec: { type: 'http', url: `http://127.0.0.1:${port}/health`, bodyContains: '"UP"' } });
    expect(ok.result).toMatchObject({ status: 'ok', metrics: { status_code: 200, body_bytes: 15 } });
    expect(ok.result.metrics.latency_ms).toBeGreaterThanOrEqual(0);
    const mismatch = await runCheck(deps, { spec: { type: 'http', url: `http://127.0.0.1:${port}/health`, bodyRegex: 'DOWN' } });
    expect(mismatch.result).toMatchObject({ status: 'critical', message: 'body does not match /DOWN/' });
  });

  it('is critical on an unexpected status', async () => {
    const r = await runCheck(deps, { spec: { type: 'http', url: `http://127.0.0.1:${port}/down` } });
    expect(r.result).toMatchObject({ status: 'critical', message: 'HTTP 503, expected 2xx or 3xx', metrics: { status_code: 503 } });
  });

  it('sends the method, headers and body of the spec', async () => {
    const outcome = await probes.http({ type: 'http', url: `http://127.0.0.1:${port}/echo`, method: 'POST', body: 'ping' });
    expect(outcome).toMatchObject({ reachable: true, body: 'POST ping' });
  });

  it('cuts a large body and says so', async () => {
    const outcome = await probes.http({ type: 'http', url: `http://127.0.0.1:${port}/big` });
    expect(outcome).toMatchObject({ reachable: true, bodyTruncated: true });
    expect(outcome.reachable && outcome.body.length).toBe(256 * 1024);
  });

  it('gives up at the deadline when the server never finishes', async () => {
    const outcome = await probes.http({ type: 'http', url: `http://127.0.0.1:${port}/hang`, timeoutMs: 300 });
    expect(outcome).toMatchObject({ reachable: false, timedOut: true, error: 'timed out after 300 ms' });
  });

  it('reports a refused connection', async () => {
    const dead = await deadPort();
    const r = await runCheck(deps, { spec: { type: 'http', url: `http://127.0.0.1:${dead}/` } });
    expect(r.result.status).toBe('critical');
    expect(r.result.message).toMatch(/unreachable: .*ECONNREFUSED/);
  });
});

describe('NodeProbes.http over TLS', () => {
  const day = 86_400_000;
  const servers: https.Server[] = [];
  const start = async (notAfter: Date) => {
    const { key, cert } = selfSignedCertificate(new Date(Date.now() - 30 * day), notAfter);
    const { server, port } = await listen(https.createServer({ key, cert }, pageHandler));
    servers.push(server);
    return { port, cert };
  };
  afterAll(async () => {
    await Promise.all(servers.map(close));
  });

  it('reads the certificate expiry from the peer certificate and grades the days left', async () => {
    const notAfter = new Date(Math.floor((Date.now() + 20 * day + 3_600_000) / 1000) * 1000);
    const { port, cert } = await start(notAfter);
    expect(new X509Certificate(cert).validToDate.toISOString()).toBe(notAfter.toISOString());

    const outcome = await probes.http({ type: 'http', url: `https://127.0.0.1:${port}/health` });
    expect(outcome).toMatchObject({
      reachable: true,
      statusCode: 200,
      tls: { validTo: notAfter.toISOString(), authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT', subject: 'localhost', issuer: 'localhost' },
    });

    const spec = { type: 'http', url: `https://127.0.0.1:${port}/health`, tlsDaysLeft: { warning: 30, critical: 7 } } as const;
    const untrusted = await runCheck(deps, { spec });
    expect(untrusted.result.status).toBe('critical');
    expect(untrusted.result.message).toMatch(/^TLS certificate not trusted: DEPTH_ZERO_SELF_SIGNED_CERT; TLS certificate expires in 20 days/);
    const allowed = await runCheck(deps, { spec: { ...spec, allowUntrustedTls: true } });
    expect(allowed.result).toMatchObject({ status: 'warning', metrics: { tls_days_left: 20 } });
    const relaxed = await runCheck(deps, { spec: { ...spec, allowUntrustedTls: true, tlsDaysLeft: { warning: 14 } } });
    expect(relaxed.result.status).toBe('ok');
  });

  it('trusts a certificate from the CA store and still checks the host name', async () => {
    const notAfter = new Date(Date.now() + 90 * day);
    const good = selfSignedCertificate(new Date(Date.now() - day), notAfter);
    const other = selfSignedCertificate(new Date(Date.now() - day), notAfter, 'other.example', null);
    const defaults = tls.getCACertificates('default');
    tls.setDefaultCACertificates([...defaults, good.cert, other.cert]);
    try {
      const a = await listen(https.createServer({ key: good.key, cert: good.cert }, pageHandler));
      const b = await listen(https.createServer({ key: other.key, cert: other.cert }, pageHandler));
      servers.push(a.server, b.server);
      const trusted = await probes.http({ type: 'http', url: `https://127.0.0.1:${a.port}/health` });
      expect(trusted).toMatchObject({ reachable: true, tls: { authorized: true } });
      expect(trusted.reachable && trusted.tls && 'authorizationError' in trusted.tls).toBe(false);
      const spec = { type: 'http', url: `https://127.0.0.1:${b.port}/health`, tlsDaysLeft: { warning: 30 } } as const;
      const wrongHost = await probes.http(spec);
      expect(wrongHost).toMatchObject({ reachable: true, tls: { authorized: false, subject: 'other.example' } });
      expect(wrongHost.reachable && wrongHost.tls?.authorizationError).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      expect((await runCheck(deps, { spec })).result.status).toBe('critical');
      expect((await runCheck(deps, { spec: { ...spec, allowUntrustedTls: true } })).result.status).toBe('ok');
    } finally {
      tls.setDefaultCACertificates(defaults);
    }
  });

  it('is critical when the certificate has expired', async () => {
    const { port } = await start(new Date(Date.now() - 2 * day));
    const r = await runCheck(deps, { spec: { type: 'http', url: `https://127.0.0.1:${port}/health`, allowUntrustedTls: true } });
    expect(r.result.status).toBe('critical');
    expect(r.result.message).toMatch(/TLS certificate expired on/);
    expect(r.result.metrics.tls_days_left).toBeLessThan(0);
  });
});

describe('NodeProbes.tcp', () => {
  it('connects to a listening port and closes the connection', async () => {
    let accepted = 0;
    let peerClosed!: () => void;
    const closedByProbe = new Promise<void>((resolve) => (peerClosed = resolve));
    const { server, port } = await listen(
      net.createServer((socket) => {
        accepted++;
        socket.on('close', () => peerClosed());
      }),
    );
    try {
      const r = await runCheck(deps, { spec: { type: 'tcp', host: '127.0.0.1', port } });
      expect(r.result.status).toBe('ok');
      expect(r.result.message).toMatch(new RegExp(`^connected to 127.0.0.1:${port} in \\d+ ms$`));
      // The probe hangs up by itself; the server never closes the socket.
      await closedByProbe;
      expect(accepted).toBe(1);
    } finally {
      await close(server);
    }
  });

  it('reports a refused connection as critical', async () => {
    const port = await deadPort();
    const outcome = await probes.tcp({ type: 'tcp', host: '127.0.0.1', port });
    expect(outcome).toMatchObject({ reachable: false, timedOut: false });
    expect(outcome.reachable === false && outcome.error).toMatch(/ECONNREFUSED/);
  });
});

/** A hand-written JSON-RPC 2.0 server; `methods` answer with a result or throw `{ code, message }`. */
async function jsonRpcServer(methods: Record<string, (params: unknown) => unknown>) {
  const calls: string[] = [];
  const { server, port } = await listen(
    http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        if (req.url === '/broken') return void res.writeHead(502).end('<html>bad gateway</html>');
        const { id, method, params, jsonrpc } = JSON.parse(raw) as { id: number; method: string; params: unknown; jsonrpc: string };
        calls.push(method);
        const reply = (body: object) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc, id, ...body }));
        const fn = methods[method];
        if (!fn) return reply({ error: { code: -32601, message: `Method not found: ${method}` } });
        try {
          reply({ result: fn(params) });
        } catch (e) {
          reply({ error: e });
        }
      });
    }),
  );
  return { server, url: `http://127.0.0.1:${port}`, calls };
}

describe('NodeProbes.jsonRpc', () => {
  let rpc: Awaited<ReturnType<typeof jsonRpcServer>>;
  beforeAll(async () => {
    rpc = await jsonRpcServer({
      echo: (params) => params,
      version: () => ({ name: 'node', major: 24 }),
      fail: () => {
        throw { code: -32000, message: 'execution reverted', data: '0x08c379a0' };
      },
    });
  });
  afterAll(() => close(rpc.server));

  it('returns the result and compares it with the expected one', async () => {
    expect(await probes.jsonRpc({ type: 'json-rpc', url: rpc.url, method: 'echo', params: [1, 'a'] })).toMatchObject({ reachable: true, result: [1, 'a'] });
    const ok = await runCheck(deps, { spec: { type: 'json-rpc', url: rpc.url, method: 'version', expectResult: { major: 24, name: 'node' } } });
    expect(ok.result).toMatchObject({ status: 'ok', message: expect.stringMatching(/^version answered in \d+ ms$/) });
    const wrong = await runCheck(deps, { spec: { type: 'json-rpc', url: rpc.url, method: 'version', expectResult: { major: 22, name: 'node' } } });
    expect(wrong.result).toMatchObject({ status: 'critical', message: 'version returned {"major":24,"name":"node"}, expected {"major":22,"name":"node"}' });
  });

  it('turns an error object into critical with its message', async () => {
    expect(await probes.jsonRpc({ type: 'json-rpc', url: rpc.url, method: 'fail' })).toMatchObject({
      reachable: true,
      error: { code: -32000, message: 'execution reverted', data: '0x08c379a0' },
    });
    const r = await runCheck(deps, { spec: { type: 'json-rpc', url: rpc.url, method: 'nope' } });
    expect(r.result).toMatchObject({ status: 'critical', message: 'nope failed: Method not found: nope (code -32601)' });
  });

  it('treats an answer that is not JSON-RPC as a failure', async () => {
    const outcome = await probes.jsonRpc({ type: 'json-rpc', url: `${rpc.url}/broken`, method: 'echo' });
    expect(outcome).toMatchObject({ reachable: false, error: 'HTTP 502: not a JSON-RPC response' });
  });
});

/** A clock the test moves by hand, so "stalled" needs no waiting. */
function manualClock(start: string) {
  let t = Date.parse(start);
  return { now: () => new Date(t).toISOString(), advance: (seconds: number) => void (t += seconds * 1000) };
}

describe('EVM collector against Ganache (a real local EVM node)', () => {
  const node = ganache.server({ logging: { quiet: true }, chain: { chainId: 1337 }, wallet: { totalAccounts: 2 } });
  let url = '';
  beforeAll(async () => {
    await node.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(node.address() as { port: number }).port}`;
  });
  afterAll(() => node.close());
  const rpc = (method: string, params: unknown[] = []) => node.provider.request({ method, params } as never) as Promise<unknown>;

  it('sees the head move while blocks are mined and reports "stalled" once mining stops', async () => {
    const clock = manualClock('2026-03-01T12:00:00.000Z');
    const evmDeps = { probes: new NodeProbes(clock), clock };
    const spec: EvmCheckSpec = { type: 'evm', url, expectChainId: 1337, stalledAfterSeconds: { warning: 60, critical: 120 } };

    const first = await runCheck(evmDeps, { spec });
    const start = first.observation!;
    expect(start).toMatchObject({ previousBlockNumber: null, chainId: 1337, peerCount: 0, syncing: false, pendingTransactions: 0 });
    expect(BigInt(start.gasPriceWei!)).toBeGreaterThan(0n);
    // Ganache offers neither txpool_status nor txpool_besuStatistics; the fallback answered.
    expect(start.unavailable).toEqual(['txpool_status', 'txpool_besuStatistics']);
    expect(first.result).toMatchObject({ status: 'ok', metrics: { block_height: start.blockNumber, head_age_seconds: 0, chain_id: 1337, peer_count: 0, syncing: 0 } });

    await rpc('evm_mine');
    await rpc('evm_mine');
    clock.advance(30);
    const moved = await runCheck(evmDeps, { spec, previous: start });
    expect(moved.observation).toMatchObject({ blockNumber: start.blockNumber + 2, previousBlockNumber: start.blockNumber, headSince: clock.now() });
    expect(moved.result).toMatchObject({ status: 'ok', metrics: { blocks_advanced: 2, head_age_seconds: 0 } });

    // No more blocks: the head keeps its age across observations.
    let previous: EvmObservation = moved.observation!;
    const statuses: string[] = [];
    for (const step of [30, 30, 30, 30]) {
      clock.advance(step);
      const r = await runCheck(evmDeps, { spec, previous });
      previous = r.observation!;
      statuses.push(`${r.result.status}@${r.result.metrics.head_age_seconds}`);
    }
    expect(statuses).toEqual(['ok@30', 'warning@60', 'warning@90', 'critical@120']);
    expect(previous.blockNumber).toBe(start.blockNumber + 2);

    await rpc('evm_mine');
    clock.advance(10);
    const recovered = await runCheck(evmDeps, { spec, previous });
    expect(recovered.result).toMatchObject({ status: 'ok', message: `head ${start.blockNumber + 3} (+1 blocks, 0 s old)` });
  });

  it('is critical on the wrong chain id', async () => {
    const r = await runCheck(deps, { spec: { type: 'evm', url, expectChainId: 1 } });
    expect(r.result).toMatchObject({ status: 'critical', message: 'chain id 1337, expected 1' });
  });
});

describe('EVM collector against a hand-written node', () => {
  it('reads Geth-style txpool_status, a syncing object and missing methods', async () => {
    const rpc = await jsonRpcServer({
      eth_blockNumber: () => '0x10',
      eth_syncing: () => ({ startingBlock: '0x0', currentBlock: '0x10', highestBlock: '0x100' }),
      eth_gasPrice: () => '0x3b9aca00',
      eth_chainId: () => '0x7e2',
      txpool_status: () => ({ pending: '0x5', queued: '0x1' }),
    });
    try {
      const clock = manualClock('2026-03-01T12:00:00.000Z');
      const r = await runCheck({ probes: new NodeProbes(clock), clock }, { spec: { type: 'evm', url: rpc.url, minPeers: { critical: 1 } } });
      expect(r.observation).toMatchObject({
        blockNumber: 16,
        syncing: { startingBlock: 0, currentBlock: 16, highestBlock: 256 },
        gasPriceWei: '1000000000',
        chainId: 2018,
        pendingTransactions: 5,
        peerCount: null,
        unavailable: ['net_peerCount'],
      });
      expect(r.result.status).toBe('warning');
      expect(r.result.message).toBe('syncing: block 16 of 256 (240 behind); peer count not available');
      expect(r.result.metrics).toMatchObject({ gas_price_gwei: 1, sync_blocks_behind: 240, pending_transactions: 5 });
      expect(rpc.calls).not.toContain('eth_getBlockTransactionCountByNumber');
    } finally {
      await close(rpc.server);
    }
  });

  it('reads Besu txpool_besuStatistics when txpool_status is missing', async () => {
    const rpc = await jsonRpcServer({
      eth_blockNumber: () => '0x1',
      net_peerCount: () => '0x3',
      txpool_besuStatistics: () => ({ maxSize: 4096, localCount: 2, remoteCount: 7 }),
    });
    try {
      const r = await runCheck(deps, { spec: { type: 'evm', url: rpc.url } });
      expect(r.observation).toMatchObject({ pendingTransactions: 9, peerCount: 3, unavailable: ['eth_syncing', 'eth_gasPrice', 'eth_chainId', 'txpool_status'] });
      expect(rpc.calls).not.toContain('eth_getBlockTransactionCountByNumber');
    } finally {
      await close(rpc.server);
    }
  });

  it('is critical with the node\'s message when eth_blockNumber fails', async () => {
    const rpc = await jsonRpcServer({
      eth_blockNumber: () => {
        throw { code: -32603, message: 'Internal error: database closed' };
      },
    });
    try {
      const r = await runCheck(deps, { spec: { type: 'evm', url: rpc.url } });
      expect(r.observation).toBeNull();
      expect(r.result).toMatchObject({ status: 'critical', message: `${rpc.url} unreachable: eth_blockNumber failed: Internal error: database closed (code -32603)` });
    } finally {
      await close(rpc.server);
    }
  });

  it('is critical when nothing listens', async () => {
    const port = await deadPort();
    const r = await runCheck(deps, { spec: { type: 'evm', url: `http://127.0.0.1:${port}` } });
    expect(r.result.status).toBe('critical');
    expect(r.result.message).toMatch(/ECONNREFUSED/);
  });
});
