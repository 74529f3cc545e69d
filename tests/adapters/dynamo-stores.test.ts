import { DynamoDeadLetterStore, DynamoEventStore, DynamoInventoryStore } from '../../functions/src/adapters/aws/dynamo-stores';
import { storeContract } from '../contracts/stores.contract';
import { useDynaliteTables } from '../helpers/dynalite';

const freshTable = useDynaliteTables('contract');

storeContract('DynamoDB (dynalite)', async () => {
  const { doc, table } = await freshTable();
  return {
    events: new DynamoEventStore(doc, table),
    inventory: new DynamoInventoryStore(doc, table),
    deadLetters: new DynamoDeadLetterStore(doc, table),
  };
});
