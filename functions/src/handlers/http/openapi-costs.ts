/** OpenAPI 3.1 fragments for the cost routes (merged into the document in `openapi.ts`). */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const error = (description: string) => ({ description, content: json(ref('ErrorResponse')) });
const query = (name: string, description: string, schema: unknown = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema });
const num = { type: 'number' };
const str = { type: 'string' };
const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
const nullableNum = { type: ['number', 'null'] };
const daysParam = query('days', 'Window: the last 30 or 90 days, today included (default 30; anomalies default 90)', { enum: ['30', '90'] });

export const costSchemas = {
  CostShare: {
    type: 'object',
    required: ['key', 'total', 'share'],
    additionalProperties: false,
    properties: { key: str, total: num, share: { type: 'number', minimum: 0, maximum: 1, description: 'Of the window total' } },
  },
  CostReport: {
    type: 'object',
    required: ['from', 'to', 'days', 'groupBy', 'metric', 'currency', 'filters', 'total', 'keys', 'daily', 'breakdowns', 'otherCurrencies', 'sources'],
    additionalProperties: false,
    properties: {
      from: day,
      to: day,
      days: { enum: [30, 90] },
      groupBy: { enum: ['provider', 'environment', 'service'] },
      metric: { enum: ['billed', 'effective'], description: 'billed: FOCUS BilledCost / Cost Explorer UnblendedCost; effective: EffectiveCost / AmortizedCost' },
      currency: { type: 'string', description: 'The main currency (most rows); costs in others are in otherCurrencies, never converted' },
      filters: {
        type: 'object',
        required: ['provider', 'environment', 'service'],
        properties: { provider: { type: ['string', 'null'] }, environment: { type: ['string', 'null'] }, service: { type: ['string', 'null'] } },
      },
      total: num,
      keys: { type: 'array', items: str, description: 'Stack order (largest first, at most 8; the rest summed as `other`)' },
      daily: {
        type: 'array',
        items: {
          type: 'object',
          required: ['date', 'total', 'values'],
          additionalProperties: false,
          properties: { date: day, total: num, values: { type: 'object', additionalProperties: num } },
        },
      },
      breakdowns: {
        type: 'object',
        required: ['provider', 'environment', 'service'],
        properties: { provider: { type: 'array', items: ref('CostShare') }, environment: { type: 'array', items: ref('CostShare') }, service: { type: 'array', items: ref('CostShare'), description: 'Top 50' } },
      },
      otherCurrencies: { type: 'array', items: { type: 'object', required: ['currency', 'total'], properties: { currency: str, total: num } } },
      sources: {
        type: 'array',
        items: { type: 'object', required: ['source', 'provider', 'lastDate', 'importedAt'], properties: { source: str, provider: str, lastDate: day, importedAt: str } },
      },
    },
  },
  ForecastPoint: {
    type: 'object',
    required: ['date', 'mean', 'lower', 'upper'],
    additionalProperties: false,
    properties: { date: day, mean: num, lower: nullableNum, upper: nullableNum },
  },
  CostForecast: {
    type: 'object',
    required: ['month', 'today', 'end', 'currency', 'metric', 'providers', 'monthToDate', 'remaining', 'monthTotal'],
    additionalProperties: false,
    properties: {
      month: { type: 'string', pattern: '^\\d{4}-\\d{2}$' },
      today: day,
      end: { ...day, description: 'First day after the month (exclusive)' },
      currency: str,
      metric: { const: 'billed' },
      providers: {
        type: 'array',
        items: {
          type: 'object',
          required: ['provider', 'method', 'monthToDate', 'remaining', 'monthTotal', 'days'],
          additionalProperties: false,
          properties: {
            provider: str,
            method: { enum: ['aws-cost-explorer', 'linear-30d'], description: "aws-cost-explorer: AWS's own forecast; linear-30d: a naive straight line fitted to the provider's last 30 days" },
            monthToDate: num,
            remaining: num,
            monthTotal: num,
            days: { type: 'array', items: ref('ForecastPoint') },
          },
        },
      },
      monthToDate: num,
      remaining: num,
      monthTotal: num,
    },
  },
  CostAnomaly: {
    type: 'object',
    required: ['id', 'origin', 'provider', 'start', 'end', 'subject', 'actual', 'expected', 'impact', 'currency', 'description'],
    additionalProperties: false,
    properties: {
      id: str,
      origin: { enum: ['aws', 'signalbox'], description: 'aws: Cost Anomaly Detection; signalbox: a FOCUS day above mean + 3σ of the previous 28 days' },
      provider: str,
      start: day,
      end: day,
      subject: str,
      actual: num,
      expected: num,
      impact: num,
      currency: str,
      description: str,
    },
  },
  CostAnomalies: {
    type: 'object',
    required: ['from', 'to', 'items', 'awsFetchedAt'],
    additionalProperties: false,
    properties: { from: day, to: day, items: { type: 'array', items: ref('CostAnomaly') }, awsFetchedAt: { type: ['string', 'null'] } },
  },
  DeploymentCosts: {
    type: 'object',
    required: ['from', 'to', 'currency', 'items', 'note'],
    additionalProperties: false,
    properties: {
      from: day,
      to: day,
      currency: str,
      note: str,
      items: {
        type: 'array',
        items: {
          type: 'object',
          required: ['service', 'environment', 'version', 'since', 'until', 'days', 'environmentCost', 'currency'],
          additionalProperties: false,
          properties: {
            service: str,
            environment: str,
            version: { type: ['string', 'null'] },
            since: str,
            until: { type: ['string', 'null'] },
            days: { type: 'integer' },
            environmentCost: { type: 'number', description: "The environment's billed cost on the days this version ran (shared by everything running there)" },
            currency: str,
          },
        },
      },
    },
  },
  CostImport: {
    type: 'object',
    required: ['id', 'kind', 'name', 'origin', 'startedAt', 'finishedAt', 'status', 'rowsRead', 'days', 'problems', 'problemCount', 'by'],
    additionalProperties: false,
    properties: {
      id: str,
      kind: { enum: ['focus', 'cost-explorer'] },
      name: str,
      origin: { type: 'string', description: 'upload, folder, s3://bucket/key, schedule' },
      startedAt: str,
      finishedAt: str,
      status: { enum: ['imported', 'rejected', 'failed'], description: 'rejected: nothing was imported (see problems)' },
      rowsRead: { type: 'integer' },
      days: { type: 'array', items: { type: 'string', description: '<source>@<date>' } },
      problems: {
        type: 'array',
        maxItems: 50,
        items: {
          type: 'object',
          required: ['file', 'line', 'field', 'message'],
          additionalProperties: false,
          properties: { file: str, line: { type: ['integer', 'null'] }, field: { type: ['string', 'null'] }, message: str },
        },
      },
      problemCount: { type: 'integer' },
      apiCalls: { type: 'integer', description: 'Cost Explorer requests made (each is billed)' },
      by: str,
    },
  },
  CostImportPage: {
    type: 'object',
    required: ['items', 'next'],
    properties: { items: { type: 'array', items: ref('CostImport') }, next: { type: ['string', 'null'] } },
  },
};

export const costPaths = {
  '/api/costs': {
    get: {
      operationId: 'getCosts',
      summary: 'Costs by day × provider × environment × service over 30 or 90 days, stacked by one dimension, with breakdowns',
      parameters: [
        daysParam,
        query('groupBy', 'Stack the daily series by (default provider)', { enum: ['provider', 'environment', 'service'] }),
        query('metric', 'billed (default) or effective (amortized)', { enum: ['billed', 'effective'] }),
        query('provider', 'Only this provider (aws, azure, gcp, oci, ibm, ...)'),
        query('environment', 'Only this environment (or unallocated)'),
        query('service', "Only this provider service name"),
      ],
      responses: { '200': { description: 'The report', content: json(ref('CostReport')) }, '400': error('Bad days, groupBy or metric; error.field names it') },
    },
  },
  '/api/costs/forecast': {
    get: {
      operationId: 'getCostForecast',
      summary: "This month's forecast per provider: AWS Cost Explorer's own, or a naive linear fit of the last 30 days (labelled)",
      responses: { '200': { description: 'The forecast', content: json(ref('CostForecast')) } },
    },
  },
  '/api/costs/anomalies': {
    get: {
      operationId: 'getCostAnomalies',
      summary: 'Unusual cost days: AWS Cost Anomaly Detection and a mean + 3σ flag on FOCUS data',
      parameters: [daysParam],
      responses: { '200': { description: 'Anomalies, newest first', content: json(ref('CostAnomalies')) }, '400': error('Bad days') },
    },
  },
  '/api/costs/deployments': {
    get: {
      operationId: 'getDeploymentCosts',
      summary: "Cost per deployment: each version's environment spend on the days it ran",
      parameters: [daysParam],
      responses: { '200': { description: 'Deployments with costs, newest first', content: json(ref('DeploymentCosts')) }, '400': error('Bad days') },
    },
  },
  '/api/costs/imports': {
    get: {
      operationId: 'listCostImports',
      summary: 'Import history (FOCUS files and Cost Explorer pulls) with their problems, newest first',
      parameters: [query('limit', 'Page size (1-200, default 50)'), query('cursor', 'From a previous page')],
      responses: { '200': { description: 'A page of imports', content: json(ref('CostImportPage')) }, '400': error('Bad limit or cursor') },
    },
    post: {
      operationId: 'importFocusFile',
      summary: 'Imports one FinOps FOCUS 1.x cost export (CSV, or gzip-compressed CSV): all rows or nothing',
      description:
        'Body: the file bytes (`text/csv` or `application/gzip`; gzip is recognised by its magic bytes), at most 4 MiB (larger exports: the FOCUS bucket in AWS), at most 64 MiB once decompressed (decompression stops there: 413). Each source (provider × BillingAccountId) × day in the file replaces the stored one. Any malformed row rejects the whole file (422) with every problem (file, line, field; the first 50 listed).',
      parameters: [{ name: 'name', in: 'query', required: true, description: 'File name: letters, digits, . _ -, ending .csv or .csv.gz, no folders', schema: { type: 'string' } }],
      requestBody: {
        required: true,
        content: { 'text/csv': { schema: { type: 'string' } }, 'application/gzip': { schema: { type: 'string', contentEncoding: 'binary' } } },
      },
      responses: {
        '201': { description: 'Imported', content: json(ref('CostImport')) },
        '422': { description: 'Rejected: nothing imported; problems listed', content: json(ref('CostImport')) },
        '400': error('Missing or bad file name, broken gzip or invalid UTF-8'),
        '413': error('Upload or decompressed file too large'),
        '503': error('The store failed; import again'),
      },
    },
  },
};
