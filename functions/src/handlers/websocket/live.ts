import middy from '@middy/core';
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { authorizeLiveConnection, connectLive, disconnectLive, handleLiveFrame, type LiveAuthDeps, type LiveDeps } from '../../core/live/use-cases';
import { SignalboxError } from '../../core/errors';

/** What API Gateway expects back from a WebSocket route integration. */
export type WebSocketResult = { statusCode: number; body?: string };

/**
 * `$connect`: checks the `token` query parameter (a user token that may `live:subscribe`; 401 or
 * 403 refuses the upgrade), then registers the connection (no topics yet).
 */
export function createLiveConnectHandler(deps: LiveDeps & LiveAuthDeps) {
  return middy<APIGatewayProxyWebsocketEventV2, WebSocketResult>().handler(async (event) => {
    const e = event as APIGatewayProxyWebsocketEventV2 & { queryStringParameters?: Record<string, string | undefined>; requestContext: { identity?: { sourceIp?: string } } };
    try {
      await authorizeLiveConnection(deps, { token: e.queryStringParameters?.token ?? null, sourceIp: e.requestContext.identity?.sourceIp ?? null });
    } catch (error) {
      if (error instanceof SignalboxError && (error.code === 'unauthorized' || error.code === 'forbidden')) return { statusCode: error.code === 'forbidden' ? 403 : 401 };
      throw error;
    }
    await connectLive(deps, { connectionId: event.requestContext.connectionId });
    return { statusCode: 200 };
  });
}

/** `$disconnect`: forgets the connection and its subscriptions. */
export function createLiveDisconnectHandler(deps: LiveDeps) {
  return middy<APIGatewayProxyWebsocketEventV2, WebSocketResult>().handler(async (event) => {
    await disconnectLive(deps, { connectionId: event.requestContext.connectionId });
    return { statusCode: 200 };
  });
}

/**
 * `$default` (the route selection expression is `$request.body.action`; subscribe and ping arrive
 * here too): the answer goes back through PostToConnection, bad frames get an error frame.
 */
export function createLiveMessageHandler(deps: LiveDeps) {
  return middy<APIGatewayProxyWebsocketEventV2, WebSocketResult>().handler(async (event) => {
    const body = event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    await handleLiveFrame(deps, { connectionId: event.requestContext.connectionId, body });
    return { statusCode: 200 };
  });
}
