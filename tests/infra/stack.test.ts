import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../functions/src/handlers/http/api';
import { requirementOf } from '../../functions/src/core/auth/policy';
import { BUS_RULES } from '../../functions/src/shared/bus-rules';
import { TABLE_DESIGN } from '../../functions/src/shared/table-design';
import { STORE_QUEUE } from '../../infra/constructs/signalbox-api';
import type { SignalboxStack } from '../../infra/signalbox-stack';
import {
  actionsOn,
  logicalId,
  resourcesOfType,
  SKIP_BUNDLING,
  statementsOfRole,
  synthesize as synthesizeInto,
  type Synthesized,
} from './support';

const TMP = mkdtempSync(join(tmpdir(), 'signalbox-infra-'));
const MISSING_WEB_OUT = join(TMP, 'no-web-build');
const WEB_OUT = join(TMP, 'web-out');

// CloudFront managed policy ids (the same in every account).
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

function synthesize(context: Record<string, unknown>, extend?: (stack: SignalboxStack) => void): Synthesized {
  return synthesizeInto(TMP, { webOutDir: MISSING_WEB_OUT, ...context }, extend);
}

let plain: Synthesized;
let withProducers: Synthesized;
let template: Template;
let producersTemplate: Template;

beforeAll(() => {
  mkdirSync(WEB_OUT, { recursive: true });
  writeFileSync(join(WEB_OUT, 'index.html'), '<!doctype html><title>Signalbox</title>');
  plain = synthesize({});
  // Bundling is the same in both stacks: the second one skips it (it checks the bus policy, the
  // portal deployment and cdk-nag, none of which depend on the bundled code).
  withProducers = synthesize({
    ...SKIP_BUNDLING,
    producerAccountIds: '111111111111, 222222222222',
    producerOrganizationId: 'o-a1b2c3d4e5',
    webOutDir: WEB_OUT,
  });
  template = Template.fromStack(plain.stack);
  producersTemplate = Template.fromStack(withProducers.stack);
});

afterAll(() => {
  rmSync(TMP, { recursive: true, force: true });
});

describe('cdk-nag AwsSolutions checks', () => {
  it('synthesizes the app with zero unacknowledged findings', () => {
    expect(plain.violations).toEqual([]);
    expect(plain.synthError).toBeUndefined();
  });

  it('synthesizes with zero unacknowledged findings with a bus policy and the portal deployment', () => {
    expect(withProducers.violations).toEqual([]);
    expect(withProducers.synthError).toBeUndefined();
  });

  it('fails the synth when a non-compliant resource is added', () => {
    // Only cdk-nag is under test here: skip esbuild, whose run per function outgrows the test timeout.
    const broken = synthesize({ ...SKIP_BUNDLING }, (stack) => {
      new Queue(stack, 'UnencryptedQueue', { encryption: QueueEncryption.UNENCRYPTED });
    });

    expect(broken.synthError).toBeInstanceOf(Error);
    expect((broken.synthError as Error).message).toMatch(/AwsSolutions-SQS2/);
    expect(broken.violations).toContain('AwsSolutions-SQS2 at Signalbox/UnencryptedQueue/Resource');
    expect(broken.violations).toContain('AwsSolutions-SQS4 at Signalbox/UnencryptedQueue/Resource');
    expect(broken.violations.every((violation) => violation.endsWith('at Signalbox/UnencryptedQueue/Resource'))).toBe(true);
  });
});

describe('SignalboxStack: stateful resources', () => {
  it('builds the table from TABLE_DESIGN: keys, three GSIs, on-demand, PITR, TTL, retained', () => {
    const gsiNames = TABLE_DESIGN.globalSecondaryIndexes.map((index) => index.indexName);
    expect(gsiNames).toHaveLength(3);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: TABLE_DESIGN.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_DESIGN.sortKey, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: TABLE_DESIGN.ttlAttribute, Enabled: true },
        GlobalSecondaryIndexes: TABLE_DESIGN.globalSecondaryIndexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      },
    });
  });

  it('creates one custom bus with an archive of every event kept 30 days', () => {
    const busId = logicalId(plain.stack.stateful.bus);
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      RetentionDays: 30,
      EventPattern: { source: [{ prefix: '' }] },
    });
  });

  it('has no bus policy when no producer account or organization is configured', () => {
    template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });

  it('lets the configured producer accounts and organization PutEvents on the bus', () => {
    const busId = logicalId(withProducers.stack.stateful.bus);
    const statements = Object.values(resourcesOfType(producersTemplate, 'AWS::Events::EventBusPolicy')).map((policy) => {
      expect(policy.Properties.EventBusName).toEqual({ Ref: busId });
      return policy.Properties.Statement as Record<string, any>;
    });
    expect(statements).toHaveLength(2);

    const accounts = statements.find((statement) => statement.Sid === 'cdk-ProducerAccountsPutEvents');
    expect(accounts).toMatchObject({ Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } });
    const principals = JSON.stringify(accounts?.Principal);
    expect(principals).toContain(':iam::111111111111:root');
    expect(principals).toContain(':iam::222222222222:root');
    expect(accounts?.Condition).toBeUndefined();

    const organization = statements.find((statement) => statement.Sid === 'cdk-ProducerOrganizationPutEvents');
    expect(organization).toMatchObject({
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Principal: { AWS: '*' },
      Resource: { 'Fn::GetAtt': [busId, 'Arn'] },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
    });
  });

  it('keeps the producer token in a Secrets Manager secret with a generated value', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 48 }),
    });
  });
});

describe('SignalboxStack: functions', () => {
  const expectedEnv = {
    ingest: ['TABLE_NAME', 'EVENT_BUS_NAME', 'INGEST_TOKEN_SECRET_ARN'],
    api: [
      'TABLE_NAME',
      'EVENT_BUS_NAME',
      'SIGNALBOX_CANARY_STATE_MACHINE_ARN',
      'SIGNALBOX_BLUE_GREEN_STATE_MACHINE_ARN',
      'SIGNALBOX_MONITORING_CONFIG_FILE',
      'SIGNALBOX_ALERT_TOPIC_ARN',
      'SIGNALBOX_LIVE_URL',
      'SIGNALBOX_JWT_ISSUER',
      'SIGNALBOX_JWT_CLIENT_ID',
      'SIGNALBOX_AUTH_DOMAIN',
    ],
    store: ['TABLE_NAME'],
  } as const;

  it.each(Object.keys(expectedEnv) as (keyof typeof expectedEnv)[])(
    'runs %s on nodejs24.x, arm64, with tracing, its log group and exactly its environment',
    (name) => {
      const fn = plain.stack.backend[name];
      const properties = template.toJSON().Resources[logicalId(fn.function)].Properties;
      expect(properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: logicalId(fn.logGroup) } },
      });
      expect(Object.keys(properties.Environment.Variables).sort()).toEqual(
        [...expectedEnv[name], 'POWERTOOLS_SERVICE_NAME', 'LOG_LEVEL', 'NODE_OPTIONS'].sort(),
      );
      const variables = properties.Environment.Variables;
      expect(variables.TABLE_NAME).toEqual({ Ref: logicalId(plain.stack.stateful.table) });
      expect(variables.POWERTOOLS_SERVICE_NAME).toBe(`signalbox-${name}`);
      expect(variables.LOG_LEVEL).toBe('INFO');
      if ('EVENT_BUS_NAME' in variables) expect(variables.EVENT_BUS_NAME).toEqual({ Ref: logicalId(plain.stack.stateful.bus) });
      if ('INGEST_TOKEN_SECRET_ARN' in variables) {
        expect(variables.INGEST_TOKEN_SECRET_ARN).toEqual({ Ref: logicalId(plain.stack.stateful.ingestTokenSecret) });
      }
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        RetentionInDays: 30,
      });
    },
  );

  it('bundles each entry as minified ESM with a createRequire banner and a source map', () => {
    const code = template.toJSON().Resources[logicalId(plain.stack.backend.ingest.function)].Properties.Code;
    const assetDir = join(plain.outdir, `asset.${String(code.S3Key).replace(/\.zip$/, '')}`);
    const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(bundle.startsWith("import { createRequire as __signalboxCreateRequire } from 'node:module';")).toBe(true);
    expect(bundle).toMatch(/export\s*\{[^}]*handler/);
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
  });

  it('grants least privilege: only ingest reads the token, store cannot put events, nobody has a managed policy', () => {
    const { ingest, api, store } = plain.stack.backend;
    const secretRef = { Ref: logicalId(plain.stack.stateful.ingestTokenSecret) };
    const busArn = { 'Fn::GetAtt': [logicalId(plain.stack.stateful.bus), 'Arn'] };

    expect(actionsOn(statementsOfRole(template, logicalId(ingest.role)), secretRef)).toContain('secretsmanager:GetSecretValue');
    expect(actionsOn(statementsOfRole(template, logicalId(api.role)), secretRef)).toEqual([]);
    expect(actionsOn(statementsOfRole(template, logicalId(ingest.role)), busArn)).toEqual(['events:PutEvents']);
    expect(actionsOn(statementsOfRole(template, logicalId(api.role)), busArn)).toEqual(['events:PutEvents']);
    expect(actionsOn(statementsOfRole(template, logicalId(store.role)), busArn)).toEqual([]);
    for (const fn of [ingest, api, store]) {
      expect(template.toJSON().Resources[logicalId(fn.role)].Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('lets only the api function list the Cognito pool users (admin page), on that pool alone', () => {
    const { ingest, api, store } = plain.stack.backend;
    const poolArn = { 'Fn::GetAtt': [logicalId(plain.stack.identity.userPool), 'Arn'] };
    expect(actionsOn(statementsOfRole(template, logicalId(api.role)), poolArn)).toEqual(['cognito-idp:ListUsersInGroup']);
    for (const fn of [ingest, store]) expect(actionsOn(statementsOfRole(template, logicalId(fn.role)), poolArn)).toEqual([]);
  });

  it.each(BUS_RULES.filter((rule) => rule.target === 'store').map((rule) => [rule.id, rule] as const))(
    'targets the store queue from rule %s with the BUS_RULES pattern, a retry policy and the DLQ',
    (_id, rule) => {
      const { stack } = plain;
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: logicalId(stack.stateful.bus) },
        EventPattern: rule.pattern,
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [logicalId(stack.backend.storeQueue), 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack.backend.deadLetterQueue), 'Arn'] } },
            RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 },
          }),
        ],
      });
      // The whole EventBridge event is the message body (what the store handler parses).
      const rules = Object.values(resourcesOfType(template, 'AWS::Events::Rule')).filter((r) => r.Properties.Description === rule.description);
      expect(rules).toHaveLength(1);
      expect(rules[0]!.Properties.Targets[0].Input).toBeUndefined();
      expect(rules[0]!.Properties.Targets[0].InputTransformer).toBeUndefined();
    },
  );

  it('keeps the store function out of every rule target: it only drains its queue', () => {
    const storeArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(plain.stack.backend.store.function), 'Arn'] });
    for (const rule of Object.values(resourcesOfType(template, 'AWS::Events::Rule'))) {
      for (const target of (rule.Properties.Targets ?? []) as Record<string, unknown>[]) expect(JSON.stringify(target.Arn)).not.toBe(storeArn);
    }
  });

  it('feeds the store function from its queue in batches of 100, with a batching window and partial batch responses', () => {
    const { backend } = plain.stack;
    const mappings = Object.values(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')).filter(
      (m) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: logicalId(backend.store.function) }),
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0]!.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [logicalId(backend.storeQueue), 'Arn'] },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: STORE_QUEUE.maxBatchingWindowSeconds,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(STORE_QUEUE.maxBatchingWindowSeconds).toBeGreaterThanOrEqual(1);
    expect(STORE_QUEUE.maxBatchingWindowSeconds).toBeLessThanOrEqual(2);
    // Only what consuming the queue needs, on this queue alone.
    expect(actionsOn(statementsOfRole(template, logicalId(backend.store.role)), { 'Fn::GetAtt': [logicalId(backend.storeQueue), 'Arn'] }).sort()).toEqual(
      ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
    );
  });

  it('keeps the store queue encrypted and SSL-only, with a visibility timeout of at least 6 function timeouts and its own DLQ after 5 receives', () => {
    const { backend } = plain.stack;
    const resources = template.toJSON().Resources;
    const queue = resources[logicalId(backend.storeQueue)].Properties;
    const functionTimeout = resources[logicalId(backend.store.function)].Properties.Timeout as number;
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * functionTimeout);
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(backend.storeQueueDeadLetters), 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(logicalId(backend.storeQueueDeadLetters)).not.toBe(logicalId(backend.deadLetterQueue));
    expect(resources[logicalId(backend.storeQueueDeadLetters)].Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    for (const q of [backend.storeQueue, backend.storeQueueDeadLetters]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId(q) }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    }
    // Only the store rule may send to the queue.
    const storeRules = Object.entries(resourcesOfType(template, 'AWS::Events::Rule')).filter(([, r]) =>
      BUS_RULES.some((b) => b.target === 'store' && b.description === r.Properties.Description),
    );
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalId(backend.storeQueue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [storeRules[0]![0], 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  it('sends failed asynchronous store invocations to the same encrypted, SSL-only DLQ', () => {
    const { stack } = plain;
    const queueId = logicalId(stack.backend.deadLetterQueue);
    expect(template.toJSON().Resources[logicalId(stack.backend.store.function)].Properties.DeadLetterConfig).toEqual({
      TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('SignalboxStack: HTTP API', () => {
  it.each([
    ['POST /api/events', 'ingest'],
    ['GET /api/{proxy+}', 'api'],
    ['POST /api/dead-letters/{id}/replay', 'api'],
    ['POST /api/rollouts', 'api'],
    ['POST /api/rollouts/{id}/{verb}', 'api'],
    ['POST /api/rollouts/{id}/gates/{gate}/{decision}', 'api'],
  ] as const)('routes %s to the %s function', (routeKey, name) => {
    const routes = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route'));
    const route = routes.find((candidate) => candidate.Properties.RouteKey === routeKey);
    expect(route).toBeDefined();
    const integrationId = route?.Properties.Target['Fn::Join'][1][1].Ref as string;
    const integration = template.toJSON().Resources[integrationId].Properties;
    expect(integration).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [logicalId(plain.stack.backend[name].function), 'Arn'] },
    });
  });

  it('has exactly ingest, the GET proxy, one route per write route of the api function and one per public or token GET route', () => {
    const httpApi = JSON.stringify({ Ref: logicalId(plain.stack.backend.httpApi) });
    const routes = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).filter((route) => JSON.stringify(route.Properties.ApiId) === httpApi);
    expect(routes).toHaveLength(2 + API_ROUTES.filter((route) => route.method !== 'GET' || requirementOf(route.action).kind !== 'role').length);
  });

  it('throttles and access-logs the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context.requestId') },
    });
  });
});

describe('SignalboxStack: portal', () => {
  it('keeps the site bucket private, SSL-only and access-logged', () => {
    const siteId = logicalId(plain.stack.portal.bucket);
    const site = template.toJSON().Resources[siteId].Properties;
    expect(site.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(site.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: logicalId(plain.stack.portal.logsBucket) });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: siteId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('serves the bucket through Origin Access Control and sends /api/* uncached to the HTTP API', () => {
    const distribution = Object.values(resourcesOfType(template, 'AWS::CloudFront::Distribution'))[0]?.Properties
      .DistributionConfig;
    const origins = distribution.Origins as Record<string, any>[];
    const siteOrigin = origins.find((origin) => origin.Id === distribution.DefaultCacheBehavior.TargetOriginId);
    expect(siteOrigin?.OriginAccessControlId).toBeDefined();

    const apiBehaviour = (distribution.CacheBehaviors as Record<string, any>[]).find(
      (behaviour) => behaviour.PathPattern === '/api/*',
    );
    expect(apiBehaviour).toMatchObject({
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      ViewerProtocolPolicy: 'https-only',
    });
    const apiOrigin = origins.find((origin) => origin.Id === apiBehaviour?.TargetOriginId);
    expect(JSON.stringify(apiOrigin?.DomainName)).toContain(logicalId(plain.stack.backend.httpApi));
    expect(apiOrigin?.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only' });
  });

  it('skips the portal deployment when the web build is missing, and deploys it when present', () => {
    template.resourceCountIs('Custom::CDKBucketDeployment', 0);
    producersTemplate.resourceCountIs('Custom::CDKBucketDeployment', 1);
  });

  it.each([
    'ApiUrl',
    'PortalUrl',
    'EventBusName',
    'EventBusArn',
    'IngestTokenSecretArn',
    'TableName',
    'CanaryStateMachineArn',
    'BlueGreenStateMachineArn',
  ])(
    'outputs %s',
    (name) => {
      template.hasOutput(name, { Value: Match.anyValue() });
    },
  );
});
