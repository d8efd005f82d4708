import type { TaskCatalog, TaskInfo } from './task-catalog.js';

/**
 * Where a task runs on AWS: `lambda` (the admin function, at most 15
 * minutes) or `container` (a Fargate task from the same bundle, release,
 * config and ledger, for work longer than Lambda allows).
 *
 * @example
 * const runtime: TaskRuntime = 'container'; // options: { runtime, timeoutSeconds: 4 * 3600 }
 */
type TaskRuntime = 'lambda' | 'container';

/** The runtimes a task may declare. */
const TASK_RUNTIMES: readonly TaskRuntime[] = ['lambda', 'container'];

/** Lambda stops every invocation at 15 minutes: a Lambda task's `timeoutSeconds` may not exceed it. */
const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/**
 * How long a container task may run when it sets no `timeoutSeconds`: one
 * day, as Heroku's one-off dynos. Fargate itself has no limit; a bound keeps a
 * stuck task from running (and costing) forever.
 */
const CONTAINER_DEFAULT_TIMEOUT_SECONDS = 24 * 3600;

/**
 * The container runner ends a task's run this long after the task's own
 * timeout at the latest (the task sees its signal at the timeout, and has
 * this long to stop and record its end), as the admin function's timeout
 * does for a Lambda task.
 */
const CONTAINER_TIMEOUT_MARGIN_SECONDS = 60;

/** The runtime a task declares; tasks that declare none run on Lambda. */
function runtimeOf(task: { readonly runtime?: TaskRuntime }): TaskRuntime {
  return task.runtime ?? 'lambda';
}

/**
 * The time limit of a container task's whole run, in seconds: its own
 * timeout (or the default of a day) and a margin to record its end. The
 * container runner, and the local stage for such a task, count down from it.
 */
function containerTimeLimitSeconds(task: { readonly timeoutSeconds?: number }): number {
  return Math.ceil(task.timeoutSeconds ?? CONTAINER_DEFAULT_TIMEOUT_SECONDS) + CONTAINER_TIMEOUT_MARGIN_SECONDS;
}

/**
 * The release's tasks and scripts that run as Fargate tasks (`runtime:
 * 'container'`), by name: what the stage record lists, so that the CLI
 * follows their runs to their end.
 */
function containerTasksOf(catalog: TaskCatalog): TaskInfo[] {
  return [...catalog.tasks, ...catalog.scripts].filter((task) => runtimeOf(task) === 'container');
}

export {
  CONTAINER_DEFAULT_TIMEOUT_SECONDS,
  containerTasksOf,
  CONTAINER_TIMEOUT_MARGIN_SECONDS,
  containerTimeLimitSeconds,
  LAMBDA_MAX_TIMEOUT_SECONDS,
  runtimeOf,
  TASK_RUNTIMES,
};
export type { TaskRuntime };
