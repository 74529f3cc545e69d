/**
 * The part of autocannon 8's programmatic API the reliability tests use (`@types/autocannon` is
 * not installed). Written from autocannon's README and `lib/`; extend it when a test needs more.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    /** State one connection keeps while it loops over `requests` (reset when it starts over). */
    type Context = Record<string, unknown>;

    /** One entry of `requests`: each connection sends them in order, round and round. */
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      /**
       * Called just before the request is built (once per request sent); returns the request to
       * send (a falsy value starts the sequence over).
       */
      setupRequest?: (request: Request, context: Context) => Request | null | undefined | false;
      /** Called with each complete answer to this request (body as text; repeated headers as arrays). */
      onResponse?: (status: number, body: string, context: Context, headers: Record<string, string | string[]>) => void;
    }

    interface Options {
      url: string | string[];
      /** Concurrent connections, each one request at a time (pipelining 1); default 10. */
      connections?: number;
      /** Seconds; ignored when `amount` is given. Default 10. */
      duration?: number | string;
      /** Requests to send in all; the run ends when every connection has had its answers. */
      amount?: number;
      /** Seconds to wait for an answer before the connection is dropped and counted as a timeout; default 10. */
      timeout?: number;
      pipelining?: number;
      /** Ceiling on requests per second over all connections (each connection at most its share per second). */
      overallRate?: number;
      connectionRate?: number;
      method?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      requests?: Request[];
      initialContext?: Context;
      bailout?: number;
      title?: string;
      excludeErrorStats?: boolean;
    }

    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      p50: number;
      p90: number;
      p99: number;
    }

    interface Result {
      title?: string;
      url: string;
      requests: Histogram;
      latency: Histogram;
      throughput: Histogram;
      /** Seconds the run took. */
      duration: number;
      /** Connection errors, timeouts included. */
      errors: number;
      timeouts: number;
      mismatches: number;
      non2xx: number;
      resets: number;
      start: Date;
      finish: Date;
      connections: number;
      pipelining: number;
      statusCodeStats: Record<string, { count: number }>;
      '1xx': number;
      '2xx': number;
      '3xx': number;
      '4xx': number;
      '5xx': number;
    }

    /** A running load: an event emitter (`response`, `reqError`, `done`, …) and a promise of the result. */
    interface Instance extends EventEmitter, PromiseLike<Result> {
      stop(): void;
    }
  }

  function autocannon(options: autocannon.Options): autocannon.Instance;
  function autocannon(options: autocannon.Options, done: (error: Error | null, result: autocannon.Result) => void): autocannon.Instance;

  export = autocannon;
}
