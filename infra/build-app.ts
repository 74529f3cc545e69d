import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readCdkJsonContext, readConfig } from './config';
import { SignalboxStack } from './signalbox-stack';

export interface BuildAppOptions {
  /** Cloud assembly directory; the CLI sets it through CDK_OUTDIR, tests get a temporary one. */
  outdir?: string;
}

/**
 * Builds the Signalbox app: the `Signalbox` stack with cdk-nag's AwsSolutions checks, whose
 * findings make `app.synth()` throw. `context` is layered over cdk.json's context; `-c` values
 * from the CLI win over both.
 */
export function buildApp(
  context: Record<string, unknown> = {},
  options: BuildAppOptions = {},
): { app: App; stack: SignalboxStack } {
  const app = new App({ context: { ...readCdkJsonContext(), ...context }, outdir: options.outdir });
  const stack = new SignalboxStack(app, 'Signalbox', {
    description: 'Signalbox: serverless delivery and operations portal driven by CDEvents',
    config: readConfig(app.node),
    env: {
      account: process.env.CDK_DEFAULT_ACCOUNT,
      region: process.env.CDK_DEFAULT_REGION,
    },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
