import type { RunResult } from './run.js';

/*
 * The admin function's own lines about a run, as its structured log (one
 * JSON object a line, `message` and the run's `runId`, `task`, `release`)
 * carries them. The runtime writes them; the AWS platform reads a run's
 * result from its `Run ended` line in CloudWatch, and the console leaves
 * them out of what it shows. Both sides take the wording from here.
 */

/**
 * The keys of every line of a run's log: those the Powertools logger writes
 * (lib/runtime/logger.ts; on Lambda, its context's too) and the run's own,
 * which it carries on every line.
 */
const RUN_LOG_LINE_KEYS: readonly string[] = [
  ...['level', 'message', 'timestamp', 'service', 'sampling_rate', 'xray_trace_id'],
  ...['function_arn', 'function_name', 'function_memory_size', 'function_request_id', 'cold_start'],
  ...['runId', 'task', 'release'],
];

/** The levels a line of a run's log is written at. */
const RUN_LOG_LEVELS: readonly string[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'];

/** The line that opens a run, with its source, caller, args and stage. */
const RUN_STARTED = 'Run started';

/** The line that closes a run: it carries {@link RunEndedFields}. */
const RUN_ENDED = 'Run ended';

/** The line logged when the task threw, with the error. */
const TASK_THREW = 'The task threw';

/** The same, when the task threw after it was told to stop (timeout, interrupt, lost lock). */
const TASK_THREW_AFTER_STOP = 'The task threw after it was told to stop';

/** Why a task is told to stop when the user interrupts it (Ctrl-C, SIGTERM, SIGHUP, `cnf-admin stop`). */
const STOPPED_BY_USER = 'interrupted by the user';

/**
 * The error message of a run its signal stopped: `The run was stopped: <why>`.
 * A run the user stopped, and that stopped as asked, has
 * `stoppedMessage(STOPPED_BY_USER)`: the CLI says only `stopped · exit 130`.
 */
function stoppedMessage(why: string): string {
  return `The run was stopped: ${why}`;
}

/** The line that says why the task is being stopped: `Stopping the task: <reason>`. */
const STOPPING_TASK = 'Stopping the task';

/** The words that say a local run's owner (the CLI that started it and wrote its log) went away. */
const OWNER_WENT_AWAY = 'went away: its terminal closed, or it was killed';

/**
 * Why a local run is interrupted when the process that started it (and
 * wrote its log) is gone: the reason its record's error then gives.
 *
 * @example
 * ownerGoneReason(4242); // 'the process that ran it (pid 4242) went away: its terminal closed, or it was killed'
 */
function ownerGoneReason(ownerPid: number): string {
  return `the process that ran it (pid ${ownerPid}) ${OWNER_WENT_AWAY}`;
}

/**
 * Whether a run's error says its owner went away ({@link ownerGoneReason}):
 * its log, which that process wrote, then ends where the process died.
 *
 * @example
 * endedByOwnerGone(stoppedMessage(ownerGoneReason(4242))); // true
 */
function endedByOwnerGone(message: string | undefined): boolean {
  return message?.includes(OWNER_WENT_AWAY) === true;
}

/** The admin function's bookkeeping lines, which a console session does not show. */
const BOOKKEEPING_MESSAGES: readonly string[] = [RUN_STARTED, RUN_ENDED, TASK_THREW];

/** What the `Run ended` line carries beside the run's keys. */
interface RunEndedFields {
  readonly exitCode: number;
  readonly durationMs: number;
  /** ISO 8601: when an interrupt reached the run, if one did (see RunResult.interruptedAt). */
  readonly interruptedAt?: string;
  /**
   * The run ended before its task started (`RunRecord.notStarted`): a retry
   * of its run id may run it, and that retry's `Run ended` is the run's end.
   */
  readonly notStarted?: true;
}

/**
 * The run's result from its `Run ended` line, if `line` is that line of the
 * run `runId`.
 *
 * @example
 * runEndedOf('{"message":"Run ended","runId":"r1","task":"migrate","release":"r-0123456789ab","exitCode":0,"durationMs":7}', 'r1');
 * // { runId: 'r1', task: 'migrate', release: 'r-0123456789ab', exitCode: 0, durationMs: 7 }
 */
function runEndedOf(line: string, runId: string): RunResult | undefined {
  if (!line.includes(RUN_ENDED)) return undefined;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (entry.message !== RUN_ENDED || entry.runId !== runId || typeof entry.exitCode !== 'number') return undefined;
    return {
      runId,
      task: String(entry.task ?? ''),
      release: String(entry.release ?? ''),
      exitCode: entry.exitCode,
      durationMs: typeof entry.durationMs === 'number' ? entry.durationMs : 0,
    };
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/**
 * Whether `line` is a `Run ended` line that says the run never started its
 * task ({@link RunEndedFields.notStarted}): a reader of the run's log takes
 * a later end for the run's, if there is one.
 */
function endedNotStarted(line: string): boolean {
  return line.includes('"notStarted":true') && line.includes(RUN_ENDED);
}

/**
 * Whether `line` is the `Run started` line of the run `runId`: its task has
 * begun (its lock, if it takes one, is held).
 *
 * @example
 * isRunStartedLine('{"message":"Run started","runId":"r1"}', 'r1'); // true
 */
function isRunStartedLine(line: string, runId: string): boolean {
  if (!line.includes(RUN_STARTED)) return false;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    return entry.message === RUN_STARTED && entry.runId === runId;
  } catch (error) {
    if (error instanceof SyntaxError) return false;
    throw error;
  }
}

export {
  BOOKKEEPING_MESSAGES,
  endedByOwnerGone,
  endedNotStarted,
  ownerGoneReason,
  isRunStartedLine,
  RUN_ENDED,
  RUN_LOG_LEVELS,
  RUN_LOG_LINE_KEYS,
  RUN_STARTED,
  runEndedOf,
  STOPPED_BY_USER,
  stoppedMessage,
  STOPPING_TASK,
  TASK_THREW,
  TASK_THREW_AFTER_STOP,
};
export type { RunEndedFields };
