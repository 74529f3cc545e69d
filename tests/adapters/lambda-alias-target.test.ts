import {
  GetAliasCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  UpdateAliasCommand,
  type AliasConfiguration,
  type UpdateAliasCommandInput,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { LambdaAliasTarget } from '../../functions/src/adapters/aws/lambda-alias-target';
import { DependencyError, ValidationError } from '../../functions/src/core/errors';
import type { TargetContext } from '../../functions/src/core/ports/traffic-target';

const lambdaMock = mockClient(LambdaClient);
const regions: Array<string | undefined> = [];
const clientFor = (region?: string) => {
  regions.push(region);
  return new LambdaClient({ region: region ?? 'us-east-1' });
};

const FN = 'payments-api';
const ALIAS = 'live';

const ctx = (over: Partial<TargetContext> = {}): TargetContext => ({
  rolloutId: 'ro-1',
  service: 'payments',
  environment: 'production',
  phase: 'Progressing',
  step: 0,
  stable: { artifactId: 'pkg:generic/payments-api@6', version: '6' },
  canary: { artifactId: 'pkg:generic/payments-api@7', version: '7' },
  metadata: {},
  ...over,
});

const aliasAnswer = (functionVersion: string, weights?: Record<string, number>): AliasConfiguration => ({
  Name: ALIAS,
  FunctionVersion: functionVersion,
  ...(weights ? { RoutingConfig: { AdditionalVersionWeights: weights } } : {}),
});

/** UpdateAlias echoes the new configuration, as Lambda does. */
const echoUpdates = () =>
  lambdaMock.on(UpdateAliasCommand).callsFake((input: UpdateAliasCommandInput) => ({
    Name: input.Name,
    FunctionVersion: input.FunctionVersion,
    RoutingConfig: input.RoutingConfig,
  }));

const target = () => new LambdaAliasTarget({ type: 'lambda-alias', functionName: FN, alias: ALIAS, region: 'eu-west-1' }, clientFor);

const updates = () => lambdaMock.commandCalls(UpdateAliasCommand).map((call) => call.args[0].input);

describe('LambdaAliasTarget', () => {
  beforeEach(() => {
    lambdaMock.reset();
    regions.length = 0;
  });
  afterAll(() => lambdaMock.restore());

  it('routes 20% to the canary version with one UpdateAlias', async () => {
    lambdaMock.on(GetAliasCommand).resolves(aliasAnswer('6'));
    echoUpdates();

    expect(await target().setWeight(ctx(), 20)).toEqual({ stable: 80, canary: 20 });
    expect(lambdaMock).toHaveReceivedCommandWith(GetAliasCommand, { FunctionName: FN, Name: ALIAS });
    expect(updates()).toEqual([
      { FunctionName: FN, Name: ALIAS, FunctionVersion: '6', RoutingConfig: { AdditionalVersionWeights: { '7': 0.2 } } },
    ]);
    expect(regions.every((r) => r === 'eu-west-1')).toBe(true);
  });

  it('clears the routing config at 0%', async () => {
    lambdaMock.on(GetAliasCommand).resolves(aliasAnswer('6', { '7': 0.5 }));
    echoUpdates();

    expect(await target().setWeight(ctx(), 0)).toEqual({ stable: 100, canary: 0 });
    expect(updates()).toEqual([{ FunctionName: FN, Name: ALIAS, FunctionVersion: '6', RoutingConfig: { AdditionalVersionWeights: {} } }]);
  });

  it('points the alias at the canary and clears routing at 100%', async () => {
    lambdaMock.on(GetAliasCommand).resolves(aliasAnswer('6', { '7': 0.5 }));
    echoUpdates();

    expect(await target().setWeight(ctx(), 100)).toEqual({ stable: 0, canary: 100 });
    expect(updates()).toEqual([{ FunctionName: FN, Name: ALIAS, FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: {} } }]);
    expect(lambdaMock).toHaveReceivedCommandTimes(UpdateAliasCommand, 1);
  });

  it('routes back to the stable artifact after a full promotion (rollback)', async () => {
    lambdaMock.on(GetAliasCommand).resolves(aliasAnswer('7'));
    echoUpdates();

    expect(await target().setWeight(ctx(), 0)).toEqual({ stable: 100, canary: 0 });
    expect(updates()).toEqual([{ FunctionName: FN, Name: ALIAS, FunctionVersion: '6', RoutingConfig: { AdditionalVersionWeights: {} } }]);
  });

  it('refuses when the alias already routes to a third version, and changes nothing', async () => {
    lambdaMock.on(GetAliasCommand).resolves(aliasAnswer('6', { '5': 0.1 }));
    echoUpdates();

    const error = await target()
      .setWeight(ctx(), 20)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'ALIAS_ROUTES_THIRD_VERSION', field: 'target.alias' });
    expect((error as Error).message).toContain('5');
    expect(lambdaMock).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
  });

  it('reads the split with GetAlias', async () => {
    lambdaMock.on(GetAliasCommand).resolves(aliasAnswer('6', { '7': 0.35 }));
    expect(await target().getWeight(ctx())).toEqual({ stable: 65, canary: 35 });

    lambdaMock.on(GetAliasCommand).resolves(aliasAnswer('7'));
    expect(await target().getWeight(ctx())).toEqual({ stable: 0, canary: 100 });
  });

  it('finds a non-numeric canary version by its published description', async () => {
    lambdaMock.on(GetAliasCommand).resolves(aliasAnswer('6'));
    lambdaMock
      .on(ListVersionsByFunctionCommand, { FunctionName: FN })
      .resolvesOnce({ Versions: [{ Version: '$LATEST' }, { Version: '6', Description: 'pkg:oci/payments@1.4.0' }], NextMarker: 'm1' })
      .resolvesOnce({ Versions: [{ Version: '8', Description: 'pkg:oci/payments@1.5.0' }] });
    echoUpdates();

    const canary = { artifactId: 'pkg:oci/payments@1.5.0', version: '1.5.0' };
    expect(await target().setWeight(ctx({ canary }), 10)).toEqual({ stable: 90, canary: 10 });
    expect(lambdaMock.commandCalls(ListVersionsByFunctionCommand).map((c) => c.args[0].input)).toEqual([
      { FunctionName: FN },
      { FunctionName: FN, Marker: 'm1' },
    ]);
    expect(updates()[0]?.RoutingConfig).toEqual({ AdditionalVersionWeights: { '8': 0.1 } });
  });

  it('maps a missing alias to ValidationError and a throttled call to TARGET_UNAVAILABLE', async () => {
    lambdaMock.on(GetAliasCommand).rejects(Object.assign(new Error('Alias not found'), { name: 'ResourceNotFoundException' }));
    await expect(target().getWeight(ctx())).rejects.toMatchObject({ name: 'ValidationError', code: 'TARGET_NOT_FOUND' });

    lambdaMock.on(GetAliasCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    const error = await target()
      .setWeight(ctx(), 20)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ code: 'TARGET_UNAVAILABLE' });
  });

  it('refuses a weight outside 0–100 and proceeds on every hook', async () => {
    await expect(target().setWeight(ctx(), 120)).rejects.toBeInstanceOf(ValidationError);
    expect(await target().hook()).toEqual({ proceed: true });
    await target().deployPreview();
    await target().scaleDown(ctx(), 'stable');
    expect(lambdaMock.calls()).toHaveLength(0);
  });
});
