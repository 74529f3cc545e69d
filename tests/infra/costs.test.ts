import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COST_EXPLORER_ACTIONS, FOCUS_INCOMING_PREFIX } from '../../infra/constructs/costs';
import { actionsOn, logicalId, resourcesOfType, SKIP_BUNDLING, statementsOfRole, synthesize, type Resource, type Synthesized } from './support';

const TMP = mkdtempSync(join(tmpdir(), 'signalbox-costs-infra-'));
let synth: Synthesized;
let template: Template;

beforeAll(() => {
  synth = synthesize(TMP, { webOutDir: join(TMP, 'no-web-build'), ...SKIP_BUNDLING });
  template = Template.fromStack(synth.stack);
});
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe('costs construct', () => {
  it('synthesizes with cdk-nag and no unacknowledged finding', () => {
    expect(synth.synthError).toBeUndefined();
    expect(synth.violations).toEqual([]);
  });

  it('grants the costs function exactly the three Cost Explorer reads, on "*" only for them, and reads of incoming/ only', () => {
    const costs = synth.stack.costs;
    const statements = statementsOfRole(template, logicalId(costs.costsFunction.role));
    expect(actionsOn(statements, '*').filter((a) => a.startsWith('ce:')).sort()).toEqual([...COST_EXPLORER_ACTIONS].sort());
    const ceStatements = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('ce:')));
    expect(ceStatements).toHaveLength(1);
    expect([ceStatements[0]!.Action].flat().sort()).toEqual([...COST_EXPLORER_ACTIONS].sort());
    const all = statements.flatMap((s) => [s.Action].flat() as string[]);
    expect(all.filter((a) => a.startsWith('s3:') && !/^s3:(GetObject\*|GetBucket\*|List\*)$/.test(a))).toEqual([]);
    const bucketId = logicalId(costs.bucket);
    expect(actionsOn(statements, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${FOCUS_INCOMING_PREFIX}*`]] })).toContain('s3:GetObject*');
    // No other role may call Cost Explorer.
    const others = Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('"ce:'));
    expect(others).toHaveLength(1);
  });

  it('keeps the FOCUS bucket private, encrypted, TLS-only, versioned and access-logged, with EventBridge notifications and no custom resource', () => {
    const bucket = resourcesOfType(template, 'AWS::S3::Bucket')[logicalId(synth.stack.costs.bucket)]!;
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { LogFilePrefix: 'focus-bucket/' },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    expect(Object.keys(template.findResources('Custom::S3BucketNotifications'))).toEqual([]);
    const policies = Object.values(resourcesOfType(template, 'AWS::S3::BucketPolicy')).filter((p) => JSON.stringify(p.Properties.Bucket).includes(logicalId(synth.stack.costs.bucket)));
    expect(JSON.stringify(policies)).toContain('"aws:SecureTransport":"false"');
  });

  it('runs the costs function daily and on objects created under incoming/, with a dead-letter queue', () => {
    const fnArn = { 'Fn::GetAtt': [logicalId(synth.stack.costs.costsFunction.function), 'Arn'] };
    const rules = Object.values(resourcesOfType(template, 'AWS::Events::Rule')).filter((r: Resource) => JSON.stringify(r.Properties.Targets).includes(JSON.stringify(fnArn)));
    expect(rules.map((r) => r.Properties.ScheduleExpression ?? 'event').sort()).toEqual(['cron(0 6 * * ? *)', 'event']);
    const pattern = rules.find((r) => r.Properties.EventPattern)!.Properties.EventPattern;
    expect(pattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [{ Ref: logicalId(synth.stack.costs.bucket) }] }, object: { key: [{ prefix: FOCUS_INCOMING_PREFIX }] } },
    });
    for (const rule of rules) expect(rule.Properties.Targets[0].DeadLetterConfig).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Signalbox: daily AWS Cost Explorer pull and FOCUS file imports from the FOCUS bucket',
      Runtime: 'nodejs24.x',
      Environment: { Variables: { SIGNALBOX_FOCUS_BUCKET: { Ref: logicalId(synth.stack.costs.bucket) } } },
    });
  });
});
