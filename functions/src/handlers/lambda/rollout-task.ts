import { awsRolloutDeps } from '../../wiring/aws';
import { createRolloutTaskHandler } from '../tasks/rollout-task';

export const handler = createRolloutTaskHandler(awsRolloutDeps('signalbox-rollout-task'));
