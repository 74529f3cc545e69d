import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, readConfig } from '../../infra/config';

const DEMO_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:demo-service';
const ALIAS_ARN = 'arn:aws-cn:lambda:cn-north-1:210987654321:function:checkout:live';

function configFrom(context: Record<string, unknown>) {
  return readConfig(new App({ context }).node);
}

describe('readConfig', () => {
  it('defaults to no producers, INFO logs and web/out under the repository', () => {
    expect(configFrom({})).toEqual({
      producerAccountIds: [],
      producerOrganizationId: undefined,
      webOutDir: `${REPO_ROOT}web/out`,
      logLevel: 'INFO',
      rolloutLambdaTargets: [],
    });
  });

  it.each([
    ['a comma-separated string from -c', '111111111111, 222222222222,'],
    ['a JSON list in a string', '["111111111111","222222222222"]'],
    ['a list from cdk.json', ['111111111111', 222222222222]],
  ])('reads producer account ids from %s', (_form, value) => {
    expect(configFrom({ producerAccountIds: value }).producerAccountIds).toEqual(['111111111111', '222222222222']);
  });

  it('rejects a producer account id that is not 12 digits', () => {
    expect(() => configFrom({ producerAccountIds: '11111111111' })).toThrow(/producerAccountIds .*"11111111111"/);
  });

  it('rejects a malformed organization id', () => {
    expect(() => configFrom({ producerOrganizationId: 'org-1' })).toThrow(/producerOrganizationId/);
  });

  it.each([
    ['a comma-separated string from -c', `${DEMO_ARN}, ${ALIAS_ARN},${DEMO_ARN}`],
    ['a JSON list in a string', JSON.stringify([DEMO_ARN, ALIAS_ARN])],
    ['a list from cdk.json', [DEMO_ARN, ALIAS_ARN]],
  ])('reads rollout Lambda targets from %s, without duplicates', (_form, value) => {
    expect(configFrom({ rolloutLambdaTargets: value }).rolloutLambdaTargets).toEqual([DEMO_ARN, ALIAS_ARN]);
  });

  it.each([
    ['a function name', 'demo'],
    ['another service\'s ARN', 'arn:aws:sqs:eu-west-1:123456789012:demo'],
    ['a layer ARN', 'arn:aws:lambda:eu-west-1:123456789012:layer:demo:1'],
  ])('rejects a rollout Lambda target that is %s', (_kind, value) => {
    expect(() => configFrom({ rolloutLambdaTargets: value })).toThrow(/rolloutLambdaTargets .*not a Lambda function ARN/);
  });

  it('accepts an organization id and a log level', () => {
    expect(configFrom({ producerOrganizationId: 'o-a1b2c3d4e5', logLevel: 'debug' })).toMatchObject({
      producerOrganizationId: 'o-a1b2c3d4e5',
      logLevel: 'DEBUG',
    });
  });
});
