import { ExitCode } from './exit-codes.js';
import { isRefusalName } from './refusal.js';
import type { RunRecord } from './run.js';

/**
 * How a run stands, in one word: what the `ui` page shows and filters by.
 *
 * - `running`: no end recorded yet;
 * - `succeeded`: exit 0;
 * - `failed`: any other exit code of its own, a timeout, a crash;
 * - `refused`: the admin function refused it, nothing of the task ran;
 * - `interrupted`: stopped by an interrupt (130);
 * - `lost`: its process died before it could record its end.
 *
 * @example
 * const shown: RunStatus = record.endedAt === undefined ? 'running' : record.exitCode === 0 ? 'succeeded' : 'failed';
 */
type RunStatus = 'running' | 'succeeded' | 'failed' | 'refused' | 'interrupted' | 'lost';

/** Every {@link RunStatus}, in the order a filter lists them. */
const RUN_STATUSES: readonly RunStatus[] = ['running', 'succeeded', 'failed', 'refused', 'interrupted', 'lost'];

/** The error name a lost run reads with (see `settledRecord`). */
const LOST_RUN_ERROR = 'RunLostError';

/** The error of a run that passed its timeout and was ended: by the runtime, or by the local runner that killed it. */
const TIMEOUT_ERROR = 'TimeoutError';

/** The error of a run whose admin function on AWS timed out before the run could record its end. */
const FUNCTION_TIMEOUT_ERROR = 'FunctionTimeoutError';

/**
 * Whether a run ended because it passed its timeout (124, by cnf-admin's
 * doing, not a code of the task's own), on either stage.
 *
 * @example
 * endedByTimeout({ exitCode: 124, error: { name: 'TimeoutError', message: '…' } }); // true
 */
function endedByTimeout(result: { readonly exitCode: number; readonly error?: { readonly name: string } | undefined }): boolean {
  return result.exitCode === ExitCode.TIMEOUT && [TIMEOUT_ERROR, FUNCTION_TIMEOUT_ERROR].includes(result.error?.name ?? '');
}

/** The status of a settled run record (`settledRecord` has turned a lost run into one with an end). */
function runStatus(record: RunRecord): RunStatus {
  if (record.endedAt === undefined || record.exitCode === undefined) return 'running';
  if (record.error?.name === LOST_RUN_ERROR) return 'lost';
  if (record.exitCode === ExitCode.OK) return 'succeeded';
  if (record.exitCode === ExitCode.INTERRUPTED) return 'interrupted';
  if (isRefusalName(record.error?.name)) return 'refused';
  return 'failed';
}

const MEANINGS: Readonly<Record<number, string>> = {
  [ExitCode.OK]: 'succeeded',
  [ExitCode.TASK_FAILED]: 'the task threw an error',
  [ExitCode.USAGE]: 'usage: unknown task or args that fail its schema; nothing ran',
  [ExitCode.BUILD_FAILED]: 'the bundle did not build; nothing ran',
  [ExitCode.UNAVAILABLE]: 'unavailable: the stage, function or ledger could not be reached',
  [ExitCode.SOFTWARE]: 'the run crashed or was lost without a result',
  [ExitCode.TEMP_FAIL]: "try again later: the task's lock was held or the platform throttled",
  [ExitCode.NO_PERMISSION]: 'permission denied',
  [ExitCode.RELEASE_MISMATCH]: 'release mismatch: web and admin aliases point at different releases',
  [ExitCode.TIMEOUT]: 'the task hit its timeout',
  [ExitCode.INTERRUPTED]: 'interrupted: the run was asked to stop and stopped',
};

/**
 * What an exit code means, in a few words, as DESIGN.md's table of exit codes says.
 *
 * @example
 * exitCodeMeaning(124); // 'the task hit its timeout'
 */
function exitCodeMeaning(code: number): string {
  const known = MEANINGS[code];
  if (known !== undefined) return known;
  return code > 0 && code <= ExitCode.TASK_MAX ? "the task's own exit code: it failed" : 'not an exit code cnf-admin defines';
}

/**
 * What an ended run's exit code means for that run: a lost run's code (130
 * when its owner process died, 70 past its deadline) says it was lost, not
 * what the code says of a run that ended by itself; a 0 that an interrupt
 * reached first says it was stopped.
 *
 * @example
 * runMeaning(lostRecord); // 'lost: its process died before it recorded its end'
 */
function runMeaning(record: RunRecord & { readonly exitCode: number }): string {
  if (runStatus(record) === 'lost') return 'lost: its process died before it recorded its end';
  // A task asked to stop that returned anyway succeeded, as far as it went: said as exitLabel's `0 stopped` says it.
  if (record.exitCode === ExitCode.OK && record.interruptedAt !== undefined)
    return 'stopped: asked to stop, the task returned (its result says how far it got)';
  return exitCodeMeaning(record.exitCode);
}

/**
 * A run's exit as `runs` and the `ui` runs list show it: `running`, the code,
 * and for a run an interrupt reached, that it was stopped (`130 stopped`; a
 * task told to stop that returned anyway ends `0 stopped`, where a plain 0
 * would read as a run that went its whole way); for a lost one, `130 lost`.
 *
 * @example
 * exitLabel(stoppedRecord); // '130 stopped'
 */
function exitLabel(record: RunRecord): string {
  if (record.exitCode === undefined) return 'running';
  if (runStatus(record) === 'lost') return `${record.exitCode} lost`;
  return record.interruptedAt === undefined ? String(record.exitCode) : `${record.exitCode} stopped`;
}

/**
 * When an interrupt (Ctrl-C, `stop`, the page's Stop) reached the run, as
 * `runs show` and the `ui` run page say it: none for a lost run that no
 * interrupt reached first, whose record holds, as its interrupt, only the
 * moment it was found lost (its end; see `lostRecord`).
 *
 * @example
 * interruptReachedAt(stoppedRecord); // '2026-11-24T14:00:00.500Z'
 * interruptReachedAt(lostRecord); // undefined
 */
function interruptReachedAt(record: RunRecord): string | undefined {
  if (record.interruptedAt === undefined) return undefined;
  return runStatus(record) === 'lost' && record.interruptedAt === record.endedAt ? undefined : record.interruptedAt;
}

export {
  endedByTimeout,
  exitCodeMeaning,
  exitLabel,
  FUNCTION_TIMEOUT_ERROR,
  interruptReachedAt,
  LOST_RUN_ERROR,
  RUN_STATUSES,
  runMeaning,
  runStatus,
  TIMEOUT_ERROR,
};
export type { RunStatus };
