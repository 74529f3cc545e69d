import { DynamoAuditStore } from '../../functions/src/adapters/aws/dynamo-audit-store';
import { InMemoryAuditStore } from '../../functions/src/adapters/local/in-memory-audit-store';
import { auditStoreContract } from '../contracts/audit-store.contract';
import { useDynaliteTables } from '../helpers/dynalite';

const freshTable = useDynaliteTables('audit');

auditStoreContract('DynamoDB (dynalite)', async () => {
  const { doc, table } = await freshTable();
  return new DynamoAuditStore(doc, table);
});

auditStoreContract('in memory', async () => new InMemoryAuditStore());
