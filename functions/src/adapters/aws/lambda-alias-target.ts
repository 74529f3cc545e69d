import {
  GetAliasCommand,
  ListVersionsByFunctionCommand,
  UpdateAliasCommand,
  type AliasConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { versionOfArtifact } from '../../core/cdevents/artifact';
import { DependencyError, ValidationError } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/ports/logger';
import type { HookResult, TargetContext, TrafficSplit, TrafficTarget } from '../../core/ports/traffic-target';
import type { TargetSpec } from '../../core/rollouts/model';

export type LambdaAliasTargetSpec = Extract<TargetSpec, { type: 'lambda-alias' }>;

type Side = TargetContext['stable'];

/**
 * The `lambda-alias` traffic target: weighted alias routing.
 *
 * Versions: the alias's `FunctionVersion` is the stable version. The canary version comes from the
 * canary artifact: its version string (`TargetContext.canary.version`, else the purl's version, so
 * `pkg:generic/payments-fn@7` → `"7"`) IS the Lambda version number. When that string is not a
 * number, the published version whose `Description` equals the artifact id or the version string is
 * used (found with `ListVersionsByFunction`), so a pipeline may publish with `--description <purl>`.
 *
 * Routing: `setWeight(w)` is one `UpdateAlias`: 0 → `FunctionVersion` stable and no routing;
 * 0 < w < 100 → `FunctionVersion` stable and `AdditionalVersionWeights {canary: w/100}`; 100 →
 * `FunctionVersion` canary and no routing (promotion). An alias routes to at most two versions, and
 * Lambda refuses routing when the primary is `$LATEST`; both are refused here with a
 * `ValidationError` before anything changes. Idempotent: the same weight gives the same request.
 *
 * Hooks proceed (Lambda has none); `deployPreview` is a no-op (published versions are immutable and
 * invocable by qualifier); `scaleDown` is a no-op that logs (old versions stay published for undo).
 *
 * @throws ValidationError (field `target…`/`toVersion`) when the function, alias or version does not
 *   exist or the alias routes to a third version; DependencyError (code `TARGET_UNAVAILABLE`) when
 *   Lambda cannot be reached or refuses for another reason (the SDK client has retried already).
 */
export class LambdaAliasTarget implements TrafficTarget {
  private readonly logger: Logger;

  constructor(
    private readonly spec: LambdaAliasTargetSpec,
    private readonly clientFor: (region?: string) => LambdaClient,
    options: { logger?: Logger } = {},
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  async setWeight(ctx: TargetContext, canaryWeight: number): Promise<TrafficSplit> {
    if (!Number.isFinite(canaryWeight) || canaryWeight < 0 || canaryWeight > 100) {
      throw new ValidationError(`weight must be 0–100, got ${canaryWeight}`, 'weight');
    }
    const alias = await this.getAlias();
    const canary = await this.versionOf(ctx.canary, 'toVersion');
    const primary = alias.FunctionVersion;
    if (!primary) throw this.unavailable('GetAlias answered without a FunctionVersion');

    // After a full promotion the alias points at the canary; going back needs the stable artifact's version.
    const stable = primary === canary ? await this.stableAfterPromotion(ctx) : primary;
    const routed = [primary, ...Object.keys(alias.RoutingConfig?.AdditionalVersionWeights ?? {})];
    const third = routed.filter((v) => v !== stable && v !== canary);
    if (third.length > 0) {
      throw new ValidationError(
        `Alias ${this.spec.functionName}:${this.spec.alias} already routes to version(s) ${third.join(', ')}; ` +
          `an alias routes to at most two versions (stable ${stable}, canary ${canary})`,
        'target.alias',
        'ALIAS_ROUTES_THIRD_VERSION',
      );
    }
    if (stable === canary) {
      throw new ValidationError(`Stable and canary are the same Lambda version ${canary}`, 'toVersion');
    }
    if (canaryWeight > 0 && canaryWeight < 100 && stable === '$LATEST') {
      throw new ValidationError('Lambda cannot route weights from an alias whose primary version is $LATEST', 'target.alias');
    }

    const updated = await this.send((lambda) =>
      lambda.send(
        new UpdateAliasCommand({
        FunctionName: this.spec.functionName,
        Name: this.spec.alias,
        FunctionVersion: canaryWeight === 100 ? canary : stable,
        RoutingConfig: {
            AdditionalVersionWeights: canaryWeight === 0 || canaryWeight === 100 ? {} : { [canary]: canaryWeight / 100 },
          },
        }),
      ),
    );
    this.logger.info('lambda alias weights set', {
      functionName: this.spec.functionName,
      alias: this.spec.alias,
      stable,
      canary,
      canaryWeight,
    });
    return splitOf(updated, canary);
  }

  async getWeight(ctx: TargetContext): Promise<TrafficSplit> {
    const alias = await this.getAlias();
    return splitOf(alias, await this.versionOf(ctx.canary, 'toVersion'));
  }

  async deployPreview(): Promise<void> {}

  async scaleDown(ctx: TargetContext, which: 'stable' | 'canary'): Promise<void> {
    this.logger.info('lambda alias scale-down is a no-op: published versions stay for undo', {
      rolloutId: ctx.rolloutId,
      functionName: this.spec.functionName,
      which,
      version: which === 'stable' ? ctx.stable.version : ctx.canary.version,
    });
  }

  async hook(): Promise<HookResult> {
    return { proceed: true };
  }

  private async stableAfterPromotion(ctx: TargetContext): Promise<string> {
    if (!ctx.stable.artifactId && !ctx.stable.version) {
      throw new ValidationError(
        `Alias ${this.spec.alias} already points at the canary and the rollout has no stable version to route back to`,
        'fromVersion',
      );
    }
    return this.versionOf(ctx.stable, 'fromVersion');
  }

  /** The Lambda version number of an artifact (see the class comment). */
  private async versionOf(side: Side, field: 'toVersion' | 'fromVersion'): Promise<string> {
    const text = side.version ?? versionOfArtifact(side.artifactId);
    if (text && /^[1-9]\d*$/.test(text)) return text;
    const wanted = new Set([side.artifactId, text].filter((v): v is string => !!v));
    if (wanted.size === 0) throw new ValidationError('The artifact names no version', field);

    let marker: string | undefined;
    do {
      const page = await this.send((lambda) =>
        lambda.send(new ListVersionsByFunctionCommand({ FunctionName: this.spec.functionName, ...(marker ? { Marker: marker } : {}) })),
      );
      const match = (page.Versions ?? []).find((v) => v.Version && v.Version !== '$LATEST' && wanted.has(v.Description ?? ''));
      if (match?.Version) return match.Version;
      marker = page.NextMarker;
    } while (marker);
    throw new ValidationError(
      `No published version of ${this.spec.functionName} is numbered or described as ${[...wanted].join(' / ')}`,
      field,
    );
  }

  private getAlias(): Promise<AliasConfiguration> {
    return this.send((lambda) => lambda.send(new GetAliasCommand({ FunctionName: this.spec.functionName, Name: this.spec.alias })));
  }

  // One generic entry so every Lambda call maps its errors the same way.
  private async send<T>(call: (lambda: LambdaClient) => Promise<T>): Promise<T> {
    try {
      return await call(this.clientFor(this.spec.region));
    } catch (error) {
      throw this.mapError(error);
    }
  }

  private mapError(error: unknown): Error {
    const name = (error as { name?: string } | null)?.name ?? '';
    const message = error instanceof Error ? error.message : String(error);
    if (name === 'ResourceNotFoundException') {
      return new ValidationError(`Lambda: ${message}`, 'target.functionName', 'TARGET_NOT_FOUND');
    }
    if (name === 'InvalidParameterValueException') {
      return new ValidationError(`Lambda refused the alias update: ${message}`, 'target', 'TARGET_REFUSED');
    }
    return this.unavailable(`${name || 'Error'}: ${message}`, error);
  }

  private unavailable(why: string, cause?: unknown): DependencyError {
    return new DependencyError(`Lambda alias ${this.spec.functionName}:${this.spec.alias} unavailable: ${why}`, 'target', {
      code: 'TARGET_UNAVAILABLE',
      ...(cause !== undefined ? { cause } : {}),
    });
  }
}

function splitOf(alias: AliasConfiguration, canary: string): TrafficSplit {
  if (alias.FunctionVersion === canary) return { stable: 0, canary: 100 };
  const share = alias.RoutingConfig?.AdditionalVersionWeights?.[canary] ?? 0;
  // Two decimals: w/100 as a float does not always come back as exactly w.
  const canaryPercent = Math.round(share * 10_000) / 100;
  return { stable: Math.round((100 - canaryPercent) * 100) / 100, canary: canaryPercent };
}
