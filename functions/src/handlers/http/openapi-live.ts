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
        'Protocol (JSON text frames, API Gateway WebSocket style, the same locally): client → server `{"action":"subscribe","topics":[...]}` (replaces the topic set; topics: alerts, health, rollouts, events) and `{"action":"ping"}`; server → client messages `{topic, type, data, at}` and control frames `{"type":"subscribed"|"pong"|"error", ...}`. A `token` query parameter is accepted and ignored until sign-in exists (issue 5).',
      responses: { '200': { description: 'The socket URL', content: json({ $ref: '#/components/schemas/LiveEndpoint' }) } },
    },
  },
};
