import { afterAll, beforeAll } from 'vitest';
import { DynamoRolloutStore } from '../../functions/src/adapters/aws/dynamo-rollout-store';
import { documentClient } from '../../functions/src/adapters/aws/dynamo-stores';
import { ensureTable, startDynalite, type LocalDynamo } from '../../functions/src/adapters/local/dynalite';
import { InMemoryRolloutStore } from '../../functions/src/adapters/local/in-memory-rollout-store';
import { rolloutStoreContract } from '../contracts/rollout-store.contract';

let dynamo: LocalDynamo;
let n = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

rolloutStoreContract('DynamoDB (dynalite)', async () => {
  const table = `rollouts-${n++}`;
  await ensureTable(dynamo.client, table);
  return new DynamoRolloutStore(documentClient(dynamo.client), table);
});

rolloutStoreContract('in memory', async () => new InMemoryRolloutStore());
