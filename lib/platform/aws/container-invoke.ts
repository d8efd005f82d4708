import type { Task } from '@aws-sdk/client-ecs';
import { RUN_RESULT_MESSAGE } from '../../core/container-run.js';
import type { InvokeOptions, InvokePlan, RunFrame } from '../../core/platform.js';
import type { AdminEvent, RunResult } from '../../core/run.js';
import { pause } from './abortable.js';
import { outcomeOfStoppedTask } from './container-outcome.js';
import { startContainerTask, waitForStop, type EcsTarget } from './ecs-tasks.js';
import { filterEvents } from './log-events.js';
import { lineOf } from './log-lines.js';
import { runLog, type RunLogSource } from './run-logs.js';

/** One run of a container task, as the CLI starts and follows it. */
interface ContainerInvocation {
  readonly target: EcsTarget;
  readonly logs: RunLogSource;
  readonly plan: InvokePlan;
  readonly event: AdminEvent & { readonly runId: string };
  /** The release's task definition family. */
  readonly taskDefinition: string;
  readonly timeLimitSeconds: number;
  /** Between two DescribeTasks. */
  readonly pollMs: number;
}

/** The last part of an ARN: a task's id, a cluster's name. */
function lastPart(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

/**
 * Runs the event as a Fargate task and follows it to its end: RunTask (the
 * run id is its client token), then the run's log as it arrives (Live Tail,
 * or polling), while DescribeTasks watches the task; once the task has
 * stopped, the run result comes from its last log line, and the exit code
 * from the container, or from the stop reason when it did not end on its
 * own (see `outcomeOfStoppedTask`). Ctrl-C stops following; the task goes on.
 */
async function* invokeContainer(run: ContainerInvocation, options: InvokeOptions = {}): AsyncGenerator<RunFrame> {
  const { target, event, logs } = run;
  const startedAt = Date.now();
  const taskArn = await startContainerTask(target, {
    taskDefinition: run.taskDefinition,
    event: { ...event, release: run.plan.release },
    timeLimitSeconds: run.timeLimitSeconds,
  });
  yield {
    type: 'notice',
    message: `Started ECS task ${lastPart(taskArn)} (${run.taskDefinition}) on cluster ${lastPart(target.record.cluster)}. Ctrl-C leaves it running; stop it with: cnf-admin stop ${event.runId} --stage ${target.stage}`,
  };
  // Following ends at Ctrl-C, at the run's `Run ended` line, or a while after the task has stopped without one.
  const follow = new AbortController();
  const onInterrupt = (): void => follow.abort();
  options.signal?.addEventListener('abort', onInterrupt, { once: true });
  let settle: NodeJS.Timeout | undefined;
  const stopped = waitForStop(target, taskArn, run.pollMs, options.signal);
  stopped.then(
    (task) => {
      if (task !== undefined) settle = setTimeout(() => follow.abort(), logs.settleMs);
    },
    () => follow.abort(),
  );
  try {
    let ended: RunResult | undefined;
    for await (const frame of runLog(logs, event.runId, { follow: true, signal: follow.signal, startedAt })) {
      if (frame.type === 'result') {
        ended = frame.result;
        break;
      }
      yield frame;
    }
    const task = await stopped;
    if (task === undefined || options.signal?.aborted === true) return;
    const result = await runResultLine(logs, event.runId, startedAt, ended !== undefined, options.signal);
    yield* finalFrames(run, task, result ?? ended, startedAt);
  } finally {
    clearTimeout(settle);
    options.signal?.removeEventListener('abort', onInterrupt);
  }
}

/** The run's result as its container stopped: its own, unless the task was stopped from outside. */
function* finalFrames(run: ContainerInvocation, task: Task, own: RunResult | undefined, startedAt: number): Generator<RunFrame> {
  const outcome = outcomeOfStoppedTask(task, run.target.record.containerName);
  const base = { runId: run.event.runId, task: run.event.task, release: run.plan.release, durationMs: Date.now() - startedAt };
  if (outcome.error !== undefined) {
    yield { type: 'notice', message: outcome.error.message };
    yield { type: 'result', result: { ...base, ...(own?.output === undefined ? {} : { output: own.output }), ...outcome } };
    return;
  }
  // The container's exit code is the run's; a result line that says otherwise lost to it.
  yield { type: 'result', result: own === undefined ? { ...base, exitCode: outcome.exitCode } : { ...own, exitCode: outcome.exitCode } };
}

/**
 * The run result from the container's last line (`Run result`), waiting for
 * CloudWatch to deliver it for up to the settle time when the run is known
 * to have ended, or reading once otherwise (a run refused before it began).
 */
async function runResultLine(
  logs: RunLogSource,
  runId: string,
  startedAt: number,
  expected: boolean,
  signal?: AbortSignal,
): Promise<RunResult | undefined> {
  const giveUpAt = Date.now() + (expected ? logs.settleMs : 0);
  for (;;) {
    const events = await filterEvents(logs, { filterPattern: `"${RUN_RESULT_MESSAGE}" "${runId}"`, startTime: startedAt - 60_000 });
    for (const event of events) {
      const result = resultOf(lineOf(event), runId);
      if (result !== undefined) return result;
    }
    if (Date.now() >= giveUpAt || !(await pause(logs.pollMs, signal))) return undefined;
  }
}

function resultOf(line: string, runId: string): RunResult | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line) as { message?: unknown; runId?: unknown; result?: RunResult };
    return entry.message === RUN_RESULT_MESSAGE && entry.runId === runId && typeof entry.result?.exitCode === 'number'
      ? entry.result
      : undefined;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

export { invokeContainer };
export type { ContainerInvocation };
