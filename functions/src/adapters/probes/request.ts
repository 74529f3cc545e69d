import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import type { ProbeFailure, TlsInfo } from '../../core/monitoring/model';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Bodies are read up to this size; a health page larger than this is cut (and said so). */
export const MAX_BODY_BYTES = 256 * 1024;

export interface RawRequest {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

export type RawResponse =
  | { reachable: true; statusCode: number; body: string; bodyTruncated: boolean; durationMs: number; tls?: TlsInfo }
  | ProbeFailure;

function tlsInfo(socket: TLSSocket): TlsInfo | undefined {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return undefined;
  // With rejectUnauthorized off (so expired and self-signed certificates can still be inspected)
  // Node still verifies chain and host name and reports the outcome here.
  const authorized = socket.authorized;
  const authorizationError = socket.authorizationError ? String(socket.authorizationError) : undefined;
  const name = (n: unknown): string | undefined => {
    if (!n || typeof n !== 'object') return undefined;
    const cn = (n as Record<string, unknown>).CN;
    return typeof cn === 'string' ? cn : Array.isArray(cn) ? cn.join(',') : undefined;
  };
  return {
    validTo: new Date(cert.valid_to).toISOString(),
    authorized,
    ...(authorizationError !== undefined ? { authorizationError } : {}),
    ...(name(cert.subject) !== undefined ? { subject: name(cert.subject) } : {}),
    ...(name(cert.issuer) !== undefined ? { issuer: name(cert.issuer) } : {}),
  };
}

/**
 * One HTTP(S) request on a fresh connection (no agent: nothing stays open after it), bounded by a
 * deadline that covers connect, TLS, headers and body. Never rejects.
 */
export function rawRequest(req: RawRequest): Promise<RawResponse> {
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  return new Promise<RawResponse>((resolve) => {
    let settled = false;
    const finish = (r: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const fail = (error: unknown, timedOut = false) =>
      finish({ reachable: false, error: error instanceof Error ? error.message || error.name : String(error), timedOut, durationMs: elapsed() });

    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      fail(`invalid URL ${req.url}`);
      return;
    }
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') {
      fail(`unsupported protocol ${url.protocol}`);
      return;
    }
    const headers: Record<string, string> = { connection: 'close', 'user-agent': 'signalbox-check', ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const options: https.RequestOptions = { method: req.method, headers, agent: false };
    if (secure) options.rejectUnauthorized = false;

    let tlsSeen: TlsInfo | undefined;
    const client = (secure ? https : http).request(url, options, (res) => {
      if (secure && !tlsSeen) tlsSeen = tlsInfo(res.socket as TLSSocket);
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const done = () =>
        finish({
          reachable: true,
          statusCode: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          bodyTruncated: truncated,
          durationMs: elapsed(),
          ...(tlsSeen ? { tls: tlsSeen } : {}),
        });
      res.on('data', (chunk: Buffer) => {
        if (size + chunk.length > MAX_BODY_BYTES) {
          chunks.push(chunk.subarray(0, MAX_BODY_BYTES - size));
          size = MAX_BODY_BYTES;
          truncated = true;
          done();
          res.destroy();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', done);
      res.on('error', (e) => fail(e));
    });
    if (secure) {
      client.on('socket', (socket) => {
        socket.once('secureConnect', () => {
          tlsSeen = tlsInfo(socket as TLSSocket);
        });
      });
    }
    client.on('error', (e) => fail(e));
    const timer = setTimeout(() => {
      fail(new Error(`timed out after ${timeoutMs} ms`), true);
      client.destroy();
    }, timeoutMs);
    client.end(req.body);
  });
}
