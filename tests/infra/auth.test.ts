import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirementOf } from '../../functions/src/core/auth/policy';
import { API_ROUTES } from '../../functions/src/handlers/http/api';
import { AUTH_ENV } from '../../infra/constructs/identity';
import { API_THROTTLE } from '../../infra/constructs/signalbox-api';
import { logicalId, resourcesOfType, SKIP_BUNDLING, synthesize, type Synthesized } from './support';

const TMP = mkdtempSync(join(tmpdir(), 'signalbox-auth-infra-'));
let synth: Synthesized;
let template: Template;

beforeAll(() => {
  synth = synthesize(TMP, { webOutDir: join(TMP, 'no-web-build'), authDomainPrefix: 'signalbox-test', ...SKIP_BUNDLING });
  template = Template.fromStack(synth.stack);
});
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const httpRoutes = () =>
  Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).filter(
    (r) => JSON.stringify(r.Properties.ApiId) === JSON.stringify({ Ref: logicalId(synth.stack.backend.httpApi) }),
  );

describe('sign-in in the stack', () => {
  it('synthesizes with cdk-nag clean', () => {
    expect(synth.synthError).toBeUndefined();
    expect(synth.violations).toEqual([]);
  });

  it('has a user pool without self sign-up, optional MFA, threat protection, and the three role groups', () => {
    const pools = Object.values(resourcesOfType(template, 'AWS::Cognito::UserPool'));
    expect(pools).toHaveLength(1);
    const p = pools[0]!.Properties;
    expect(p.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(p.MfaConfiguration).toBe('OPTIONAL');
    expect(p.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
    expect(p.Policies.PasswordPolicy.MinimumLength).toBeGreaterThanOrEqual(12);
    const groups = Object.values(resourcesOfType(template, 'AWS::Cognito::UserPoolGroup')).map((g) => g.Properties.GroupName).sort();
    expect(groups).toEqual(['admin', 'operator', 'viewer']);
  });

  it('has a public app client for the code flow with PKCE, calling back to the portal, and a hosted UI domain from context', () => {
    const clients = Object.values(resourcesOfType(template, 'AWS::Cognito::UserPoolClient'));
    expect(clients).toHaveLength(1);
    const c = clients[0]!.Properties;
    expect(c.GenerateSecret).toBe(false);
    expect(c.AllowedOAuthFlows).toEqual(['code']);
    expect(c.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(c.AllowedOAuthScopes).toEqual(expect.arrayContaining(['openid', 'email']));
    const callback = JSON.stringify(c.CallbackURLs);
    expect(callback).toContain(logicalId(synth.stack.portal.distribution));
    expect(callback).toContain('/sign-in/');
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'signalbox-test' });
  });

  it('puts the JWT authorizer (issuer = the pool, audience = the client) on every user route, and none on public and token routes', () => {
    const authorizers = Object.entries(resourcesOfType(template, 'AWS::ApiGatewayV2::Authorizer'));
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0]!;
    expect(authorizer.Properties.AuthorizerType).toBe('JWT');
    expect(JSON.stringify(authorizer.Properties.JwtConfiguration.Issuer)).toContain(logicalId(synth.stack.identity.userPool));
    expect(JSON.stringify(authorizer.Properties.JwtConfiguration.Audience)).toContain(logicalId(synth.stack.identity.client));
    const byKey = new Map(httpRoutes().map((r) => [r.Properties.RouteKey as string, r.Properties]));
    expect(byKey.get('GET /api/{proxy+}')).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    expect(byKey.get('POST /api/events')?.AuthorizationType ?? 'NONE').toBe('NONE');
    for (const route of API_ROUTES) {
      const key = `${route.method} ${route.path}`;
      const need = requirementOf(route.action).kind;
      if (need === 'role' && route.method === 'GET') continue; // served by the authorized proxy route
      const props = byKey.get(key);
      expect(props, key).toBeDefined();
      if (need === 'role') expect(props, key).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
      else expect(props!.AuthorizationType ?? 'NONE', key).toBe('NONE');
    }
    expect(byKey.get('GET /api/openapi.json')?.AuthorizationType ?? 'NONE').toBe('NONE');
    expect(byKey.get('GET /api/auth/config')?.AuthorizationType ?? 'NONE').toBe('NONE');
  });

  it('has no local-issuer route: /local/* exists only in the local runtime', () => {
    const keys = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).map((r) => String(r.Properties.RouteKey));
    expect(keys.filter((k) => /local|token\?|jwks/i.test(k))).toEqual([]);
    expect(API_ROUTES.some((r) => r.path.startsWith('/local'))).toBe(false);
    // The CloudFront behaviours route only /api/* to the API: /local/* is a missing static file there.
    expect(JSON.stringify(template.toJSON())).not.toContain('/local/');
  });

  it('throttles the HTTP API stage', () => {
    const stage = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Stage')).find(
      (st) => JSON.stringify(st.Properties.ApiId) === JSON.stringify({ Ref: logicalId(synth.stack.backend.httpApi) }),
    )!;
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: API_THROTTLE.rateLimit, ThrottlingBurstLimit: API_THROTTLE.burstLimit });
  });

  it('gives the API and $connect functions the issuer and client to verify tokens with', () => {
    for (const fn of [synth.stack.backend.api, synth.stack.live.connect]) {
      const env = (template.toJSON().Resources[logicalId(fn.function)].Properties.Environment.Variables ?? {}) as Record<string, unknown>;
      expect(Object.keys(env), fn.node.path).toEqual(expect.arrayContaining([AUTH_ENV.issuer, AUTH_ENV.clientId]));
      expect(JSON.stringify(env[AUTH_ENV.issuer])).toContain(logicalId(synth.stack.identity.userPool));
    }
  });
});
