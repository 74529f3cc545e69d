import { afterAll, beforeAll } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/src/adapters/aws/dynamo-stores';
import { ensureTable, startDynalite, type LocalDynamo } from '../../functions/src/adapters/local/dynalite';

/**
 * One in-memory dynalite for the test file (started before, stopped after) and a factory for a
 * fresh table per call, so each contract case starts empty.
 */
export function useDynaliteTables(prefix: string): () => Promise<{ doc: DynamoDBDocumentClient; table: string; dynamo: LocalDynamo }> {
  let dynamo: LocalDynamo;
  let n = 0;
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo.stop();
  });
  return async () => {
    const table = `${prefix}-${n++}`;
    await ensureTable(dynamo.client, table);
    return { doc: documentClient(dynamo.client), table, dynamo };
  };
}
