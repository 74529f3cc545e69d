import type { Route } from './api';

/** What the `GET /api/live` route reads of the deps: the deployment's WebSocket URL (AWS: `SIGNALBOX_LIVE_URL`). */
export interface LiveUrlDeps {
  liveUrl?: string;
}

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * Where the portal opens its live-update socket: the configured URL, else `/ws` on the host the
 * request came to (the local runtime serves the socket on its own HTTP server), `wss:` when the
 * request came over HTTPS (`X-Forwarded-Proto`).
 */
export function liveUrlFor(configured: string | undefined, host: string | undefined, forwardedProto: string | undefined): string {
  if (configured) return configured;
  const safeHost = host && HOST.test(host) ? host : 'localhost';
  const secure = forwardedProto?.split(',')[0]?.trim().toLowerCase() === 'https';
  return `${secure ? 'wss' : 'ws'}://${safeHost}/ws`;
}

/** Live updates (issue 4): where the WebSocket is. The socket protocol itself is in core/live/model.ts. */
export const LIVE_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/api/live',
    action: 'live:subscribe',
    run: async (deps, _p, _q, req) => ({
      status: 200,
      body: { url: liveUrlFor((deps as LiveUrlDeps).liveUrl, req.header('host'), req.header('x-forwarded-proto')) },
    }),
  },
];
