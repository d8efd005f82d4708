import type { Task } from '../define-task.js';

/** The environment variable the container runner sets: this process is a container task. */
const CONTAINER_RUNNER_VARIABLE = 'CNF_CONTAINER_RUNNER';

/**
 * Whether the admin function must start `task` as a Fargate task instead of
 * running it: a container task (`runtime: 'container'`) on an AWS stage
 * runs only in a container, never in the admin function, where Lambda would
 * stop it at 15 minutes. The container runner runs it; the local stage runs
 * every task as a local process.
 */
function startsInContainer(task: Task, env: NodeJS.ProcessEnv = process.env): boolean {
  const onAwsLambda = env.CNF_PARAMETER_PATH !== undefined && env[CONTAINER_RUNNER_VARIABLE] !== 'true';
  return task.options.runtime === 'container' && onAwsLambda;
}

export { CONTAINER_RUNNER_VARIABLE, startsInContainer };
