import { readMonitoringBundle } from '../../adapters/aws/bundled-monitoring-config';
import { DynamoCostStore } from '../../adapters/aws/dynamo-cost-store';
import { loadAwsConfig, loadCostConfig } from '../../config';
import { allocationFromEnvironments } from '../../core/costs/allocation';
import type { CostDeps } from '../../core/costs/deps';
import type { Deps } from '../../core/deps';
import { staticMonitoringConfig, type MonitoringConfigProvider } from '../../core/monitoring/deps';
import { awsDocumentClient } from './dynamo';

/** What the cost composition roots take from the function's base deps. */
export type CostBaseDeps = Pick<Deps, 'inventory' | 'clock' | 'logger' | 'newId'>;

/**
 * The cost deps the API function reads with: the DynamoDB cost store and allocation from the
 * deployed config's environments. No Cost Explorer and no S3 (only the costs function pulls and
 * imports; see `./costs`), so the API does not load their clients.
 */
export function awsCostStoreDeps(base: CostBaseDeps, monitoringConfig?: MonitoringConfigProvider, env: Record<string, string | undefined> = process.env): CostDeps {
  const config = loadAwsConfig(env);
  const cost = loadCostConfig(env);
  // The costs function reads only the environments of the deployed config bundle (their `accounts:`).
  const environments = monitoringConfig ?? staticMonitoringConfig(readMonitoringBundle(config.SIGNALBOX_MONITORING_CONFIG_FILE, {}));
  return {
    costs: new DynamoCostStore(awsDocumentClient(), config.TABLE_NAME),
    costAllocation: async () => allocationFromEnvironments((await environments.current()).config.environments),
    costExplorerSettings: {
      grouping: cost.SIGNALBOX_COST_TAG_KEY ? { kind: 'tag', key: cost.SIGNALBOX_COST_TAG_KEY } : { kind: 'account' },
      lookbackDays: cost.SIGNALBOX_COST_LOOKBACK_DAYS,
      unsettledDays: cost.SIGNALBOX_COST_UNSETTLED_DAYS,
    },
    inventory: base.inventory,
    clock: base.clock,
    logger: base.logger,
    newId: base.newId,
  };
}
