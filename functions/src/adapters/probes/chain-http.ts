import { rawRequest, type RawResponse } from './request';

/** One JSON GET: the raw response and the parsed body (undefined when not JSON). */
export interface JsonGet {
  response: RawResponse;
  json: unknown;
}

/** `base` + `path` without a doubled slash (`http://x:5000/` + `/api/v1/status`). */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/** GETs a JSON document; never rejects (an unreachable target is in `response`). */
export async function getJson(url: string, options: { headers?: Record<string, string>; timeoutMs?: number }): Promise<JsonGet> {
  const response = await rawRequest({
    url,
    method: 'GET',
    headers: { accept: 'application/json', ...options.headers },
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  if (!response.reachable) return { response, json: undefined };
  try {
    return { response, json: JSON.parse(response.body) as unknown };
  } catch {
    return { response, json: undefined };
  }
}

/** `HTTP 500: <error text>` from an error answer (FireFly and Cacti send `{ "error": "..." }`). */
export function httpProblem(g: JsonGet): string {
  if (!g.response.reachable) return g.response.error;
  const body = g.json && typeof g.json === 'object' ? (g.json as Record<string, unknown>) : null;
  const text = typeof body?.error === 'string' ? body.error : typeof body?.message === 'string' ? body.message : g.response.body.slice(0, 120).trim();
  return `HTTP ${g.response.statusCode}${text ? `: ${text}` : ''}`;
}
