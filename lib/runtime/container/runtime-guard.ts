import type { Task } from '../define-task.js';

/** The environment variable the container runner sets: this process is a container task. */
const CONTAINER_RUNNER_VARIABLE = 'CNF_CONTAINER_RUNNER';

/**
 * Why `task` must not run in this process, or undefined when it may: a
 * container task (`runtime: 'container'`) runs on an AWS stage only as a
 * Fargate task, never in the admin function, where Lambda would stop it at
 * 15 minutes (a console test event, a stray schedule). The local stage runs
 * every task as a local process.
 */
function wrongRuntime(task: Task, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const onAwsLambda = env.CNF_PARAMETER_PATH !== undefined && env[CONTAINER_RUNNER_VARIABLE] !== 'true';
  if (task.options.runtime !== 'container' || !onAwsLambda) return undefined;
  return `Task ${task.name} runs as a container task (runtime: 'container'), on ECS Fargate, not in the admin function; nothing ran. Start it with: cnf-admin invoke ${task.name} --stage ${env.CNF_STAGE ?? '<stage>'}`;
}

export { CONTAINER_RUNNER_VARIABLE, wrongRuntime };
