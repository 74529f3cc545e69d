import { LIVE_ENV } from '../../shared/live';

/**
 * `GET /api/live`'s answer in AWS: the WebSocket stage URL the stack gives the API function. Apart
 * from `./live`, so the API function does not load the API Gateway Management API client.
 */
export function awsLiveUrl(env: Record<string, string | undefined> = process.env): { liveUrl?: string } {
  const url = env[LIVE_ENV.url];
  return url ? { liveUrl: url } : {};
}
