/**
 * How a wait ends: `ok` when the work it waited for is done, `fail` when it
 * threw (the error then speaks for itself).
 */
type ProgressOutcome = 'ok' | 'fail';

/** One wait under way, started by {@link Progress.start}. */
interface ProgressTask {
  /**
   * Ends the wait; a second call does nothing.
   *
   * @param summary - what the wait came to, said in place of its label on success (`Deployed r-… to the local stage`)
   */
  stop(outcome: ProgressOutcome, summary?: string): void;
}

/** Options of {@link Progress.start}. */
interface ProgressOptions {
  /**
   * A wait that is usually short (an AWS round trip, a lock, CloudWatch's
   * late events): shown while it lasts on a terminal, and said nowhere else,
   * so that logs and pipes get no line for it. A wait that is not `quiet`
   * (a build, a database start) is also told in a plain line off a terminal
   * and leaves a line saying how long it took on one.
   *
   * @default false
   */
  readonly quiet?: boolean;
}

/**
 * Where a platform says that it is waiting, and for what. The CLI shows a
 * spinner with the elapsed time on a terminal, and a plain line otherwise;
 * the platforms only start and stop waits.
 *
 * @example
 * const wait = progress.start('Building the bundle');
 * try { await build(); wait.stop('ok'); } catch (error) { wait.stop('fail'); throw error; }
 */
interface Progress {
  /** Starts a wait, labelled as a person reads it: `Building the bundle`. */
  start(label: string, options?: ProgressOptions): ProgressTask;
  /** A fact worth a line while waiting (`Port 5432 is taken…`): shown above a spinner, or as a plain line. */
  note(message: string): void;
}

/** Progress that tells no one: for callers without a terminal to tell (the detached runner, tests). */
const SILENT_PROGRESS: Progress = { start: () => ({ stop: () => undefined }), note: () => undefined };

/**
 * Runs `work` as one wait of `progress`: started before, stopped after with
 * how it ended.
 */
async function withProgress<T>(progress: Progress, label: string, work: () => Promise<T>, options?: ProgressOptions): Promise<T> {
  const wait = progress.start(label, options);
  try {
    const value = await work();
    wait.stop('ok');
    return value;
  } catch (error) {
    wait.stop('fail');
    throw error;
  }
}

export { SILENT_PROGRESS, withProgress };
export type { Progress, ProgressOptions, ProgressOutcome, ProgressTask };
