import { formatConfigDiff, livePairLabel } from '../../core/config-version.js';
import { isCnfError, toldMore, TryAgainError, UnavailableError, UsageError } from '../../core/errors.js';
import { checkEventAgainstCatalog } from '../../core/event-check.js';
import { ExitCode } from '../../core/exit-codes.js';
import { fileSystemFault } from '../../core/file-system-fault.js';
import { formatMoment } from '../../core/format-moment.js';
import type { ConfigChoice, InvokePlan, Platform } from '../../core/platform.js';
import { describeRollback, pairLabel, planRollback, ROLLBACK_TASK, type LivePairControl, type RollbackPlan } from '../../core/rollback.js';
import { isRefusal, isValidRunId, lostFrom, newRunId, type RunRecord, type RunResult } from '../../core/run.js';
import { isGone, type GoneParameter, type ParameterEntry } from '../../core/parameter-set.js';
import type { Stage } from '../../core/stage.js';
import { askAtTerminal } from '../terminal-question.js';
import { asInvoked } from '../invocation.js';
import { mendGoneValues } from '../gone-values.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { currentProcessOwner } from '../../runtime/ledger/process-identity.js';
import { UNKNOWN_MIGRATIONS_ERROR } from '../../runtime/migrations/unknown-migrations-error.js';
import { describeThrown } from '../../runtime/thrown-value.js';
import { renderFrames } from '../render/run-view.js';
import { unstoppable } from '../interrupts.js';
import { assertNameHoldsNoSecret, SecretMask } from '../secret-mask.js';
import { openStage } from '../stage-context.js';
import type { CommandOptions } from '../command-options.js';

/** The options of `cnf-admin rollback`, as its flags declare them (`to`: a release id or `previous`). */
type RollbackOptions = CommandOptions<'rollback'>;

/** The platform's live pair, or a clear refusal where it keeps none. */
function livePairsOf(platform: Platform, stage: Stage): LivePairControl {
  if (platform.livePairs === undefined || platform.configVersions === undefined)
    throw new UnavailableError(`cnf-admin rollback does not support stage ${stage.name}'s platform (${platform.kind}) yet.`);
  return platform.livePairs;
}

/** Plans the rollback against the live pair now: two reads (the pair and its history), then the values to diff. */
async function plan(platform: Platform, pairs: LivePairControl, stage: Stage, to: string, config: ConfigChoice): Promise<RollbackPlan> {
  const versions = platform.configVersions as NonNullable<Platform['configVersions']>;
  const [current, history] = await Promise.all([pairs.livePair(), pairs.history()]);
  if (current === undefined)
    throw new UnavailableError(`Stage ${stage.name} has no live release to roll back from.`, {
      hint: `Deploy first: cnf-admin deploy --stage ${stage.name}`,
    });
  return planRollback(
    {
      stage: stage.name,
      current,
      history,
      values: (version) => versions.values(version),
      unrestorableConfig: (version) => versions.unrestorable(version),
      unrestorableRelease: (release) => pairs.releaseUnrestorable(release),
    },
    to,
    config,
  );
}

/**
 * The values of the live config that SSM no longer keeps, each key with
 * whether it is secure, as `config list` names them: none asked for where
 * the live config reads whole or does not stay. Where they cannot be listed, none: the
 * plan's mend then says to set each key the config names.
 */
async function goneLiveValues(platform: Platform, planned: RollbackPlan): Promise<GoneParameter[]> {
  if (!keepsUnreadableConfig(planned)) return [];
  // The plan stands without the keys' names: a failure to list them costs only their naming.
  return (await platform.parameters.list().catch((): ParameterEntry[] => [])).filter(isGone);
}

/* Whether the rollback keeps the live config, and that config cannot be read whole: the code moves, the gap stays. */
function keepsUnreadableConfig(planned: RollbackPlan): boolean {
  return planned.liveConfigUnreadable !== undefined && planned.to.config === planned.from.config;
}

/** Prints the plan to `out`: stdout, or stderr where `--json` keeps stdout for its one document. */
function printPlan(
  out: NodeJS.WritableStream,
  stage: Stage,
  rollback: RollbackPlan,
  gone: readonly GoneParameter[],
  env: NodeJS.ProcessEnv,
): void {
  writeLine(out, `Roll back stage ${stage.name} ${describeRollback(rollback)}`);
  writeLine(
    out,
    rollback.pinsNone === true
      ? `  config: the live config version stays: ${rollback.to.release} was never live on stage ${stage.name}, so it pins none`
      : rollback.configMode === 'pinned'
        ? "  config: the release's pinned config version (--config current keeps the live one)"
        : '  config: the live config version stays (--config current)',
  );
  const unreadable = rollback.liveConfigUnreadable;
  if (rollback.diff === undefined)
    writeLine(
      out,
      `  config diff: left out: the live config cannot be read whole${unreadable === undefined ? '' : ` (${unreadable})`}; the rollback makes ${pairLabel(rollback.to)}, whose values are whole, live`,
    );
  else {
    const lines = formatConfigDiff(rollback.diff);
    writeLine(out, lines.length === 0 ? '  config diff: none' : `  config diff:\n${lines.map((line) => `    ${line}`).join('\n')}`);
  }
  if (keepsUnreadableConfig(rollback))
    writeLine(
      out,
      asInvoked(
        `  ! the live config stays, and ${unreadable}: ${rollback.to.release}'s web and admin cannot read that value either. ${mendGoneValues(gone, stage.name)}`,
        env,
      ),
    );
  if (stage.releasePhase !== undefined)
    writeLine(out, `  release phase: ${stage.releasePhase} runs on ${rollback.to.release} first; if it fails, nothing moves`);
}

/**
 * Refuses (69) a rollback whose release phase would run with the live config
 * when that config cannot be read whole: the phase's admin run reads every
 * value of it, and would fail before its task began. Without a release phase
 * the code moves alone (the plan says what the live config lacks).
 *
 * @throws UnavailableError naming the release phase, the config and what to do first
 */
function assertReleasePhaseReadsConfig(stage: Stage, planned: RollbackPlan, gone: readonly GoneParameter[]): void {
  if (stage.releasePhase === undefined || !keepsUnreadableConfig(planned)) return;
  throw new UnavailableError(
    `The release phase (${stage.releasePhase}) would run ${pairLabel(planned.to)}, the live config, which it cannot read: ${planned.liveConfigUnreadable}; nothing moved.`,
    {
      hint: `${mendGoneValues(gone, stage.name)} Then roll back again${planned.configMode === 'current' && planned.pinsNone !== true ? "; or, where the target's pinned config is another version and whole, roll back with it: --config pinned" : ''}.`,
    },
  );
}

/*
 * How long a rollback may take before a record of it without an end reads
 * as lost: its moves take seconds, and its release phase (a migration on
 * Lambda) at most 15 minutes; an hour leaves room for a release phase in a
 * container. A rollback that does end later records its end all the same.
 */
const ROLLBACK_DEADLINE_MS = 60 * 60 * 1000;

/**
 * What `runs` shows of a rollback that moved the stage but whose end the
 * ledger would not record: the local ledger finds its owner (this process)
 * gone once the command has exited, and reads it as lost then; elsewhere
 * nothing probes the owner, and the run reads as running until its deadline
 * has passed ({@link lostFrom}).
 */
function unendedRunShown(platform: Platform, record: RunRecord): string {
  if (platform.kind === 'local') return 'runs shows it as lost (130) once this command has exited, although it moved the stage.';
  const from = lostFrom(record);
  return from === undefined
    ? 'runs shows it as running, although it ended.'
    : `runs shows it as running (ended: in progress) until ${formatMoment(from)}, past its deadline, and as lost (70) after that, although it moved the stage.`;
}

/**
 * Refuses a run id that names another run: of another task, or a rollback
 * to another release than the `--to <release>` given now (`previous` names
 * no release until planned, and is taken as the same). As for `invoke`, 64.
 *
 * @throws UsageError naming what the run id names
 */
function assertSameRollback(earlier: RunRecord, to: string): void {
  const earlierTo = typeof earlier.args.to === 'string' ? earlier.args.to.split(' ')[0] : undefined;
  const differs =
    earlier.task !== ROLLBACK_TASK
      ? `a run of ${earlier.task}`
      : to !== 'previous' && earlierTo !== undefined && earlierTo !== to
        ? `a rollback to ${earlierTo}, not ${to}`
        : undefined;
  if (differs !== undefined)
    throw new UsageError(
      `Run id ${earlier.runId} already names ${differs}; nothing moved. Use a new run id, or the same rollback to get its outcome.`,
    );
}

/* What a rollback's run id gets to name its release phase's run. */
const RELEASE_PHASE_SUFFIX = '-release-phase';

/* The longest run id (isValidRunId) a rollback with a release phase may take: its phase's id must be one too. */
const RELEASE_PHASE_RUN_ID_MAX = 128 - RELEASE_PHASE_SUFFIX.length;

/** The run id of a rollback's release phase: the rollback's own, with `-release-phase`. */
function releasePhaseRunId(runId: string): string {
  return `${runId}${RELEASE_PHASE_SUFFIX}`;
}

/**
 * Refuses a `--run-id` that its release phase's run id cannot follow: one
 * so long that the phase's id is no run id (the admin function would refuse
 * the phase, and the rollback end with a 64 that named nothing), or one
 * whose phase's id names a run already (an invoke given that id, say: the
 * admin function would answer that run's outcome for it, whatever release it
 * ran on, and the rollback would move with no release phase run on its
 * target). As a run id reused for other work, 64, before anything is recorded.
 *
 * @throws UsageError naming what is wrong with the id
 */
async function assertReleasePhaseRunId(platform: Platform, runId: string): Promise<void> {
  const phaseRunId = releasePhaseRunId(runId);
  if (!isValidRunId(phaseRunId))
    throw new UsageError(
      `--run-id is ${runId.length} characters, too long for a rollback with a release phase, whose run takes the id with ${RELEASE_PHASE_SUFFIX} added (at most 128 characters in all); nothing moved.`,
      { hint: `Use a run id of at most ${RELEASE_PHASE_RUN_ID_MAX} characters (or leave --run-id out).` },
    );
  const taken = await platform.run(phaseRunId);
  if (taken !== undefined)
    throw new UsageError(
      `Run id ${phaseRunId}, which this rollback's release phase would take, already names a run of ${taken.task} on ${taken.release}; nothing moved.`,
      { hint: 'Use a new run id (or leave --run-id out): the release phase must run on the release rolled back to.' },
    );
}

/**
 * What a run id already did, for a rollback retried with it: the earlier
 * run's move (from, to) and exit code; nothing is planned or moved again.
 * Resolves to that run's exit code (75 while it is still running).
 */
function reportEarlierRun(earlier: RunRecord, json: boolean, io: CliIo): number {
  const exitCode = earlier.exitCode ?? ExitCode.TEMP_FAIL;
  if (json) {
    writeJson(io, { runId: earlier.runId, task: earlier.task, args: earlier.args, exitCode: earlier.exitCode ?? null, moved: false });
    return exitCode;
  }
  const args = earlier.args as { from?: unknown; to?: unknown } | undefined;
  const move = earlier.task === ROLLBACK_TASK && args?.from !== undefined ? `: from ${String(args.from)} to ${String(args.to)}` : '';
  writeLine(
    io.stderr,
    `Run ${earlier.runId} happened already (${earlier.task}${move}, ${earlier.exitCode === undefined ? 'still running' : `exit ${earlier.exitCode}`}); nothing moved again.`,
  );
  return exitCode;
}

/**
 * `cnf-admin rollback`: plans a move of web and admin to a retained release
 * with its pinned config, shows it with a per-key config diff, asks (or takes
 * `--yes`), runs the stage's release-phase task on the target first, and
 * moves the live pair as one step. The rollback is a run of the ledger
 * (`cnf:rollback`), once per run id, under the stage-wide lock.
 */
async function rollback(options: RollbackOptions, io: CliIo): Promise<number> {
  const { config, to } = options;
  if (options.reason !== undefined && options.reason.trim() === '') throw new UsageError('--reason is empty; say why, or leave it out.');
  const { platform, stage } = await openStage(io, options);
  if (options.runId !== undefined) await assertNameHoldsNoSecret(platform, '--run-id', options.runId, stage.name);
  // A retry of a rollback's run id moves nothing and plans nothing: it says what that run did.
  const earlier = options.runId === undefined ? undefined : await platform.run(options.runId);
  if (earlier !== undefined) {
    assertSameRollback(earlier, to);
    return reportEarlierRun(earlier, options.json === true, io);
  }
  const pairs = livePairsOf(platform, stage);
  if (options.force === true && stage.releasePhase === undefined)
    throw new UsageError(`--force passes force to the release phase, and stage ${stage.name} has none; nothing moved.`, {
      hint: `Leave --force out, or name the stage's release phase task as releasePhase in cdk.json (context.cnf.stages.${stage.name}).`,
    });
  const planned = await plan(platform, pairs, stage, to, config);
  const json = options.json === true;
  const nothingToDo =
    planned.to.release === planned.from.release && planned.to.config === planned.from.config && planned.from.adminRelease === undefined;
  const gone = await goneLiveValues(platform, planned);
  if (!nothingToDo) assertReleasePhaseReadsConfig(stage, planned, gone);
  // A release phase that release would refuse (no such task, args it does not take) is found before anything starts: a dry run's too.
  const phase =
    stage.releasePhase === undefined || nothingToDo
      ? undefined
      : {
          task: stage.releasePhase,
          target: await releasePhaseTarget(platform, stage, stage.releasePhase, planned, options.force === true),
        };
  if (phase !== undefined && options.runId !== undefined) await assertReleasePhaseRunId(platform, options.runId);
  if (options.dryRun === true || nothingToDo) {
    if (json) writeJson(io, { stage: stage.name, ...planned, moved: false });
    else {
      printPlan(io.stdout, stage, planned, gone, io.env);
      writeLine(io.stdout, nothingToDo ? 'That is the live pair already; nothing to do.' : 'Nothing moved (--dry-run).');
    }
    return ExitCode.OK;
  }
  if (!json) printPlan(io.stdout, stage, planned, gone, io.env);
  if (options.yes !== true) {
    if ((io.stdin as { isTTY?: boolean }).isTTY !== true)
      throw new UsageError(`A rollback moves stage ${stage.name}'s web and admin; confirm it with --yes.`, {
        hint: 'Run it at a terminal to be asked, or add --yes (see the plan first with --dry-run).',
      });
    // The question is about the plan: under --json it shows on stderr.
    if (json) printPlan(io.stderr, stage, planned, gone, io.env);
    if (
      (await askAtTerminal(io, `Roll back stage ${stage.name}? Type yes to confirm: `, 'Interrupted: nothing moved.'))
        .trim()
        .toLowerCase() !== 'yes'
    ) {
      if (json) writeJson(io, { stage: stage.name, ...planned, moved: false });
      writeLine(io.stderr, 'Nothing moved.');
      return ExitCode.OK;
    }
  }
  const caller = await platform.callerIdentity();
  const runId = options.runId ?? newRunId();
  // The ledger and the pair's history keep the reason: never a secure value typed into it.
  const reason = options.reason === undefined ? undefined : await new SecretMask(platform.parameters).mask(options.reason);
  // From here a Ctrl-C (or SIGTERM, SIGHUP) stops the rollback before it moves anything, never half way:
  // the lock is given back and the run recorded as interrupted; a move under way ends first.
  // Once the move has begun, it finishes (it is one step), and a Ctrl-C then says so.
  let moving = false;
  const notice = (): string =>
    moving
      ? 'Interrupted: the stage is already moving; the rollback finishes, so that nothing is left half done.'
      : 'Interrupted: the rollback stops before it moves anything (a step under way ends first).';
  return unstoppable(io, notice, (interrupted) =>
    pairs.withStageLock({ runId, caller }, async () => {
      // The stage may have moved while the plan was shown: roll back only what the user saw.
      const now = await pairs.livePair();
      if (now?.release !== planned.from.release || now.config !== planned.from.config || now.adminRelease !== planned.from.adminRelease)
        throw new TryAgainError(
          `Stage ${stage.name} moved since the plan (now ${now === undefined ? 'nothing' : pairLabel(now)}); nothing moved. Run rollback again.`,
        );
      const startedAt = Date.now();
      const record: RunRecord = {
        runId,
        task: ROLLBACK_TASK,
        args: {
          from: pairLabel(planned.from),
          to: livePairLabel(planned.to.release, planned.to.config),
          config: planned.configMode,
          ...(reason === undefined ? {} : { reason }),
          ...(options.force === true ? { force: true } : {}),
        },
        release: planned.to.release,
        source: 'cli',
        caller,
        startedAt: new Date(startedAt).toISOString(),
        log: 'the rollback run writes no log of its own',
        // This process owns the run: should it die before the end is recorded, the run reads as lost, not running
        // (locally at once, by its owner; on AWS, where no reader can see this process, once its deadline has passed).
        owner: currentProcessOwner(),
        deadline: new Date(startedAt + ROLLBACK_DEADLINE_MS).toISOString(),
        // No config version until it made one live: a rollback refused or failed records none, never the target's as if used.
      };
      // A claim the ledger refuses (denied, failing) stops the rollback before anything moved: it says so.
      const existing = await pairs.claimRun(record).catch((error: unknown) => {
        throw isCnfError(error) ? toldMore(error, 'Nothing moved.', { cause: error }) : error;
      });
      if (existing !== undefined) return reportEarlierRun(existing, json, io);
      let ended = false;
      const finish = async (exitCode: number, error?: { name: string; message: string }): Promise<void> => {
        ended = true;
        await pairs.finishRun({
          ...record,
          endedAt: new Date().toISOString(),
          exitCode,
          durationMs: Date.now() - startedAt,
          ...(error === undefined ? {} : { error }),
          // A rollback that moved made the target's config live: its record names it, with the target's release.
          ...(exitCode !== ExitCode.OK || planned.to.config === undefined ? {} : { configVersion: planned.to.config }),
        });
      };
      try {
        if (phase !== undefined) {
          const phaseResult = await releasePhase(io, platform, phase, planned, runId, caller, options.force === true, json);
          const exitCode = phaseResult?.exitCode ?? ExitCode.UNAVAILABLE;
          if (exitCode !== 0) {
            // A refusal ran nothing, so no output of the task said why: the message says it (a lock held, args refused).
            const why = phaseResult !== undefined && isRefusal(phaseResult) ? `: ${phaseResult.error?.message ?? ''}` : '';
            const message = `The release phase (${phase.task}) of ${planned.to.release} exited ${exitCode}${why.replace(/[.;]?\s*$/, '')}; nothing moved.`;
            await finish(exitCode, { name: 'ReleasePhaseFailed', message });
            writeLine(io.stderr, message);
            // The task's own hint names invoke, which would run the live release: a rollback passes force on itself.
            if (phaseResult?.error?.name === UNKNOWN_MIGRATIONS_ERROR && options.force !== true)
              writeLine(
                io.stderr,
                asInvoked(
                  `If the migrations that release does not ship only added to the schema (expand/contract), roll back with --force, which passes force to ${phase.task}: cnf-admin rollback --to ${planned.to.release} --force --stage ${stage.name}`,
                  io.env,
                ),
              );
            return exitCode;
          }
        }
        if (interrupted()) {
          const message = `The rollback was interrupted before it moved anything; stage ${stage.name} stays on ${pairLabel(planned.from)}.`;
          await finish(ExitCode.INTERRUPTED, { name: 'InterruptedError', message });
          writeLine(io.stderr, message);
          return ExitCode.INTERRUPTED;
        }
        moving = true;
        const unrecorded = await pairs.move(planned.to, { runId, ...(reason === undefined ? {} : { reason }) });
        if (unrecorded !== undefined) writeLine(io.stderr, `! ${unrecorded}`);
        // The stage has moved: a ledger that will not record the run's end fails nothing, and is told.
        await finish(ExitCode.OK).catch((error: unknown) =>
          writeLine(
            io.stderr,
            `! Stage ${stage.name} moved, but the end of run ${runId} could not be recorded (${(error as Error).message.replace(/[.\s]*$/, '')}): ${unendedRunShown(platform, record)}`,
          ),
        );
        if (json)
          writeJson(io, {
            stage: stage.name,
            runId,
            ...planned,
            moved: true,
            ...(unrecorded === undefined ? {} : { unrecordedMove: unrecorded }),
          });
        else
          writeLine(
            io.stderr,
            `Rolled back stage ${stage.name} to ${livePairLabel(planned.to.release, planned.to.config)} (run ${runId}). The next deploy rolls forward.`,
          );
        return ExitCode.OK;
      } catch (error) {
        // What stopped it is the run's end, as the CLI reports it: the record never reads as killed when it was not.
        const reported = fileSystemFault(error);
        if (!ended)
          await finish(isCnfError(reported) ? reported.exitCode : ExitCode.SOFTWARE, describeThrown(reported)).catch(() => undefined);
        throw reported;
      }
    }),
  );
}

/**
 * The target release as its release phase runs there (with `--config`),
 * once it is known that its admin function would not refuse the phase
 * before running it: a task it does not have, or `force` where the task's
 * args take none. On AWS its catalog comes from its admin function
 * (`cnf:describe`).
 *
 * @throws UsageError (64) naming the task, the release and what is wrong: nothing is planned further, asked or recorded
 */
async function releasePhaseTarget(
  platform: Platform,
  stage: Stage,
  task: string,
  planned: RollbackPlan,
  force: boolean,
): Promise<InvokePlan> {
  const release = planned.to.release;
  const target = await platform.resolve({ release, config: planned.configMode });
  const catalog = await platform.catalog(target);
  try {
    checkEventAgainstCatalog(catalog, release, { task, args: releasePhaseArgs(force) });
  } catch (error) {
    if (!isCnfError(error)) throw error;
    const told = /[.?!]$/.test(error.message) ? `${error.message} Nothing moved.` : `${error.message}; nothing moved.`;
    const forced = force ? ` --force passes it force: true, which the task's args must take (defineMigrateTask's do).` : '';
    throw new UsageError(`The release phase (${task}) cannot run on ${release}: ${told}`, {
      hint: `The release phase is releasePhase in cdk.json (context.cnf.stages.${stage.name}).${forced} The tasks of ${release} and their args: cnf-admin tasks --release ${release} --stage ${stage.name}`,
      cause: error,
    });
  }
  return target;
}

/** What a rollback passes its release phase: `force` with --force, else nothing. */
function releasePhaseArgs(force: boolean): Readonly<Record<string, unknown>> {
  return force ? { force: true } : {};
}

/** Runs the stage's release-phase task on its target (the release rolled back to, with its config); resolves to its result (undefined when none came). */
async function releasePhase(
  io: CliIo,
  platform: Platform,
  { task, target }: { readonly task: string; readonly target: InvokePlan },
  planned: RollbackPlan,
  runId: string,
  caller: string,
  force: boolean,
  json: boolean,
): Promise<RunResult | undefined> {
  const event = {
    task,
    args: releasePhaseArgs(force),
    runId: releasePhaseRunId(runId),
    source: 'release-phase' as const,
    caller,
    ...(planned.to.config === undefined ? {} : { configVersion: planned.to.config }),
  };
  if (!json) writeLine(io.stderr, `Running the release phase: ${task} on ${livePairLabel(planned.to.release, planned.to.config)}`);
  return renderFrames(
    io,
    platform.invoke({ ...target, ...(planned.to.config === undefined ? {} : { configVersion: planned.to.config }) }, event),
    { json },
  );
}

export { rollback };
export type { RollbackOptions };
