import middy from '@middy/core';
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { connectLive, disconnectLive, handleLiveFrame, type LiveDeps } from '../../core/live/use-cases';

/** What API Gateway expects back from a WebSocket route integration. */
export type WebSocketResult = { statusCode: number; body?: string };

/**
 * `$connect`: registers the connection (no topics yet). The `token` query parameter is accepted
 * and not checked until issue 5 adds tokens (then a refusal is a 401 here, before the upgrade).
 */
export function createLiveConnectHandler(deps: LiveDeps) {
  return middy<APIGatewayProxyWebsocketEventV2, WebSocketResult>().handler(async (event) => {
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
