/**
 * The watchdog of a local run's process, and of a console session's: it ends
 * the process when the CLI that started it is gone (killed with SIGKILL, its
 * terminal closed), so that no run or session lingers holding a database
 * handle or a task's lock, or spins on forever.
 *
 * It runs as a worker thread of that process (the runner starts it), so it
 * keeps watching while the process's own thread is stuck (`while (true) {}`),
 * where the runner's own check of its owner, a timer on that thread, never
 * fires. When the process's parent changes (the CLI died and the process
 * was handed to init), it asks the run to stop as Ctrl-C would (SIGINT to
 * its own process); a run that can stop then records its own end and exits.
 * A run still going `graceMs` later is recorded in the ledger as
 * interrupted (130), and the process and all it started are killed.
 *
 * A one-off run names its run in {@link WatchdogData.run}. A session's thread
 * tells it which evaluation is under way: a {@link WatchedRun} message when
 * one starts, `null` when it ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ExitCode } from '../../core/exit-codes.js';
import { recordRunEnd } from './record-run-end.js';

/** The run under way, as the runner reports it. */
interface WatchedRun {
  readonly runId: string;
  readonly task: string;
  readonly release: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
}

/** What the watchdog is started with. */
interface WatchdogData {
  /** The process id of the CLI that started the process. */
  readonly parent: number;
  /** The stage's run ledger. */
  readonly ledger: string;
  /** How long a run told to stop gets before its process is killed, in ms: as long as the runtime gives an interrupted task, and a little more. */
  readonly graceMs: number;
  /** What the record of a run ended here says happened. */
  readonly endedBecause: string;
  /** The one-off run the process makes; none for a session, whose evaluations come by message. */
  readonly run?: WatchedRun;
}

/* How often the parent is checked: an orphaned process is told to stop well within a second of its CLI's end. */
const POLL_MS = 200;

const { parent, ledger, graceMs, endedBecause, run } = workerData as WatchdogData;
let current: WatchedRun | null = run ?? null;
parentPort?.on('message', (watched: WatchedRun | null) => {
  current = watched;
});

const poll = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(poll);
  void endOrphanedRun();
}, POLL_MS);

async function endOrphanedRun(): Promise<void> {
  process.kill(process.pid, 'SIGINT');
  await new Promise((resolve) => setTimeout(resolve, graceMs));
  const stuck = current;
  if (stuck !== null) {
    await recordRunEnd(
      { ledger },
      {
        runId: stuck.runId,
        task: stuck.task,
        release: stuck.release,
        exitCode: ExitCode.INTERRUPTED,
        durationMs: Date.now() - stuck.startedAt,
        interruptedAt: new Date().toISOString(),
        error: { name: 'InterruptedError', message: endedBecause },
      },
    );
  }
  // The process leads its own process group: this ends whatever its run started too.
  try {
    process.kill(-process.pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH' && (error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    process.kill(process.pid, 'SIGKILL');
  }
}

export type { WatchdogData, WatchedRun };
