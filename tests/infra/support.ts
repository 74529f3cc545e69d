import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack, type App, type CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../infra/build-app';
import type { SignalboxStack } from '../../infra/signalbox-stack';

/** Context that makes CDK skip esbuild: for tests that look at IAM, machines and alarms, not at bundles. */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] } as const;

export interface Synthesized {
  app: App;
  stack: SignalboxStack;
  outdir: string;
  synthError?: unknown;
  /** Unacknowledged validation findings, as `<rule> at <construct path>`. */
  violations: string[];
}

/**
 * Builds and synthesizes the app (cdk-nag included) into a fresh folder under `tmp`, with
 * `context` over cdk.json's. A synth that cdk-nag fails is returned with `synthError` set.
 */
export function synthesize(
  tmp: string,
  context: Record<string, unknown>,
  extend?: (stack: SignalboxStack) => void,
): Synthesized {
  const outdir = mkdtempSync(join(tmp, 'cdk-out-'));
  const { app, stack } = buildApp(context, { outdir });
  extend?.(stack);
  let synthError: unknown;
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  return { app, stack, outdir, synthError, violations: readViolations(outdir) };
}

function readViolations(outdir: string): string[] {
  const file = join(outdir, 'validation-report.json');
  if (!existsSync(file)) return [];
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
  };
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map((construct) => `${violation.ruleName} at ${construct.constructPath}`),
    ),
  );
}

export function logicalId(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

export type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; DependsOn?: string[] };

export function resourcesOfType(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

/** Every IAM statement attached to the role, from all its policies. */
export function statementsOfRole(template: Template, roleLogicalId: string): Record<string, any>[] {
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId })))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Record<string, any>[]);
}

/** The actions of the statements whose resources include `resource`. */
export function actionsOn(statements: Record<string, any>[], resource: unknown): string[] {
  return statements
    .filter((statement) => [statement.Resource].flat().some((r: unknown) => JSON.stringify(r) === JSON.stringify(resource)))
    .flatMap((statement) => [statement.Action].flat() as string[]);
}
