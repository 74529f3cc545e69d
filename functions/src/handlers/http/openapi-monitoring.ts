/** OpenAPI 3.1 fragments for the monitoring routes (merged into the document in `openapi.ts`). */
const nullableString = { type: ['string', 'null'] };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const error = (description: string) => ({ description, content: json(ref('ErrorResponse')) });
const STATUS = { enum: ['ok', 'warning', 'critical', 'unknown'] };
const numberMap = { type: 'object', additionalProperties: { type: 'number' } };

export const monitoringSchemas = {
  CheckStatus: STATUS,
  HealthNode: {
    type: 'object',
    description: 'One layer of the roll-up (system or service) with its own checks and its children; every layer is kept, a shared subsystem appears under each parent.',
    required: ['kind', 'name', 'status', 'reason', 'observed', 'checks', 'children'],
    properties: {
      kind: { enum: ['system', 'service'] },
      name: { type: 'string' },
      status: ref('CheckStatus'),
      reason: { type: 'string', description: 'For people: ok, or which child/check made the status, down to the check' },
      culprit: {
        type: 'object',
        required: ['kind', 'name', 'status'],
        properties: { kind: { enum: ['check', 'system', 'service'] }, name: { type: 'string' }, status: ref('CheckStatus') },
      },
      observed: { type: 'boolean', description: 'False when no check exists anywhere below; such nodes do not affect their parents' },
      checks: {
        type: 'array',
        items: { type: 'object', required: ['name', 'status', 'message'], properties: { name: { type: 'string' }, status: ref('CheckStatus'), message: { type: 'string' } } },
      },
      children: { type: 'array', items: ref('HealthNode') },
      environments: { type: 'array', items: { type: 'string' } },
    },
  },
  CheckSummary: {
    type: 'object',
    required: ['name', 'type', 'description', 'service', 'environment', 'intervalSeconds', 'status', 'message', 'checkedAt', 'since', 'metrics', 'strip', 'flapping'],
    properties: {
      name: { type: 'string' },
      type: { enum: ['http', 'tcp', 'jsonrpc', 'evm', 'firefly', 'cacti', 'ccip'] },
      description: nullableString,
      service: nullableString,
      environment: nullableString,
      intervalSeconds: { type: 'number' },
      agent: { type: ['string', 'null'], description: 'The signalbox-agent that runs this check (null: the server runs it); unknown when its results stop for 3 intervals' },
      status: ref('CheckStatus'),
      message: { type: 'string' },
      checkedAt: nullableString,
      since: { ...nullableString, description: 'When the check entered its current status; null before a result or when an agent stopped reporting' },
      metrics: numberMap,
      strip: {
        type: 'array',
        description: 'The last hour in one-minute slots, oldest first',
        items: { type: 'object', required: ['start', 'end', 'status'], properties: { start: { type: 'string' }, end: { type: 'string' }, status: { enum: ['ok', 'warning', 'critical', 'unknown', 'none'] } } },
      },
      flapping: {
        type: 'object',
        required: ['flapping', 'changes', 'samples'],
        properties: { flapping: { type: 'boolean' }, changes: { type: 'integer' }, samples: { type: 'integer' } },
      },
    },
  },
  Alert: {
    type: 'object',
    description: 'An alert (Alertmanager semantics): identified by the fingerprint of its labels; fires, may be acknowledged, resolves.',
    required: ['fingerprint', 'labels', 'annotations', 'severity', 'state', 'startsAt', 'endsAt', 'stateSince', 'lastObservedAt', 'observations', 'ackedBy', 'ackedAt', 'ackComment', 'history', 'revision'],
    properties: {
      fingerprint: { type: 'string' },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      annotations: { type: 'object', additionalProperties: { type: 'string' } },
      severity: { enum: ['critical', 'error', 'warning', 'info'] },
      state: { enum: ['firing', 'acknowledged', 'resolved'] },
      startsAt: { type: 'string' },
      endsAt: nullableString,
      stateSince: { type: 'string' },
      lastObservedAt: { type: 'string' },
      observations: { type: 'integer' },
      ackedBy: nullableString,
      ackedAt: nullableString,
      ackComment: nullableString,
      history: { type: 'array', items: { type: 'object', required: ['kind', 'at', 'from', 'to', 'severity', 'cause'] } },
      revision: { type: 'integer' },
    },
  },
  AlertView: {
    type: 'object',
    required: ['alert', 'silencedBy', 'inhibitedBy', 'status'],
    properties: {
      alert: ref('Alert'),
      silencedBy: { type: 'array', items: { type: 'string' } },
      inhibitedBy: { type: 'array', items: { type: 'string' } },
      status: { enum: ['firing', 'acknowledged', 'resolved', 'silenced', 'inhibited'] },
    },
  },
  Silence: {
    type: 'object',
    required: ['id', 'matchers', 'startsAt', 'endsAt', 'createdBy', 'comment', 'createdAt', 'updatedAt', 'revision', 'state'],
    properties: {
      id: { type: 'string' },
      matchers: { type: 'array', items: ref('Matcher') },
      startsAt: { type: 'string' },
      endsAt: { type: 'string' },
      createdBy: { type: 'string' },
      comment: { type: 'string' },
      createdAt: { type: 'string' },
      updatedAt: { type: 'string' },
      revision: { type: 'integer' },
      state: { enum: ['pending', 'active', 'expired'] },
    },
  },
  Matcher: {
    type: 'object',
    required: ['name', 'op', 'value'],
    properties: { name: { type: 'string' }, op: { enum: ['=', '!=', '=~', '!~'] }, value: { type: 'string' } },
  },
  HistoryBucket: {
    type: 'object',
    required: ['start', 'minutes', 'status', 'count', 'statusCounts', 'metrics', 'lastCheckedAt', 'lastStatus', 'lastMessage'],
    properties: {
      start: { type: 'string' },
      minutes: { enum: [1, 15, 60] },
      status: ref('CheckStatus'),
      count: { type: 'integer' },
      statusCounts: numberMap,
      metrics: {
        type: 'object',
        additionalProperties: { type: 'object', required: ['min', 'max', 'sum', 'count'], properties: { min: { type: 'number' }, max: { type: 'number' }, sum: { type: 'number' }, count: { type: 'integer' } } },
      },
      lastCheckedAt: { type: 'string' },
      lastStatus: ref('CheckStatus'),
      lastMessage: { type: 'string' },
    },
  },
};

export const monitoringPaths = {
  '/api/observations': {
    post: {
      operationId: 'postObservations',
      summary: 'A signalbox-agent pushes results of the checks declared with `agent: <its name>`; recorded, published and alerted on like the server\'s own',
      description:
        'Authenticated by an agent token (`Authorization: Bearer <agent token>`), not the producer token. All or nothing: one invalid result refuses the request. Idempotent for retries: a result not newer than the last one of its check counts as a duplicate.',
      security: [{ agentToken: [] }],
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['agent', 'results'],
          additionalProperties: false,
          properties: {
            agent: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]*$', maxLength: 63 },
            results: {
              type: 'array',
              maxItems: 500,
              items: {
                type: 'object',
                required: ['checkId', 'status', 'message', 'durationMs', 'checkedAt'],
                additionalProperties: false,
                properties: {
                  checkId: { type: 'string', description: 'A check declared with `agent: <agent>`' },
                  status: ref('CheckStatus'),
                  message: { type: 'string', maxLength: 2000 },
                  metrics: numberMap,
                  durationMs: { type: 'number', minimum: 0 },
                  checkedAt: { type: 'string', format: 'date-time' },
                },
              },
            },
          },
        }),
      },
      responses: {
        '200': {
          description: 'Recorded',
          content: json({
            type: 'object',
            required: ['agent', 'accepted', 'duplicates', 'alertTransitions'],
            properties: { agent: { type: 'string' }, accepted: { type: 'integer' }, duplicates: { type: 'integer' }, alertTransitions: { type: 'integer' } },
          }),
        },
        '400': error('Invalid request; `error.field` names the result and field (e.g. `results[3].status`); code `unknown_check` or `check_not_for_agent` for a check the agent may not report'),
        '401': error('No agent token, or one not valid for this agent'),
        '413': error('Body too large'),
        '503': error('Monitoring or agents are not configured in this deployment, or the history store failed (retry)'),
      },
    },
  },
  '/api/silences': {
    post: {
      operationId: 'createSilence',
      summary: 'Mute notifications of matching alerts for a time (attributed to the actor)',
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['matchers', 'endsAt', 'comment'],
          properties: { matchers: { type: 'array', items: ref('Matcher') }, startsAt: { type: 'string', description: 'Default now' }, endsAt: { type: 'string' }, comment: { type: 'string', maxLength: 2000 } },
        }),
      },
      responses: {
        '201': { description: 'Created', content: json(ref('Silence')) },
        '400': error('Invalid silence; `error.field` names the field (e.g. `matchers[0].value`)'),
        '503': error('Alerts are not configured in this deployment'),
      },
    },
    get: {
      operationId: 'listSilences',
      summary: 'Silences: current (not expired, default) or all',
      parameters: [
        { name: 'scope', in: 'query', required: false, schema: { enum: ['current', 'all'] } },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200 } },
        { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
      ],
      responses: {
        '200': { description: 'A page of silences', content: json({ type: 'object', required: ['items', 'next'], properties: { items: { type: 'array', items: ref('Silence') }, next: nullableString } }) },
        '400': error('Invalid scope, limit or cursor'),
        '503': error('Alerts are not configured in this deployment'),
      },
    },
  },
  '/api/silences/{id}/expire': {
    post: {
      operationId: 'expireSilence',
      summary: 'End a silence now; idempotent',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '200': { description: 'The silence, expired', content: json(ref('Silence')) },
        '404': error('No such silence'),
        '409': error('The silence changed meanwhile'),
        '503': error('Alerts are not configured in this deployment'),
      },
    },
  },
  '/api/silences/{id}': {
    delete: {
      operationId: 'deleteSilence',
      summary: 'Delete a silence',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '200': { description: 'Deleted', content: json({ type: 'object', required: ['deleted'], properties: { deleted: { type: 'string' } } }) },
        '404': error('No such silence'),
        '503': error('Alerts are not configured in this deployment'),
      },
    },
  },
  '/api/alerts': {
    get: {
      operationId: 'listAlerts',
      summary: 'Alerts, latest state change first, with the silences and inhibitions that apply now',
      parameters: [
        { name: 'state', in: 'query', required: false, schema: { enum: ['firing', 'acknowledged', 'resolved'] } },
        { name: 'environment', in: 'query', required: false, schema: { type: 'string' } },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200 } },
        { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
      ],
      responses: {
        '200': {
          description: 'A page of alerts',
          content: json({ type: 'object', required: ['items', 'next'], properties: { items: { type: 'array', items: ref('AlertView') }, next: nullableString } }),
        },
        '400': error('Invalid filter or cursor'),
        '503': error('Alerts are not configured in this deployment'),
      },
    },
  },
  '/api/alerts/{fingerprint}/ack': {
    post: {
      operationId: 'acknowledgeAlert',
      summary: 'Acknowledge a firing alert (attributed to the actor); idempotent',
      parameters: [{ name: 'fingerprint', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: { required: false, content: json({ type: 'object', properties: { comment: { type: 'string', maxLength: 2000 } }, additionalProperties: false }) },
      responses: {
        '200': { description: 'The alert after the acknowledgement', content: json(ref('Alert')) },
        '400': error('Invalid body'),
        '404': error('No such alert'),
        '409': error('The alert is resolved, or changed meanwhile'),
        '503': error('Alerts are not configured in this deployment'),
      },
    },
  },
  '/api/health': {
    get: {
      operationId: 'getHealth',
      summary: 'The systems tree rolled up from the latest check results, with per-check history strips and flapping flags',
      responses: {
        '200': {
          description: 'Health',
          content: json({
            type: 'object',
            required: ['generatedAt', 'configErrors', 'roots', 'checks'],
            properties: {
              generatedAt: { type: 'string' },
              configErrors: { type: 'array', items: { type: 'string' }, description: 'Problems of the config folder as `file:line:column field: message`' },
              roots: { type: 'array', items: ref('HealthNode') },
              checks: { type: 'array', items: ref('CheckSummary') },
            },
          }),
        },
        '503': error('Monitoring is not configured in this deployment'),
      },
    },
  },
  '/api/systems/{id}': {
    get: {
      operationId: 'getSystem',
      summary: 'One system with its subsystems, services and checks',
      parameters: [{ name: 'id', in: 'path', required: true, description: 'System name', schema: { type: 'string' } }],
      responses: {
        '200': {
          description: 'The system',
          content: json({
            type: 'object',
            required: ['generatedAt', 'system', 'checks'],
            properties: { generatedAt: { type: 'string' }, system: ref('HealthNode'), checks: { type: 'array', items: ref('CheckSummary') } },
          }),
        },
        '404': error('No such system in the config'),
        '503': error('Monitoring is not configured in this deployment'),
      },
    },
  },
  '/api/checks/{id}/history': {
    get: {
      operationId: 'getCheckHistory',
      summary: "One check's result buckets, newest first, with uptime",
      parameters: [
        { name: 'id', in: 'path', required: true, description: 'Check name', schema: { type: 'string' } },
        { name: 'from', in: 'query', required: false, description: 'Buckets starting at or after (ISO 8601); default 24 h before `to`', schema: { type: 'string' } },
        { name: 'to', in: 'query', required: false, description: 'Buckets starting before (ISO 8601); default now', schema: { type: 'string' } },
        { name: 'minutes', in: 'query', required: false, description: 'Bucket resolution', schema: { enum: ['1', '15', '60'] } },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } },
        { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
      ],
      responses: {
        '200': {
          description: 'A page of buckets',
          content: json({
            type: 'object',
            required: ['checkId', 'from', 'to', 'minutes', 'items', 'next', 'uptime'],
            properties: {
              checkId: { type: 'string' },
              from: { type: 'string' },
              to: { type: 'string' },
              minutes: { enum: [1, 15, 60] },
              items: { type: 'array', items: ref('HistoryBucket') },
              next: nullableString,
              uptime: {
                type: 'object',
                required: ['percent', 'up', 'down', 'unknown'],
                properties: { percent: { type: ['number', 'null'] }, up: { type: 'integer' }, down: { type: 'integer' }, unknown: { type: 'integer' } },
              },
            },
          }),
        },
        '400': error('Invalid range, resolution, limit or cursor; `error.field` names it'),
        '404': error('No such check in the config'),
        '503': error('Monitoring is not configured in this deployment'),
      },
    },
  },
};
