/**
 * Exit codes of `cnf-admin`, as the design fixes them.
 *
 * 0..63 belong to the task: they are passed through exactly. The rest follow
 * sysexits where one fits, so that CI scripts can tell "the migration failed"
 * from "the tool could not reach the stage".
 */
const ExitCode = {
  /** The task succeeded. */
  OK: 0,
  /** A task threw: the error's name and message are in the run result. */
  TASK_FAILED: 1,
  /** The highest code a task may set itself. */
  TASK_MAX: 63,
  /** Usage: unknown task, args that fail the schema, bad flags. Nothing ran. */
  USAGE: 64,
  /** Data error (EX_DATAERR): the application's bundle did not build. Nothing ran. */
  BUILD_FAILED: 65,
  /** Unavailable: stage not deployed, function or alias missing. */
  UNAVAILABLE: 69,
  /**
   * Software error (EX_SOFTWARE): the run crashed without a result (out of
   * memory, killed by a signal), or cnf-admin itself failed unexpectedly.
   */
  SOFTWARE: 70,
  /** Try again later: the task's lock is held, or the platform throttled. */
  TEMP_FAIL: 75,
  /** Permission denied; the message names the missing action. */
  NO_PERMISSION: 77,
  /** The web and admin aliases point at different releases. */
  RELEASE_MISMATCH: 78,
  /** The task hit its timeout. */
  TIMEOUT: 124,
  /** Interrupted at the terminal with Ctrl-C. */
  INTERRUPTED: 130,
} as const;

/** One of the named exit codes. */
type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Whether `code` is one a task may set for itself (an integer in 0..63).
 *
 * @example
 * isTaskExitCode(3); // true
 * isTaskExitCode(64); // false: reserved for usage errors
 */
function isTaskExitCode(code: unknown): code is number {
  return Number.isInteger(code) && (code as number) >= 0 && (code as number) <= ExitCode.TASK_MAX;
}

export { ExitCode, isTaskExitCode };
export type { ExitCodeValue };
