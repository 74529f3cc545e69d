import { DynamoSettingsStore } from '../../functions/src/adapters/aws/dynamo-settings-store';
import { InMemorySettingsStore } from '../../functions/src/adapters/local/in-memory-settings-store';
import { settingsStoreContract } from '../contracts/settings-store.contract';
import { useDynaliteTables } from '../helpers/dynalite';

const freshTable = useDynaliteTables('settings');

settingsStoreContract('DynamoDB (dynalite)', async () => {
  const { doc, table } = await freshTable();
  return new DynamoSettingsStore(doc, table);
});

settingsStoreContract('in memory', async () => new InMemorySettingsStore());
