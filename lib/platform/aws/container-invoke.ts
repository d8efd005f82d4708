import type { Task } from './sdk/ecs.js';
import { RUN_RESULT_MESSAGE, type ContainerStarted } from '../../core/container-run.js';
import type { InvokeOptions, InvokePlan, RunFrame } from '../../core/platform.js';
import type { AdminEvent, RunError, RunRecord, RunResult } from '../../core/run.js';
import { pause } from '../../core/abortable.js';
import { outcomeOfMissingTask, outcomeOfStoppedTask, withoutEcsWords, type ContainerOutcome } from '../../core/container-outcome.js';
import { waitForStop, type EcsTarget } from './ecs-tasks.js';
import type { AdminInvocation } from './invoke-buffered.js';
import { invokeStreaming } from './invoke-stream.js';
import { filterEvents } from './log-events.js';
import { LineTally, lineOf } from './log-lines.js';
import { runLog, type RunLogSource } from './run-logs.js';
import { isRunResult } from '../../core/run-result-schema.js';

/** One run of a container task, as the CLI asks the admin function for it and follows it. */
interface ContainerInvocation {
  /** The admin function at the planned version: the gate that validates, claims and starts the run. */
  readonly admin: AdminInvocation;
  readonly target: EcsTarget;
  readonly logs: RunLogSource;
  readonly plan: InvokePlan;
  readonly event: AdminEvent & { readonly runId: string };
  /** Between two DescribeTasks. */
  readonly pollMs: number;
  readonly throttleDelaysMs: readonly number[];
  /** Asks the admin function to record the end of a run whose task stopped without recording it (`cnf:settle`). */
  readonly settle: (runId: string) => Promise<RunRecord | undefined>;
}

/** The last part of an ARN: a task's id, a cluster's name. */
function lastPart(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

/**
 * Asks the admin function at the planned version to start the run as a
 * Fargate task, and follows it to its end. The function validates the task
 * and its args (a bad one is refused, 64, before any task starts), claims
 * the run id in the ledger (a retried run id gets the first run's outcome,
 * and the function's log says it already ran), and calls RunTask with the
 * event as the only override. Then the run's log shows as it arrives (Live
 * Tail, or polling), while DescribeTasks watches the task; once the task
 * has stopped, the run result comes from its last log line (the end the run
 * recorded), or, when it recorded none, from the stop reason (see
 * `outcomeOfStoppedTask`). Ctrl-C stops following; the task goes on.
 */
async function* invokeContainer(run: ContainerInvocation, options: InvokeOptions = {}): AsyncGenerator<RunFrame> {
  const { target, event } = run;
  const startedAt = Date.now();
  // The gate's lines, shown as it streamed them, are in the run's CloudWatch log too: shown once.
  const shown = new LineTally();
  const end = yield* invokeStreaming({ ...run.admin, event, release: run.plan.release }, shown, {
    throttleDelaysMs: run.throttleDelaysMs,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (end.kind === 'interrupted') return;
  if (end.kind === 'connection-lost') {
    yield {
      type: 'notice',
      message: `The connection to Lambda broke (${(end.error as Error).message}) while it started run ${event.runId}; see whether it runs with: cnf-admin runs show ${event.runId} --stage ${target.stage}`,
    };
    return;
  }
  const started = end.result.container;
  // A refusal (nothing started), a start that failed (recorded), or a run id that already ran: the function's answer is the outcome.
  if (started === undefined) {
    yield { type: 'result', result: end.result };
    return;
  }
  yield* followStartedContainer(run, started, startedAt, shown, options);
}

/**
 * Follows a run the admin function started as a Fargate task (its answer's
 * `container`) to its end: after {@link invokeContainer}'s start, and after
 * an invoke the CLI sent as a Lambda run, whose release runs the task in a
 * container where the live one does not (`--release` of an older release).
 *
 * @param startedAt - epoch ms: when the start was asked for
 * @param shown - the lines already shown, left out of the run's log
 */
async function* followStartedContainer(
  run: ContainerInvocation,
  started: ContainerStarted,
  startedAt: number,
  shown: LineTally,
  options: InvokeOptions = {},
): AsyncGenerator<RunFrame> {
  const { target, event, logs } = run;
  yield {
    type: 'notice',
    message: `Started ECS task ${lastPart(started.taskArn)} (${lastPart(started.taskDefinition)}) on cluster ${lastPart(started.cluster)}. Ctrl-C leaves it running; stop it with: cnf-admin stop ${event.runId} --stage ${target.stage}`,
  };
  yield* followContainerRun(
    {
      target,
      logs,
      runId: event.runId,
      task: event.task,
      release: run.plan.release,
      taskArn: started.taskArn,
      startedAt,
      settle: run.settle,
      pollMs: run.pollMs,
      shown,
    },
    options.signal,
  );
}

/** A container run that the CLI follows: its task, its log, and how to record an end the run could not record itself. */
interface FollowedContainerRun {
  readonly target: EcsTarget;
  readonly logs: RunLogSource;
  readonly runId: string;
  readonly task: string;
  readonly release: string;
  readonly taskArn: string;
  /** Epoch ms: when the run started, or a little before. */
  readonly startedAt: number;
  /** Asks the admin function to record the end of a run whose task stopped without recording it (`cnf:settle`). */
  readonly settle: (runId: string) => Promise<RunRecord | undefined>;
  readonly pollMs: number;
  /** Lines already shown (the gate's, as it streamed them), left out of the log. */
  readonly shown?: LineTally;
}

/**
 * Follows a container run to its end: its log as it arrives, while
 * DescribeTasks watches its task. Once the task has stopped, the result is
 * the run's own (its `Run result` line), as the ledger records it, or
 * what the stop tells (out of memory, an image that could not be pulled, a
 * stop). A run that could not record its end has it recorded by the admin
 * function (`cnf:settle`), so that `runs` and `logs` agree with what ECS saw.
 */
async function* followContainerRun(run: FollowedContainerRun, signal?: AbortSignal): AsyncGenerator<RunFrame> {
  const { target, logs } = run;
  // Following ends at Ctrl-C, at the run's `Run ended` line, or a while after the task has stopped without one.
  const follow = new AbortController();
  const onInterrupt = (): void => follow.abort();
  signal?.addEventListener('abort', onInterrupt, { once: true });
  let settle: NodeJS.Timeout | undefined;
  const stopped = waitForStop(target, run.taskArn, {
    pollMs: run.pollMs,
    signal,
    onSlowStart: (status, waitedMs) =>
      logs.progress?.note(
        `ECS task ${lastPart(run.taskArn)} is still ${status} after ${Math.round(waitedMs / 1000)} s (Fargate is starting it). Ctrl-C stops following; the task goes on: cnf-admin logs ${run.runId} --stage ${target.stage} --follow`,
      ),
  });
  stopped.then(
    (task) => {
      if (task !== undefined) settle = setTimeout(() => follow.abort(), logs.settleMs);
    },
    () => follow.abort(),
  );
  try {
    let ended: RunResult | undefined;
    const options = { follow: true, signal: follow.signal, startedAt: run.startedAt, container: true };
    for await (const frame of runLog(logs, run.runId, run.shown === undefined ? options : { ...options, shown: run.shown })) {
      if (frame.type === 'result') {
        ended = frame.result;
        break;
      }
      yield frame;
    }
    const task = await stopped;
    if (task === undefined || signal?.aborted === true) return;
    const own = await runResultLine(logs, run.runId, run.taskArn, run.startedAt, ended !== undefined, signal);
    yield* finalFrames(run, task, own ?? ended);
  } finally {
    clearTimeout(settle);
    signal?.removeEventListener('abort', onInterrupt);
  }
}

/**
 * The run's result as its container stopped (or ECS lost it). A run that recorded its own
 * end (its `Run result` or `Run ended` line) ends with that result, as the
 * ledger holds it, whatever ECS adds (a missing exit code, say). One that
 * could not ends with what the stop tells, as the admin function records it
 * (ECS's reasons without the stage's secrets).
 */
async function* finalFrames(run: FollowedContainerRun, task: Task | 'missing', own: RunResult | undefined): AsyncGenerator<RunFrame> {
  const outcome = task === 'missing' ? outcomeOfMissingTask(run.taskArn) : outcomeOfStoppedTask(task, run.target.record.containerName);
  if (own !== undefined) {
    // Why a stop from outside ended it is worth a word when ECS tells the same end: by its name alone, since ECS's own
    // words may quote a secure value, which only the admin function can take out.
    if (outcome.error !== undefined && outcome.exitCode === own.exitCode)
      yield { type: 'notice', message: `ECS tells the same end: ${outcome.error.name}${stopCodeOf(task)}.` };
    yield { type: 'result', result: own };
    return;
  }
  // No result line: the run could not record its end (killed, never started); the admin function records what ECS says.
  let settled: RunRecord | undefined;
  let unsettled = false;
  try {
    settled = await run.settle(run.runId);
  } catch (error) {
    unsettled = true;
    yield { type: 'notice', message: `Could not record the end of run ${run.runId} in the ledger: ${(error as Error).message}` };
  }
  // Shown as recorded: the admin function took the stage's secrets out of ECS's reasons, and the CLI never reads them.
  // Where it could not record the end, ECS's words are not shown at all: the end is told by its name and code.
  const ended = unsettled
    ? withoutEcsWords(
        outcome,
        task === 'missing' ? undefined : task.stopCode,
        'which only the admin function can take out, and it could not record the end',
      )
    : settled?.endedAt === undefined || settled.exitCode === undefined
      ? outcome
      : recordedOutcome(settled.exitCode, settled.error);
  const base = { runId: run.runId, task: run.task, release: run.release, durationMs: Date.now() - run.startedAt };
  if (ended.error !== undefined) yield { type: 'notice', message: ended.error.message };
  yield { type: 'result', result: { ...base, ...ended } };
}

/** ` (<stopCode>)` of a stopped task, where ECS gave one: a word of ECS's own vocabulary, never free text. */
function stopCodeOf(task: Task | 'missing'): string {
  return task === 'missing' || task.stopCode === undefined ? '' : ` (${task.stopCode})`;
}

function recordedOutcome(exitCode: number, error: RunError | undefined): ContainerOutcome {
  return error === undefined ? { exitCode } : { exitCode, error };
}

/**
 * The run result from the container's last line (`Run result`), waiting for
 * CloudWatch to deliver it for up to the settle time when the run is known
 * to have ended, or reading once otherwise (a run refused before it began).
 */
async function runResultLine(
  logs: RunLogSource,
  runId: string,
  taskArn: string,
  startedAt: number,
  expected: boolean,
  signal?: AbortSignal,
): Promise<RunResult | undefined> {
  const giveUpAt = Date.now() + (expected ? logs.settleMs : 0);
  const taskId = taskArn.split('/').pop() ?? taskArn;
  for (;;) {
    const events = await filterEvents(logs, { filterPattern: `"${RUN_RESULT_MESSAGE}" "${runId}"`, startTime: startedAt - 60_000 });
    // This task's (its stream ends with the task's id): an earlier attempt of the run id in a task of its own, taken over by
    // this one, may have one too.
    const own = events.filter((event) => event.logStreamName === undefined || event.logStreamName.endsWith(`/${taskId}`));
    const result = own.map((event) => resultOf(lineOf(event), runId)).findLast((found) => found !== undefined);
    if (result !== undefined) return result;
    if (Date.now() >= giveUpAt || !(await pause(logs.pollMs, signal))) return undefined;
  }
}

function resultOf(line: string, runId: string): RunResult | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line) as { message?: unknown; runId?: unknown; result?: unknown };
    return entry.message === RUN_RESULT_MESSAGE && entry.runId === runId && isRunResult(entry.result) ? entry.result : undefined;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

export { followContainerRun, followStartedContainer, invokeContainer };
export type { ContainerInvocation, FollowedContainerRun };
