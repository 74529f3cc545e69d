/** OpenAPI 3.1 fragments for the live-update routes (merged into the document in `openapi.ts`). */
const json = (schema: unknown) => ({ 'application/json': { schema } });

export const liveSchemas = {
  LiveEndpoint: {
    type: 'object',
    required: ['url'],
    additionalProperties: false,
    properties: {
      url: { type: 'string', pattern: '^wss?://', description: 'WebSocket URL of the live updates (AWS: the WebSocket API stage; locally ws://<portal host>/ws)' },
    },
  },
};

export const livePaths = {
  '/api/live': {
    get: {
      operationId: 'getLiveEndpoint',
      summary: 'Where the portal opens its live-update WebSocket',
      description:
        'Protocol (JSON text frames, API Gateway WebSocket style, the same locally): client → server `{"action":"subscribe","topics":[...]}` (replaces the topic set; topics: alerts, health, rollouts, events, settings) and `{"action":"ping"}`; server → client messages `{topic, type, data, at}` and control frames `{"type":"subscribed"|"pong"|"error", ...}`. The socket needs the signed-in user\'s access token as the `token` query parameter (browsers cannot send headers on a WebSocket); without a valid one the upgrade is refused (401; 403 for a user without a role).',
      responses: { '200': { description: 'The socket URL', content: json({ $ref: '#/components/schemas/LiveEndpoint' }) } },
    },
  },
};
