/**
 * The admin function's container settings (`CNF_CONTAINER`) of the tests
 * that run its gate in-process: the fixture's prod stage, one release, and
 * the task ARN its fake ECS answers RunTask with.
 */
import { vi } from 'vitest';
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

/** The environment the admin function runs its gate in, on the fixture's prod stage (`vi.unstubAllEnvs` puts it back). */
function stubGateEnvironment(): void {
  vi.stubEnv('CNF_PARAMETER_PATH', '/fixture/prod/');
  vi.stubEnv('CNF_STAGE', 'prod');
  vi.stubEnv('CNF_RELEASE', GATE_RELEASE);
  vi.stubEnv('CNF_CONTAINER', JSON.stringify(GATE_SETTINGS));
  vi.stubEnv('AWS_REGION', 'eu-west-1');
}

export { GATE_RELEASE, GATE_SETTINGS, GATE_TASK_ARN, stubGateEnvironment };
