import { ApiGatewayLivePusher } from '../../adapters/aws/api-gateway-live-pusher';
import { DynamoLiveConnections } from '../../adapters/aws/dynamo-live-connections';
import { powertoolsLogger } from '../../adapters/aws/powertools-logger';
import type { LiveDeps } from '../../core/live/use-cases';
import { systemClock } from '../../core/ports/clock';
import { LIVE_ENV } from '../../shared/live';
import { awsDocumentClient } from './dynamo';

/**
 * The live-update functions' composition root ($connect, $disconnect, $default, broadcaster):
 * only the table (`TABLE_NAME`) and the WebSocket stage's callback URL; no bus, no secrets.
 */
export function awsLiveDeps(serviceName: string, env: Record<string, string | undefined> = process.env): LiveDeps {
  const table = env.TABLE_NAME;
  const callbackUrl = env[LIVE_ENV.callbackUrl];
  if (!table || !callbackUrl || !/^https:\/\//.test(callbackUrl)) {
    throw new Error(`Signalbox configuration is invalid: TABLE_NAME and ${LIVE_ENV.callbackUrl} (https://...) are required`);
  }
  return {
    liveConnections: new DynamoLiveConnections(awsDocumentClient(), table),
    livePusher: ApiGatewayLivePusher.forEndpoint(callbackUrl),
    clock: systemClock,
    logger: powertoolsLogger(serviceName),
  };
}
