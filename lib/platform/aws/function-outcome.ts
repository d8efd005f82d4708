import { ExitCode } from '../../core/exit-codes.js';
import { FUNCTION_TIMEOUT_ERROR } from '../../core/run-status.js';
import type { RunResult } from '../../core/run.js';

/** How Lambda said the function failed, rather than the run. */
interface FunctionFailure {
  /** `Sandbox.Timedout`, `Runtime.ExitError`, `Runtime.OutOfMemory`, `Unhandled`, ... */
  readonly errorType: string;
  readonly message: string;
}

/** The run the failure ended, for the result. */
interface FailedRun {
  readonly runId: string;
  readonly task: string;
  readonly release: string;
  readonly startedAt: number;
}

/**
 * The failure in a payload or stream error Lambda sent: `{"errorType", "errorMessage"}`
 * as JSON, or plain text.
 */
function failureOf(errorType: string | undefined, details: string | undefined): FunctionFailure {
  try {
    const parsed = JSON.parse(details ?? '') as { errorType?: unknown; errorMessage?: unknown };
    if (typeof parsed === 'object' && parsed !== null) {
      return {
        errorType: typeof parsed.errorType === 'string' ? parsed.errorType : (errorType ?? 'Unhandled'),
        message: typeof parsed.errorMessage === 'string' ? parsed.errorMessage : (details ?? ''),
      };
    }
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  return { errorType: errorType ?? 'Unhandled', message: details ?? '' };
}

/**
 * The result of a run whose function failed before the handler could answer:
 * a timeout is exit 124, any other end (a crash, out of memory, a runtime
 * killed by a signal, an answer without a result) is 70 (EX_SOFTWARE).
 */
function failedRunResult(run: FailedRun, failure: FunctionFailure): RunResult {
  const timedOut = /timed ?out/i.test(`${failure.errorType} ${failure.message}`);
  const detail = failure.message === '' ? failure.errorType : `${failure.errorType}: ${failure.message}`;
  return {
    runId: run.runId,
    task: run.task,
    release: run.release,
    exitCode: timedOut ? ExitCode.TIMEOUT : ExitCode.SOFTWARE,
    durationMs: Date.now() - run.startedAt,
    error: timedOut
      ? { name: FUNCTION_TIMEOUT_ERROR, message: `The admin function timed out (${detail}); its log, as far as it got, says where.` }
      : {
          name: 'FunctionCrashedError',
          message: `The admin function ended without a run result (${detail}); its log, as far as it got, says why.`,
        },
  };
}

export { failedRunResult, failureOf };
export type { FailedRun, FunctionFailure };
