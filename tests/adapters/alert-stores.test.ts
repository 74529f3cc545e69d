import { DynamoAlertStore } from '../../functions/src/adapters/aws/dynamo-alert-store';
import { InMemoryAlertStore } from '../../functions/src/adapters/local/in-memory-alert-store';
import { alertStoreContract } from '../contracts/alert-store.contract';
import { useDynaliteTables } from '../helpers/dynalite';

const freshTable = useDynaliteTables('alerts');

alertStoreContract('DynamoDB (dynalite)', async () => {
  const { doc, table } = await freshTable();
  return new DynamoAlertStore(doc, table);
});

alertStoreContract('in memory', async () => new InMemoryAlertStore());
