import type { JsonRpcErrorObject, ProbeFailure } from '../../core/monitoring/model';
import { rawRequest } from './request';

export type JsonRpcCallResult =
  | { reachable: true; durationMs: number; result?: unknown; error?: JsonRpcErrorObject }
  | ProbeFailure;

let nextId = 1;

/**
 * One JSON-RPC 2.0 call over HTTP(S). An answer that is not a JSON-RPC response (HTTP error without
 * a JSON-RPC body, not JSON) is a failure; a JSON-RPC error object is returned as `error`.
 */
export async function callJsonRpc(
  url: string,
  method: string,
  params: unknown[] | Record<string, unknown> | undefined,
  options: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<JsonRpcCallResult> {
  const id = nextId++;
  const res = await rawRequest({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params: params ?? [] }),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  if (!res.reachable) return res;
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    return { reachable: false, error: `HTTP ${res.statusCode}: not a JSON-RPC response`, timedOut: false, durationMs: res.durationMs };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { reachable: false, error: `HTTP ${res.statusCode}: not a JSON-RPC response`, timedOut: false, durationMs: res.durationMs };
  }
  const body = parsed as { result?: unknown; error?: unknown };
  if (body.error !== undefined && body.error !== null) {
    const e = body.error as Partial<JsonRpcErrorObject>;
    const error: JsonRpcErrorObject = {
      code: typeof e.code === 'number' ? e.code : 0,
      message: typeof e.message === 'string' ? e.message : JSON.stringify(body.error),
      ...(e.data !== undefined ? { data: e.data } : {}),
    };
    return { reachable: true, durationMs: res.durationMs, error };
  }
  if (!('result' in body)) {
    return { reachable: false, error: `HTTP ${res.statusCode}: JSON-RPC response without result or error`, timedOut: false, durationMs: res.durationMs };
  }
  return { reachable: true, durationMs: res.durationMs, result: body.result };
}
