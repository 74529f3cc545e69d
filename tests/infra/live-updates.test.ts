import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_PUSH_ACTIONS, LIVE_STAGE_NAME, LIVE_THROTTLE } from '../../infra/constructs/live-updates';
import { BUS_RULES } from '../../functions/src/shared/bus-rules';
import { LIVE_ENV } from '../../functions/src/shared/live';
import { logicalId, resourcesOfType, SKIP_BUNDLING, statementsOfRole, synthesize, type Synthesized } from './support';

const TMP = mkdtempSync(join(tmpdir(), 'signalbox-live-infra-'));
let synth: Synthesized;
let template: Template;

beforeAll(() => {
  synth = synthesize(TMP, { webOutDir: join(TMP, 'no-web-build'), ...SKIP_BUNDLING });
  template = Template.fromStack(synth.stack);
});
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

function acknowledgements(root: IConstruct): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) if (entry.type === 'aws:cdk:acknowledged-rules') out.push(entry.data as Record<string, string>);
  }
  return out;
}

describe('LiveUpdates construct', () => {
  it('synthesizes with cdk-nag clean', () => {
    expect(synth.synthError).toBeUndefined();
    expect(synth.violations).toEqual([]);
  });

  it('is a WebSocket API routed by action with $connect, $disconnect and $default on their own functions', () => {
    const apis = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Api')).filter((a) => a.Properties.ProtocolType === 'WEBSOCKET');
    expect(apis).toHaveLength(1);
    expect(apis[0]!.Properties.RouteSelectionExpression).toBe('$request.body.action');
    const routes = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey).sort();
    expect(routes).toEqual(expect.arrayContaining(['$connect', '$default', '$disconnect']));
    const live = synth.stack.live;
    const integrationTargets = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Integration'))
      .filter((i) => i.Properties.IntegrationType === 'AWS_PROXY' && JSON.stringify(i.Properties.ApiId) === JSON.stringify({ Ref: logicalId(live.api) }))
      .map((i) => JSON.stringify(i.Properties.IntegrationUri));
    for (const fn of [live.connect, live.disconnect, live.message]) {
      expect(integrationTargets.some((uri) => uri.includes(logicalId(fn.function)))).toBe(true);
    }
  });

  it('has one throttled, access-logged stage', () => {
    const stages = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Stage')).filter(
      (st) => JSON.stringify(st.Properties.ApiId) === JSON.stringify({ Ref: logicalId(synth.stack.live.api) }),
    );
    expect(stages).toHaveLength(1);
    const p = stages[0]!.Properties;
    expect(p.StageName).toBe(LIVE_STAGE_NAME);
    expect(p.AutoDeploy).toBe(true);
    expect(p.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: LIVE_THROTTLE.rateLimit, ThrottlingBurstLimit: LIVE_THROTTLE.burstLimit });
    expect(JSON.stringify(p.AccessLogSettings.DestinationArn)).toContain('AccessLogs');
    expect(JSON.parse(p.AccessLogSettings.Format)).toMatchObject({ routeKey: '$context.routeKey', connectionId: '$context.connectionId', status: '$context.status' });
  });

  it('grants PostToConnection on this stage only, to the answering and broadcasting functions only', () => {
    const live = synth.stack.live;
    const connections = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':execute-api:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':', { Ref: logicalId(live.api) }, `/${LIVE_STAGE_NAME}/POST/@connections/*`]],
    };
    for (const fn of [live.message, live.broadcast]) {
      const statements = statementsOfRole(template, logicalId(fn.role));
      const manage = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('execute-api:')));
      expect(manage).toEqual([{ Action: LIVE_PUSH_ACTIONS[0], Effect: 'Allow', Resource: connections }]);
    }
    for (const fn of [live.connect, live.disconnect]) {
      const statements = statementsOfRole(template, logicalId(fn.role));
      expect(statements.flatMap((s) => [s.Action].flat()).filter((a: string) => a.startsWith('execute-api:'))).toEqual([]);
    }
  });

  it('gives the pushers the callback URL and the API function the socket URL', () => {
    const live = synth.stack.live;
    const env = (fn: IConstruct) => (template.toJSON().Resources[logicalId(fn)].Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
    expect(JSON.stringify(env(live.broadcast.function)[LIVE_ENV.callbackUrl])).toContain(logicalId(live.api));
    expect(JSON.stringify(env(live.message.function)[LIVE_ENV.callbackUrl])).toContain('https://');
    expect(env(live.connect.function)[LIVE_ENV.callbackUrl]).toBeUndefined();
    const apiUrl = JSON.stringify(env(synth.stack.backend.api.function)[LIVE_ENV.url]);
    expect(apiUrl).toContain('wss://');
    expect(apiUrl).toContain(logicalId(live.api));
  });

  it('targets the broadcaster from the LiveUpdates bus rule with the shared pattern and a short retry window', () => {
    const rule = BUS_RULES.find((r) => r.target === 'live')!;
    expect(rule.id).toBe('LiveUpdates');
    const rules = Object.values(resourcesOfType(template, 'AWS::Events::Rule')).filter((r) => JSON.stringify(r.Properties.Targets).includes(logicalId(synth.stack.live.broadcast.function)));
    expect(rules).toHaveLength(1);
    expect(rules[0]!.Properties.EventPattern).toEqual(rule.pattern);
    expect(rules[0]!.Properties.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 });
  });

  it('gives a reason for every acknowledged finding', () => {
    const acks = acknowledgements(synth.stack.live);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) for (const reason of Object.values(ack)) expect(reason.length).toBeGreaterThan(40);
  });
});
