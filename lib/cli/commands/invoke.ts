import { ERROR_PREFIX, isCnfError, PermissionError, type CnfError } from '../../core/errors.js';
import { livePairLabel } from '../../core/config-version.js';
import { ExitCode } from '../../core/exit-codes.js';
import { endedByTimeout } from '../../core/run-status.js';
import { stoppedByEcs } from '../../core/container-outcome.js';
import { DEFAULT_ALIAS, type ContainerPlan, type InvokePlan, type Platform, type RunFrame } from '../../core/platform.js';
import type { RefusalName } from '../../core/refusal.js';
import { isRefusal, newRunId, refusalNamesRecordedRun, type AdminEvent, type RunResult } from '../../core/run.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { describePlanConfig, renderFrames, writeNotice, writeRunFooter, writeRunHeader } from '../render/run-view.js';
import { noteNodeVersion } from '../node-version-notice.js';
import { openStage, type StageContext } from '../stage-context.js';
import { checkInvokeInput, type InvokeCommandOptions } from '../invoke-input.js';
import { forceUntilMoved, InterruptedError, unlessInterrupted, withInterrupts } from '../interrupts.js';
import { asInvoked } from '../invocation.js';
import { buildWorkingTreeForDryRun, deployWorkingTreeFirst, type DryRunBuild } from '../auto-deploy.js';
import { describeFiles } from '../../core/working-tree-difference.js';
import { isScriptPath } from '../../core/task-catalog.js';
import { ownFlagAfterDashes } from '../own-flag-after-dashes.js';
import { unlistedTaskRefusal } from '../unlisted-task.js';
import type { Project } from '../../core/project.js';
import { localizedMoments } from '../../core/format-moment.js';
import { checkAwsFlagsAreNotTaskArgs } from '../aws-flags-or-task-args.js';
import { CNF_VARIABLES, readCnfEnvironment } from '../../core/cnf-environment.js';

const INTERRUPT_NOTICE = 'Interrupting: the task is asked to stop. Press Ctrl-C again to stop it at once.';
const DETACH_NOTICE = 'Stopped watching: the run itself goes on in AWS.';
const BEFORE_RUN_NOTICE = 'Interrupted before the run started.';
const DEPLOY_FINISHES_NOTICE = 'Interrupted: the working tree is going live; that finishes first, then nothing runs.';
const NOTHING_RAN = 'nothing ran';

/**
 * `cnf-admin invoke <task>`: runs a task against the release behind the
 * live web alias, shows its output as it happens, and exits with its exit code.
 *
 * Ctrl-C, SIGTERM and SIGHUP end it alike. Before the run starts, nothing
 * runs and it exits 130. During a run on the local stage, the task is asked
 * to stop (a second one kills it), and the CLI exits with what the ledger
 * records: 130 when the run stopped because of it, the task's own exit code
 * when the task returned anyway. On AWS the run goes on and it exits 130 with
 * the command that follows the run.
 */
async function invoke(options: InvokeCommandOptions, io: CliIo): Promise<number> {
  const { jsonArgs, target } = checkInvokeInput(options);
  const waitLockSeconds = options.waitLock;
  let phase: 'before' | 'going-live' | 'local-run' | 'aws-run' = 'before';
  const notices = {
    before: BEFORE_RUN_NOTICE,
    'going-live': DEPLOY_FINISHES_NOTICE,
    'aws-run': DETACH_NOTICE,
    'local-run': INTERRUPT_NOTICE,
  } as const;
  const notice = (): string => notices[phase];
  return withInterrupts(io, notice, async (signal, force) => {
    const context = await unlessInterrupted(openStage(io, options), signal, NOTHING_RAN);
    const { platform } = context;
    // A chosen run id is checked only when there is one (the mask's module loads for it alone).
    if (options.runId !== undefined)
      await (await import('../secret-mask.js')).assertNameHoldsNoSecret(platform, '--run-id', options.runId, context.stage.name);
    await deployBeforeTheRun(context, options, signal, force, () => (phase = 'going-live'));
    phase = 'before';
    // A dry run deploys nothing: it builds what the real invoke would deploy, and plans the run on that.
    const built =
      options.dryRun === true ? await unlessInterrupted(buildWorkingTreeForDryRun(context, options), signal, NOTHING_RAN) : undefined;
    const resolve = (): Promise<InvokePlan> => unlessInterrupted(platform.resolve(target), signal, NOTHING_RAN);
    let plan: InvokePlan;
    if (built === undefined) {
      plan = await resolve();
      plan.notices.forEach((planNotice) => writeNotice(io, planNotice));
    } else {
      // With nothing deployed yet, resolving the live pair would deploy the tree: the dry run plans on its build alone.
      plan = planOnBuiltTree(built.live === undefined ? undefined : await resolve(), built, context.stage.name);
      const verb = isScriptPath(options.task) ? 'run' : 'invoke';
      const first =
        built.live === undefined
          ? `Nothing is deployed to stage ${context.stage.name} yet: ${verb} deploys the working tree first`
          : `The working tree differs from the live release ${built.live} (${describeFiles(built.files)}): ${verb} deploys it first`;
      writeNotice(io, `${first}, as ${built.release}. This dry run built it, stored nothing, and checks the run against it.`);
    }
    const awsFlags = { task: options.task, region: options.region, profile: options.profile, taskArgs: options.taskArgs, jsonArgs };
    await unlessInterrupted(checkAwsFlagsAreNotTaskArgs(platform, plan, awsFlags), signal, NOTHING_RAN);
    const checked = {
      task: options.task,
      args: jsonArgs,
      ...(options.taskArgs.length === 0 ? {} : { argv: options.taskArgs }),
      runId: options.runId ?? newRunId(),
      source: 'cli' as const,
    };
    // A foreground run is checked by the admin function; what starts without one watching, or not at all, is checked first.
    if (options.dryRun === true || options.detach === true) {
      // The check (zod's full build, for the task's JSON Schema) loads only here: a foreground run does not pay for it.
      const { preflight } = await import('../preflight.js');
      const check = await unlessInterrupted(
        preflight(platform, plan, checked, options.runId !== undefined, context.project, built?.catalog),
        signal,
        NOTHING_RAN,
      );
      if (!check.ok) return alreadyRan(io, plan, check.ran, options.json === true);
      if (options.dryRun === true)
        return printPlan(io, plan, options, {
          container: await platform.containerPlan?.(plan, options.task),
          builtTree: built !== undefined,
          args: check.args,
        });
    }
    await noteNodeVersion(io, context);

    const event: AdminEvent & { runId: string } = {
      ...checked,
      caller: await unlessInterrupted(platform.callerIdentity(), signal, NOTHING_RAN),
      ...(waitLockSeconds === undefined ? {} : { waitLockSeconds }),
    };
    if (options.detach === true) {
      const started = detach(io, platform, plan, event, options.json === true);
      return unlessInterrupted(
        started,
        signal,
        `the detached run ${event.runId} may have started; see cnf-admin runs --stage ${plan.stage}`,
      );
    }
    phase = platform.kind === 'aws' ? 'aws-run' : 'local-run';
    let running = false;
    const header = (): void => {
      running = true;
      writeRunHeader(io, options.task, plan, event.runId);
    };
    let result: RunResult | undefined;
    try {
      result = await renderFrames(io, headedUnlessRefused(platform.invoke(plan, event, { signal, force }), header), {
        json: options.json === true,
        progress: context.progress,
        verbose: options.verbose === true,
      });
    } catch (error) {
      // Before the run showed a frame, an error is the CLI's own to report; after, the run was under way and has been ended.
      if (!running) throw error;
      // On AWS a run goes on without the CLI: an AWS call that failed while following it (throttled, denied) changed nothing of the run.
      if (isCnfError(error) && platform.kind === 'aws') return lostTrack(io, plan, event.runId, error, options.json === true);
      if (isCnfError(error)) throw error;
      return abandoned(io, platform, plan, event.runId, error, options.json === true);
    }
    return finish(io, context.project, plan, event, result, signal.aborted, options.json === true);
  });
}

/**
 * Deploys the working tree first where the checkout runs
 * (deployWorkingTreeFirst). An interrupt stops the build and moves nothing:
 * nothing ran (130). Once the pair moves, the deploy finishes and says so;
 * the interrupt then ends the command before the run. A second interrupt
 * before the move stops waiting for the build at once.
 */
async function deployBeforeTheRun(
  context: StageContext,
  options: InvokeCommandOptions,
  signal: AbortSignal,
  force: AbortSignal,
  onMove: () => void,
): Promise<void> {
  const move = forceUntilMoved(force, onMove);
  const deployed = deployWorkingTreeFirst(context, { ...options, signal, onMove: move.onMove }).catch((error: unknown) => {
    if (isCnfError(error) && error.exitCode === ExitCode.INTERRUPTED)
      throw new InterruptedError(
        `Interrupted: ${NOTHING_RAN}; the working tree's deploy stopped before web:${DEFAULT_ALIAS} and admin:${DEFAULT_ALIAS} moved.`,
      );
    throw error;
  });
  await unlessInterrupted(deployed, move.waiting, NOTHING_RAN);
}

/** Shows how a run ended and resolves to the exit code: the run's, as its ledger records it. */
function finish(
  io: CliIo,
  project: Project,
  plan: InvokePlan,
  event: AdminEvent & { runId: string },
  result: RunResult | undefined,
  interrupted: boolean,
  json: boolean,
): number {
  if (result === undefined && interrupted) {
    // On AWS the run goes on without the CLI: say how to follow it.
    const follow = asInvoked(`cnf-admin logs ${event.runId} --stage ${plan.stage} --follow`, io.env);
    writeNotice(io, `Run ${event.runId} goes on. Follow it with: ${follow}`);
    if (json) writeJson(io, { runId: event.runId, task: event.task, release: plan.release, interrupted: true, follow });
    return ExitCode.INTERRUPTED;
  }
  if (result === undefined) {
    writeNotice(io, `The run ended without a result. Its log: cnf-admin logs ${event.runId} --stage ${plan.stage}`);
    return ExitCode.SOFTWARE;
  }
  if (isRefusal(result)) {
    // Refused: nothing ran, so it reads as an error, not as a run, and names no run id the ledger lacks.
    if (json) writeJson(io, refusalDocument(result));
    const refused = localizedMoments(result.error?.message ?? 'the admin function refused the event');
    // A module that defines the task, written and not listed: the line after names it, so the message says no more of how to write one.
    const unknownTask = result.error?.name === ('UnknownTask' satisfies RefusalName);
    const { message, hint: unlisted } = unknownTask
      ? unlistedTaskRefusal(project, event.task, refused, plan)
      : { message: refused, hint: undefined };
    writeLine(io.stderr, `${ERROR_PREFIX} ${asInvoked(message, io.env)}`);
    if ((['UnknownTask', 'InvalidArgs'] satisfies RefusalName[] as string[]).includes(result.error?.name ?? '')) {
      writeLine(io.stderr, asInvoked(`See the tasks and their args with: cnf-admin tasks --stage ${plan.stage}`, io.env));
      const more = unlisted ?? (unknownTask ? undefined : ownFlagAfterDashes(event.task, result.error?.unknownArg));
      if (more !== undefined) writeLine(io.stderr, asInvoked(more, io.env));
    }
    if (result.error?.name === ('LockHeld' satisfies RefusalName)) {
      // After a wait that ran out, the way on is a longer one, not the flag it was given.
      writeLine(
        io.stderr,
        event.waitLockSeconds === undefined
          ? 'To wait for the lock instead, add --wait-lock (up to 5 minutes; --wait-lock=15m for longer).'
          : `It waited ${event.waitLockSeconds}s for the lock, which is still held. Wait longer with, say, --wait-lock=15m.`,
      );
    }
    return result.exitCode;
  }
  if (json) writeJson(io, result);
  writeRunFooter(io, result, { output: !json });
  const earlier = ranElsewhere(plan, result);
  if (earlier !== undefined) writeNotice(io, earlier);
  // A container task ECS stopped ends with 70 whatever it did then: its error says so, and the exit is not the task's own.
  if (result.interruptedAt !== undefined && result.exitCode !== ExitCode.INTERRUPTED && !stoppedByEcs(result)) {
    writeNotice(
      io,
      // A 124 that the timeout's error names is cnf-admin's, not the task's: it ran on past its timeout and was ended.
      endedByTimeout(result)
        ? 'The task was asked to stop and did not: it ran on to its timeout, and was ended then (exit 124).'
        : `The task was asked to stop but ended on its own terms: exit ${result.exitCode} is its own, and the ledger records it as interrupted.`,
    );
  }
  return result.exitCode;
}

/**
 * What a retried `--run-id` that ran on another release or config than the
 * plan (before a rollback, say) says: the header named the plan, and the
 * outcome shown is the earlier run's. Undefined when the run ran as planned.
 */
function ranElsewhere(plan: InvokePlan, result: RunResult): string | undefined {
  const otherConfig = result.configVersion !== undefined && plan.configVersion !== undefined && result.configVersion !== plan.configVersion;
  if (result.release === plan.release && !otherConfig) return undefined;
  const ran = livePairLabel(result.release, result.configVersion);
  return `Run ${result.runId} ran earlier, on ${ran}, not on ${livePairLabel(plan.release, plan.configVersion)} as planned above: this is that run's outcome; nothing ran again.`;
}

/** A detached or dry run whose `--run-id` already ran with these args: nothing runs again, and it ends as that run did. */
function alreadyRan(io: CliIo, plan: InvokePlan, ran: RunResult, json: boolean): number {
  writeNotice(io, `Run ${ran.runId} (${ran.task}) already ran on stage ${plan.stage}, exit ${ran.exitCode}; nothing ran again.`);
  if (json) writeJson(io, ran);
  return ran.exitCode;
}

/**
 * A refused event as `--json` prints it: the error document every failed
 * command prints, with the run id only when it names a run the ledger holds.
 */
function refusalDocument(result: RunResult): Record<string, unknown> {
  return {
    // As every error of --json is: its name and message.
    error: result.error === undefined ? undefined : { name: result.error.name, message: result.error.message },
    exitCode: result.exitCode,
    ...(refusalNamesRecordedRun(result) ? { runId: result.runId } : {}),
  };
}

/**
 * cnf-admin itself failed while a run went on (a bug, or a limit it did not
 * guard): the platform has ended the run (locally: killed it, and recorded
 * exit 70), so say so in one line and exit with what the ledger records.
 */
async function abandoned(io: CliIo, platform: Platform, plan: InvokePlan, runId: string, error: unknown, json: boolean): Promise<number> {
  const failure = error instanceof Error ? error : new Error(String(error));
  let exitCode: number = ExitCode.SOFTWARE;
  let recorded = false;
  let after: string;
  try {
    const record = await platform.run(runId);
    recorded = record !== undefined;
    if (record?.endedAt !== undefined) exitCode = record.exitCode ?? ExitCode.SOFTWARE;
    if (record === undefined) after = 'it had not started, and nothing was recorded';
    else if (record.endedAt !== undefined) after = `the ledger records it as ended with exit ${exitCode}`;
    else if (platform.kind === 'aws') after = `it goes on in AWS; follow it with: cnf-admin logs ${runId} --stage ${plan.stage} --follow`;
    else after = 'the ledger still records it as in progress';
  } catch (readError) {
    after = `and the ledger could not be read (${(readError as Error).message})`;
  }
  const message = `cnf-admin failed during run ${runId} (${failure.name}: ${failure.message}); ${after}.`;
  const debug = readCnfEnvironment(io.env).debug === true;
  writeLine(io.stderr, `${ERROR_PREFIX} ${asInvoked(message, io.env)}${debug ? '' : ` ${CNF_VARIABLES.debug}=1 shows where.`}`);
  if (debug) writeLine(io.stderr, String(failure.stack));
  if (json) writeJson(io, { error: { name: failure.name, message }, exitCode, ...(recorded ? { runId } : {}) });
  return exitCode;
}

/**
 * Says that the CLI could no longer follow a run that goes on in AWS (an
 * AWS call failed: throttled, denied), and how to follow it: 69, never the
 * call's own "nothing changed, try again", which would start a second run.
 */
function lostTrack(io: CliIo, plan: InvokePlan, runId: string, error: CnfError, json: boolean): number {
  const follow = asInvoked(`cnf-admin logs ${runId} --stage ${plan.stage} --follow`, io.env);
  // Following needs the same permissions: a denied call is mended first, and cnf-admin policy says which it takes.
  const denied = error instanceof PermissionError ? ` once you may (cnf-admin policy --stage ${plan.stage} lists what it takes)` : '';
  const message = `Run ${runId} was started and goes on in AWS, but cnf-admin could no longer follow it (${error.name}: ${error.message}). Do not start it again: follow it${denied} with: ${follow}`;
  writeLine(io.stderr, `${ERROR_PREFIX} ${asInvoked(message, io.env)}`);
  if (json) writeJson(io, { error: { name: 'FollowFailed', message }, exitCode: ExitCode.UNAVAILABLE, runId, follow });
  return ExitCode.UNAVAILABLE;
}

/**
 * The frames of a run, with the run's header shown before the first one,
 * unless the first is a refusal: bad input shows as an error, not a run.
 */
async function* headedUnlessRefused(frames: AsyncIterable<RunFrame>, header: () => void): AsyncGenerator<RunFrame> {
  let first = true;
  for await (const frame of frames) {
    if (first && !(frame.type === 'result' && isRefusal(frame.result))) header();
    first = false;
    yield frame;
  }
}

/** `--detach`: start the run, print its id and how to follow it, and return. */
async function detach(
  io: CliIo,
  platform: Platform,
  plan: InvokePlan,
  event: AdminEvent & { runId: string },
  json: boolean,
): Promise<number> {
  // A retry that raced the run of its run id, which ended before this one could take the id, ran nothing.
  const ran = await platform.detach(plan, event);
  if (ran !== undefined) return alreadyRan(io, plan, ran, json);
  const follow = asInvoked(`cnf-admin logs ${event.runId} --stage ${plan.stage} --follow`, io.env);
  if (json) writeJson(io, { runId: event.runId, task: event.task, stage: plan.stage, release: plan.release, follow });
  else {
    writeLine(io.stdout, event.runId);
    writeLine(
      io.stderr,
      `Started ${event.task} on stage ${plan.stage} (release ${plan.release}) as run ${event.runId}. Follow it with:\n  ${follow}`,
    );
  }
  return ExitCode.OK;
}

/**
 * The plan of a run on the working tree a dry run built: the same stage and
 * config as the live pair's (`plan`), on the release the tree builds; with
 * nothing deployed yet (no `plan`), the live pair the first deploy makes,
 * with no config version yet.
 */
function planOnBuiltTree(plan: InvokePlan | undefined, built: DryRunBuild, stage: string): InvokePlan {
  const release = built.release;
  return {
    ...(plan ?? { stage, alias: DEFAULT_ALIAS }),
    release,
    webVersion: release,
    adminVersion: release,
    qualifier: release,
    notices: [],
  };
}

/**
 * Prints a dry run's plan: `builtTree` when the release is the working tree
 * this dry run built, which the real command deploys to `web:live` first.
 */
function printPlan(
  io: CliIo,
  plan: InvokePlan,
  options: InvokeCommandOptions,
  {
    container,
    builtTree,
    args,
  }: { readonly container: ContainerPlan | undefined; readonly builtTree: boolean; readonly args: Readonly<Record<string, unknown>> },
): number {
  if (options.json === true) {
    writeJson(io, { ...plan, task: options.task, args, ...(container === undefined ? {} : { container }) });
    return ExitCode.OK;
  }
  writeLine(io.stdout, `Would run ${options.task} on stage ${plan.stage}:`);
  // As the run would get them: flags merged, the schema's defaults applied (a dry-run purge and a real one differ here).
  writeLine(io.stdout, `  args     ${JSON.stringify(args)}`);
  // The local stage names its versions by release id: they are worth a line only where they differ (AWS).
  const picked =
    plan.alias === undefined
      ? 'picked by --release'
      : builtTree
        ? `the working tree, built for this dry run: deployed to web:${plan.alias} first`
        : `behind web:${plan.alias}`;
  writeLine(io.stdout, `  release  ${plan.release} (${picked})`);
  if (plan.configVersion !== undefined) writeLine(io.stdout, `  config   ${describePlanConfig(plan).replace(/^config /, '')}`);
  if (plan.webVersion !== plan.release) writeLine(io.stdout, `  web      version ${plan.webVersion}`);
  if (plan.adminVersion !== plan.release || plan.qualifier !== plan.adminVersion) {
    const qualifier = plan.qualifier === plan.adminVersion ? '' : ` (invoked as ${plan.qualifier})`;
    writeLine(io.stdout, `  admin    version ${plan.adminVersion}${qualifier}`);
  }
  if (container !== undefined) {
    writeLine(io.stdout, `  runs on  ECS Fargate, up to ${container.timeLimitSeconds}s`);
    writeLine(io.stdout, `  task     definition ${container.taskDefinition}`);
    writeLine(io.stdout, `  cluster  ${container.cluster}`);
    writeLine(io.stdout, `  subnets  ${container.subnets.join(', ')}`);
    writeLine(io.stdout, `  security groups ${container.securityGroups.join(', ')}${container.assignPublicIp ? ' (public IP)' : ''}`);
  }
  writeLine(io.stdout, 'Nothing ran (--dry-run).');
  return ExitCode.OK;
}

export { invoke };
export type { InvokeCommandOptions };
