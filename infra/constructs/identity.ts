import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  UserPoolDomain,
  type CfnUserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ROLES } from '../../functions/src/core/auth/model';

/** Environment variables the API and `$connect` functions verify tokens with (see functions/src/config.ts). */
export const AUTH_ENV = {
  issuer: 'SIGNALBOX_JWT_ISSUER',
  clientId: 'SIGNALBOX_JWT_CLIENT_ID',
  domain: 'SIGNALBOX_AUTH_DOMAIN',
} as const;

/** The portal's sign-in callback path (the page handles the authorization code with PKCE). */
export const SIGN_IN_PATH = '/sign-in/';

export interface IdentityProps {
  /** Hosted UI domain prefix (`<prefix>.auth.<region>.amazoncognito.com`); context `authDomainPrefix`. */
  domainPrefix: string;
}

/**
 * Sign-in (issue 5): a Cognito user pool with one group per role (viewer, operator, admin), no
 * self sign-up (admins invite), optional TOTP MFA and threat protection in full-function mode; the
 * portal's public app client (authorization code + PKCE, no secret); the hosted UI domain; and the
 * HTTP API JWT authorizer built on them.
 */
export class Identity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  readonly authorizer: HttpUserPoolAuthorizer;
  /** `https://cognito-idp.<region>.amazonaws.com/<pool id>`: the tokens' `iss`. */
  readonly issuer: string;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true, username: false },
      autoVerify: { email: true },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason: 'MFA is optional by design (issue 5): users enrol TOTP themselves; threat protection (full function) adds adaptive challenges for risky sign-ins. An operator may set it to required per deployment.',
    });
    ROLES.forEach((role, i) => {
      new CfnUserPoolGroup(this, `${role[0]!.toUpperCase()}${role.slice(1)}Group`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        description: `Signalbox ${role}s`,
        // Cognito puts the group with the lowest precedence first; the role is the highest group anyway.
        precedence: ROLES.length - i,
      });
    });
    this.client = this.userPool.addClient('PortalClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        // Replaced by the portal URL once it is known (`setPortalUrl`).
        callbackUrls: [`https://localhost${SIGN_IN_PATH}`],
        logoutUrls: [`https://localhost${SIGN_IN_PATH}`],
      },
    });
    this.domain = this.userPool.addDomain('HostedUi', { cognitoDomain: { domainPrefix: props.domainPrefix } });
    this.authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', this.userPool, { userPoolClients: [this.client] });
    this.issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
  }

  /** Points the app client's callback and sign-out URLs at the portal (`<url>/sign-in/`). */
  setPortalUrl(url: string): void {
    const cfn = this.client.node.defaultChild as CfnUserPoolClient;
    cfn.callbackUrLs = [`${url}${SIGN_IN_PATH}`];
    cfn.logoutUrLs = [`${url}${SIGN_IN_PATH}`];
  }

  /** Sets what a function needs to verify user tokens (issuer, client) and describe sign-in (hosted UI). */
  bindVerifier(fn: { addEnvironment(key: string, value: string): unknown }): this {
    fn.addEnvironment(AUTH_ENV.issuer, this.issuer);
    fn.addEnvironment(AUTH_ENV.clientId, this.client.userPoolClientId);
    fn.addEnvironment(AUTH_ENV.domain, this.domain.baseUrl());
    return this;
  }
}
