/**
 * The Lambda composition roots are split by what they wire (tables, base, ingest, rollouts,
 * monitoring, live, auth, admin, costs) so that each function's bundle imports only the AWS SDK
 * clients it calls: the SDK stays external, and esbuild keeps every `import "@aws-sdk/…"` of a
 * module it bundles, used or not. `tests/wiring/lambda-sdk-imports.test.ts` holds each function to
 * its set; keep one module per group of clients, and no all-in-one re-export.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoAccessTokenStore } from '../../adapters/aws/dynamo-access-tokens';
import { EventBridgeBus } from '../../adapters/aws/eventbridge-bus';
import { loadAwsConfig } from '../../config';
import { storeProducerTokens } from '../../core/auth/access-tokens';
import type { Deps } from '../../core/deps';
import { systemClock } from '../../core/ports/clock';
import type { ProducerTokens } from '../../core/ports/producer-tokens';
import { awsDocumentClient } from './dynamo';
import { awsTableDeps } from './tables';

const refuseAll: ProducerTokens = { verify: async () => false };

/** How `awsDeps` builds the bootstrap producer token from `INGEST_TOKEN_SECRET_ARN`. */
export type BootstrapProducerTokens = (secretArn: string) => ProducerTokens;

/**
 * The composition root for Lambda: AWS adapters from the validated environment. Built once per
 * cold start. `bootstrapTokens` is given by the ingest function only (`./ingest`), the one the
 * stack gives the Secrets Manager token; without it that token refuses everything, as it does in
 * the functions that are not given the secret.
 */
export function awsDeps(serviceName: string, bootstrapTokens?: BootstrapProducerTokens): Deps {
  const config = loadAwsConfig();
  const doc = awsDocumentClient();
  const tables = awsTableDeps(serviceName, doc);
  const accessTokens = new DynamoAccessTokenStore(doc, config.TABLE_NAME);
  // Tokens created through the admin API are in the table; the stack's Secrets Manager token stays
  // valid as the bootstrap producer token (rotate it there).
  const stored = storeProducerTokens({ accessTokens, clock: systemClock });
  const bootstrap: ProducerTokens = config.INGEST_TOKEN_SECRET_ARN && bootstrapTokens ? bootstrapTokens(config.INGEST_TOKEN_SECRET_ARN) : refuseAll;
  return {
    ...tables,
    bus: new EventBridgeBus(new EventBridgeClient({}), config.EVENT_BUS_NAME),
    // Only the ingest function is given the secret; the others never verify producer tokens.
    producerTokens: { verify: async (token) => (await stored.verify(token)) || (await bootstrap.verify(token)) },
  };
}
