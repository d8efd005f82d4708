/**
 * The watchdog of a local console session's process: it ends the session
 * when the CLI that opened it is gone (killed with SIGKILL, its terminal
 * closed), so that no session process lingers holding a database handle, or
 * spins on in an input forever.
 *
 * It runs as a worker thread of the session's process (the runner starts it),
 * so it keeps watching while the session's own thread is stuck in an input
 * (`await sleep(1); while (true) {}`). When the process's parent changes
 * (the CLI died and the process was handed to init), it asks the running
 * evaluation to stop as Ctrl-C would (SIGINT to its own process); the
 * session's thread then reads the end of its input and exits. An evaluation
 * still running {@link ORPHAN_GRACE_MS} later is recorded in the ledger as
 * interrupted (130), and the process and all it started are killed.
 *
 * The session's thread tells it which run is under way: a {@link WatchedRun}
 * message when an evaluation starts, `null` when it ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ExitCode } from '../../core/exit-codes.js';
import { recordRunEnd } from './record-run-end.js';

/** What the watchdog is started with. */
interface WatchdogData {
  /** The process id of the CLI that opened the session. */
  readonly parent: number;
  /** The stage's run ledger. */
  readonly ledger: string;
}

/** The evaluation under way, as the session's thread reports it. */
interface WatchedRun {
  readonly runId: string;
  readonly task: string;
  readonly release: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
}

/* How often the parent is checked: an orphaned session ends well within a second of its CLI. */
const POLL_MS = 200;
/* As long as an interrupted evaluation gets at the CLI before its process is killed. */
const ORPHAN_GRACE_MS = 3_000;

const { parent, ledger } = workerData as WatchdogData;
let current: WatchedRun | null = null;
parentPort?.on('message', (run: WatchedRun | null) => {
  current = run;
});

const poll = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(poll);
  void endOrphanedSession();
}, POLL_MS);

async function endOrphanedSession(): Promise<void> {
  process.kill(process.pid, 'SIGINT');
  await new Promise((resolve) => setTimeout(resolve, ORPHAN_GRACE_MS));
  const run = current;
  if (run !== null) {
    await recordRunEnd(
      { ledger },
      {
        runId: run.runId,
        task: run.task,
        release: run.release,
        exitCode: ExitCode.INTERRUPTED,
        durationMs: Date.now() - run.startedAt,
        interruptedAt: new Date().toISOString(),
        error: {
          name: 'InterruptedError',
          message:
            'The console that ran this evaluation ended (killed, or its terminal closed) and the evaluation did not stop, so its process was ended.',
        },
      },
    );
  }
  // The session's process leads its own process group: this ends whatever its inputs started too.
  try {
    process.kill(-process.pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH' && (error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    process.kill(process.pid, 'SIGKILL');
  }
}

export type { WatchdogData, WatchedRun };
