import { UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { RefusalName } from '../core/refusal.js';
import { RUN_ENDED, RUN_STARTED, type RunEndedFields } from '../core/run-log.js';
import { resultOfRecord, settledRecord, type RunRecord, type RunResult } from '../core/run.js';
import { argsLimitProblem } from '../core/args-limits.js';
import { flagUsageOf, mergeArgs, parseArgFlags } from '../core/task-arg-flags.js';
import { DESCRIBE_TASK, PING_TASK, type TaskInfo } from '../core/task-catalog.js';
import { ConfigError, loadConfig } from './config-loader.js';
import { wrongRuntime } from './container/runtime-guard.js';
import type { Task } from './define-task.js';
import { ledgerFromEnvironment } from './ledger/ledger-from-environment.js';
import { ledgerFailure, LedgerUnavailableError, type Lease, type RunLedger } from './ledger/run-ledger.js';
import { redactLogLines } from './log-tap.js';
import { createRunLogger } from './logger.js';
import { redactOutcome } from './redact-secrets.js';
import type { CompleteEvent, ReadEvent } from './read-event.js';
import { describeRelease, resolveTask, type TaskSources } from './resolve-task.js';
import { runErrorOf, runTask, type TaskOutcome } from './run-task.js';
import { redactArgs } from './task-args.js';
import { checkArgs } from '../core/check-args.js';
import { argsHash } from '../core/args-hash.js';
import { runIdReuseProblem } from '../core/run-id-reuse.js';
import { recordedArgs } from '../core/event-check.js';
import { describeTask } from './task-registry.js';
import { waitForLock } from './wait-for-lock.js';

/** The part of the Lambda context a run uses, plus the local stage's interrupt. */
interface RunContext {
  readonly awsRequestId?: string;
  /** Fires when the user interrupts the run at the terminal (local stage). */
  readonly interrupt?: AbortSignal;
}

/** What the handler runs with. */
interface RunSetup extends TaskSources {
  readonly ledger?: RunLedger;
}

/** A run that cannot go on, and the result that says why. */
class Refusal {
  constructor(readonly result: RunResult) {}
}

type Logger = ReturnType<typeof createRunLogger>;

/**
 * One invocation of the admin handler, from event to result: the event is
 * read, the task found and its args checked (exit 64 before anything runs),
 * the run id claimed in the ledger (a second delivery runs nothing), the lock
 * taken, the parameter set read fresh, the task run, and its end recorded.
 */
class AdminRun {
  readonly #release = process.env.CNF_RELEASE ?? 'unknown';
  readonly #stage = process.env.CNF_STAGE ?? 'unknown';

  /**
   * @param deadline - epoch ms by which the task must have stopped (before the function's end)
   * @param functionEnd - epoch ms at which the function surely ends: a record without an end past it was lost
   */
  constructor(
    private readonly read: ReadEvent,
    private readonly startedAt: number,
    private readonly deadline: number,
    private readonly functionEnd: number,
    private readonly context: RunContext,
  ) {}

  async execute(setup: RunSetup): Promise<RunResult> {
    try {
      return await this.#execute(setup);
    } catch (error) {
      if (error instanceof Refusal) return error.result;
      throw error;
    }
  }

  async #execute(setup: RunSetup): Promise<RunResult> {
    const { read } = this;
    if (!read.ok) throw this.#refusal(read.runId, read.task, ExitCode.USAGE, 'InvalidEvent', read.message);
    const { event } = read;
    if (event.task === DESCRIBE_TASK) return this.#result(event.runId, event.task, { exitCode: 0, output: await describeRelease(setup) });
    if (event.task === PING_TASK) {
      return this.#result(event.runId, event.task, {
        exitCode: 0,
        output: { release: this.#release, stage: this.#stage, node: process.version },
      });
    }
    const task = await this.#task(event, setup);
    const args = this.#args(event, task);
    const ledger = await this.#ledger(setup);
    const log = createRunLogger({ runId: event.runId, task: event.task, release: this.#release });
    const record: RunRecord = {
      runId: event.runId,
      task: event.task,
      args: redactArgs(args.recorded, task.options.sensitiveArgs),
      argsHash: argsHash(event.runId, args.recorded),
      release: this.#release,
      source: event.source,
      caller: event.caller,
      startedAt: new Date(this.startedAt).toISOString(),
      log: runLogLocation(this.context),
      deadline: new Date(this.functionEnd).toISOString(),
    };
    const claim = await guardLedger(() => ledger.claim(record));
    if (claim instanceof LedgerUnavailableError) throw this.#refusal(event.runId, event.task, claim.exitCode, claim.name, claim.message);
    if (!claim.claimed) {
      return this.#duplicate(ledger, claim.existing, record, log);
    }
    const lease = await this.#lock(ledger, task, event, record, log);
    try {
      return await this.#run(ledger, task, args.checked, record, lease, log);
    } finally {
      await lease?.release();
    }
  }

  /** The task the event names, or the refusal that says why there is none. */
  async #task(event: CompleteEvent, setup: RunSetup): Promise<Task> {
    const resolution = await resolveTask(event.task, setup, this.#release, this.#stage);
    const wrong = resolution.ok ? wrongRuntime(resolution.task) : undefined;
    if (wrong !== undefined) throw this.#refusal(event.runId, event.task, ExitCode.USAGE, 'InvalidEvent', wrong);
    if (resolution.ok) return resolution.task;
    if (resolution.cause !== undefined) {
      createRunLogger({ runId: event.runId, task: event.task, release: this.#release }).error(
        'Cannot load the task',
        resolution.cause as Error,
      );
    }
    // A refusal (its name is a RefusalName), or the task's module failing to load (the task failing: exit 1).
    throw new Refusal(this.#result(event.runId, event.task, { exitCode: resolution.exitCode, error: resolution.error }));
  }

  /**
   * The args as given (`args`, and `argv` read with the task's schema), as
   * the schema parsed them, and as the ledger records them: parsed, with
   * defaults, however they came.
   */
  #args(
    event: CompleteEvent,
    task: Task,
  ): { given: Readonly<Record<string, unknown>>; checked: unknown; recorded: Readonly<Record<string, unknown>> } {
    let given: Readonly<Record<string, unknown>> = event.args;
    let fromFlags: readonly string[] = [];
    let info: TaskInfo | undefined;
    // The task's JSON Schema is built only when there are flags to read with it (or to name in an error): not on every run.
    const describe = (): TaskInfo => (info ??= describeTask(task));
    try {
      if (event.argv.length > 0) {
        const flags = parseArgFlags(event.argv, describe());
        fromFlags = Object.keys(flags);
        given = mergeArgs(event.args, flags);
      }
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      throw this.#refusal(event.runId, event.task, ExitCode.USAGE, 'InvalidArgs', error.message);
    }
    // JSON values of flags (--filter '{...}') are bounded as the event's args are.
    const tooBig = event.argv.length === 0 ? undefined : argsLimitProblem('The task args', given);
    if (tooBig !== undefined) throw this.#refusal(event.runId, event.task, ExitCode.USAGE, 'InvalidArgs', tooBig);
    // Speak in flags of what came as flags, and of what is missing where the user writes flags (the CLI without --args).
    const flagsWritten = event.argv.length > 0 || (event.source === 'cli' && Object.keys(event.args).length === 0);
    const checked = checkArgs(task.args, given, (key) =>
      fromFlags.includes(key) || (flagsWritten && !Object.hasOwn(event.args, key)) ? flagUsageOf(describe(), key) : undefined,
    );
    if (!checked.ok)
      throw this.#refusal(event.runId, event.task, ExitCode.USAGE, 'InvalidArgs', `Invalid args for ${event.task}: ${checked.message}`);
    return { given, checked: checked.args, recorded: recordedArgs(checked.args, given) };
  }

  async #ledger(setup: RunSetup): Promise<RunLedger> {
    try {
      return setup.ledger ?? (await ledgerFromEnvironment());
    } catch (error) {
      const { runId, task } = (this.read as { event: CompleteEvent }).event;
      throw this.#refusal(runId, task, ExitCode.UNAVAILABLE, 'LedgerUnavailableError', (error as Error).message);
    }
  }

  /**
   * A second delivery of a run id: nothing runs; the first run's outcome, or
   * word that it goes on. A run id names one piece of work: reused for
   * another task or other args, it is refused (64), naming what differs.
   */
  async #duplicate(ledger: RunLedger, claimed: RunRecord, record: RunRecord, log: Logger): Promise<RunResult> {
    const differs = runIdReuseProblem(claimed, record);
    if (differs !== undefined) throw this.#refusal(record.runId, record.task, ExitCode.USAGE, 'RunIdConflictError', differs);
    const existing = settledRecord(claimed);
    if (existing.endedAt === undefined) {
      const message = `Run ${existing.runId} (${existing.task}) is still in progress since ${existing.startedAt}, started by ${existing.caller}; nothing ran again.`;
      log.warn(message);
      throw this.#refusal(existing.runId, existing.task, ExitCode.TEMP_FAIL, 'RunInProgressError', message);
    }
    if (existing !== claimed) await guardLedger(() => ledger.finish(existing)); // a lost run: record what it became
    log.info(`Run ${existing.runId} already ran (ended ${existing.endedAt}, exit ${existing.exitCode}); nothing ran again.`);
    return resultOfRecord(existing);
  }

  /** Takes the task's lock when it has one; a held lock ends the run, recorded, with 75. */
  async #lock(ledger: RunLedger, task: Task, event: CompleteEvent, record: RunRecord, log: Logger): Promise<Lease | undefined> {
    if (task.options.lock !== true) return undefined;
    const holder = { runId: event.runId, caller: event.caller, since: record.startedAt };
    const waitMs = Math.min((event.waitLockSeconds ?? 0) * 1000, this.deadline - Date.now());
    const lock = await guardLedger(() => waitForLock(ledger, event.task, holder, waitMs, log));
    if (lock instanceof LedgerUnavailableError)
      throw new Refusal(await this.#finish(ledger, record, log, { exitCode: lock.exitCode, error: runErrorOf(lock) }));
    if (lock.acquired) return lock.lease;
    const message = `Task ${event.task} is locked by run ${lock.holder.runId} (caller ${lock.holder.caller}) since ${lock.holder.since}; nothing ran.`;
    log.warn(message);
    throw new Refusal(await this.#finish(ledger, record, log, { exitCode: ExitCode.TEMP_FAIL, error: { name: 'LockHeldError', message } }));
  }

  /** Reads the parameter set fresh, runs the task, and records its end. */
  async #run(ledger: RunLedger, task: Task, args: unknown, record: RunRecord, lease: Lease | undefined, log: Logger): Promise<RunResult> {
    let config;
    try {
      config = await loadConfig({ maxAgeSeconds: 0 });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      log.error('Cannot read the parameter set', error);
      return this.#finish(ledger, record, log, { exitCode: ExitCode.UNAVAILABLE, error: runErrorOf(error) });
    }
    const runLog = createRunLogger({ runId: record.runId, task: record.task, release: this.#release }, config.secrets);
    runLog.info(RUN_STARTED, {
      source: record.source,
      caller: record.caller,
      args: record.args,
      stage: this.#stage,
      configFingerprint: config.fingerprint,
      remainingMs: this.deadline - Date.now(),
    });
    if (this.context.interrupt?.aborted === true) {
      const error = { name: 'InterruptedError', message: 'The run was interrupted before its task started; the task did not run.' };
      return this.#finish(ledger, { ...record, configFingerprint: config.fingerprint }, runLog, {
        exitCode: ExitCode.INTERRUPTED,
        error,
        interruptedAt: new Date().toISOString(),
      });
    }
    const timeout = task.options.timeoutSeconds;
    // Secure values never reach the log, the terminal, the result or the ledger, whatever the task prints or throws.
    const unredact = redactLogLines(config.secrets);
    const outcome = await runTask(task, {
      args,
      config: config.values,
      log: runLog,
      runId: record.runId,
      release: this.#release,
      stage: this.#stage,
      // A task's own timeout counts from when it starts, not from a wait for its lock.
      deadline: timeout === undefined ? this.deadline : Math.min(this.deadline, Date.now() + timeout * 1000),
      ...(this.context.interrupt === undefined ? {} : { interrupt: this.context.interrupt }),
      ...(lease === undefined ? {} : { leaseLost: lease.lost }),
    }).finally(unredact);
    return this.#finish(ledger, { ...record, configFingerprint: config.fingerprint }, runLog, redactOutcome(outcome, config.secrets));
  }

  async #finish(ledger: RunLedger, record: RunRecord, log: Logger, outcome: TaskOutcome): Promise<RunResult> {
    const result = this.#result(record.runId, record.task, outcome);
    const ended: RunRecord = {
      ...record,
      endedAt: new Date().toISOString(),
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
      ...(outcome.interruptedAt === undefined ? {} : { interruptedAt: outcome.interruptedAt }),
    };
    log.info(RUN_ENDED, {
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      ...(outcome.interruptedAt === undefined ? {} : { interruptedAt: outcome.interruptedAt }),
    } satisfies RunEndedFields);
    try {
      await ledger.finish(ended);
    } catch (error) {
      log.error('Could not record the end of the run in the ledger', error as Error);
    }
    return result;
  }

  #refusal(runId: string, task: string, exitCode: number, name: RefusalName, message: string): Refusal {
    return new Refusal(this.#result(runId, task, { exitCode, error: { name, message } }));
  }

  #result(runId: string, task: string, outcome: TaskOutcome): RunResult {
    return { runId, task, release: this.#release, ...outcome, durationMs: Date.now() - this.startedAt };
  }
}

/** Runs a ledger operation, turning any failure of the ledger into a value the run is refused with. */
async function guardLedger<T>(operation: () => Promise<T>): Promise<T | LedgerUnavailableError> {
  try {
    return await operation();
  } catch (error) {
    return ledgerFailure(error);
  }
}

/** Where this run's log is: the file the local stage writes, or the Lambda log group and stream. */
function runLogLocation(context: RunContext): string {
  const { CNF_RUN_LOG, AWS_LAMBDA_LOG_GROUP_NAME, AWS_LAMBDA_LOG_STREAM_NAME } = process.env;
  if (CNF_RUN_LOG !== undefined) return CNF_RUN_LOG;
  const request = context.awsRequestId === undefined ? '' : ` request ${context.awsRequestId}`;
  return `${AWS_LAMBDA_LOG_GROUP_NAME ?? 'unknown'}:${AWS_LAMBDA_LOG_STREAM_NAME ?? 'unknown'}${request}`;
}

export { AdminRun };
export type { RunContext, RunSetup };
