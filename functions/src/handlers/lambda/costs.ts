import { awsCostDeps } from '../../wiring/aws/costs';
import { awsTableDeps } from '../../wiring/aws/tables';
import { createCostsHandler } from '../scheduled/costs';

/** Target of the daily cost schedule and of FOCUS files dropped into the bucket (infra/constructs/costs.ts). */
export const handler = createCostsHandler(awsCostDeps(awsTableDeps('signalbox-costs')));
