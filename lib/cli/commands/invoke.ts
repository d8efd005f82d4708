import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { InvokePlan, Platform, RunFrame } from '../../core/platform.js';
import { isReleaseId } from '../../core/release.js';
import { isRefusal, isValidRunId, newRunId, type AdminEvent } from '../../core/run.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { renderFrames, writeNotice, writeRunFooter, writeRunHeader } from '../render/run-view.js';
import { noteNodeVersion } from '../node-version-notice.js';
import { openStage, type StageOptions } from '../stage-context.js';
import { parseDuration } from '../duration.js';
import { parseArgsJson } from '../args-json.js';
import { withInterrupts } from '../interrupts.js';

/** The options of `cnf-admin invoke`. */
interface InvokeCommandOptions extends StageOptions {
  readonly task: string;
  /** Task args as flags, from after `--`. */
  readonly taskArgs: readonly string[];
  /** Task args as a JSON object. */
  readonly args?: string;
  readonly alias?: string;
  readonly release?: string;
  readonly runId?: string;
  readonly waitLock?: string | boolean;
  readonly dryRun?: boolean;
  readonly detach?: boolean;
  readonly json?: boolean;
}

const INTERRUPT_NOTICE = 'Interrupting: the task is asked to stop. Press Ctrl-C again to stop it at once.';
const DETACH_NOTICE = 'Stopped watching: the run itself goes on in AWS.';

/** How long `--wait-lock` without a value waits. */
const DEFAULT_WAIT_LOCK = '5m';

/**
 * `cnf-admin invoke <task>`: runs a task against the release behind the
 * live web alias, shows its output as it happens, and exits with its exit code.
 */
async function invoke(options: InvokeCommandOptions, io: CliIo): Promise<number> {
  checkIds(options);
  const jsonArgs = options.args === undefined ? {} : parseArgsJson(options.args);
  const waitLockSeconds =
    options.waitLock === undefined || options.waitLock === false
      ? undefined
      : parseDuration(options.waitLock === true ? DEFAULT_WAIT_LOCK : options.waitLock, '--wait-lock');
  const context = await openStage(io, options);
  const { platform } = context;
  const plan = await platform.resolve({
    ...(options.alias === undefined ? {} : { alias: options.alias }),
    ...(options.release === undefined ? {} : { release: options.release }),
  });
  plan.notices.forEach((notice) => writeNotice(io, notice));
  if (options.dryRun === true) return printPlan(io, plan, options);
  await noteNodeVersion(io, context);

  const event: AdminEvent & { runId: string } = {
    task: options.task,
    args: jsonArgs,
    ...(options.taskArgs.length === 0 ? {} : { argv: options.taskArgs }),
    runId: options.runId ?? newRunId(),
    source: 'cli',
    caller: await platform.callerIdentity(),
    ...(waitLockSeconds === undefined ? {} : { waitLockSeconds }),
  };
  if (options.detach === true) return detach(io, platform, plan, event, options.json === true);
  const header = (): void => writeRunHeader(io, options.task, plan, event.runId);
  let interrupted = false;
  const result = await withInterrupts(io, platform.kind === 'aws' ? DETACH_NOTICE : INTERRUPT_NOTICE, (signal, force) => {
    signal.addEventListener('abort', () => (interrupted = true), { once: true });
    return renderFrames(io, headedUnlessRefused(platform.invoke(plan, event, { signal, force }), header), {
      json: options.json === true,
      progress: context.progress,
    });
  });
  if (result === undefined && interrupted) {
    // On AWS the run goes on without the CLI: say how to follow it.
    const follow = `cnf-admin logs ${event.runId} --stage ${plan.stage} --follow`;
    writeNotice(io, `Run ${event.runId} goes on. Follow it with: ${follow}`);
    if (options.json === true) writeJson(io, { runId: event.runId, task: event.task, release: plan.release, interrupted: true, follow });
    return ExitCode.INTERRUPTED;
  }
  if (result === undefined) {
    writeNotice(io, `The run ended without a result. Its log: cnf-admin logs ${event.runId} --stage ${plan.stage}`);
    return ExitCode.SOFTWARE;
  }
  if (options.json === true) writeJson(io, result);
  if (isRefusal(result)) {
    // Refused: nothing ran, so it reads as an error, not as a run.
    writeLine(io.stderr, `cnf-admin: ${result.error?.message ?? 'the admin function refused the event'}`);
    if (['UnknownTask', 'InvalidArgs'].includes(result.error?.name ?? '')) {
      writeLine(io.stderr, `See the tasks and their args with: cnf-admin tasks --stage ${plan.stage}`);
    }
    return result.exitCode;
  }
  writeRunFooter(io, result);
  return result.exitCode;
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
  await platform.detach(plan, event);
  const follow = `cnf-admin logs ${event.runId} --stage ${plan.stage} --follow`;
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

function checkIds(options: InvokeCommandOptions): void {
  if (options.runId !== undefined && !isValidRunId(options.runId)) {
    throw new UsageError(`--run-id must be 1-128 letters, digits, '.', '_' or '-', got: ${JSON.stringify(options.runId)}`);
  }
  if (options.release !== undefined && !isReleaseId(options.release)) {
    throw new UsageError(`--release takes a release id (r- and 12 hex digits), got: ${JSON.stringify(options.release)}`, {
      hint: 'List the releases with: cnf-admin status',
    });
  }
  if (options.release !== undefined && options.alias !== undefined) {
    throw new UsageError('--release and --alias each pick what to run against; give one of them.');
  }
}

function printPlan(io: CliIo, plan: InvokePlan, options: InvokeCommandOptions): number {
  if (options.json === true) {
    writeJson(io, { ...plan, task: options.task });
    return ExitCode.OK;
  }
  writeLine(io.stdout, `Would run ${options.task} on stage ${plan.stage}:`);
  // The local stage names its versions by release id: they are worth a line only where they differ (AWS).
  const picked = plan.alias === undefined ? 'picked by --release' : `behind web:${plan.alias}`;
  writeLine(io.stdout, `  release  ${plan.release} (${picked})`);
  if (plan.webVersion !== plan.release) writeLine(io.stdout, `  web      version ${plan.webVersion}`);
  if (plan.adminVersion !== plan.release || plan.qualifier !== plan.adminVersion) {
    const qualifier = plan.qualifier === plan.adminVersion ? '' : ` (invoked as ${plan.qualifier})`;
    writeLine(io.stdout, `  admin    version ${plan.adminVersion}${qualifier}`);
  }
  writeLine(io.stdout, 'Nothing ran (--dry-run).');
  return ExitCode.OK;
}

export { invoke };
export type { InvokeCommandOptions };
