import { DynamoRolloutStore } from '../../functions/src/adapters/aws/dynamo-rollout-store';
import { InMemoryRolloutStore } from '../../functions/src/adapters/local/in-memory-rollout-store';
import { rolloutStoreContract } from '../contracts/rollout-store.contract';
import { useDynaliteTables } from '../helpers/dynalite';

const freshTable = useDynaliteTables('rollouts');

rolloutStoreContract('DynamoDB (dynalite)', async () => {
  const { doc, table } = await freshTable();
  return new DynamoRolloutStore(doc, table);
});

rolloutStoreContract('in memory', async () => new InMemoryRolloutStore());
