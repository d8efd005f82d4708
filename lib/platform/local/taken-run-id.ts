import { TryAgainError, UnavailableError } from '../../core/errors.js';
import { formatMoment } from '../../core/format-moment.js';
import { resultOfRecord, settledRecord, type RunRecord, type RunResult } from '../../core/run.js';

/**
 * Why a detached run's process ended before it took its run id, from the
 * record the ledger holds of that id (another process's, or none): a retry
 * that raced the run of its id found it going (75, as a foreground invoke
 * says it), or ended (its outcome: nothing ran again); with no such run, it
 * ended before it started.
 *
 * @param code - the exit code of the detached run's process
 * @throws TryAgainError (75) while the run goes on; UnavailableError (69) when there is no run of the id
 */
function takenRunIdOutcome(record: RunRecord | undefined, runId: string, code: number | null): RunResult {
  if (record === undefined) throw new UnavailableError(`The detached run ${runId} ended before it started (exit code ${code}).`);
  const settled = settledRecord(record);
  if (settled.endedAt !== undefined) return resultOfRecord(settled);
  throw new TryAgainError(
    `Run ${runId} (${record.task}) is still in progress since ${formatMoment(record.startedAt)}, started by ${record.caller}; nothing ran again.`,
  );
}

export { takenRunIdOutcome };
