import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { AwsCostExplorer } from '../adapters/aws/cost-explorer';
import { DynamoCostStore } from '../adapters/aws/dynamo-cost-store';
import { documentClient } from '../adapters/aws/dynamo-stores';
import { withStoreErrors } from '../adapters/aws/dynamo-errors';
import { S3FocusObjects } from '../adapters/aws/s3-focus-objects';
import { loadAwsConfig, loadCostConfig } from '../config';
import { allocationFromEnvironments } from '../core/costs/allocation';
import type { CostDeps } from '../core/costs/deps';
import type { Deps } from '../core/deps';
import { staticMonitoringConfig, type MonitoringConfigProvider } from '../core/monitoring/deps';
import { readMonitoringBundle } from '../adapters/aws/bundled-monitoring-config';
import type { FocusObjects } from '../core/ports/focus-objects';

/** What the costs function works with besides `CostDeps`. */
export interface AwsCostExtras {
  focusObjects: FocusObjects;
  focusBucket: string | null;
}

/**
 * The cost composition root: the DynamoDB cost store, allocation from the deployed config's
 * environments, Cost Explorer (its API lives in us-east-1 only) and S3 for FOCUS files.
 */
export function awsCostDeps(base: Deps, monitoringConfig?: MonitoringConfigProvider, env: Record<string, string | undefined> = process.env): CostDeps & AwsCostExtras {
  const config = loadAwsConfig(env);
  const cost = loadCostConfig(env);
  // The costs function reads only the environments of the deployed config bundle (their `accounts:`).
  const environments = monitoringConfig ?? staticMonitoringConfig(readMonitoringBundle(config.SIGNALBOX_MONITORING_CONFIG_FILE, {}));
  return {
    costs: new DynamoCostStore(documentClient(withStoreErrors(new DynamoDBClient({}))), config.TABLE_NAME),
    costAllocation: async () => allocationFromEnvironments((await environments.current()).config.environments),
    costExplorer: new AwsCostExplorer(new CostExplorerClient({ region: 'us-east-1' })),
    costExplorerSettings: {
      grouping: cost.SIGNALBOX_COST_TAG_KEY ? { kind: 'tag', key: cost.SIGNALBOX_COST_TAG_KEY } : { kind: 'account' },
      lookbackDays: cost.SIGNALBOX_COST_LOOKBACK_DAYS,
      unsettledDays: cost.SIGNALBOX_COST_UNSETTLED_DAYS,
    },
    focusObjects: new S3FocusObjects(new S3Client({})),
    focusBucket: cost.SIGNALBOX_FOCUS_BUCKET ?? null,
    inventory: base.inventory,
    clock: base.clock,
    logger: base.logger,
    newId: base.newId,
  };
}
