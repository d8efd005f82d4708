import { createReadStream, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isCnfError, UnavailableError, UsageError } from '../../core/errors.js';
import { shapeFault } from '../../core/file-system-fault.js';
import { formatMoment } from '../../core/format-moment.js';
import type { LogsOptions, RunFrame } from '../../core/platform.js';
import { endedByOwnerGone, runEndedOf } from '../../core/run-log.js';
import { resultOfRecord, settledRecord, type RunRecord } from '../../core/run.js';
import type { RunLedger } from '../../runtime/ledger/run-ledger.js';
import { mergedLines } from './merged-lines.js';
import { runLogFile, type LocalPaths } from './local-paths.js';

const FOLLOW_POLL_MS = 200;

/*
 * The process that started a run writes its log, line by line, behind the
 * run: a run that prints megabytes records its end while its last lines are
 * still on their way to the file. A log with no end line that was written
 * to within this long is still being written, not cut short.
 */
const WRITER_SETTLE_MS = 2_000;

/*
 * A run's log is made as it starts, and its record a moment later, once its
 * process has loaded the release: well within the time a detached start is
 * waited for (two minutes). An empty log with no record for longer is no
 * run's: what an invoke refused before cnf-admin cleaned up after refusals.
 */
const RECORDLESS_START_MS = 120_000;

/**
 * Replays the log of a local run, and with `follow` keeps reading as it
 * grows until the run ends. The last frame is the run's result, once the
 * ledger has it.
 *
 * A run the ledger knows whose log file is gone (deleted by hand) is said
 * to be so: a finished one ends in an error (69), never in a result that
 * reads as a clean run with an empty log.
 *
 * An id with no record is no run (64), unless its run is starting (its log
 * made, its record not yet): an empty log that no run claimed within the
 * time a run takes to start is what a refused invoke left, and said to be.
 *
 * @throws UsageError when the stage has no run with that id; UnavailableError when a finished run's log is gone.
 */
async function* localLogs(paths: LocalPaths, ledger: RunLedger, runId: string, options: LogsOptions = {}): AsyncGenerator<RunFrame> {
  const file = runLogFile(paths, runId);
  let record = await ledger.get(runId);
  if (record === undefined && (!isLogFile(file) || isLeftover(file))) throw noRun(runId, file);
  let offset = 0;
  let goneSaid = false;
  // Whether the log holds the run's end: its `Run ended` line, or the line the platform writes for a run it ended.
  let endLine = false;
  let lastLine = '';
  for (;;) {
    const present = isLogFile(file);
    if (!present && record !== undefined && !goneSaid) {
      const ended = settledRecord(record);
      if (ended.endedAt !== undefined && offset === 0) throw logGone(runId, file, ended);
      if (ended.endedAt === undefined) {
        yield { type: 'notice', message: `The log of run ${runId} is gone: ${file} no longer exists. Its end will still be recorded.` };
        goneSaid = true;
      }
    }
    const size = present ? (await stat(file)).size : 0;
    if (size > offset) {
      for await (const line of mergedLines([createReadStream(file, { start: offset, end: size - 1 })])) {
        endLine ||= runEndedOf(line, runId) !== undefined;
        lastLine = line;
        yield { type: 'log', line };
      }
      offset = size;
    }
    const current = await ledger.get(runId);
    if (current === undefined && isLeftover(file)) throw noRun(runId, file);
    record = current === undefined ? undefined : settledRecord(current);
    if (record?.endedAt !== undefined && offset === 0 && !isLogFile(file)) throw logGone(runId, file, record);
    // The run may have written more, and ended, while the lines above were read (a slow reader, a long log): the rest first.
    if (record?.endedAt !== undefined && isLogFile(file) && (await stat(file)).size > offset) continue;
    if (record?.endedAt !== undefined && !endLine && cutShort(record, lastLine) && isBeingWritten(file, record)) {
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
      continue;
    }
    if (record?.endedAt !== undefined) {
      if (!endLine && cutShort(record, lastLine))
        yield {
          type: 'notice',
          message: `The log of run ${runId} ends before the run did: ${
            endedByOwnerGone(record.error?.message)
              ? 'the cnf-admin process that wrote it was killed, so what the run wrote after that was not kept'
              : record.interruptedAt !== undefined
                ? `the run was interrupted, and the cnf-admin process that wrote its log likely went away then (killed, or its terminal closed), so what the run wrote after that was not kept (else the disk was full, or ${file} was changed since)`
                : `it was not written whole (the disk was full as it ran, or ${file} was changed since)`
          }. The run's end, as the ledger records it, follows.`,
        };
      yield { type: 'result', result: resultOfRecord(record) };
      return;
    }
    if (options.follow !== true || options.signal?.aborted === true) {
      yield {
        type: 'notice',
        message: `Run ${runId} is still in progress. Follow it with: cnf-admin logs ${runId} --stage local --follow`,
      };
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
  }
}

/**
 * Whether an ended run's log, which holds no `Run ended` line, was cut
 * short: not a run the platform ended (its last line then tells the
 * record's error), nor a lost one (its footer says so), nor a refusal that
 * never started a task.
 */
function cutShort(record: RunRecord, lastLine: string): boolean {
  if (record.error?.name === 'RunLostError') return false;
  return record.error === undefined || !lastLine.includes(JSON.stringify(record.error.message).slice(1, -1));
}

/**
 * Whether the log of an ended run may still be growing: its writer lags
 * behind the run (see {@link WRITER_SETTLE_MS}), unless it was killed, which
 * the record says.
 */
function isBeingWritten(file: string, record: RunRecord): boolean {
  if (endedByOwnerGone(record.error?.message)) return false;
  try {
    // Either way: a time set ahead of the clock (by hand, or another machine's) holds no reader for longer than the settle.
    return Math.abs(Date.now() - statSync(file).mtimeMs) < WRITER_SETTLE_MS;
  } catch {
    return false; // a log that is gone grows no more
  }
}

/**
 * Whether the run's log is there as a file.
 *
 * @throws UnavailableError (69) where a directory stands in its place: damaged state, named with how to move it aside, as
 * every other file `.cnf/` keeps (a log deleted is gone; one in the way is not).
 */
function isLogFile(file: string): boolean {
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) {
      const inTheWay = Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${file}'`), {
        code: 'EISDIR',
        path: file,
        syscall: 'open',
      });
      throw shapeFault(inTheWay) ?? inTheWay;
    }
    return stats.isFile();
  } catch (error) {
    if (isCnfError(error)) throw error;
    // A file where the logs directory must be is damaged state, not a log that is gone.
    const damaged = shapeFault(error as NodeJS.ErrnoException);
    if (damaged !== undefined) throw damaged;
    return false;
  }
}

/** Whether `file` is an empty log that no run has claimed within the time a run takes to start (the caller found no record). */
function isLeftover(file: string): boolean {
  try {
    const stats = statSync(file);
    return stats.isFile() && stats.size === 0 && Date.now() - stats.mtimeMs > RECORDLESS_START_MS;
  } catch {
    return false;
  }
}

function noRun(runId: string, file: string): UsageError {
  const leftover = isLogFile(file) ? `; ${file} is an empty log that no run claimed (left by a refused invoke): remove it` : '';
  return new UsageError(`No run ${JSON.stringify(runId)} on stage local.`, {
    hint: `List the runs with: cnf-admin runs --stage local${leftover}`,
  });
}

function logGone(runId: string, file: string, record: RunRecord): UnavailableError {
  return new UnavailableError(
    `The log of run ${runId} is gone: ${file} no longer exists. The ledger records that it ended with exit ${record.exitCode ?? 'unknown'} at ${record.endedAt === undefined ? '?' : formatMoment(record.endedAt)}.`,
    { hint: `Its record: cnf-admin runs show ${runId} --stage local` },
  );
}

export { localLogs };
