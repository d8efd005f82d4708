import type { Logger } from '@aws-lambda-powertools/logger';
import { ExitCode, isTaskExitCode } from '../core/exit-codes.js';
import { STOPPING_TASK, TASK_THREW, TASK_THREW_AFTER_STOP } from '../core/run-log.js';
import type { RunError } from '../core/run.js';
import type { Task, TaskContext } from './define-task.js';
import { catchUncaught } from './uncaught-errors.js';

/** Why a run was told to stop before it finished. */
class RunStoppedError extends Error {
  constructor(
    name: 'TimeoutError' | 'InterruptedError' | 'LeaseLostError',
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = name;
  }
}

/** How a task's run ended. */
interface TaskOutcome {
  readonly exitCode: number;
  readonly output?: unknown;
  readonly error?: RunError;
  /** ISO 8601: when an interrupt reached the run, if one did. */
  readonly interruptedAt?: string;
}

/** Everything a task run needs besides the task. */
interface TaskRunInput {
  readonly args: unknown;
  readonly config: Readonly<Record<string, string>>;
  readonly log: Logger;
  readonly runId: string;
  readonly release: string;
  readonly stage: string;
  /** Epoch milliseconds at which the task is told to stop (exit 124). */
  readonly deadline: number;
  /** Fires when the user interrupts the run (exit 130). */
  readonly interrupt?: AbortSignal;
  /** Fires when the task's lock lease was lost (exit 75). */
  readonly leaseLost?: AbortSignal;
}

/**
 * Runs a task to its end and says how it ended, never throwing.
 *
 * The task's signal fires at the deadline, on an interrupt, or when its lock
 * lease is lost. After the deadline or a lost lease, whatever the task does,
 * the run ends with 124 or 75. An interrupt asks, and the outcome tells what
 * the task did: one that stops through its signal (throws its reason, or an
 * `AbortError` it caused) ends with 130; one that returns, or throws an error
 * of its own, ends with its own exit code, and `interruptedAt` says it was
 * asked. Otherwise a returned value is the output, the task's `exitCode` is
 * the exit code, and a thrown error is exit code 1 with the stack in the log;
 * so is an error the task leaves uncaught, or a rejection it leaves unhandled.
 */
async function runTask(task: Task, input: TaskRunInput): Promise<TaskOutcome> {
  const controller = new AbortController();
  let interruptedAt: string | undefined;
  const stop = (error: RunStoppedError): void => {
    if (error.name === 'InterruptedError') interruptedAt ??= new Date().toISOString();
    if (!controller.signal.aborted) {
      input.log.warn(`${STOPPING_TASK}: ${error.message}`);
      controller.abort(error);
    }
  };
  const timer = setTimeout(
    () => stop(new RunStoppedError('TimeoutError', `the task hit its timeout`, ExitCode.TIMEOUT)),
    Math.max(0, input.deadline - Date.now()),
  );
  const onInterrupt = (): void => stop(new RunStoppedError('InterruptedError', 'interrupted by the user', ExitCode.INTERRUPTED));
  const onLeaseLost = (): void => stop(new RunStoppedError('LeaseLostError', 'the lock lease was lost to another run', ExitCode.TEMP_FAIL));
  input.interrupt?.addEventListener('abort', onInterrupt, { once: true });
  input.leaseLost?.addEventListener('abort', onLeaseLost, { once: true });
  if (input.interrupt?.aborted === true) onInterrupt();

  const context: TaskContext<unknown> = {
    args: input.args,
    config: input.config,
    log: input.log,
    signal: controller.signal,
    remainingTimeMs: () => Math.max(0, input.deadline - Date.now()),
    runId: input.runId,
    release: input.release,
    stage: input.stage,
    exitCode: 0,
  };
  const marked = (outcome: TaskOutcome): TaskOutcome => (interruptedAt === undefined ? outcome : { ...outcome, interruptedAt });
  // An error the task leaves uncaught (a callback that throws, a promise nobody awaits) ends it as a throw would.
  const uncaught = catchUncaught();
  try {
    const running = Promise.resolve(task.run(context));
    // Once the run has ended by an uncaught error, the task's own end no longer counts, a late rejection included.
    running.catch(() => undefined);
    const output = await Promise.race([running, uncaught.caught.then(({ error }) => Promise.reject(error))]);
    if (interruptedAt !== undefined) input.log.warn('The task returned after it was asked to stop: its exit code stands');
    return marked(stoppedOutcome(controller.signal, undefined) ?? finishedOutcome(context.exitCode, output));
  } catch (error) {
    const stopped = stoppedOutcome(controller.signal, error);
    input.log.error(controller.signal.aborted ? TASK_THREW_AFTER_STOP : TASK_THREW, asError(error));
    return marked(stopped ?? { exitCode: ExitCode.TASK_FAILED, error: runErrorOf(error) });
  } finally {
    uncaught.release();
    clearTimeout(timer);
    input.interrupt?.removeEventListener('abort', onInterrupt);
    input.leaseLost?.removeEventListener('abort', onLeaseLost);
  }
}

/**
 * The outcome of a run its signal stopped, or undefined when it ends on its
 * own terms. A timeout or a lost lease stops it whatever the task did; an
 * interrupt only when the task ended through the signal (`thrown`).
 */
function stoppedOutcome(signal: AbortSignal, thrown: unknown): TaskOutcome | undefined {
  if (!signal.aborted) return undefined;
  const reason = signal.reason as RunStoppedError;
  if (reason.name === 'InterruptedError' && !endedThroughSignal(thrown, reason)) return undefined;
  return { exitCode: reason.exitCode, error: { name: reason.name, message: `The run was stopped: ${reason.message}` } };
}

/** Whether a thrown value is the signal's reason, or the `AbortError` that an API given the signal threw for it. */
function endedThroughSignal(thrown: unknown, reason: RunStoppedError): boolean {
  if (thrown === undefined) return false;
  if (thrown === reason) return true;
  return isErrorLike(thrown) && (thrown.cause === reason || thrown.name === 'AbortError');
}

function finishedOutcome(exitCode: unknown, output: unknown): TaskOutcome {
  if (!isTaskExitCode(exitCode)) {
    return {
      exitCode: ExitCode.TASK_FAILED,
      error: { name: 'TaskExitCodeError', message: `A task's exit code must be an integer in 0..63, got: ${String(exitCode)}` },
    };
  }
  return output === undefined ? { exitCode } : { exitCode, output };
}

/** Whether a thrown value is an error, from this realm or another (code evaluated in a V8 context). */
function isErrorLike(error: unknown): error is Error {
  return error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error && 'message' in error);
}

/** The name and message of anything thrown; never its stack. */
function runErrorOf(error: unknown): RunError {
  if (isErrorLike(error)) return { name: String(error.name), message: String(error.message) };
  return { name: 'Error', message: String(error) };
}

/** Anything thrown, as an Error of this realm that the logger prints with its stack. */
function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  const { name, message } = runErrorOf(error);
  const copy = new Error(message);
  copy.name = name;
  if (isErrorLike(error) && typeof error.stack === 'string') copy.stack = error.stack;
  return copy;
}

export { runErrorOf, runTask };
export type { TaskOutcome, TaskRunInput };
