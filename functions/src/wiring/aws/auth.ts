import { DynamoAccessTokenStore } from '../../adapters/aws/dynamo-access-tokens';
import { JwksTokenVerifier } from '../../adapters/http/jwks-token-verifier';
import { loadAwsConfig } from '../../config';
import type { LiveAuthDeps } from '../../core/live/use-cases';
import type { ApiAuthDeps } from '../../handlers/http/api';
import { awsDocumentClient } from './dynamo';

/**
 * The user-token verifier for Cognito: the pool's JWKS (fetched over HTTPS, cached, refreshed on an
 * unknown kid), its issuer and the portal's app client; access and id tokens. Undefined without
 * the variables, so every user route answers 401 (fail closed). No AWS SDK client.
 */
export function cognitoVerifier(env: Record<string, string | undefined> = process.env): JwksTokenVerifier | undefined {
  const issuer = env.SIGNALBOX_JWT_ISSUER;
  const clientId = env.SIGNALBOX_JWT_CLIENT_ID;
  if (!issuer || !clientId) return undefined;
  return new JwksTokenVerifier({ jwks: `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`, issuer, audiences: [clientId], tokenUse: ['access', 'id'] });
}

/**
 * Sign-in for the API function: the Cognito verifier, the producer/agent token store and what the
 * portal needs for the hosted UI (`GET /api/auth/config`). No rate limiter: API Gateway throttles.
 */
export function awsAuthDeps(env: Record<string, string | undefined> = process.env): ApiAuthDeps {
  const config = loadAwsConfig(env);
  const userTokens = cognitoVerifier(env);
  const issuer = config.SIGNALBOX_JWT_ISSUER;
  const poolId = issuer?.split('/').pop() ?? '';
  return {
    ...(userTokens ? { userTokens } : {}),
    accessTokens: new DynamoAccessTokenStore(awsDocumentClient(), config.TABLE_NAME),
    ...(config.SIGNALBOX_AUTH_DOMAIN && config.SIGNALBOX_JWT_CLIENT_ID
      ? {
          authConfig: {
            mode: 'cognito' as const,
            domain: config.SIGNALBOX_AUTH_DOMAIN,
            clientId: config.SIGNALBOX_JWT_CLIENT_ID,
            redirectPath: '/sign-in/',
            scopes: ['openid', 'email', 'profile'],
            region: poolId.split('_')[0] ?? '',
            userPoolId: poolId,
          },
        }
      : {}),
  };
}

/** What `$connect` checks the `token` query parameter with: the same Cognito verifier as the API. */
export function awsLiveAuthDeps(env: Record<string, string | undefined> = process.env): LiveAuthDeps {
  const userTokens = cognitoVerifier(env);
  return userTokens ? { userTokens } : {};
}
