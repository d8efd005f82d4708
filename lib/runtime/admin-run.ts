import { sentenceEnded, UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { RefusalName } from '../core/refusal.js';
import { RUN_ENDED, RUN_STARTED, type RunEndedFields } from '../core/run-log.js';
import {
  resultOfRecord,
  settledRecord,
  storedResult,
  type AdminEvent,
  type RunError,
  type RunRecord,
  type RunResult,
} from '../core/run.js';
import { CONSOLE_TASK, DESCRIBE_TASK, PING_TASK, type TaskInfo } from '../core/task-catalog.js';
import { recordedConsoleValue } from './console/recorded-answer.js';
import { ConfigError, loadConfig, type LoadedConfig } from './config-loader.js';
import { EcsCallError, isStartFailure, withheldEcsWords, type ContainerGate, type EcsWords } from './container/container-gate.js';
import {
  CONTAINER_START_MARGIN_SECONDS,
  controlTaskOf,
  gateFromEnvironment,
  type ConfigUnreadable,
} from './container/container-control.js';
import { startsInContainer } from './container/runtime-guard.js';
import { containerTimeLimitSeconds } from '../core/task-runtime.js';
import { CONTAINER_LOG_STREAM_PREFIX } from '../core/container-run.js';
import { refusedStartRecord } from '../core/refused-start.js';
import type { Lease, LockHolder } from '../core/lease.js';
import type { Task } from './define-task.js';
import { ledgerFromEnvironment } from './ledger/ledger-from-environment.js';
import { ownerFromEnvironment } from './ledger/process-identity.js';
import { ledgerFailure, LedgerUnavailableError, type RunLedger } from './ledger/run-ledger.js';
import { redactLogLines } from './log-tap.js';
import { unreadableConfigError } from './unreadable-config.js';
import { trackOpenLines } from './open-lines.js';
import { createRunLogger } from './logger.js';
import { SecretRedactor } from './redact-secrets.js';
import type { CompleteEvent, ReadEvent } from './read-event.js';
import { describeRelease, resolveTask, type TaskSources } from './resolve-task.js';
import { runErrorOf, runTask, stopEnding, type TaskOutcome } from './run-task.js';
import { watchStopRequest, type StopWatch } from './container/stop-request.js';
import { outcomeOfTermination } from '../core/container-outcome.js';
import { redactArgs } from './task-args.js';
import { secretArgNames, secretArgsRefusal } from './container/secret-args.js';
import { argsHash } from '../core/args-hash.js';
import { argsDifference } from '../core/run-id-reuse.js';
import { runIdReuseProblem } from '../core/run-id-reuse.js';
import { checkedArgs, type CheckedArgs } from '../core/event-check.js';
import { InvalidArgsError } from '../core/check-args.js';
import { describeTask } from './task-registry.js';
import { UnknownArgError } from '../core/task-arg-flags.js';
import { waitForLock } from './wait-for-lock.js';
import { isAccessDeniedName, isThrottlingName } from './aws-error-names.js';
import { readCnfEnvironment } from '../core/cnf-environment.js';

/** The part of the Lambda context a run uses, plus the local stage's interrupt. */
interface RunContext {
  readonly awsRequestId?: string;
  /** Fires when the user interrupts the run at the terminal (local stage). */
  readonly interrupt?: AbortSignal;
  /** The admin function claimed this run for this process (a container task it started): take the claim over. */
  readonly claimedRun?: boolean;
  /** An interrupt is a stop from outside (SIGTERM in a container): the run ends as that stop was, whatever the task returns after it. */
  readonly stopIsFinal?: boolean;
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

/** The refusal of a run whose task's lock another run holds (75, `LockHeld`): the CLI adds how to wait for it. */
function lockHeld(task: string, holder: LockHolder): TaskOutcome & { readonly error: RunError } {
  const message = `Task ${task} is locked by run ${holder.runId} (caller ${holder.caller}) since ${holder.since}; nothing ran.`;
  return { exitCode: ExitCode.TEMP_FAIL, error: { name: 'LockHeld' satisfies RefusalName, message } };
}

/**
 * One invocation of the admin handler, from event to result: the event is
 * read, the task found and its args checked (exit 64 before anything runs),
 * the run id claimed in the ledger (a second delivery runs nothing), the lock
 * taken, the parameter set read fresh, the task run, and its end recorded.
 */
class AdminRun {
  readonly #release = readCnfEnvironment().release ?? 'unknown';
  readonly #stage = readCnfEnvironment().stage ?? 'unknown';
  /** The parameter set as the run first read it, before its claim; a refusal after that redacts with it rather than read it again. */
  #config: LoadedConfig | ConfigError | undefined;

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
      if (error instanceof Refusal)
        return redactedRefusal(
          error.result,
          async () => this.#config ?? freshConfig(this.read.ok ? this.read.event.configVersion : undefined),
        );
      throw error;
    }
  }

  async #execute(setup: RunSetup): Promise<RunResult> {
    const { read } = this;
    if (!read.ok) throw this.#refusal(read.runId, read.task, ExitCode.USAGE, 'InvalidEvent', read.message);
    const { event } = read;
    if (event.task === DESCRIBE_TASK)
      return this.#result(event.runId, event.task, { exitCode: ExitCode.OK, output: await describeRelease(setup) });
    if (event.task === PING_TASK) {
      return this.#result(event.runId, event.task, {
        exitCode: ExitCode.OK,
        output: { release: this.#release, stage: this.#stage, node: process.version },
      });
    }
    const control = controlTaskOf(event.task);
    if (control !== undefined) return this.#control(event, setup, control);
    const task = await this.#task(event, setup);
    const args = this.#args(event, task);
    const gate = startsInContainer(task) ? this.#gate(event) : undefined;
    const ledger = await this.#ledger(setup);
    const log = createRunLogger({ runId: event.runId, task: event.task, release: this.#release });
    // Read before the run is claimed: an arg holding a secure value is masked before the ledger keeps it.
    const config = await freshConfig(event.configVersion);
    this.#config = config;
    const redactor = new SecretRedactor(config instanceof ConfigError ? [] : config.secrets);
    const recorded = (given: Readonly<Record<string, unknown>>): Record<string, unknown> =>
      redactor.value(redactArgs(given, task.options.sensitiveArgs)) as Record<string, unknown>;
    const secretArgs = gate === undefined ? [] : secretArgNames(args.given, task.options.sensitiveArgs, redactor);
    // Refused before the claim: a run id spent on a refusal could not be retried with the args fixed.
    if (secretArgs.length > 0)
      throw this.#refusal(event.runId, event.task, ExitCode.USAGE, 'InvalidArgs', secretArgsRefusal(event.task, secretArgs));
    const timeLimitSeconds = containerTimeLimitSeconds(task.options);
    let record: RunRecord = {
      runId: event.runId,
      task: event.task,
      args: recorded(args.recorded),
      argsHash: argsHash(event.runId, args.recorded),
      release: this.#release,
      source: event.source,
      caller: event.caller,
      startedAt: new Date(this.startedAt).toISOString(),
      log: runLogLocation(this.context),
      deadline: new Date(
        gate === undefined ? this.functionEnd : this.startedAt + (timeLimitSeconds + CONTAINER_START_MARGIN_SECONDS) * 1000,
      ).toISOString(),
    };
    const owner = ownerFromEnvironment();
    if (owner !== undefined) record = { ...record, owner };
    // Recorded from the claim on: a run that dies, is killed or is lost still says which config it ran with; one that could
    // not read it, which config it was to run with, as the caller planned it (the event's).
    const configVersion = config instanceof ConfigError ? event.configVersion : config.version;
    if (configVersion !== undefined) record = { ...record, configVersion };
    const claim = await guardLedger(() => ledger.claim(record));
    if (claim instanceof LedgerUnavailableError) throw this.#ledgerRefusal(event, claim);
    // A retry that took over a run whose start ECS refused: the record as claimed holds the start's client token.
    if (claim.claimed && claim.record !== undefined) record = claim.record;
    const sameArgs = [record.args, recorded(args.given)];
    const adopted = claim.claimed ? undefined : this.#adopt(claim.existing, record, sameArgs);
    if (!claim.claimed && adopted === undefined) return this.#duplicate(ledger, claim.existing, record, log);
    if (adopted !== undefined) {
      const taken = await this.#takeOver(ledger, adopted, record, log);
      if (taken.duplicate !== undefined) return this.#duplicate(ledger, taken.duplicate, record, log);
      return this.#lockAndRun(ledger, task, event, taken.record, args.checked, log, config);
    }
    // ECS's words of a start it refused are told without the config's secure values, or not at all where it could not be read:
    // then why it could not, which is what to mend.
    const ecsWords: EcsWords = config instanceof ConfigError ? withheldEcsWords(config.message) : (said) => redactor.text(said);
    if (gate !== undefined) return this.#startContainer(ledger, gate, { event, task, record, timeLimitSeconds, ecsWords }, log);
    return this.#lockAndRun(ledger, task, event, record, args.checked, log, config);
  }

  /**
   * Records that this container task took over the run the admin function
   * claimed for it (`containerStartedAt`), before its task runs, on
   * condition that no end was recorded meanwhile: where ECS's answer to
   * RunTask failed, the admin function records the start as refused unless
   * the task took the run over first. A refusal that came first is taken
   * over as a retry of the run id takes it over.
   *
   * @returns the record the run goes on with, or the record that stands instead (the run is a duplicate)
   */
  async #takeOver(
    ledger: RunLedger,
    adopted: RunRecord,
    record: RunRecord,
    log: Logger,
  ): Promise<{ readonly record: RunRecord; readonly duplicate?: undefined } | { readonly duplicate: RunRecord }> {
    const taken: RunRecord = { ...adopted, containerStartedAt: new Date().toISOString() };
    const written = await guardLedger(() => putUnlessEnded(ledger, taken));
    if (written instanceof LedgerUnavailableError) throw this.#ledgerRefusal(record, written);
    if (written) return { record: taken };
    log.info(`Run ${record.runId} was recorded as not started while this task started: the task takes it over.`);
    const claim = await guardLedger(() => ledger.claim(record));
    if (claim instanceof LedgerUnavailableError) throw this.#ledgerRefusal(record, claim);
    return claim.claimed ? { record: claim.record ?? record } : { duplicate: claim.existing };
  }

  /** Takes the task's lock, runs the task, and gives the lock back. */
  async #lockAndRun(
    ledger: RunLedger,
    task: Task,
    event: CompleteEvent,
    record: RunRecord,
    args: unknown,
    log: Logger,
    config: LoadedConfig | ConfigError,
  ): Promise<RunResult> {
    const lease = await this.#lock(ledger, task, event, record, log);
    try {
      // A wait for the lock may have outlasted a change to the parameter set: the task gets it as it is now.
      const current = lease === undefined ? config : await freshConfig(event.configVersion);
      const masked = config instanceof ConfigError ? [] : config.secrets;
      return await this.#run(ledger, task, args, record, lease, log, current, masked);
    } finally {
      // A lock that cannot be given back (a read-only disk) frees itself when its lease runs out: the run's end stands.
      await lease
        ?.release()
        .catch((error: unknown) =>
          log.warn(`The task's lock could not be given back (${(error as Error).message}); it frees itself when its lease runs out.`),
        );
    }
  }

  /**
   * The record of a run the admin function claimed for this container task,
   * taken over (same task, same args, no end yet), or undefined when the
   * existing record is another run's or this is not a claimed container run.
   */
  #adopt(existing: RunRecord, record: RunRecord, sameArgs: readonly Readonly<Record<string, unknown>>[]): RunRecord | undefined {
    if (this.context.claimedRun !== true || existing.endedAt !== undefined || existing.task !== record.task) return undefined;
    const same =
      existing.argsHash !== undefined && record.argsHash !== undefined
        ? existing.argsHash === record.argsHash
        : sameArgs.some((args) => argsDifference(existing.args, args) === undefined);
    if (!same) return undefined;
    return {
      ...record,
      startedAt: existing.startedAt,
      ...(existing.ecsTask === undefined ? {} : { ecsTask: existing.ecsTask }),
      ...(existing.clientToken === undefined ? {} : { clientToken: existing.clientToken }),
    };
  }

  /** The container gate, or the refusal (69) that says this stage cannot start container tasks. */
  #gate(event: CompleteEvent): ContainerGate {
    const gate = gateFromEnvironment();
    if (typeof gate === 'string') throw this.#refusal(event.runId, event.task, ExitCode.UNAVAILABLE, 'ContainerTasksUnavailable', gate);
    return gate;
  }

  /**
   * Starts the claimed run as a Fargate task of this release, with the event
   * and its time limit as the only override, and records the task on the
   * run. The answer says where the run goes on; a start that ECS refused,
   * or whose outcome it did not say, records the run's end (75 for no
   * capacity or throttling, 69 otherwise) as not started, so that a retry
   * of its run id starts it, or a task that did start takes it over. What
   * ECS said of it is logged, answered and recorded as `ecsWords` tells it:
   * without the secure values of the config the run read, as its stop
   * reasons are, and not at all where that config could not be read.
   */
  async #startContainer(
    ledger: RunLedger,
    gate: ContainerGate,
    start: {
      readonly event: CompleteEvent;
      readonly task: Task;
      readonly record: RunRecord;
      readonly timeLimitSeconds: number;
      readonly ecsWords: EcsWords;
    },
    log: Logger,
  ): Promise<RunResult> {
    const { event, task, record, timeLimitSeconds, ecsWords } = start;
    const locked = await this.#lockedOut(ledger, task, event);
    if (locked !== undefined) {
      log.warn(locked.error.message);
      // A locked-out run started nothing: a retry of its run id once the lock is free starts it.
      return this.#finish(ledger, refusedStartRecord(record, false), log, locked);
    }
    const containerEvent: AdminEvent & { readonly runId: string } = {
      task: event.task,
      args: event.args,
      argv: event.argv,
      runId: event.runId,
      source: event.source,
      caller: event.caller,
      release: this.#release,
      // The task reads the config version the caller planned (a retained release's pinned one), as a run on Lambda does.
      ...(event.configVersion === undefined ? {} : { configVersion: event.configVersion }),
      ...(event.waitLockSeconds === undefined ? {} : { waitLockSeconds: event.waitLockSeconds }),
    };
    const started = await gate.start(containerEvent, timeLimitSeconds, ecsWords, record.clientToken);
    if (isStartFailure(started)) {
      log.error(started.error.message);
      // No task is known to run: the run id is not used up, a retry of it (or a task that did start after all) takes the record over.
      const ended = started.refused === undefined ? record : refusedStartRecord(record, started.refused === 'answered');
      // A task that did start after all may take the run over and end it while ECS's answer fails: its end is what happened.
      return this.#finish(ledger, ended, log, started, { unlessEnded: started.refused === 'unknown' });
    }
    const taskId = started.taskArn.split('/').pop() ?? started.taskArn;
    const logGroup = process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? 'unknown';
    const stream = `${CONTAINER_LOG_STREAM_PREFIX}/${gate.settings.containerName}/${taskId}`;
    // A put of the claimed record with its task: the container takes seconds to start, and reads the record only then.
    const running: RunRecord = { ...record, ecsTask: started.taskArn, log: `${logGroup}:${stream} (ECS task ${started.taskArn})` };
    const saved = await guardLedger(() => ledger.finish(running));
    if (saved instanceof LedgerUnavailableError) log.error('Could not record the run’s ECS task in the ledger', saved);
    log.info(`Started ECS task ${taskId} (${started.taskDefinition}) for run ${event.runId}`, { ecsTask: started.taskArn });
    return { ...this.#result(event.runId, event.task, { exitCode: ExitCode.OK }), container: started };
  }

  /**
   * Why a container run of a locked task must not start: its lock is held by
   * a run that goes on, and the event does not wait for it (`--wait-lock`
   * waits in the container). Asked before RunTask, so that a locked-out run
   * costs no task; the container takes the lock itself.
   */
  async #lockedOut(ledger: RunLedger, task: Task, event: CompleteEvent): Promise<(TaskOutcome & { readonly error: RunError }) | undefined> {
    if (task.options.lock !== true || (event.waitLockSeconds ?? 0) > 0 || ledger.lockHolder === undefined) return undefined;
    const holder = await guardLedger(async () => ledger.lockHolder?.(event.task));
    if (holder instanceof LedgerUnavailableError) return { exitCode: holder.exitCode, error: runErrorOf(holder) };
    if (holder === undefined || holder.runId === event.runId) return undefined;
    return lockHeld(event.task, holder);
  }

  /** A reserved control task (`cnf:stop`, `cnf:settle`): the ledger and the gate, never a task of the app. */
  async #control(event: CompleteEvent, setup: RunSetup, control: NonNullable<ReturnType<typeof controlTaskOf>>): Promise<RunResult> {
    const gate = this.#gate(event);
    const ledger = await this.#ledger(setup);
    const log = createRunLogger({ runId: event.runId, task: event.task, release: this.#release });
    let answer;
    try {
      const redactor = async (version: number | undefined): Promise<SecretRedactor | ConfigUnreadable> => {
        const config = await freshConfig(version);
        return config instanceof ConfigError ? { unreadable: config.message } : new SecretRedactor(config.secrets);
      };
      answer = await control({ task: event.task, args: event.args, caller: event.caller, ledger, gate, log, redactor });
    } catch (error) {
      // ECS's failures (StopTask, DescribeTasks) are named as they came, a throttled one 75; the ledger's own say so.
      const ecs = error instanceof EcsCallError ? error : undefined;
      const cause = (ecs?.cause ?? error) as Error;
      const failure =
        ecs === undefined && (/DynamoDB|ResourceNotFound/.test(cause.name) || isThrottlingName(cause.name))
          ? ledgerFailure(error)
          : undefined;
      if (failure !== undefined) throw this.#refusal(event.runId, event.task, failure.exitCode, failure.name, failure.message);
      log.error(`${event.task} failed`, cause);
      const throttled = ecs !== undefined && isThrottlingName(cause.name);
      const said = `${event.task} failed: ${ecs === undefined ? '' : `ECS ${ecs.call}: `}${cause.name}: ${cause.message}`;
      // ECS denied the admin function's own role, not the operator: its grants come with the stage's deploy.
      const denied =
        ecs !== undefined && isAccessDeniedName(cause.name)
          ? ` The admin function's role may not call ecs:${ecs.call}: deploy the stage again (npx cdk deploy -c stage=${this.#stage}), which grants it.`
          : '';
      throw this.#refusal(
        event.runId,
        event.task,
        throttled ? ExitCode.TEMP_FAIL : ExitCode.UNAVAILABLE,
        'ContainerTasksUnavailable',
        throttled ? `${sentenceEnded(said)} Try again shortly.` : denied === '' ? said : `${sentenceEnded(said)}${denied}`,
      );
    }
    if (!answer.ok) throw this.#refusal(event.runId, event.task, answer.exitCode, answer.name, answer.message);
    return this.#result(event.runId, event.task, { exitCode: ExitCode.OK, output: answer.output });
  }

  /** The task the event names, or the refusal that says why there is none. */
  async #task(event: CompleteEvent, setup: RunSetup): Promise<Task> {
    const resolution = await resolveTask(event.task, setup, this.#release, this.#stage);
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
  #args(event: CompleteEvent, task: Task): CheckedArgs {
    let info: TaskInfo | undefined;
    // The task's JSON Schema is built only when there are flags to read with it (or to name in an error): not on every run.
    const describe = (): TaskInfo => (info ??= describeTask(task));
    try {
      return checkedArgs(event, task.args, describe);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      // What the CLI and the ui say more of than the message: the flag the task does not take, the fields to mark.
      const detail =
        error instanceof UnknownArgError
          ? { unknownArg: error.flag }
          : error instanceof InvalidArgsError && error.fields.length > 0
            ? { fields: error.fields }
            : {};
      throw this.#refusal(event.runId, event.task, ExitCode.USAGE, 'InvalidArgs', error.message, detail);
    }
  }

  async #ledger(setup: RunSetup): Promise<RunLedger> {
    try {
      return setup.ledger ?? (await ledgerFromEnvironment());
    } catch (error) {
      const { runId, task } = (this.read as { event: CompleteEvent }).event;
      throw this.#refusal(runId, task, ExitCode.UNAVAILABLE, 'LedgerUnavailable', (error as Error).message);
    }
  }

  /**
   * A second delivery of a run id: nothing runs; the first run's outcome, or
   * word that it goes on. A run id names one piece of work: reused for
   * another task or other args, it is refused (64), naming what differs.
   */
  async #duplicate(ledger: RunLedger, claimed: RunRecord, record: RunRecord, log: Logger): Promise<RunResult> {
    const differs = runIdReuseProblem(claimed, record);
    if (differs !== undefined) throw this.#refusal(record.runId, record.task, ExitCode.USAGE, 'RunIdConflict', differs);
    const existing = settledRecord(claimed);
    if (existing.endedAt === undefined) {
      const message = `Run ${existing.runId} (${existing.task}) is still in progress since ${existing.startedAt}, started by ${existing.caller}; nothing ran again.`;
      log.warn(message);
      throw this.#refusal(existing.runId, existing.task, ExitCode.TEMP_FAIL, 'RunInProgress', message);
    }
    if (existing !== claimed) await guardLedger(() => ledger.finish(existing)); // a lost run: record what it became
    log.info(`Run ${existing.runId} already ran (ended ${existing.endedAt}, exit ${existing.exitCode}); nothing ran again.`);
    return resultOfRecord(existing);
  }

  /** Takes the task's lock when it has one; a held lock ends the run, recorded as not started, with 75. */
  async #lock(ledger: RunLedger, task: Task, event: CompleteEvent, record: RunRecord, log: Logger): Promise<Lease | undefined> {
    if (task.options.lock !== true) return undefined;
    const holder = { runId: event.runId, caller: event.caller, since: record.startedAt };
    const waitMs = Math.min((event.waitLockSeconds ?? 0) * 1000, this.deadline - Date.now());
    const lock = await guardLedger(() => waitForLock(ledger, event.task, holder, waitMs, log, this.context.interrupt));
    if (lock instanceof LedgerUnavailableError)
      throw new Refusal(await this.#finish(ledger, record, log, { exitCode: lock.exitCode, error: runErrorOf(lock) }));
    if (lock.acquired) return lock.lease;
    if (this.context.interrupt?.aborted === true) {
      const message = `The run was interrupted while it waited for the lock held by run ${lock.holder.runId}; the task did not run.`;
      log.warn(message);
      throw new Refusal(
        await this.#finish(ledger, refusedStartRecord(record, false), log, {
          exitCode: ExitCode.INTERRUPTED,
          error: { name: 'InterruptedError', message },
          interruptedAt: new Date().toISOString(),
        }),
      );
    }
    const locked = lockHeld(event.task, lock.holder);
    log.warn(locked.error.message);
    // Its task never started: a retry of its run id once the lock is free runs it, where it would answer this 75 for good.
    throw new Refusal(await this.#finish(ledger, refusedStartRecord(record, false), log, locked));
  }

  /** Runs the task with the parameter set read for it (its config version), and records its end. */
  async #run(
    ledger: RunLedger,
    task: Task,
    args: unknown,
    claimed: RunRecord,
    lease: Lease | undefined,
    log: Logger,
    config: LoadedConfig | ConfigError,
    earlierSecrets: readonly string[],
  ): Promise<RunResult> {
    if (config instanceof ConfigError) {
      log.error('Cannot read the parameter set', config);
      return this.#finish(ledger, claimed, log, {
        exitCode: ExitCode.UNAVAILABLE,
        error: unreadableConfigError(config, readCnfEnvironment().stage),
      });
    }
    const record = config.version === undefined ? claimed : { ...claimed, configVersion: config.version };
    const secrets = [...config.secrets, ...earlierSecrets];
    const redactor = new SecretRedactor(secrets);
    const runLog = createRunLogger({ runId: record.runId, task: record.task, release: this.#release }, secrets);
    runLog.info(RUN_STARTED, {
      source: record.source,
      caller: record.caller,
      args: record.args,
      stage: this.#stage,
      configFingerprint: config.fingerprint,
      ...(config.version === undefined ? {} : { configVersion: config.version }),
      remainingMs: this.deadline - Date.now(),
    });
    if (this.context.interrupt?.aborted === true) {
      const error = { name: 'InterruptedError', message: 'The run was interrupted before its task started; the task did not run.' };
      return this.#finish(ledger, refusedStartRecord({ ...record, configFingerprint: config.fingerprint }, false), runLog, {
        exitCode: ExitCode.INTERRUPTED,
        error,
        interruptedAt: new Date().toISOString(),
      });
    }
    const timeout = task.options.timeoutSeconds;
    // Secure values never reach the log, the terminal, the result or the ledger, whatever the task prints or throws.
    // Watched first, so that what the redaction holds back until the end counts too.
    const openLines = trackOpenLines();
    const unredact = redactLogLines(redactor);
    const stopWatch = this.#watchStop(ledger, record.runId);
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
    }).finally(() => {
      unredact();
      openLines.close();
      stopWatch?.close();
    });
    // A console evaluation's answer is cnf-admin's (its keys: `result`, `names`); a task's output is all the task's.
    const redacted = redactor.outcome(outcome, record.task === CONSOLE_TASK);
    const stopped = await this.#stopped({ ...record, configFingerprint: config.fingerprint }, redacted, stopWatch);
    return this.#finish(ledger, stopped.record, runLog, stopped.outcome);
  }

  /** In a container (a stop is final): reads the run's record once SIGTERM comes, for whether `cnf-admin stop` asked for it. */
  #watchStop(ledger: RunLedger, runId: string): StopWatch | undefined {
    const { interrupt, stopIsFinal } = this.context;
    return stopIsFinal === true && interrupt !== undefined ? watchStopRequest(ledger, runId, interrupt) : undefined;
  }

  /**
   * A container run stopped from outside (SIGTERM) ends as the stop was,
   * whatever the task did after it; its output, if any, is kept. A stop
   * asked through `cnf-admin stop`, as the run's record says, is an
   * interrupt (130, naming who asked, kept on the record); any other is
   * ECS's (a Fargate Spot reclaim, maintenance): 70 `TaskInterruptedError`.
   */
  async #stopped(
    record: RunRecord,
    outcome: TaskOutcome,
    stopWatch: StopWatch | undefined,
  ): Promise<{ readonly record: RunRecord; readonly outcome: TaskOutcome }> {
    if (stopWatch === undefined || outcome.interruptedAt === undefined) return { record, outcome };
    const stop = await stopWatch.asked();
    const ended = outcomeOfTermination(stop, stopEnding(outcome));
    // The container's end is a put of its whole record: the request the admin function wrote stays on it.
    const asked = stop.asked ? { ...record, stopRequestedAt: stop.at, stopRequestedBy: stop.by } : record;
    return {
      record: asked,
      outcome: { ...outcome, exitCode: ended.exitCode, ...(ended.error === undefined ? {} : { error: ended.error }) },
    };
  }

  /**
   * Records the run's end and answers it. With `unlessEnded`, an end the
   * record shows already (a container task that took the run over ended it)
   * stays, and is the answer, the caller and `runs` agreeing
   * ({@link endThatStands}); the run's end is logged once it is written.
   */
  async #finish(
    ledger: RunLedger,
    record: RunRecord,
    log: Logger,
    outcome: TaskOutcome,
    options: { readonly unlessEnded?: boolean } = {},
  ): Promise<RunResult> {
    const read = record.configVersion === undefined ? {} : { configVersion: record.configVersion };
    const result = { ...this.#result(record.runId, record.task, outcome), ...read };
    const recorded = record.task === CONSOLE_TASK ? recordedConsoleValue(outcome.output) : outcome.output;
    const kept = recorded === undefined ? undefined : storedResult(recorded);
    const ended: RunRecord = {
      ...record,
      endedAt: new Date().toISOString(),
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
      ...(outcome.interruptedAt === undefined ? {} : { interruptedAt: outcome.interruptedAt }),
      ...(kept === undefined ? {} : { result: kept }),
    };
    const logEnd = (): void =>
      log.info(RUN_ENDED, {
        exitCode: result.exitCode,
        durationMs: result.durationMs,
        ...(outcome.interruptedAt === undefined ? {} : { interruptedAt: outcome.interruptedAt }),
        ...(record.notStarted === true ? { notStarted: true } : {}),
      } satisfies RunEndedFields);
    if (options.unlessEnded === true) {
      const standing = await endThatStands(ledger, ended);
      if (standing !== undefined && !(standing instanceof LedgerUnavailableError)) {
        if (standing.endedAt !== undefined) return resultOfRecord(standing);
        // The task ECS did start took the run over, and runs it: its record stands, and says so to `runs show`.
        log.info(`Run ${record.runId} was taken over by the container task ECS started; its record stands.`);
        return result;
      }
      logEnd();
      if (standing instanceof LedgerUnavailableError) log.error('Could not record the end of the run in the ledger', standing);
      return result;
    }
    logEnd();
    try {
      await ledger.finish(ended);
    } catch (error) {
      log.error('Could not record the end of the run in the ledger', error as Error);
    }
    return result;
  }

  #refusal(
    runId: string,
    task: string,
    exitCode: number,
    name: RefusalName,
    message: string,
    detail: Pick<RunError, 'unknownArg' | 'fields'> = {},
  ): Refusal {
    return new Refusal(this.#result(runId, task, { exitCode, error: { name, message, ...detail } }));
  }

  /** The refusal of a run the ledger could not take: its exit code and words, as the ledger's error gives them. */
  #ledgerRefusal(run: { readonly runId: string; readonly task: string }, error: LedgerUnavailableError): Refusal {
    return this.#refusal(run.runId, run.task, error.exitCode, error.name, error.message);
  }

  #result(runId: string, task: string, outcome: TaskOutcome): RunResult {
    return { runId, task, release: this.#release, ...outcome, durationMs: Date.now() - this.startedAt };
  }
}

/**
 * A refusal as the caller and the log get it: a message that quotes what was
 * given (`--count takes an integer…, got: "…"`) may quote a secure value
 * typed in the wrong place, and is redacted of the stage's secrets: the
 * parameter set as the run read it, or, refused before that, read for it.
 * A parameter set that cannot be read leaves the message as it is (no
 * secret was read to leak).
 */
async function redactedRefusal(result: RunResult, readConfig: () => Promise<LoadedConfig | ConfigError>): Promise<RunResult> {
  if (result.error === undefined) return result;
  const config = await readConfig();
  if (config instanceof ConfigError || config.secrets.length === 0) return result;
  const redactor = new SecretRedactor(config.secrets);
  const { message, unknownArg, fields } = result.error;
  // The flag and the fields' problems tell of what was given, as the message does: a secure value given is masked there too.
  return {
    ...result,
    error: {
      ...result.error,
      message: redactor.text(message),
      ...(unknownArg === undefined ? {} : { unknownArg: redactor.text(unknownArg) }),
      // A field is the key as given, which args whose keys the schema leaves open (a record) may make a secure value.
      ...(fields === undefined
        ? {}
        : { fields: fields.map(({ field, problem }) => ({ field: redactor.text(field), problem: redactor.text(problem) })) }),
    },
  };
}

/**
 * The parameter set read fresh (admin runs never use a cached copy), at the
 * config version the event pins when it names one, or why it cannot be read.
 */
async function freshConfig(version: number | undefined): Promise<LoadedConfig | ConfigError> {
  try {
    return await loadConfig({ maxAgeSeconds: 0, ...(version === undefined ? {} : { version }) });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

/**
 * Writes `record` on condition that its run's record shows no end and no
 * container task that took the run over: in one conditional write where the
 * ledger can (`finishUnlessEnded`); otherwise after a read, which a write
 * right then still beats.
 *
 * @returns whether it was written
 */
async function putUnlessEnded(ledger: RunLedger, record: RunRecord): Promise<boolean> {
  if (ledger.finishUnlessEnded !== undefined) return ledger.finishUnlessEnded(record);
  const current = await ledger.get(record.runId);
  if (current === undefined || current.endedAt !== undefined || current.containerStartedAt !== undefined) return false;
  await ledger.finish(record);
  return true;
}

/**
 * Writes a run's end unless its record shows an end already, or that a
 * container task took the run over: a task that ECS started while its
 * RunTask failed (5xx, the SDK retrying) takes the run over, and may end it,
 * before the admin function gives up on ECS's answer.
 *
 * @returns undefined when `ended` was written; the record that stands
 *   instead (ended, or going on in its task); or why the end could not be
 *   written (the caller logs it)
 */
async function endThatStands(ledger: RunLedger, ended: RunRecord): Promise<RunRecord | LedgerUnavailableError | undefined> {
  const written = await guardLedger(() => putUnlessEnded(ledger, ended));
  if (written !== false) return written === true ? undefined : written;
  const current = await guardLedger(() => ledger.get(ended.runId));
  if (current instanceof LedgerUnavailableError) return current;
  if (current !== undefined && current.endedAt === undefined && current.containerStartedAt !== undefined) return current;
  if (current?.endedAt === undefined) {
    return new LedgerUnavailableError(
      `The ledger kept no end for run ${ended.runId}: its record is gone, or was rewritten as it was written.`,
    );
  }
  // The SDK retried a put that had succeeded: the end that stands is this one.
  return current.endedAt === ended.endedAt && current.exitCode === ended.exitCode ? undefined : current;
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
  const { AWS_LAMBDA_LOG_GROUP_NAME, AWS_LAMBDA_LOG_STREAM_NAME } = process.env;
  const { runLog } = readCnfEnvironment();
  if (runLog !== undefined) return runLog;
  const request = context.awsRequestId === undefined ? '' : ` request ${context.awsRequestId}`;
  return `${AWS_LAMBDA_LOG_GROUP_NAME ?? 'unknown'}:${AWS_LAMBDA_LOG_STREAM_NAME ?? 'unknown'}${request}`;
}

export { AdminRun };
export type { RunContext, RunSetup };
