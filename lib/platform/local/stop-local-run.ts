import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { formatMoment } from '../../core/format-moment.js';
import type { RunRecord } from '../../core/run.js';
import { CONSOLE_TASK } from '../../core/task-catalog.js';
import type { FileLedger } from '../../runtime/ledger/file-ledger.js';

/* How often the ledger is read while a stopped run ends. */
const POLL_MS = 100;

/*
 * How long a stopped run gets to record its end: the task's 3 s to stop,
 * the platform's 10 s grace before it kills the run, and a margin. After
 * that its owner is killed, and the run is recorded as lost.
 */
const STOP_WAIT_MS = 15_000;

/**
 * Stops a local run, attached or detached: its owner process (the CLI that
 * runs it, or the detached supervisor) gets SIGINT, as Ctrl-C at its
 * terminal would send, and asks the task to stop through its signal. Resolves
 * once the ledger records the end: 130 with `interruptedAt` for a task that
 * stops; a run whose owner does not end it in time is killed and recorded
 * as lost (130).
 *
 * @param logs - the project's logs directory: a run whose record names another copy's log is that copy's to stop
 * @param asked - called once the run has been asked to stop
 * @throws UsageError (64) when there is no such run, it has ended, it runs in another copy of the project, it is a console evaluation (its console stops it), or it has no owner to signal.
 */
async function stopLocalRun(ledger: FileLedger, logs: string, runId: string, asked: () => void = () => undefined): Promise<RunRecord> {
  const record = await ledger.get(runId);
  if (record === undefined) {
    throw new UsageError(`No run ${JSON.stringify(runId)} on stage local; nothing stopped.`, {
      hint: 'List the runs with: cnf-admin runs --stage local',
    });
  }
  if (record.endedAt !== undefined) {
    throw new UsageError(
      `Run ${runId} has already ended (${record.endedAt === undefined ? '?' : formatMoment(record.endedAt)}, exit ${record.exitCode}); nothing stopped.`,
      {
        hint: `Its record: cnf-admin runs show ${runId} --stage local`,
      },
    );
  }
  const elsewhere = otherProjectOf(record, logs);
  if (elsewhere !== undefined) {
    throw new UsageError(
      `Run ${runId} runs in another copy of the project, ${elsewhere}: its record came here with a copy of its .cnf/, and names that copy's log (${record.log}); nothing stopped.`,
      { hint: `Stop it where it runs: cd ${elsewhere} && cnf-admin stop ${runId}` },
    );
  }
  if (record.task === CONSOLE_TASK) {
    throw new UsageError(`Run ${runId} is a console evaluation: its console stops it; nothing stopped.`, {
      hint: 'Press Ctrl-C in that console (or send its cnf-admin process SIGINT).',
    });
  }
  const owner = record.owner;
  if (owner === undefined) {
    throw new UsageError(`Run ${runId} names no process that runs it (it was started by an older cnf-admin); nothing stopped.`);
  }
  // The owner asks the run to stop; a run whose owner died is asked itself.
  const ownerAsked = signal(owner.pid, 'SIGINT');
  if (!ownerAsked && owner.runner !== undefined) signal(owner.runner.pid, 'SIGINT');
  asked();
  const giveUpAt = Date.now() + STOP_WAIT_MS;
  for (;;) {
    const current = await ledger.get(runId);
    if (current === undefined || current.endedAt !== undefined) return current ?? record;
    if (Date.now() > giveUpAt) {
      signal(owner.pid, 'SIGKILL');
      if (owner.runner !== undefined) signal(owner.runner.pid, 'SIGKILL');
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * The directory of another copy of the project whose run the record is (its
 * log is in that copy's `.cnf/local/logs/`, and that copy is there), or
 * undefined for a run of this project, or of one that is no longer where it
 * was (moved: the run is this one's).
 */
function otherProjectOf(record: RunRecord, logs: string): string | undefined {
  const recorded = dirname(record.log);
  if (!isAbsolute(recorded) || basename(recorded) !== 'logs') return undefined;
  // <project>/.cnf/local/logs
  const projectOf = (dir: string): string => dirname(dirname(dirname(dir)));
  try {
    const theirs = realpathSync(projectOf(recorded));
    return theirs === realpathSync(projectOf(logs)) ? undefined : theirs;
  } catch {
    return undefined; // that copy is not there: nothing tells the run is another's
  }
}

/** Sends a signal to a process that may have ended meanwhile; whether it was there to get it. */
function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    return false;
  }
}

export { stopLocalRun };
