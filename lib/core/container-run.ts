import { createHash } from 'node:crypto';
import type { StageRecord } from './stage-record.js';

/** The name of the admin container in a container task's task definition. */
const ADMIN_CONTAINER_NAME = 'admin';

/** The awslogs stream prefix of container tasks: their streams are `task/admin/<task id>` in the admin log group. */
const CONTAINER_LOG_STREAM_PREFIX = 'task';

/** The message of a container task's last log line, which carries its whole run result as `result`. */
const RUN_RESULT_MESSAGE = 'Run result';

/** RunTask's `clientToken` is at most 64 characters. */
const CLIENT_TOKEN_MAX = 64;

/**
 * The task definition family of a release's container tasks:
 * `<app>-<stage>-admin-<release>`. One family per release, so that the CLI
 * names the release's task definition without looking it up, and a
 * retained release's stays registered beside the new one.
 *
 * @example
 * taskFamilyOf('notes', 'prod', 'r-0123456789ab'); // 'notes-prod-admin-r-0123456789ab'
 */
function taskFamilyOf(app: string, stage: string, release: string): string {
  return `${app}-${stage}-admin-${release}`;
}

/**
 * The `startedBy` of a run's ECS task, by which `cnf-admin stop` finds it:
 * the run id, with `.` (which `startedBy` does not allow) written as `/`
 * (which run ids never hold), so that no two run ids share one.
 */
function startedByOf(runId: string): string {
  return runId.replaceAll('.', '/');
}

/**
 * RunTask's `clientToken` for a run: the run id itself when it fits in 64
 * characters (a retried RunTask then starts nothing twice), else a hash of it.
 */
function clientTokenOf(runId: string): string {
  return runId.length <= CLIENT_TOKEN_MAX ? runId : createHash('sha256').update(runId).digest('hex').slice(0, CLIENT_TOKEN_MAX);
}

/** The container task `task` is on the stage, with its time limit, or undefined when it runs on Lambda there. */
function containerTaskOf(record: StageRecord, task: string): { readonly name: string; readonly timeLimitSeconds: number } | undefined {
  return record.container?.tasks.find((candidate) => candidate.name === task);
}

export { ADMIN_CONTAINER_NAME, clientTokenOf, CONTAINER_LOG_STREAM_PREFIX, containerTaskOf, RUN_RESULT_MESSAGE, startedByOf, taskFamilyOf };
