import { readCnfEnvironment } from '../../core/cnf-environment.js';
import type { Task } from '../define-task.js';

/**
 * Whether the admin function must start `task` as a Fargate task instead of
 * running it: a container task (`runtime: 'container'`) on an AWS stage
 * runs only in a container, never in the admin function, where Lambda would
 * stop it at 15 minutes. The container runner runs it; the local stage runs
 * every task as a local process.
 */
function startsInContainer(task: Task, env: NodeJS.ProcessEnv = process.env): boolean {
  const { parameterPath, containerRunner } = readCnfEnvironment(env);
  const onAwsLambda = parameterPath !== undefined && containerRunner !== true;
  return task.options.runtime === 'container' && onAwsLambda;
}

export { startsInContainer };
