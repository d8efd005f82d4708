import { resultOfRecord, settledRecord, type RunOwner, type RunRecord, type RunResult } from '../../core/run.js';
import { FileLedger } from '../../runtime/ledger/file-ledger.js';
import type { LocalPaths } from './local-paths.js';
import { errnoText } from '../../core/errno-text.js';
import { writeFailureRemedy } from '../../core/write-failure-remedy.js';

/**
 * Records the end of a run that could not record it itself (killed, or its
 * process died), as the platform saw it end: a run left "in progress" would
 * hold its run id, and anyone following it, forever.
 *
 * Resolves to the run's result as the ledger now tells it: `result`, or the
 * end the run recorded itself when it got there first, so that what the CLI
 * says and what the ledger says are the same. A run that never claimed its
 * run id (it died before) has no record, and `result` stands alone. With
 * `owner` (the process that started the run), a record another process owns
 * is not this run's: a retry of a run id still in progress, refused, or
 * killed before it could say so. `result` stands alone then too, and the
 * record, with the run it records, is left as it is.
 */
async function recordRunEnd(paths: Pick<LocalPaths, 'ledger'>, result: RunResult, owner?: RunOwner): Promise<RunResult> {
  const ledger = new FileLedger(paths.ledger);
  const record = await ledger.get(result.runId);
  if (record === undefined || !ownedBy(record, owner)) return result;
  if (record.endedAt !== undefined) return resultOfRecord(settledRecord(record));
  await ledger.finish({
    ...record,
    endedAt: new Date().toISOString(),
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    ...(result.error === undefined ? {} : { error: result.error }),
    ...(result.interruptedAt === undefined ? {} : { interruptedAt: result.interruptedAt }),
  });
  return result;
}

/**
 * After a run that returned its result: records its end when its own record
 * of it did not land (the ledger's disk full, or made read-only, as the run
 * ended), so that the ledger does not call a finished run lost. Resolves to
 * a notice when the end could not be recorded at all, or when the record the
 * run claimed (`claimed`: it said it started) is gone; undefined when it is
 * recorded (or the run never claimed a record: a refusal, which leaves the
 * record of the run it refused, owned by another process than `owner`, alone).
 */
async function endRecordedNotice(
  paths: Pick<LocalPaths, 'ledger'>,
  result: RunResult,
  claimed: boolean,
  owner: RunOwner,
): Promise<string | undefined> {
  try {
    const record = await new FileLedger(paths.ledger).get(result.runId);
    if (record === undefined && claimed)
      return `The run's record is gone from the ledger (${paths.ledger} was removed or emptied while it ran): runs does not list this run, which ended with exit ${result.exitCode}, as above.`;
    if (record === undefined || record.endedAt !== undefined) return undefined;
    await recordRunEnd(paths, result, owner);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = errnoText(code) ?? (error as Error).message;
    const remedy = writeFailureRemedy(code);
    return `The run's end could not be recorded in the ledger (${why}${code === undefined ? '' : `, ${code}`}): runs shows it as lost, although it ended with exit ${result.exitCode}, as above.${remedy === undefined ? '' : ` ${remedy} (${paths.ledger}) for the next runs.`}`;
  }
}

/**
 * Whether `record` is the one the run `owner` started claimed; without an
 * owner to compare, it is. A record that names no owner is not: every run
 * the CLI starts records its owner, so such a record is another's (written
 * by an older version, or by hand), and a refused retry must leave it alone.
 */
function ownedBy(record: RunRecord, owner: RunOwner | undefined): boolean {
  if (owner === undefined) return true;
  if (record.owner === undefined) return false;
  return record.owner.pid === owner.pid && record.owner.startTime === owner.startTime && record.owner.host === owner.host;
}

/**
 * Whether the ledger's record of `runId` is another process's than `owner`'s
 * (a run of that id that a retry raced, and was refused by, or found ended):
 * what the retry's process wrote is then not that run's. A ledger that
 * cannot be read says no: the lines are kept.
 */
async function takenByAnother(paths: Pick<LocalPaths, 'ledger'>, runId: string, owner: RunOwner): Promise<boolean> {
  const record = await new FileLedger(paths.ledger).get(runId).catch(() => undefined);
  return record !== undefined && !ownedBy(record, owner);
}

export { endRecordedNotice, recordRunEnd, takenByAnother };
