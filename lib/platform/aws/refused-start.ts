import { CnfError, PermissionError, ReleaseMismatchError, TryAgainError, UnavailableError, UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { RunResult } from '../../core/run.js';

/**
 * The error a command ends with when the admin function answered a control
 * event (a detached container start, `cnf:stop`, `cnf:settle`) with
 * something other than success: its refusal, with the exit code it carries,
 * or a run id that already ran (64: a detached start runs nothing again).
 */
function errorOfRefusedStart(result: RunResult, stage: string): CnfError {
  const message = result.error?.message ?? `Run ${result.runId} (${result.task}) already ran: exit ${result.exitCode}; nothing ran again.`;
  const options = { hint: `See the run with: cnf-admin runs show ${result.runId} --stage ${stage}` };
  switch (result.exitCode) {
    case ExitCode.UNAVAILABLE:
      return new UnavailableError(message);
    case ExitCode.TEMP_FAIL:
      return new TryAgainError(message);
    case ExitCode.NO_PERMISSION:
      return new PermissionError(message);
    case ExitCode.RELEASE_MISMATCH:
      return new ReleaseMismatchError(message);
    default:
      return result.error === undefined ? new UsageError(message, options) : new UsageError(message);
  }
}

export { errorOfRefusedStart };
