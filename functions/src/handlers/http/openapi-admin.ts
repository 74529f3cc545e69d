/** OpenAPI 3.1 fragments for the admin routes (issue 5): audit log, settings, users. Merged in `openapi.ts`. */
const json = (schema: unknown) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => ({ description, content: json(ref('ErrorResponse')) });
const nullableString = { type: ['string', 'null'] };
const query = (name: string, description: string, schema: unknown = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema });
const path = (name: string, description: string, schema: unknown = { type: 'string' }) => ({ name, in: 'path', required: true, description, schema });
const ROLES = ['viewer', 'operator', 'admin'];

export const adminSchemas = {
  AuditEntry: {
    type: 'object',
    required: ['seq', 'at', 'actor', 'sourceIp', 'action', 'resource', 'parameters', 'outcome', 'prevHash', 'hash'],
    additionalProperties: false,
    properties: {
      seq: { type: 'integer', minimum: 1 },
      at: { type: 'string' },
      actor: {
        type: 'object',
        required: ['subject', 'name', 'kind', 'role'],
        properties: { subject: { type: 'string' }, name: { type: 'string' }, kind: { enum: ['user', 'producer', 'agent', 'anonymous'] }, role: { enum: [...ROLES, null] } },
      },
      sourceIp: nullableString,
      action: { type: 'string', description: 'The route action (e.g. settings:write), or local:demo for local-only demo endpoints' },
      resource: { type: 'string', description: 'rollout/<id>, silence/<id>, alert/<fingerprint>, setting/<kind>/<name>, token/<id>, ...' },
      parameters: { description: 'Path parameters and body; members named like token/secret/password/authorization are "[redacted]"; large values cut' },
      outcome: {
        type: 'object',
        required: ['status', 'error'],
        properties: { status: { type: 'integer', description: 'HTTP status answered' }, error: { ...nullableString, description: 'error.code of a failure' } },
      },
      prevHash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'hash of the previous entry (64 zeros for the first)' },
      hash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 (hex) of the canonical JSON (sorted keys, no spaces) of every other field' },
    },
  },
  AuditPage: {
    type: 'object',
    required: ['items', 'next'],
    properties: { items: { type: 'array', items: ref('AuditEntry') }, next: nullableString },
  },
  AuditVerification: {
    type: 'object',
    required: ['ok', 'checked', 'lastSeq', 'headSeq'],
    additionalProperties: false,
    properties: {
      ok: { type: 'boolean' },
      checked: { type: 'integer', description: 'Entries checked before the first problem (all when ok)' },
      lastSeq: { type: 'integer', description: 'Last seq of the intact chain' },
      headSeq: { type: ['integer', 'null'], description: 'The head marker (highest seq appended)' },
      firstBad: {
        type: 'object',
        required: ['seq', 'reason'],
        properties: {
          seq: { type: 'integer' },
          reason: {
            enum: ['hash', 'link', 'gap', 'missing'],
            description: 'hash: content edited (or moved); link: prevHash is not the previous hash (re-linked, reordered); gap: entry deleted; missing: the head names entries that are gone (truncated tail)',
          },
        },
      },
    },
  },
  Setting: {
    type: 'object',
    required: ['kind', 'name', 'enabled', 'settings', 'revision', 'updatedBy', 'updatedAt', 'origin', 'configEnabled', 'details'],
    additionalProperties: false,
    properties: {
      kind: { enum: ['service', 'provider', 'environment'] },
      name: { type: 'string' },
      enabled: { type: 'boolean', description: 'A disabled environment is skipped by the check loop' },
      settings: { type: 'object', description: 'Validated by the schema of the kind (see `schemas` of GET /api/admin/settings)' },
      revision: { type: 'integer', description: '0: never saved; send the revision you read with PUT' },
      updatedBy: nullableString,
      updatedAt: nullableString,
      origin: { enum: ['config', 'inventory', 'builtin', 'stored'], description: 'config: YAML environments; inventory: services seen in events; builtin: providers' },
      configEnabled: { type: ['boolean', 'null'], description: "Environments: the YAML's enabled" },
      details: { type: ['object', 'null'], description: 'Environments: provider, kind, tier, regions, uri from the YAML' },
    },
  },
  SettingUpdate: {
    type: 'object',
    required: ['revision'],
    additionalProperties: false,
    properties: {
      revision: { type: 'integer', minimum: 0, description: 'The revision you read (0 if never saved); another → 409' },
      enabled: { type: 'boolean' },
      settings: { type: 'object', description: "Replaces the item's settings; validated by the kind's schema (400 names the field, e.g. settings.runbookUrl)" },
    },
  },
  DirectoryUser: {
    type: 'object',
    required: ['username', 'email', 'role', 'groups', 'enabled', 'status', 'createdAt'],
    additionalProperties: false,
    properties: {
      username: { type: 'string' },
      email: nullableString,
      role: { enum: ROLES },
      groups: { type: 'array', items: { enum: ROLES } },
      enabled: { type: 'boolean' },
      status: nullableString,
      createdAt: nullableString,
    },
  },
};

export const adminPaths = {
  '/api/audit': {
    get: {
      operationId: 'listAudit',
      summary: 'The audit log, newest first',
      description: 'Every admin and operator action (each non-GET API call, refusals and failures included), append-only and hash-chained. Filters combine with AND; a sparse filter may answer a short page with a `next`.',
      parameters: [
        query('limit', 'Page size, 1 to 200 (default 50)', { type: 'integer', minimum: 1, maximum: 200 }),
        query('cursor', 'The `next` value of the previous page'),
        query('actor', "The actor's subject or name, exactly"),
        query('action', 'The action, exactly (e.g. settings:write)'),
        query('resource', 'Resource prefix (e.g. setting/ or rollout/r-1)'),
        query('outcome', 'success (status < 400), failure, or one HTTP status', { type: 'string', pattern: '^(success|failure|[1-5][0-9][0-9])$' }),
        query('from', 'RFC 3339 timestamp or YYYY-MM-DD (inclusive)'),
        query('to', 'RFC 3339 timestamp or YYYY-MM-DD (inclusive, a date meaning the whole day)'),
      ],
      responses: { '200': { description: 'A page of entries', content: json(ref('AuditPage')) }, '400': error('Invalid filter; `error.field` names it'), '503': error('The audit store failed; retry') },
    },
  },
  '/api/audit/verify': {
    get: {
      operationId: 'verifyAudit',
      summary: 'Verify the hash chain of the whole audit log',
      description: 'Recomputes every hash and link from the first entry and compares the end with the head marker; reports the first broken entry.',
      responses: { '200': { description: 'The verification (ok or the first problem)', content: json(ref('AuditVerification')) }, '503': error('The audit store failed; retry') },
    },
  },
  '/api/admin/settings': {
    get: {
      operationId: 'listSettings',
      summary: 'Settings of every environment (from the YAML config), service and provider',
      responses: {
        '200': {
          description: 'Items with stored values or defaults, and the JSON Schema of each kind',
          content: json({
            type: 'object',
            required: ['items', 'schemas'],
            properties: {
              items: { type: 'array', items: ref('Setting') },
              schemas: { type: 'object', required: ['service', 'provider', 'environment'], description: 'JSON Schema (2020-12) of the settings of each kind' },
            },
          }),
        },
        '503': error('Settings are not configured, or the store failed'),
      },
    },
  },
  '/api/admin/settings/{kind}/{name}': {
    get: {
      operationId: 'getSetting',
      summary: 'One settings item',
      parameters: [path('kind', 'service, provider or environment', { enum: ['service', 'provider', 'environment'] }), path('name', 'Its name')],
      responses: { '200': { description: 'The item', content: json(ref('Setting')) }, '404': error('Unknown kind, or a name neither known nor saved') },
    },
    put: {
      operationId: 'putSetting',
      summary: 'Change the enabled flag and/or settings of an item',
      description:
        'Conditional on `revision`; records who and when, is audited, and is published as a `dev.cdeventsx.signalbox-setting.changed` CDEvent (timeline, live `settings` topic). Disabling an environment makes the check loop skip its checks.',
      parameters: [path('kind', 'service, provider or environment', { enum: ['service', 'provider', 'environment'] }), path('name', 'Its name')],
      requestBody: { required: true, content: json(ref('SettingUpdate')) },
      responses: {
        '200': { description: 'The saved item', content: json(ref('Setting')) },
        '400': error('Invalid body; `error.field` is the path at fault (e.g. settings.maintenanceWindow.start)'),
        '404': error('Unknown kind, environment (not in the YAML config) or provider'),
        '409': error('Someone saved the item since the revision you read'),
      },
    },
  },
  '/api/admin/users': {
    get: {
      operationId: 'listUsers',
      summary: "Who can sign in and each user's role, read from the identity provider",
      description: 'AWS: Cognito ListUsersInGroup over the viewer, operator and admin groups. Locally: the demo users of the local issuer. Read-only (roles are managed in the IdP).',
      responses: {
        '200': {
          description: 'Users',
          content: json({ type: 'object', required: ['source', 'items'], properties: { source: { type: 'string' }, items: { type: 'array', items: ref('DirectoryUser') } } }),
        },
        '503': error('The identity provider could not be read'),
      },
    },
  },
};
