import type { ECSClient, Task } from './sdk/ecs.js';
import type { ContainerRecord } from '../../core/stage-record.js';
import { pause } from '../../core/abortable.js';
import { callAws } from './aws-errors.js';
import { NEW_TASK_READ_LAG_MS } from '../../core/container-outcome.js';

/** One stage's container tasks, as the CLI watches them (it never starts or stops them: the admin function does). */
interface EcsTarget {
  readonly ecs: ECSClient;
  readonly record: ContainerRecord;
  readonly stage: string;
}

/*
 * ECS may not know a task it has just started (its reads are eventually
 * consistent): so many MISSING answers in a row mean it is gone, once ECS
 * has told the task, or after a minute of watching one it never told.
 */
const MISSING_ANSWERS = 5;

/* The states of a task that Fargate has not started yet. */
const STARTING = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);

/** How {@link waitForStop} watches a task. */
interface StopWatch {
  /** Between two DescribeTasks. */
  readonly pollMs: number;
  /** Ctrl-C: stop watching (the task goes on). */
  readonly signal?: AbortSignal | undefined;
  /** After how long a task still starting is told, once. @default 60000 */
  readonly slowStartMs?: number;
  /** How long a task ECS has never told may be MISSING before it counts as gone. @default 60000 */
  readonly neverToldMs?: number;
  /** Told once when the task is still starting (its status, how long it has waited). */
  readonly onSlowStart?: (status: string, waitedMs: number) => void;
}

/**
 * Polls DescribeTasks until the task has stopped, and returns it. (The
 * SDK's `waitUntilTasksStopped` retries on every error, a missing
 * permission included, until its maximum wait; this fails at once on an
 * error the SDK did not retry, and ends at Ctrl-C.) A task that ECS answers
 * MISSING, answer after answer, has gone: `missing` (one it has never told
 * is given a minute: it may have just started). A task still starting
 * after `slowStartMs` is told to `onSlowStart`, once.
 *
 * @returns the stopped task, `missing`, or undefined when `signal` aborted first
 */
async function waitForStop(target: EcsTarget, taskArn: string, watch: StopWatch): Promise<Task | 'missing' | undefined> {
  const since = Date.now();
  let missing = 0;
  let seen = false;
  let told = false;
  for (;;) {
    const task = await describeTask(target, taskArn);
    if (task?.lastStatus === 'STOPPED') return task;
    seen ||= task !== undefined;
    missing = task === undefined ? missing + 1 : 0;
    const waited = Date.now() - since;
    if (missing >= MISSING_ANSWERS && (seen || waited >= (watch.neverToldMs ?? NEW_TASK_READ_LAG_MS))) return 'missing';
    if (!told && STARTING.has(task?.lastStatus ?? '') && waited >= (watch.slowStartMs ?? 60_000)) {
      told = true;
      watch.onSlowStart?.(task?.lastStatus as string, waited);
    }
    if (!(await pause(watch.pollMs, watch.signal))) return undefined;
  }
}

/** The task as DescribeTasks tells it, or undefined when ECS no longer knows it. */
async function describeTask(target: EcsTarget, taskArn: string): Promise<Task | undefined> {
  // Loaded with a stage's first container call, as its client is (aws-clients.ts): most commands make none.
  const { DescribeTasksCommand } = await import('./sdk/ecs.js');
  const answer = await callAws({ action: 'ecs:DescribeTasks', resource: `task ${taskArn}`, stage: target.stage }, () =>
    target.ecs.send(new DescribeTasksCommand({ cluster: target.record.cluster, tasks: [taskArn] })),
  );
  return answer.tasks?.[0];
}

export { describeTask, waitForStop };
export type { EcsTarget, StopWatch };
