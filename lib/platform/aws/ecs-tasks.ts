import type { ECSClient, Task } from '@aws-sdk/client-ecs';
import type { ContainerRecord } from '../../core/stage-record.js';
import { pause } from '../../core/abortable.js';
import { callAws } from './aws-errors.js';

/** One stage's container tasks, as the CLI watches them (it never starts or stops them: the admin function does). */
interface EcsTarget {
  readonly ecs: ECSClient;
  readonly record: ContainerRecord;
  readonly stage: string;
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
  // Loaded with a stage's first container call, as its client is (aws-clients.ts): most commands make none.
  const { DescribeTasksCommand } = await import('@aws-sdk/client-ecs');
  const answer = await callAws({ action: 'ecs:DescribeTasks', resource: `task ${taskArn}`, stage: target.stage }, () =>
    target.ecs.send(new DescribeTasksCommand({ cluster: target.record.cluster, tasks: [taskArn] })),
  );
  return answer.tasks?.[0];
}

export { describeTask, waitForStop };
export type { EcsTarget };
