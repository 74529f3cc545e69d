import { afterAll, beforeAll } from 'vitest';
import { documentClient, DynamoDeadLetterStore, DynamoEventStore, DynamoInventoryStore } from '../../functions/src/adapters/aws/dynamo-stores';
import { ensureTable, startDynalite, type LocalDynamo } from '../../functions/src/adapters/local/dynalite';
import { storeContract } from '../contracts/stores.contract';

let dynamo: LocalDynamo;
let n = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

storeContract('DynamoDB (dynalite)', async () => {
  const table = `contract-${n++}`;
  await ensureTable(dynamo.client, table);
  const doc = documentClient(dynamo.client);
  return {
    events: new DynamoEventStore(doc, table),
    inventory: new DynamoInventoryStore(doc, table),
    deadLetters: new DynamoDeadLetterStore(doc, table),
  };
});
