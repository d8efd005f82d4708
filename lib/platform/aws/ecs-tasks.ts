import { DescribeTasksCommand, ListTasksCommand, RunTaskCommand, StopTaskCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { TryAgainError, UnavailableError, UsageError } from '../../core/errors.js';
import { clientTokenOf, startedByOf } from '../../core/container-run.js';
import type { AdminEvent } from '../../core/run.js';
import type { ContainerRecord } from '../../core/stage-record.js';
import { pause } from './abortable.js';
import { callAws } from './aws-errors.js';

/** The container overrides of one RunTask may hold at most 8 KiB (ECS's limit), the event included. */
const OVERRIDES_MAX_BYTES = 8192;

/** One stage's container tasks, as the CLI reaches them. */
interface EcsTarget {
  readonly ecs: ECSClient;
  readonly record: ContainerRecord;
  readonly stage: string;
}

/** What starts one run as a container task. */
interface ContainerStart {
  /** The task definition: the release's family (its latest revision), or a full ARN. */
  readonly taskDefinition: string;
  readonly event: AdminEvent & { readonly runId: string };
  /** The run's time limit, which the container runner counts down. */
  readonly timeLimitSeconds: number;
}

/** The environment variables RunTask's override gives the container: the event, and its time limit. */
function overridesOf(start: ContainerStart) {
  return [
    { name: 'CNF_ADMIN_EVENT', value: JSON.stringify(start.event) },
    { name: 'CNF_TIME_LIMIT_SECONDS', value: String(start.timeLimitSeconds) },
  ];
}

/**
 * Starts the run as a Fargate task (RunTask). The run id is the
 * `clientToken`, so a retried RunTask (the SDK retries it on a network error
 * or a throttle) starts nothing twice; it is also the task's `startedBy`,
 * by which `stop` finds it.
 *
 * @returns the task's ARN
 * @throws UsageError (64) when the event is too large for RunTask's overrides;
 *   TryAgainError (75) when Fargate has no capacity; UnavailableError (69) when
 *   the task definition is missing or ECS refuses the task; PermissionError (77).
 */
async function startContainerTask(target: EcsTarget, start: ContainerStart): Promise<string> {
  const { record } = target;
  const environment = overridesOf(start);
  const size = Buffer.byteLength(JSON.stringify(environment));
  if (size > OVERRIDES_MAX_BYTES - 512) {
    throw new UsageError(
      `The args of ${start.event.task} take ${size} bytes; a container task's event must fit in RunTask's 8 KiB of overrides.`,
      { hint: 'Pass large inputs by reference (an S3 key, a table name) instead of inline.' },
    );
  }
  const answer = await callAws(
    { action: 'ecs:RunTask', resource: `task definition ${start.taskDefinition} on cluster ${record.cluster}`, stage: target.stage },
    () =>
      target.ecs.send(
        new RunTaskCommand({
          cluster: record.cluster,
          taskDefinition: start.taskDefinition,
          launchType: 'FARGATE',
          count: 1,
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: [...record.subnets],
              securityGroups: [...record.securityGroups],
              assignPublicIp: record.assignPublicIp ? 'ENABLED' : 'DISABLED',
            },
          },
          overrides: { containerOverrides: [{ name: record.containerName, environment }] },
          clientToken: clientTokenOf(start.event.runId),
          startedBy: startedByOf(start.event.runId),
        }),
      ),
  );
  const task = answer.tasks?.[0];
  if (task?.taskArn !== undefined) return task.taskArn;
  const failure = answer.failures?.[0];
  const reason = `${failure?.reason ?? 'no task and no reason'}${failure?.detail === undefined ? '' : ` (${failure.detail})`}`;
  if (/capacity|RESOURCE:/i.test(reason)) {
    throw new TryAgainError(`ECS has no capacity for run ${start.event.runId} now: ${reason}; nothing started.`, {
      hint: 'Try again in a few minutes, with the same --run-id.',
    });
  }
  if (/MISSING|INACTIVE/i.test(reason)) {
    throw new UnavailableError(`Task definition ${start.taskDefinition} cannot run: ${reason}; nothing started.`, {
      hint: `Deploy the release to stage ${target.stage} (its container tasks need its task definition), or pick a retained one with --release.`,
    });
  }
  throw new UnavailableError(`ECS did not start run ${start.event.runId}: ${reason}.`);
}

/**
 * Polls DescribeTasks until the task has stopped, and returns it. (The
 * SDK's `waitUntilTasksStopped` retries on every error, a missing
 * permission included, until its maximum wait; this fails at once on an
 * error the SDK did not retry, and ends at Ctrl-C.)
 *
 * @returns the stopped task, or undefined when `signal` aborted first
 */
async function waitForStop(target: EcsTarget, taskArn: string, pollMs: number, signal?: AbortSignal): Promise<Task | undefined> {
  for (;;) {
    const task = await describeTask(target, taskArn);
    if (task?.lastStatus === 'STOPPED') return task;
    if (!(await pause(pollMs, signal))) return undefined;
  }
}

/** The task as DescribeTasks tells it, or undefined when ECS no longer knows it. */
async function describeTask(target: EcsTarget, taskArn: string): Promise<Task | undefined> {
  const answer = await callAws({ action: 'ecs:DescribeTasks', resource: `task ${taskArn}`, stage: target.stage }, () =>
    target.ecs.send(new DescribeTasksCommand({ cluster: target.record.cluster, tasks: [taskArn] })),
  );
  return answer.tasks?.[0];
}

/**
 * The ARNs of the tasks that run `runId` and have not stopped: ListTasks by
 * `startedBy`. One page holds them all: a run id starts one task (RunTask's
 * client token keeps a retry from starting a second).
 */
async function tasksOfRun(target: EcsTarget, runId: string): Promise<string[]> {
  const answer = await callAws({ action: 'ecs:ListTasks', resource: `cluster ${target.record.cluster}`, stage: target.stage }, () =>
    target.ecs.send(new ListTasksCommand({ cluster: target.record.cluster, startedBy: startedByOf(runId), maxResults: 100 })),
  );
  return answer.taskArns ?? [];
}

/** Stops a task (StopTask: SIGTERM, then SIGKILL after the container's stop timeout), saying who and why. */
async function stopContainerTask(target: EcsTarget, taskArn: string, reason: string): Promise<Task | undefined> {
  const answer = await callAws({ action: 'ecs:StopTask', resource: `task ${taskArn}`, stage: target.stage }, () =>
    target.ecs.send(new StopTaskCommand({ cluster: target.record.cluster, task: taskArn, reason: reason.slice(0, 255) })),
  );
  return answer.task;
}

export { describeTask, startContainerTask, stopContainerTask, tasksOfRun, waitForStop };
export type { ContainerStart, EcsTarget };
