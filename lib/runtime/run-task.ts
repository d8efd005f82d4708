import type { Logger } from '@aws-lambda-powertools/logger';
import { ExitCode, isTaskExitCode } from '../core/exit-codes.js';
import { TIMEOUT_ERROR } from '../core/run-status.js';
import { STOPPED_BY_USER, stoppedMessage, STOPPING_TASK, TASK_THREW, TASK_THREW_AFTER_STOP } from '../core/run-log.js';
import type { RunError } from '../core/run.js';
import type { Task, TaskContext } from './define-task.js';
import { catchUncaught } from './uncaught-errors.js';
import { jsonSafe } from './json-safe.js';
import { trapProcessExit, type ProcessExitCalled } from './process-exit-trap.js';
import { describeThrown, stackOf } from './thrown-value.js';

/*
 * After its signal fired (timeout, interrupt, lost lease), a task gets this
 * long to end; then the run ends without it, as its signal's reason says. A
 * task stuck on a promise that never settles still ends as what stopped it
 * (124 after a timeout), recorded, and the platform's kill (5 s on the local
 * stage) is never needed for it. It fits inside the admin handler's 3 s
 * safety margin before Lambda's own end, with time left to record the end.
 */
const STOP_GRACE_MS = 2_000;

/*
 * An interrupt asks: the task may finish its work on its own terms, and gets
 * longer to, though less than the 10 s after which the local stage kills it.
 */
const INTERRUPT_GRACE_MS = 8_000;

/** The words that say a task did not end within its grace after it was told to stop. */
function didNotEnd(graceMs: number): string {
  return `the task did not end within ${graceMs / 1000}s`;
}

/**
 * How a task that was asked to stop (an interrupt) ended, to follow `the
 * task was asked to stop and`: `stopped` (through its signal), `did not end
 * within 8s`, or `ended with exit 0` (it returned, threw, or hit its
 * timeout first).
 */
function stopEnding(outcome: TaskOutcome): string {
  if (outcome.exitCode === ExitCode.INTERRUPTED && outcome.error?.name === 'InterruptedError') {
    return outcome.error.message.endsWith(didNotEnd(INTERRUPT_GRACE_MS)) ? `did not end within ${INTERRUPT_GRACE_MS / 1000}s` : 'stopped';
  }
  return `ended with exit ${outcome.exitCode}${outcome.error === undefined ? '' : ` (${outcome.error.name})`}`;
}

/** Why a run was told to stop before it finished. */
class RunStoppedError extends Error {
  constructor(
    name: typeof TIMEOUT_ERROR | 'InterruptedError' | 'LeaseLostError',
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
    () => stop(new RunStoppedError(TIMEOUT_ERROR, `the task hit its timeout`, ExitCode.TIMEOUT)),
    Math.max(0, input.deadline - Date.now()),
  );
  // An interrupt whose reason is text says why (the local runner's owner went away); any other is the user's.
  const onInterrupt = (): void => {
    const reason: unknown = input.interrupt?.reason;
    stop(new RunStoppedError('InterruptedError', typeof reason === 'string' ? reason : STOPPED_BY_USER, ExitCode.INTERRUPTED));
  };
  // Taken by another run, or expired because its renewals failed (a read-only disk): the reason says which.
  const onLeaseLost = (): void => {
    const reason: unknown = input.leaseLost?.reason;
    const expired = reason instanceof Error && reason.name === 'LeaseExpiredError';
    const why = expired ? `the lock lease was lost: ${lowerFirst(reason.message)}` : 'the lock lease was lost to another run';
    stop(new RunStoppedError('LeaseLostError', why, ExitCode.TEMP_FAIL));
  };
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
    exitCode: ExitCode.OK,
  };
  const marked = (outcome: TaskOutcome): TaskOutcome => (interruptedAt === undefined ? outcome : { ...outcome, interruptedAt });
  const trap = trapProcessExit();
  // An error the task leaves uncaught (a callback that throws, a promise nobody awaits) ends it as a throw would.
  const uncaught = catchUncaught();
  let graceTimer: NodeJS.Timeout | undefined;
  const graceMs = (): number =>
    (controller.signal.reason as RunStoppedError).name === 'InterruptedError' ? INTERRUPT_GRACE_MS : STOP_GRACE_MS;
  const gaveUp = new Promise<'gave-up'>((resolve) => {
    controller.signal.addEventListener('abort', () => {
      graceTimer = setTimeout(() => resolve('gave-up'), graceMs());
    });
  });
  try {
    const ended = await Promise.race([
      task.run(context).then(
        (output) => ({ kind: 'returned' as const, output }),
        (error: unknown) => ({ kind: 'threw' as const, error }),
      ),
      trap.called.then((call) => ({ kind: 'exited' as const, call })),
      uncaught.caught.then(({ error }) => ({ kind: 'threw' as const, error })),
      gaveUp,
    ]);
    if (ended === 'gave-up') {
      const reason = controller.signal.reason as RunStoppedError;
      input.log.warn(`The task did not stop within ${graceMs() / 1000}s after it was told to: the run ends without it`);
      return marked({
        exitCode: reason.exitCode,
        error: {
          name: reason.name,
          message: stoppedMessage(`${reason.message}; ${didNotEnd(graceMs())}`),
        },
      });
    }
    const exitCall = trap.firstCall();
    if (exitCall !== undefined) return marked(exitedOutcome(exitCall, input.log));
    if (ended.kind === 'exited') return marked(exitedOutcome(ended.call, input.log));
    if (ended.kind === 'returned') {
      if (interruptedAt !== undefined) input.log.warn('The task returned after it was asked to stop: its exit code stands');
      return marked(stoppedOutcome(controller.signal, undefined) ?? finishedOutcome(context.exitCode, ended.output));
    }
    const { error } = ended;
    const stopped = stoppedOutcome(controller.signal, error);
    // A task that stopped through its signal did what it was asked: one line says so (the stop's), no stack.
    if (stopped === undefined || !endedThroughSignal(error, controller.signal.reason as RunStoppedError)) {
      input.log.error(controller.signal.aborted ? TASK_THREW_AFTER_STOP : TASK_THREW, asError(error));
    }
    return marked(stopped ?? { exitCode: ExitCode.TASK_FAILED, error: runErrorOf(error) });
  } finally {
    uncaught.release();
    trap.restore();
    clearTimeout(graceTimer);
    clearTimeout(timer);
    input.interrupt?.removeEventListener('abort', onInterrupt);
    input.leaseLost?.removeEventListener('abort', onLeaseLost);
  }
}

/**
 * A task that called `process.exit(code)`: its run ends with that code, as a
 * task's `exitCode` would (0..63; anything else is a failure, 1).
 */
function exitedOutcome(call: ProcessExitCalled, log: Logger): TaskOutcome {
  const code = typeof call.code === 'string' && /^\d+$/.test(call.code) ? Number(call.code) : call.code;
  const outcome = finishedOutcome(code, undefined);
  // A code a task cannot end with (99) is a failure: the line says so, rather than promise that code.
  log.warn(
    outcome.error === undefined
      ? `${call.message}: the run ends with its code`
      : `${call.message}: a task's exit code is 0..63, so the run fails (exit ${outcome.exitCode})`,
  );
  return outcome;
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
  return { exitCode: reason.exitCode, error: { name: reason.name, message: stoppedMessage(reason.message) } };
}

/** Whether a thrown value is the signal's reason, or the `AbortError` that an API given the signal threw for it. */
function endedThroughSignal(thrown: unknown, reason: RunStoppedError): boolean {
  if (thrown === undefined) return false;
  if (thrown === reason) return true;
  try {
    return isErrorLike(thrown) && (thrown.cause === reason || thrown.name === 'AbortError');
  } catch {
    return false; // a getter or proxy trap that throws
  }
}

function finishedOutcome(exitCode: unknown, output: unknown): TaskOutcome {
  if (!isTaskExitCode(exitCode)) {
    return {
      exitCode: ExitCode.TASK_FAILED,
      error: { name: 'TaskExitCodeError', message: `A task's exit code must be an integer in 0..63, got: ${String(exitCode)}` },
    };
  }
  const safe = jsonSafe(output);
  return safe === undefined ? { exitCode } : { exitCode, output: safe };
}

/** Whether a thrown value is an error, from this realm or another (code evaluated in a V8 context). */
function isErrorLike(error: unknown): error is Error {
  try {
    return error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error && 'message' in error);
  } catch {
    return false; // a proxy whose traps throw
  }
}

/** The name and message of anything thrown; never its stack, and never a throw of its own. */
function runErrorOf(error: unknown): RunError {
  return describeThrown(error);
}

/** Anything thrown, as an Error of this realm that the logger prints with its stack. */
function asError(error: unknown): Error {
  if (isOwnError(error) && describeThrown(error).message === readMessage(error)) return withEndingCauses(error);
  const { name, message } = describeThrown(error);
  const copy = new Error(message);
  copy.name = name;
  // Without a stack of its own, the copy has none: this module's frames would say nothing of the task.
  copy.stack = stackOf(error) ?? `${name}: ${message}`;
  return copy;
}

/**
 * `error` as it is, or, where its `cause` chain comes back to an error of
 * the chain (`error.cause = error`), a copy of the chain that ends before
 * the repeat: the logger formats the chain one cause within another, and a
 * cycle would overflow its stack and crash the run (70) instead of failing
 * it (1).
 */
function withEndingCauses(error: Error): Error {
  const seen = new Set<unknown>();
  for (let link: unknown = error; link instanceof Error; link = link.cause) {
    if (seen.has(link)) return chainCopy(error, new Set());
    seen.add(link);
  }
  return error;
}

/** A copy of `error` (its own enumerable properties, name, message and stack) and of its causes, up to the first repeat. */
function chainCopy(error: Error, seen: Set<Error>): Error {
  seen.add(error);
  const { cause } = error;
  const copy: Error = Object.assign(new Error(error.message), error, { name: error.name, stack: error.stack });
  delete copy.cause;
  if (!(cause instanceof Error)) copy.cause = cause;
  else if (!seen.has(cause)) copy.cause = chainCopy(cause, seen);
  return copy;
}

/** Whether a thrown value is an Error of this realm (a proxy whose traps throw is not). */
function isOwnError(error: unknown): error is Error {
  try {
    return error instanceof Error;
  } catch {
    return false;
  }
}

function readMessage(error: Error): string | undefined {
  try {
    return typeof error.message === 'string' ? error.message : undefined;
  } catch {
    return undefined;
  }
}

/** `The lease expired…` → `the lease expired…`, to follow a colon. */
function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

export { runErrorOf, runTask, stopEnding };
export type { TaskOutcome, TaskRunInput };
