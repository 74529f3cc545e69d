/** A small keep-alive HTTP client for the load generators (node:http, no per-request allocations beyond the body). */
import { Agent, request } from 'node:http';

export interface HttpReply {
  status: number;
  body: string;
  /** Seconds of a `Retry-After` header, when the answer has one. */
  retryAfter?: number;
}

export class HttpClient {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(baseUrl: string, maxSockets: number) {
    this.base = new URL(baseUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /**
   * Sends one request. A GET whose kept-alive socket was closed by the server under it (ECONNRESET,
   * EPIPE: the server's keep-alive timeout racing the reuse) is sent once more; other errors reject.
   */
  async send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<HttpReply> {
    try {
      return await this.once(method, path, headers, body);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (method === 'GET' && (code === 'ECONNRESET' || code === 'EPIPE')) return this.once(method, path, headers, body);
      throw err;
    }
  }

  private once(method: string, path: string, headers: Record<string, string>, body?: string): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method,
          path,
          agent: this.agent,
          headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          const retryAfter = Number(res.headers['retry-after']);
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ...(Number.isFinite(retryAfter) && res.headers['retry-after'] ? { retryAfter } : {}) }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
