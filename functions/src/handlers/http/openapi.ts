/**
 * OpenAPI 3.1 description of every route. A test checks that it lists exactly the routes served and
 * that real responses validate against these schemas.
 */
import { rolloutPaths, rolloutSchemas } from './openapi-rollouts';
import { monitoringPaths, monitoringSchemas } from './openapi-monitoring';
import { livePaths, liveSchemas } from './openapi-live';
import { costPaths, costSchemas } from './openapi-costs';
import { authPaths, authSchemas, authSecuritySchemes, withSecurity } from './openapi-auth';
import { adminPaths, adminSchemas } from './openapi-admin';
import { API_ROUTES } from './api';

const nullableString = { type: ['string', 'null'] };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorResponses = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((code) => [String(code), { description: ERROR_TEXT[code] ?? 'Error', content: { 'application/json': { schema: ref('ErrorResponse') } } }]),
  );
const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request; `error.field` names the parameter or field',
  401: 'Missing or invalid bearer token',
  404: 'Not found',
  409: 'Conflict (e.g. a replay that failed again)',
  413: 'Request body too large',
  415: 'Compressed body (Content-Encoding) not accepted',
  503: 'A dependency (store, bus) is unavailable; retry after `Retry-After` seconds',
};

/** `Retry-After` of a 503 (every one carries it) and of a 429 from the local token bucket. */
const retryAfterHeader = { 'Retry-After': { required: true, schema: { type: 'integer', minimum: 0 }, description: 'Seconds to wait before retrying' } };

/** Routes that touch no store or other dependency, so never answer 503 for one. */
const NO_DEPENDENCY = new Set(['GET /api/openapi.json', 'GET /api/auth/config', 'GET /api/live', 'GET /api/rollout-presets']);

/**
 * Every route that touches the store documents 503 (`store_unavailable` when DynamoDB is down,
 * throttled or timing out; `dependency_failed` or a named code for other dependencies), and every
 * documented 503 carries `Retry-After`.
 */
function withDependencyFailures<T extends { paths: Record<string, Record<string, Record<string, unknown>>> }>(doc: T): T {
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const responses = (op.responses ??= {}) as Record<string, Record<string, unknown>>;
      if (!responses['503'] && !NO_DEPENDENCY.has(`${method.toUpperCase()} ${path}`)) responses['503'] = errorResponses(503)['503']!;
      if (responses['503']) responses['503'] = { ...responses['503'], headers: { ...(responses['503'].headers as object | undefined), ...retryAfterHeader } };
    }
  }
  return doc;
}

const jsonContent = (schema: unknown) => ({ 'application/json': { schema } });
const queryParam = (name: string, description: string, schema: unknown = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });

const schemas = {
  ErrorBody: {
    type: 'object',
    required: ['code', 'field', 'message'],
    properties: { code: { type: 'string' }, field: nullableString, message: { type: 'string' } },
    additionalProperties: false,
  },
  ErrorResponse: { type: 'object', required: ['error'], properties: { error: ref('ErrorBody') } },
  Violation: {
    type: 'object',
    required: ['path', 'message'],
    properties: { path: { type: 'string', description: 'JSONPath, e.g. $.context.timestamp' }, message: { type: 'string' } },
  },
  IngestResult: {
    type: 'object',
    required: ['status', 'violations'],
    properties: {
      status: { enum: ['stored', 'duplicate', 'rejected'] },
      key: { type: 'string', description: 'Address of the stored event (GET /api/events/{key})' },
      violations: { type: 'array', items: ref('Violation') },
      error: ref('ErrorBody'),
    },
  },
  EventSummary: {
    type: 'object',
    required: ['key', 'id', 'source', 'type', 'subject', 'predicate', 'timestamp', 'subjectId', 'service', 'environment', 'artifactId', 'version', 'outcome', 'valid', 'violationCount', 'ingestedAt', 'specVersion'],
    properties: {
      key: { type: 'string' },
      id: { type: 'string' },
      source: { type: 'string' },
      type: { type: 'string' },
      subject: { type: 'string' },
      predicate: { type: 'string' },
      timestamp: { type: 'string', description: 'context.timestamp exactly as sent' },
      subjectId: { type: 'string' },
      service: nullableString,
      environment: nullableString,
      artifactId: nullableString,
      version: nullableString,
      outcome: nullableString,
      valid: { type: 'boolean' },
      violationCount: { type: 'integer' },
      ingestedAt: { type: 'string' },
      specVersion: nullableString,
    },
  },
  EventDetail: {
    allOf: [
      ref('EventSummary'),
      {
        type: 'object',
        required: ['raw', 'normalised', 'violations', 'receivedAs', 'chainId'],
        properties: {
          raw: { description: 'The event exactly as received' },
          normalised: { description: 'The CDEvent without its envelope and null values' },
          violations: { type: 'array', items: ref('Violation') },
          receivedAs: { enum: ['bare', 'structured', 'binary', 'eventbridge'] },
          chainId: nullableString,
        },
      },
    ],
  },
  EventPage: {
    type: 'object',
    required: ['items', 'next'],
    properties: { items: { type: 'array', items: ref('EventSummary') }, next: nullableString },
  },
  InventoryCell: {
    type: 'object',
    required: ['service', 'environment', 'artifactId', 'version', 'since', 'state', 'lastEventKey', 'lastEventType', 'lastEventAt'],
    properties: {
      service: { type: 'string' },
      environment: { type: 'string' },
      artifactId: nullableString,
      version: nullableString,
      since: { type: 'string' },
      state: { enum: ['running', 'removed'] },
      lastEventKey: { type: 'string' },
      lastEventType: { type: 'string' },
      lastEventAt: { type: 'string' },
    },
    additionalProperties: false,
  },
  Inventory: {
    type: 'object',
    required: ['services', 'environments', 'cells', 'generatedAt'],
    properties: {
      services: { type: 'array', items: { type: 'string' } },
      environments: { type: 'array', items: { type: 'string' } },
      cells: { type: 'array', items: ref('InventoryCell') },
      generatedAt: { type: 'string' },
    },
  },
  DeploymentRecord: {
    type: 'object',
    required: ['key', 'environment', 'artifactId', 'version', 'action', 'timestamp', 'source'],
    properties: {
      key: { type: 'string' },
      environment: { type: 'string' },
      artifactId: nullableString,
      version: nullableString,
      action: { enum: ['deployed', 'upgraded', 'rolledback', 'removed', 'published'] },
      timestamp: { type: 'string' },
      source: { type: 'string' },
    },
  },
  ServiceDetail: {
    type: 'object',
    required: ['name', 'environments', 'history', 'historyNext'],
    properties: {
      name: { type: 'string' },
      environments: { type: 'array', items: ref('InventoryCell') },
      history: { type: 'array', items: ref('DeploymentRecord') },
      historyNext: nullableString,
    },
  },
  EnvironmentSummary: {
    type: 'object',
    required: ['name', 'provider', 'kind', 'region', 'url', 'serviceCount', 'firstSeen', 'lastEventAt', 'deleted'],
    properties: {
      name: { type: 'string' },
      provider: nullableString,
      kind: nullableString,
      region: nullableString,
      url: nullableString,
      serviceCount: { type: 'integer' },
      firstSeen: { type: 'string' },
      lastEventAt: { type: 'string' },
      deleted: { type: 'boolean' },
    },
  },
  DeadLetter: {
    type: 'object',
    required: ['id', 'eventKey', 'consumer', 'error', 'attempts', 'firstFailedAt', 'lastFailedAt', 'payload', 'state'],
    properties: {
      id: { type: 'string' },
      eventKey: nullableString,
      consumer: { type: 'string' },
      error: { type: 'string' },
      attempts: { type: 'integer' },
      firstFailedAt: { type: 'string' },
      lastFailedAt: { type: 'string' },
      payload: {},
      state: { enum: ['pending', 'replayed'] },
    },
  },
  DoraLevelBadge: {
    type: 'object',
    required: ['level', 'table', 'publishedAt', 'band'],
    properties: {
      level: { enum: ['elite', 'high', 'medium', 'low'] },
      table: { type: 'string', description: 'Name of the dated threshold table, e.g. DORA 2023' },
      publishedAt: { type: 'string', description: 'YYYY-MM' },
      band: { type: 'string', description: "The table's wording of this level" },
    },
    additionalProperties: false,
  },
  DoraReport: {
    type: 'object',
    required: ['scope', 'thresholds', 'metrics', 'series', 'generatedAt'],
    properties: {
      scope: {
        type: 'object',
        required: ['service', 'environment', 'environments', 'production', 'windowDays', 'from', 'until', 'rules'],
        properties: {
          service: nullableString,
          environment: nullableString,
          environments: { type: 'array', items: { type: 'string' }, description: 'Environments counted' },
          production: { type: 'string', description: 'How production environments were chosen' },
          windowDays: { type: 'integer' },
          from: { type: 'string' },
          until: { type: 'string' },
          rules: { type: 'array', items: { type: 'string' }, description: 'How events are linked, in words' },
        },
      },
      thresholds: {
        type: 'object',
        required: ['name', 'publishedAt', 'source'],
        properties: { name: { type: 'string' }, publishedAt: { type: 'string' }, source: { type: 'string' } },
      },
      metrics: {
        type: 'object',
        required: ['deploymentFrequency', 'leadTime', 'changeFailureRate', 'recoveryTime'],
        properties: {
          deploymentFrequency: {
            type: 'object',
            required: ['value', 'unit', 'perWeek', 'deployments', 'level'],
            description: 'Deployment days in the window; the level is read from deployment days per week',
            properties: {
              value: { type: 'integer' },
              unit: { const: 'days' },
              perWeek: { type: 'number' },
              deployments: { type: 'integer' },
              level: { anyOf: [ref('DoraLevelBadge'), { type: 'null' }] },
            },
          },
          leadTime: {
            type: 'object',
            required: ['value', 'unit', 'changes', 'level'],
            description: 'Median hours from change merged to its first production deployment',
            properties: {
              value: { type: ['number', 'null'] },
              unit: { const: 'hours' },
              changes: { type: 'integer' },
              level: { anyOf: [ref('DoraLevelBadge'), { type: 'null' }] },
            },
          },
          changeFailureRate: {
            type: 'object',
            required: ['value', 'unit', 'failed', 'deployments', 'level'],
            description: 'Failed production deployments / production deployments (0..1)',
            properties: {
              value: { type: ['number', 'null'] },
              unit: { const: 'ratio' },
              failed: { type: 'integer' },
              deployments: { type: 'integer' },
              level: { anyOf: [ref('DoraLevelBadge'), { type: 'null' }] },
            },
          },
          recoveryTime: {
            type: 'object',
            required: ['value', 'unit', 'recoveries', 'open', 'level'],
            description: 'Median hours to recover a failed production deployment',
            properties: {
              value: { type: ['number', 'null'] },
              unit: { const: 'hours' },
              recoveries: { type: 'integer' },
              open: { type: 'integer' },
              level: { anyOf: [ref('DoraLevelBadge'), { type: 'null' }] },
            },
          },
        },
      },
      series: {
        type: 'array',
        description: 'One point per UTC day of the window, oldest first',
        items: {
          type: 'object',
          required: ['date', 'deployments', 'failedDeployments', 'changes', 'leadTimeHours', 'recoveries', 'recoveryHours'],
          properties: {
            date: { type: 'string' },
            deployments: { type: 'integer' },
            failedDeployments: { type: 'integer' },
            changes: { type: 'integer' },
            leadTimeHours: { type: ['number', 'null'] },
            recoveries: { type: 'integer' },
            recoveryHours: { type: ['number', 'null'] },
          },
        },
      },
      generatedAt: { type: 'string' },
    },
  },
};

const pageParams = [
  queryParam('limit', 'Page size, 1 to 200 (default 50)', { type: 'integer', minimum: 1, maximum: 200 }),
  queryParam('cursor', 'The `next` value of the previous page'),
];

/** The action of a served route (`POST /api/events` is the ingest function's), for `withSecurity`. */
function actionOf(method: string, path: string) {
  if (method === 'POST' && path === '/api/events') return 'events:ingest' as const;
  return API_ROUTES.find((r) => r.method === method && r.path === path)?.action;
}

export function openApiDocument(): Record<string, unknown> {
  return withSecurity(withDependencyFailures(openApiBase()), actionOf);
}

function openApiBase(): { paths: Record<string, Record<string, Record<string, unknown>>> } & Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Signalbox API',
      version: '0.1.0',
      description: 'CDEvents in; current state (versions × environments), timeline and dead letters out.',
    },
    components: {
      schemas: { ...schemas, ...rolloutSchemas, ...monitoringSchemas, ...liveSchemas, ...costSchemas, ...authSchemas, ...adminSchemas },
      securitySchemes: { producerToken: { type: 'http', scheme: 'bearer', description: 'Producer (ingest) token' }, agentToken: { type: 'http', scheme: 'bearer', description: 'signalbox-agent token (POST /api/observations)' }, ...authSecuritySchemes },
    },
    paths: {
      ...rolloutPaths,
      ...monitoringPaths,
      ...livePaths,
      ...costPaths,
      ...authPaths,
      ...adminPaths,
      '/api/events': {
        post: {
          operationId: 'ingestEvents',
          summary: 'Send CDEvents',
          description:
            'A bare CDEvent, a CloudEvents structured event (application/cloudevents+json), CloudEvents binary mode (ce-* headers and the CDEvent as body), a JSON array or application/cloudevents-batch+json batch of up to 500, or EventBridge envelopes (CDEvent in `detail`). Lenient: events with schema violations are stored with them.',
          security: [{ producerToken: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: {} }, 'application/cloudevents+json': { schema: {} }, 'application/cloudevents-batch+json': { schema: { type: 'array' } } } },
          responses: {
            '202': {
              description: 'One result per event, in request order',
              content: jsonContent({ type: 'object', required: ['results'], properties: { results: { type: 'array', items: ref('IngestResult') } } }),
            },
            ...errorResponses(400, 401, 413, 415),
            '503': {
              description:
                'The store (`error.code` store_unavailable) or the bus is unavailable, or (locally) Signalbox is too far behind on making accepted events visible (`error.code` ingest_busy, refused before anything is stored): none of the batch is confirmed. Send the same events again after `Retry-After` seconds; events that got in before the failure answer `duplicate`.',
              content: jsonContent(ref('ErrorResponse')),
            },
            '429': {
              description:
                'Too many requests. Locally (token bucket per source address): this error body, `error.code` rate_limited, and `Retry-After`. In AWS the API stage throttles first and answers `{"message":"Too Many Requests"}` without `Retry-After`: back off exponentially then.',
              headers: { 'Retry-After': { ...retryAfterHeader['Retry-After'], required: false } },
              content: jsonContent({ anyOf: [ref('ErrorResponse'), { type: 'object', required: ['message'], properties: { message: { type: 'string' } } }] }),
            },
          },
        },
        get: {
          operationId: 'listEvents',
          summary: 'Timeline, newest first',
          parameters: [
            ...pageParams,
            queryParam('service', 'Only events about this service'),
            queryParam('environment', 'Only events about this environment'),
            queryParam('type', 'Exact CDEvents type, or a prefix ending in "." (e.g. dev.cdevents.service.)'),
            queryParam('since', 'RFC 3339 timestamp or YYYY-MM-DD (inclusive)'),
            queryParam('until', 'RFC 3339 timestamp or YYYY-MM-DD (inclusive)'),
          ],
          responses: { '200': { description: 'A page of events', content: jsonContent(ref('EventPage')) }, ...errorResponses(400) },
        },
      },
      '/api/events/{key}': {
        get: {
          operationId: 'getEvent',
          summary: 'One event: raw, normalised and its violations',
          parameters: [pathParam('key', 'The key returned at ingest')],
          responses: { '200': { description: 'The event', content: jsonContent(ref('EventDetail')) }, ...errorResponses(404) },
        },
      },
      '/api/inventory': {
        get: {
          operationId: 'getInventory',
          summary: 'Versions × environments matrix',
          responses: { '200': { description: 'Every service in every environment', content: jsonContent(ref('Inventory')) } },
        },
      },
      '/api/services/{name}': {
        get: {
          operationId: 'getService',
          summary: 'One service per environment, with its deployment history',
          parameters: [pathParam('name', 'Service name (the service subject id)'), ...pageParams],
          responses: { '200': { description: 'The service', content: jsonContent(ref('ServiceDetail')) }, ...errorResponses(400, 404) },
        },
      },
      '/api/environments': {
        get: {
          operationId: 'listEnvironments',
          summary: 'Every environment',
          responses: {
            '200': {
              description: 'Environments',
              content: jsonContent({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('EnvironmentSummary') } } }),
            },
          },
        },
      },
      '/api/dead-letters': {
        get: {
          operationId: 'listDeadLetters',
          summary: 'What a consumer could not process, newest first',
          parameters: pageParams,
          responses: {
            '200': {
              description: 'Dead letters',
              content: jsonContent({ type: 'object', required: ['items', 'next'], properties: { items: { type: 'array', items: ref('DeadLetter') }, next: nullableString } }),
            },
            ...errorResponses(400),
          },
        },
      },
      '/api/dead-letters/{id}/replay': {
        post: {
          operationId: 'replayDeadLetter',
          summary: 'Retry a dead letter',
          parameters: [pathParam('id', 'Dead letter id')],
          responses: {
            '200': {
              description: 'Replayed',
              content: jsonContent({ type: 'object', required: ['deadLetter'], properties: { deadLetter: ref('DeadLetter') } }),
            },
            ...errorResponses(404, 409),
          },
        },
      },
      '/api/dora': {
        get: {
          operationId: 'getDoraReport',
          summary: 'DORA metrics per service and environment over a window',
          description:
            'Deployment frequency, lead time for changes, change failure rate and failed deployment recovery time, with a daily series and each level from a dated threshold table. Computed from per-day aggregates kept at ingest.',
          parameters: [
            queryParam('service', 'Only this service (default: all)'),
            queryParam('environment', 'Only this environment (default: every production environment)'),
            queryParam('windowDays', 'Length of the window in UTC days, 1 to 90 (default 30)', { type: 'integer', minimum: 1, maximum: 90 }),
            queryParam('until', 'End of the window: RFC 3339 timestamp or YYYY-MM-DD (default now)'),
            queryParam('thresholds', 'Name of the threshold table (default the newest, e.g. DORA 2023)'),
          ],
          responses: { '200': { description: 'The report', content: jsonContent(ref('DoraReport')) }, ...errorResponses(400) },
        },
      },
      '/api/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1 document', content: jsonContent({ type: 'object' }) } },
        },
      },
    },
  };
}
