import type { ArgsProblem } from '../../core/check-args.js';
import { CnfError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { Platform, ReleaseTarget, RunFrame } from '../../core/platform.js';
import { isRunStartedLine } from '../../core/run-log.js';
import { isRefusal, newRunId, resultOfRecord, type RunResult } from '../../core/run.js';
import { checkTaskArgsSize } from '../args-json.js';

/* How often a start looks in the ledger for its run while the run has shown nothing yet. */
const LEDGER_POLL_MS = 100;

/*
 * How long a run's record must have been there, without an end, for the run
 * to count as started when its own `Run started` line has not come (a
 * container task's lines come once the task runs): a refusal that records
 * the run (its lock was held) ends it well within this.
 */
const RECORDED_START_MS = 1_000;

/** A run the admin function refused: nothing ran, and the page shows why, as the CLI would. */
class RunRefusedError extends CnfError {
  /** The fields of the start's args that the refusal names (`InvalidArgs`), for the form to mark; none for another refusal. */
  readonly fields: readonly ArgsProblem[];

  constructor(result: RunResult) {
    super(result.error?.message ?? 'The admin function refused the run.', result.exitCode, 'user');
    this.name = result.error?.name ?? 'RunRefusedError';
    this.fields = result.error?.fields ?? [];
  }
}

/**
 * How a start came out: refused (nothing of the task ran), or under way;
 * read from the frames, it also holds the step to read on from.
 */
interface StartOutcome {
  readonly refusal: RunResult | undefined;
  readonly pending?: Promise<IteratorResult<RunFrame>>;
}

/** What the page asks to start. */
interface StartRequest {
  readonly task: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly target: ReleaseTarget;
}

/** A run the launcher started. */
interface StartedRun {
  readonly runId: string;
  readonly release: string;
}

/**
 * Starts runs for the page through the same `Platform.invoke` as
 * `cnf-admin invoke` (so the same validation and the same refusals), as
 * source `ui`, and keeps a handle on each while it goes on: the runs it
 * started can be asked to stop (the local stage's runs are its children).
 */
class RunLauncher {
  readonly #running = new Map<string, { readonly interrupt: AbortController; readonly done: Promise<void> }>();
  /* Set by close(): a start asked for before (its deploy still building) starts no run once ui is stopping. */
  #closing = false;

  constructor(
    private readonly platform: Platform,
    private readonly report: (message: string) => void,
  ) {}

  /**
   * Starts a run and resolves once it runs (its first frame, or its record
   * in the ledger).
   *
   * @throws RunRefusedError when the admin function refused it (unknown task, invalid args, lock held, ...);
   *   CnfError (75) once {@link RunLauncher.close} began.
   */
  async start(request: StartRequest): Promise<StartedRun> {
    if (this.#closing) throw new CnfError('cnf-admin ui is stopping: no run starts now.', ExitCode.TEMP_FAIL, 'user');
    checkTaskArgsSize(request.args, []);
    const plan = await this.platform.resolve(request.target);
    const runId = newRunId();
    const caller = await this.platform.callerIdentity();
    const interrupt = new AbortController();
    const frames = this.platform
      .invoke(
        plan,
        { task: request.task, args: request.args, runId, source: 'ui', caller },
        { signal: interrupt.signal, completeLog: false },
      )
      [Symbol.asyncIterator]();
    // One reader of the frames: it reads up to the start, and the drain reads on from where it stopped.
    const reading = this.#startFrames(runId, frames);
    const polling = new AbortController();
    const started = await Promise.race([reading, this.#recorded(runId, polling.signal)]).finally(() => polling.abort());
    if (started.refusal !== undefined) {
      // Ending the frames lets the platform close what it holds (a local run's pipes), so that nothing lingers.
      await frames.return?.();
      throw new RunRefusedError(started.refusal);
    }
    const done = this.#drain(
      runId,
      reading.then((outcome) => outcome.pending ?? { done: true, value: undefined }),
      frames,
    );
    this.#running.set(runId, { interrupt, done });
    return { runId, release: plan.release };
  }

  /** Whether this launcher started `runId` and it still goes on. */
  holds(runId: string): boolean {
    return this.#running.has(runId);
  }

  /** Asks a run this launcher started to stop; resolves to false when it holds no such run. */
  stop(runId: string): boolean {
    const run = this.#running.get(runId);
    if (run === undefined) return false;
    run.interrupt.abort();
    return true;
  }

  /** Asks every run still going to stop, waits for them to record their end, and resolves to how many there were. */
  async close(): Promise<number> {
    this.#closing = true;
    const runs = [...this.#running.values()];
    for (const run of runs) run.interrupt.abort();
    await Promise.all(runs.map((run) => run.done));
    return runs.length;
  }

  /**
   * Reads the run's frames up to its `Run started` line or its result: a
   * refusal's result (its lock held, bad args) comes after a line or two of
   * its own, and is no start.
   */
  async #startFrames(runId: string, frames: AsyncIterator<RunFrame>): Promise<StartOutcome> {
    for (;;) {
      const step = await frames.next();
      if (step.done === true) return { refusal: undefined, pending: Promise.resolve(step) };
      const frame = step.value;
      if (frame.type === 'result')
        return isRefusal(frame.result) ? { refusal: frame.result } : { refusal: undefined, pending: Promise.resolve(step) };
      if (frame.type === 'log' && isRunStartedLine(frame.line, runId)) return { refusal: undefined, pending: frames.next() };
    }
  }

  /** The run once its record shows a start (there for {@link RECORDED_START_MS} without an end) or a refusal. */
  async #recorded(runId: string, signal: AbortSignal): Promise<StartOutcome> {
    let seenAt: number | undefined;
    while (!signal.aborted) {
      const record = await this.platform.run(runId);
      if (record?.endedAt !== undefined) {
        const result = resultOfRecord(record);
        return { refusal: isRefusal(result) ? result : undefined };
      }
      if (record !== undefined) seenAt ??= Date.now();
      if (seenAt !== undefined && Date.now() - seenAt >= RECORDED_START_MS) return { refusal: undefined };
      await new Promise((resolve) => setTimeout(resolve, LEDGER_POLL_MS));
    }
    return new Promise(() => undefined); // the race is over; this side never wins it
  }

  async #drain(runId: string, pending: Promise<IteratorResult<RunFrame>>, frames: AsyncIterator<RunFrame>): Promise<void> {
    try {
      for (let step = await pending; step.done !== true; step = await frames.next());
    } catch (error) {
      this.report(`Run ${runId}: ${(error as Error).message}`);
    } finally {
      this.#running.delete(runId);
    }
  }
}

export { RunLauncher, RunRefusedError };
export type { StartedRun, StartRequest };
