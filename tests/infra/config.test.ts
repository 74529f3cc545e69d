import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, readConfig } from '../../infra/config';

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

  it('accepts an organization id and a log level', () => {
    expect(configFrom({ producerOrganizationId: 'o-a1b2c3d4e5', logLevel: 'debug' })).toMatchObject({
      producerOrganizationId: 'o-a1b2c3d4e5',
      logLevel: 'DEBUG',
    });
  });
});
