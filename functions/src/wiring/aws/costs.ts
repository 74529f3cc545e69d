import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { S3Client } from '@aws-sdk/client-s3';
import { AwsCostExplorer } from '../../adapters/aws/cost-explorer';
import { S3FocusObjects } from '../../adapters/aws/s3-focus-objects';
import { loadCostConfig } from '../../config';
import type { CostDeps } from '../../core/costs/deps';
import type { MonitoringConfigProvider } from '../../core/monitoring/deps';
import type { FocusObjects } from '../../core/ports/focus-objects';
import { awsCostStoreDeps, type CostBaseDeps } from './cost-store';

/** What the costs function works with besides `CostDeps`. */
export interface AwsCostExtras {
  focusObjects: FocusObjects;
  focusBucket: string | null;
}

/**
 * The cost composition root of the costs function: the DynamoDB cost store, allocation from the
 * deployed config's environments, Cost Explorer (its API lives in us-east-1 only) and S3 for FOCUS
 * files.
 */
export function awsCostDeps(base: CostBaseDeps, monitoringConfig?: MonitoringConfigProvider, env: Record<string, string | undefined> = process.env): CostDeps & AwsCostExtras {
  const cost = loadCostConfig(env);
  return {
    ...awsCostStoreDeps(base, monitoringConfig, env),
    costExplorer: new AwsCostExplorer(new CostExplorerClient({ region: 'us-east-1' })),
    focusObjects: new S3FocusObjects(new S3Client({})),
    focusBucket: cost.SIGNALBOX_FOCUS_BUCKET ?? null,
  };
}
