/** Environment variables of the live-update functions, shared by the CDK construct and the AWS wiring. */
export const LIVE_ENV = {
  /** The WebSocket API stage's management endpoint (`https://…/<stage>`), for PostToConnection. */
  callbackUrl: 'SIGNALBOX_LIVE_CALLBACK_URL',
  /** The `wss://` URL the portal connects to; the API function answers `GET /api/live` with it. */
  url: 'SIGNALBOX_LIVE_URL',
} as const;
