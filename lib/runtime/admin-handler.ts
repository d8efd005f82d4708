import { UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { parseArgFlags } from '../core/task-arg-flags.js';
import { isValidRunId, newRunId, RUN_SOURCES, type AdminEvent, type RunRecord, type RunResult, type RunSource } from '../core/run.js';
import { DESCRIBE_TASK, PING_TASK, type TaskCatalog } from '../core/task-catalog.js';
import { ConfigError, loadConfig, type LoadedConfig } from './config-loader.js';
import { ledgerFromEnvironment } from './ledger/ledger-from-environment.js';
import { ledgerFailure, LedgerUnavailableError, type Lease, type RunLedger } from './ledger/run-ledger.js';
import { createRunLogger } from './logger.js';
import { withResponseStreaming, type ResponseStream } from './response-stream.js';
import { runErrorOf, runTask, type TaskOutcome } from './run-task.js';
import { checkArgs, redactArgs } from './task-args.js';
import { describeRelease, resolveTask, type TaskSources } from './resolve-task.js';
import { describeTask } from './task-registry.js';
import { waitForLock } from './wait-for-lock.js';

/** The part of the Lambda context the admin handler uses, plus the local stage's interrupt. */
interface AdminInvocationContext {
  readonly awsRequestId?: string;
  getRemainingTimeInMillis?(): number;
  /** Fires when the user interrupts the run at the terminal (local stage). */
  readonly interrupt?: AbortSignal;
}

/** Options of {@link createAdminHandler}. */
interface AdminHandlerOptions extends TaskSources {
  /**
   * The run ledger that records every run and holds the task locks.
   *
   * @default - the ledger the environment names (`CNF_LEDGER_DIR` locally, `CNF_LEDGER_TABLE` on AWS)
   */
  readonly ledger?: RunLedger;
}

/** The admin function's handler; `describe()` builds the task catalog. */
interface AdminHandler {
  (event: unknown, context?: AdminInvocationContext): Promise<RunResult>;
  /** How Lambda calls it, with a response stream (see `withResponseStreaming`). */
  (event: unknown, responseStream: ResponseStream, context?: AdminInvocationContext): Promise<void>;
  /** The catalog of the registered tasks (loads every task module). */
  describe(): Promise<TaskCatalog>;
}

/** The longest a run may take when the context does not say (Lambda's maximum). */
const DEFAULT_TIME_LIMIT_MS = 15 * 60 * 1000;

/*
 * The handler ends the task this long before Lambda would kill the function,
 * so that the run's end is recorded and its result returned.
 */
const SAFETY_MARGIN_MS = 3_000;

/**
 * Builds the admin function's handler from the application's tasks.
 *
 * It implements the admin event and run result contracts: args are validated
 * before anything runs (exit 64, naming the field), a run id is claimed in the
 * ledger exactly once, a locked task takes its lease, the parameter set is
 * read fresh, and the task's outcome becomes the run result.
 *
 * @example
 * export const handler = createAdminHandler({
 *   tasks: { migrate: () => import('./tasks/migrate.js') },
 * });
 */
function createAdminHandler(options: AdminHandlerOptions): AdminHandler {
  const handler = async (event: unknown, context: AdminInvocationContext = {}): Promise<RunResult> => {
    const startedAt = Date.now();
    const limit = context.getRemainingTimeInMillis?.() ?? DEFAULT_TIME_LIMIT_MS;
    const run = new AdminRun(readEvent(event), startedAt, startedAt + limit - SAFETY_MARGIN_MS, context);
    return run.execute(options);
  };
  return withResponseStreaming(Object.assign(handler, { describe: () => describeRelease(options) }));
}

/** An admin event with its defaults filled in. */
interface CompleteEvent extends AdminEvent {
  readonly args: Readonly<Record<string, unknown>>;
  readonly argv: readonly string[];
  readonly runId: string;
  readonly source: RunSource;
  readonly caller: string;
}

/** An admin event after its defaults are filled in, or the reason it is unusable. */
type ReadEvent =
  | { readonly ok: true; readonly event: CompleteEvent }
  | { readonly ok: false; readonly runId: string; readonly task: string; readonly message: string };

function readEvent(raw: unknown): ReadEvent {
  const event = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Record<keyof AdminEvent, unknown>>;
  const runId = event.runId ?? newRunId();
  const task = typeof event.task === 'string' ? event.task : '';
  if (task === '')
    return { ok: false, runId: String(runId), task, message: 'The admin event has no "task": send e.g. {"task": "migrate"}.' };
  if (!isValidRunId(runId))
    return {
      ok: false,
      runId: newRunId(),
      task,
      message: `Invalid runId ${JSON.stringify(runId)}: use 1-128 letters, digits, '.', '_' or '-'.`,
    };
  const source = event.source ?? 'console';
  if (!RUN_SOURCES.includes(source as RunSource)) {
    return { ok: false, runId, task, message: `Invalid source ${JSON.stringify(source)}: use one of ${RUN_SOURCES.join(', ')}.` };
  }
  const args = event.args ?? {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    return { ok: false, runId, task, message: `"args" must be an object, got: ${JSON.stringify(args)}` };
  }
  const argv = event.argv ?? [];
  if (!Array.isArray(argv) || !argv.every((token) => typeof token === 'string')) {
    return { ok: false, runId, task, message: `"argv" must be an array of strings, got: ${JSON.stringify(argv)}` };
  }
  const waitLockSeconds = event.waitLockSeconds;
  if (waitLockSeconds !== undefined && !(typeof waitLockSeconds === 'number' && waitLockSeconds >= 0)) {
    return {
      ok: false,
      runId,
      task,
      message: `"waitLockSeconds" must be a number of seconds >= 0, got: ${JSON.stringify(waitLockSeconds)}`,
    };
  }
  return {
    ok: true,
    event: {
      task,
      args: args as Record<string, unknown>,
      argv: argv as string[],
      runId,
      source: source as RunSource,
      caller: typeof event.caller === 'string' && event.caller !== '' ? event.caller : `lambda-${source}`,
      ...(waitLockSeconds === undefined ? {} : { waitLockSeconds: waitLockSeconds as number }),
    },
  };
}

/** One invocation of the admin handler, from event to result. */
class AdminRun {
  readonly #release = process.env.CNF_RELEASE ?? 'unknown';
  readonly #stage = process.env.CNF_STAGE ?? 'unknown';

  constructor(
    private readonly read: ReadEvent,
    private readonly startedAt: number,
    private readonly deadline: number,
    private readonly context: AdminInvocationContext,
  ) {}

  async execute(options: AdminHandlerOptions): Promise<RunResult> {
    const { read } = this;
    if (!read.ok) return this.#refuse(read.runId, read.task, ExitCode.USAGE, 'InvalidEvent', read.message);
    const { event } = read;
    if (event.task === DESCRIBE_TASK) return this.#result(event.runId, event.task, { exitCode: 0, output: await describeRelease(options) });
    if (event.task === PING_TASK) {
      return this.#result(event.runId, event.task, {
        exitCode: 0,
        output: { release: this.#release, stage: this.#stage, node: process.version },
      });
    }
    const resolution = await resolveTask(event.task, options, this.#release, this.#stage);
    if (!resolution.ok) {
      if (resolution.cause !== undefined) {
        createRunLogger({ runId: event.runId, task: event.task, release: this.#release }).error(
          'Cannot load the task',
          resolution.cause as Error,
        );
      }
      return this.#refuse(event.runId, event.task, resolution.exitCode, resolution.error.name, resolution.error.message);
    }
    const { task } = resolution;
    let args: Readonly<Record<string, unknown>>;
    try {
      args = { ...event.args, ...parseArgFlags(event.argv, describeTask(task)) };
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      return this.#refuse(event.runId, event.task, ExitCode.USAGE, 'InvalidArgs', error.message);
    }
    const checked = checkArgs(task.args, args);
    if (!checked.ok) {
      return this.#refuse(event.runId, event.task, ExitCode.USAGE, 'InvalidArgs', `Invalid args for ${event.task}: ${checked.message}`);
    }

    let ledger: RunLedger;
    try {
      ledger = options.ledger ?? (await ledgerFromEnvironment());
    } catch (error) {
      return this.#refuse(event.runId, event.task, ExitCode.UNAVAILABLE, 'LedgerUnavailableError', (error as Error).message);
    }
    const log = createRunLogger({ runId: event.runId, task: event.task, release: this.#release });
    const record: RunRecord = {
      runId: event.runId,
      task: event.task,
      args: redactArgs(args),
      release: this.#release,
      source: event.source,
      caller: event.caller,
      startedAt: new Date(this.startedAt).toISOString(),
      log: runLogLocation(this.context),
    };
    const claim = await guardLedger(() => ledger.claim(record));
    if (claim instanceof LedgerUnavailableError) return this.#refuse(event.runId, event.task, claim.exitCode, claim.name, claim.message);
    if (!claim.claimed) {
      if (claim.existing.task !== event.task) {
        const message = `Run id ${event.runId} already names a run of ${claim.existing.task}; use a new run id for ${event.task}.`;
        return this.#refuse(event.runId, event.task, ExitCode.USAGE, 'InvalidEvent', message);
      }
      return this.#replay(claim.existing, log);
    }

    let lease: Lease | undefined;
    if (task.options.lock === true) {
      const lock = await guardLedger(() =>
        waitForLock(
          ledger,
          event.task,
          { runId: event.runId, caller: event.caller, since: record.startedAt },
          Math.min((event.waitLockSeconds ?? 0) * 1000, this.deadline - Date.now()),
          log,
        ),
      );
      if (lock instanceof LedgerUnavailableError)
        return this.#finish(ledger, record, log, { exitCode: lock.exitCode, error: runErrorOf(lock) });
      if (!lock.acquired) {
        const { holder } = lock;
        const message = `Task ${event.task} is locked by run ${holder.runId} (caller ${holder.caller}) since ${holder.since}; nothing ran.`;
        log.warn(message);
        return this.#finish(ledger, record, log, { exitCode: ExitCode.TEMP_FAIL, error: { name: 'LockHeldError', message } });
      }
      lease = lock.lease;
    }
    try {
      let config: LoadedConfig;
      try {
        config = await loadConfig({ maxAgeSeconds: 0 });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        log.error('Cannot read the parameter set', error);
        return await this.#finish(ledger, record, log, { exitCode: ExitCode.UNAVAILABLE, error: runErrorOf(error) });
      }
      const runLog = createRunLogger({ runId: event.runId, task: event.task, release: this.#release }, config.secrets);
      runLog.info('Run started', {
        source: event.source,
        caller: event.caller,
        args: record.args,
        stage: this.#stage,
        configFingerprint: config.fingerprint,
        remainingMs: this.deadline - Date.now(),
      });
      const outcome = await runTask(task, {
        args: checked.args,
        config: config.values,
        log: runLog,
        runId: event.runId,
        release: this.#release,
        stage: this.#stage,
        // A task's own timeout counts from when it starts, not from a wait for its lock.
        deadline:
          task.options.timeoutSeconds === undefined
            ? this.deadline
            : Math.min(this.deadline, Date.now() + task.options.timeoutSeconds * 1000),
        ...(this.context.interrupt === undefined ? {} : { interrupt: this.context.interrupt }),
        ...(lease === undefined ? {} : { leaseLost: lease.lost }),
      });
      return await this.#finish(ledger, { ...record, configFingerprint: config.fingerprint }, runLog, outcome);
    } finally {
      await lease?.release();
    }
  }

  async #finish(ledger: RunLedger, record: RunRecord, log: ReturnType<typeof createRunLogger>, outcome: TaskOutcome): Promise<RunResult> {
    const result = this.#result(record.runId, record.task, outcome);
    const ended: RunRecord = {
      ...record,
      endedAt: new Date().toISOString(),
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
    };
    log.info('Run ended', { exitCode: result.exitCode, durationMs: result.durationMs });
    try {
      await ledger.finish(ended);
    } catch (error) {
      log.error('Could not record the end of the run in the ledger', error as Error);
    }
    return result;
  }

  #replay(existing: RunRecord, log: ReturnType<typeof createRunLogger>): RunResult {
    if (existing.endedAt === undefined) {
      const message = `Run ${existing.runId} (${existing.task}) is still in progress since ${existing.startedAt}, started by ${existing.caller}; nothing ran again.`;
      log.warn(message);
      return this.#refuse(existing.runId, existing.task, ExitCode.TEMP_FAIL, 'RunInProgressError', message);
    }
    log.info(`Run ${existing.runId} already ran (ended ${existing.endedAt}, exit ${existing.exitCode}); nothing ran again.`);
    return {
      runId: existing.runId,
      task: existing.task,
      release: existing.release,
      exitCode: existing.exitCode ?? ExitCode.SOFTWARE,
      durationMs: existing.durationMs ?? 0,
      ...(existing.error === undefined ? {} : { error: existing.error }),
    };
  }

  #refuse(runId: string, task: string, exitCode: number, name: string, message: string): RunResult {
    return this.#result(runId, task, { exitCode, error: { name, message } });
  }

  #result(runId: string, task: string, outcome: TaskOutcome): RunResult {
    return { runId, task, release: this.#release, ...outcome, durationMs: Date.now() - this.startedAt };
  }
}

/** Runs a ledger operation, turning any failure of the ledger into a value the handler refuses with. */
async function guardLedger<T>(operation: () => Promise<T>): Promise<T | LedgerUnavailableError> {
  try {
    return await operation();
  } catch (error) {
    return ledgerFailure(error);
  }
}

/** Where this run's log is: the file the local stage writes, or the Lambda log group and stream. */
function runLogLocation(context: AdminInvocationContext): string {
  const { CNF_RUN_LOG, AWS_LAMBDA_LOG_GROUP_NAME, AWS_LAMBDA_LOG_STREAM_NAME } = process.env;
  if (CNF_RUN_LOG !== undefined) return CNF_RUN_LOG;
  const request = context.awsRequestId === undefined ? '' : ` request ${context.awsRequestId}`;
  return `${AWS_LAMBDA_LOG_GROUP_NAME ?? 'unknown'}:${AWS_LAMBDA_LOG_STREAM_NAME ?? 'unknown'}${request}`;
}

export { createAdminHandler };
export type { AdminHandler, AdminHandlerOptions, AdminInvocationContext };
