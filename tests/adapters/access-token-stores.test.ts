import { DynamoAccessTokenStore } from '../../functions/src/adapters/aws/dynamo-access-tokens';
import { InMemoryAccessTokenStore } from '../../functions/src/adapters/local/in-memory-access-tokens';
import { accessTokenStoreContract } from '../contracts/access-token-store.contract';
import { useDynaliteTables } from '../helpers/dynalite';

const freshTable = useDynaliteTables('tokens');

accessTokenStoreContract('DynamoDB (dynalite)', async () => {
  const { doc, table } = await freshTable();
  return new DynamoAccessTokenStore(doc, table);
});

accessTokenStoreContract('in memory', async () => new InMemoryAccessTokenStore());
