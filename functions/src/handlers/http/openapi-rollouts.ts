/** OpenAPI 3.1 fragments for the rollout routes (merged into the document in `openapi.ts`). */
const nullableString = { type: ['string', 'null'] };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const error = (description: string) => ({ description, content: json(ref('ErrorResponse')) });
const idParam = { name: 'id', in: 'path', required: true, description: 'Rollout id', schema: { type: 'string' } };
const commentBody = {
  required: false,
  content: json({ type: 'object', properties: { comment: { type: 'string', maxLength: 2000 } }, additionalProperties: false }),
};
const PHASES = ['Progressing', 'Paused', 'Healthy', 'Degraded', 'Aborted', 'Promoted', 'RolledBack'];

export const rolloutSchemas = {
  RolloutSpec: {
    type: 'object',
    description:
      'Argo Rollouts-style spec. canary: ordered `steps` (setWeight, pause, analysis, gate) and optional background `analysis`; blueGreen: previewTarget, autoPromotionEnabled, autoPromotionSeconds, pre/postPromotionAnalysis, scaleDownDelaySeconds. A bad spec gets 400 with `error.field` as a path such as `steps[2].setWeight`.',
    required: ['strategy', 'service', 'environment', 'toVersion', 'target'],
    properties: {
      strategy: { enum: ['canary', 'blueGreen'] },
      service: { type: 'string' },
      environment: { type: 'string' },
      fromVersion: nullableString,
      toVersion: { type: 'string', description: 'Artifact id (purl) of the new version' },
      target: {
        type: 'object',
        required: ['type'],
        properties: { type: { enum: ['webhook', 'lambda-alias', 'local-proxy'] } },
      },
      steps: { type: 'array', items: { type: 'object' } },
      analysis: { type: 'object' },
      analysisTemplates: { type: 'array', items: { type: 'object' } },
      progressDeadlineSeconds: { type: 'integer' },
      onAnalysisFailure: { enum: ['abort', 'pause'] },
    },
  },
  RolloutSummary: {
    type: 'object',
    required: ['id', 'service', 'environment', 'strategy', 'fromVersion', 'toVersion', 'phase', 'message', 'currentStepIndex', 'stepCount', 'canaryWeight', 'createdAt', 'createdBy', 'updatedAt', 'finishedAt'],
    properties: {
      id: { type: 'string' },
      service: { type: 'string' },
      environment: { type: 'string' },
      strategy: { enum: ['canary', 'blueGreen'] },
      fromVersion: nullableString,
      toVersion: { type: 'string' },
      phase: { enum: PHASES },
      message: { type: 'string' },
      currentStepIndex: { type: 'integer' },
      stepCount: { type: 'integer' },
      canaryWeight: { type: 'number' },
      createdAt: { type: 'string' },
      createdBy: { type: 'string' },
      updatedAt: { type: 'string' },
      finishedAt: nullableString,
    },
  },
  RolloutDetail: {
    type: 'object',
    description: 'The whole rollout: plan with step status, weights and their history, analysis runs with every measurement, gates, pause reason, pending signals, the action log and durations.',
    required: ['id', 'spec', 'phase', 'message', 'plan', 'currentStepIndex', 'weights', 'weightHistory', 'analysisRuns', 'pause', 'gates', 'actions', 'createdAt', 'createdBy', 'finishedAt', 'durations'],
    properties: {
      id: { type: 'string' },
      spec: ref('RolloutSpec'),
      phase: { enum: PHASES },
      message: { type: 'string' },
      plan: {
        type: 'array',
        items: {
          type: 'object',
          required: ['index', 'step', 'title', 'status'],
          properties: {
            index: { type: 'integer' },
            step: { type: 'object' },
            title: { type: 'string' },
            status: { enum: ['Pending', 'Running', 'Completed', 'Skipped', 'Failed'] },
            startedAt: nullableString,
            finishedAt: nullableString,
            waitedOnPeopleSeconds: { type: 'number' },
          },
        },
      },
      currentStepIndex: { type: 'integer' },
      weights: {
        type: 'array',
        items: {
          type: 'object',
          required: ['role', 'desired'],
          properties: { role: { enum: ['stable', 'canary'] }, artifactId: nullableString, version: nullableString, desired: { type: 'number' }, actual: { type: ['number', 'null'] } },
        },
      },
      weightHistory: { type: 'array', items: { type: 'object', required: ['at', 'canary'], properties: { at: { type: 'string' }, canary: { type: 'number' } } } },
      analysisRuns: { type: 'array', items: { type: 'object', required: ['id', 'kind', 'phase', 'metrics'] } },
      pause: { type: ['object', 'null'] },
      gates: { type: 'array', items: { type: 'object', required: ['name', 'status'] } },
      signals: { type: 'object' },
      actions: {
        type: 'array',
        items: { type: 'object', required: ['at', 'actor', 'verb'], properties: { at: { type: 'string' }, actor: { type: 'string' }, verb: { type: 'string' }, gate: { type: 'string' }, comment: { type: 'string' } } },
      },
      createdAt: { type: 'string' },
      createdBy: { type: 'string' },
      finishedAt: nullableString,
      durations: {
        type: 'object',
        required: ['totalSeconds', 'waitingOnPeopleSeconds', 'currentStepSeconds'],
        properties: { totalSeconds: { type: 'number' }, waitingOnPeopleSeconds: { type: 'number' }, currentStepSeconds: { type: 'number' } },
      },
    },
  },
};

export const rolloutPaths = {
  '/api/rollouts': {
    post: {
      operationId: 'startRollout',
      summary: 'Start a blue-green or canary rollout',
      requestBody: { required: true, content: json(ref('RolloutSpec')) },
      responses: { '201': { description: 'Started', content: json(ref('RolloutDetail')) }, '400': error('Invalid spec; `error.field` names the field path') },
    },
    get: {
      operationId: 'listRollouts',
      summary: 'Rollouts, newest first',
      parameters: [
        { name: 'status', in: 'query', required: false, description: 'A phase, or active / finished', schema: { enum: [...PHASES, 'active', 'finished'] } },
        { name: 'service', in: 'query', required: false, schema: { type: 'string' } },
        { name: 'environment', in: 'query', required: false, schema: { type: 'string' } },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200 } },
        { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
      ],
      responses: {
        '200': {
          description: 'A page of rollouts',
          content: json({ type: 'object', required: ['items', 'next'], properties: { items: { type: 'array', items: ref('RolloutSummary') }, next: nullableString } }),
        },
        '400': error('Invalid filter'),
      },
    },
  },
  '/api/rollout-presets': {
    get: {
      operationId: 'listRolloutPresets',
      summary: 'Ready-made specs for the start form',
      responses: {
        '200': {
          description: 'Presets',
          content: json({
            type: 'object',
            required: ['items'],
            properties: {
              items: {
                type: 'array',
                items: { type: 'object', required: ['name', 'title', 'description', 'spec'], properties: { name: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' }, spec: ref('RolloutSpec') } },
              },
            },
          }),
        },
      },
    },
  },
  '/api/rollouts/{id}': {
    get: {
      operationId: 'getRollout',
      summary: 'One rollout with every step, weight, measurement and action',
      parameters: [idParam],
      responses: { '200': { description: 'The rollout', content: json(ref('RolloutDetail')) }, '404': error('No such rollout') },
    },
  },
  '/api/rollouts/{id}/{verb}': {
    post: {
      operationId: 'operateRollout',
      summary: 'Operator verb: promote, promote-full, pause, resume, abort, retry (new rollout), undo (new rollout back to the previous version)',
      parameters: [idParam, { name: 'verb', in: 'path', required: true, schema: { enum: ['promote', 'promote-full', 'pause', 'resume', 'abort', 'retry', 'undo'] } }],
      requestBody: commentBody,
      responses: {
        '200': { description: 'Recorded; the state machine acts on it at its next decision', content: json(ref('RolloutDetail')) },
        '201': { description: 'retry / undo: the new rollout', content: json(ref('RolloutDetail')) },
        '400': error('Unknown verb or bad body'),
        '404': error('No such rollout'),
        '409': error('Not allowed in the current phase'),
      },
    },
  },
  '/api/rollouts/{id}/gates/{gate}/{decision}': {
    post: {
      operationId: 'decideGate',
      summary: 'Approve or reject a waiting manual gate',
      parameters: [
        idParam,
        { name: 'gate', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'decision', in: 'path', required: true, schema: { enum: ['approve', 'reject'] } },
      ],
      requestBody: commentBody,
      responses: {
        '200': { description: 'Decided', content: json(ref('RolloutDetail')) },
        '400': error('Bad decision or body'),
        '404': error('No such rollout or gate'),
        '409': error('The gate is not waiting'),
      },
    },
  },
};
