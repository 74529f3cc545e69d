/**
 * The single-table layout, shared by the CDK stack and the local runtime so the two cannot drift.
 * Keys are generic; which entity uses which index is documented in the DynamoDB adapter.
 */
export const TABLE_DESIGN = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
} as const;

/**
 * Keys of the DORA per-day aggregates (one item per service and UTC day; see
 * adapters/aws/dynamo-dora-store.ts): the base key for one service's days, gsi1 by month for all
 * services' days.
 */
export const DORA_KEYS = {
  servicePk: (service: string) => `DORA#${service}`,
  daySk: (day: string) => `DAY#${day}`,
  monthGsi1pk: (month: string) => `DORA#M#${month}`,
  dayGsi1sk: (day: string, service: string) => `${day}#${service}`,
} as const;
