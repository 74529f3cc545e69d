import { awsRolloutDeps } from '../../wiring/aws/rollouts';
import { createRolloutTaskHandler } from '../tasks/rollout-task';

export const handler = createRolloutTaskHandler(awsRolloutDeps('signalbox-rollout-task'));
