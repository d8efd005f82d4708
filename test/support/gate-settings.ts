/**
 * The admin function's container settings (`CNF_CONTAINER`) of the tests
 * that run its gate in-process: the fixture's prod stage, one release, and
 * the task ARN its fake ECS answers RunTask with.
 */
import type { ContainerSettings } from '../../lib/core/container-run.js';

/** The release whose task definition the gate starts. */
const GATE_RELEASE = 'r-0123456789ab';

/** The task RunTask started, as the fake ECS answers. */
const GATE_TASK_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task/fixture-prod-admin/0123456789abcdef';

/** What `CNF_CONTAINER` holds for the gate: cluster, the release's task definition, the network. */
const GATE_SETTINGS: ContainerSettings = {
  cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/fixture-prod-admin',
  taskDefinition: `arn:aws:ecs:eu-west-1:123456789012:task-definition/fixture-prod-admin-${GATE_RELEASE}:3`,
  containerName: 'admin',
  subnets: ['subnet-a'],
  securityGroups: ['sg-tasks'],
  assignPublicIp: false,
};

export { GATE_RELEASE, GATE_SETTINGS, GATE_TASK_ARN };
