import { ExitCode } from '../../core/exit-codes.js';
import { localizedMoments } from '../../core/format-moment.js';
import { LOST_RUN_ERROR } from '../../core/run-status.js';
import type { LocalStageCapability } from '../../core/platform-capabilities.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { asInvoked } from '../invocation.js';
import { resolveRunId } from '../run-id-reference.js';
import { formatDuration } from '../render/format-duration.js';
import { openAwsStage, openStage } from '../stage-context.js';
import type { CommandOptions } from '../command-options.js';

/** The options of `cnf-admin stop`, as its flags declare them. */
type StopCommandOptions = CommandOptions<'stop'>;

/**
 * `cnf-admin stop <runId> --stage <aws stage>`: stops the container task
 * that runs `runId` (ECS StopTask, its reason naming the caller). ECS sends
 * the container SIGTERM; the task's signal fires, and the run ends with 130
 * and records that in the ledger (SIGKILL follows after two minutes).
 *
 * On the local stage it stops a run, attached or detached, through the
 * process that runs it, and returns once the ledger records its end.
 */
async function stop(typed: string, options: StopCommandOptions, io: CliIo): Promise<number> {
  const context = await openStage(io, options);
  const { localStage } = context.platform;
  if (localStage !== undefined) {
    return stopLocal(await resolveRunId(context.platform, typed, context.stage.name), localStage, options, io);
  }
  const { platform, cloudStage, stage } = await openAwsStage(io, options, 'stop');
  const runId = await resolveRunId(platform, typed, stage.name);
  const tasks = await cloudStage.stop(runId);
  const follow = asInvoked(`cnf-admin logs ${runId} --stage ${stage.name} --follow`, io.env);
  if (options.json === true) writeJson(io, { runId, stage: stage.name, stoppedTasks: tasks, follow });
  writeLine(
    io.stderr,
    `Stopping run ${runId} (ECS task ${tasks.map((task) => task.split('/').pop()).join(', ')}): its task is told to stop and records how it ended. Watch it end with:\n  ${follow}`,
  );
  return ExitCode.OK;
}

/** `stop` on the local stage: the run is asked to stop as Ctrl-C would, and its recorded end is shown. */
async function stopLocal(runId: string, localStage: LocalStageCapability, options: StopCommandOptions, io: CliIo): Promise<number> {
  // A run that cannot be stopped (not there, ended, another copy's) is refused by stop (64), with no "Stopping" line before it.
  const record = await localStage.stop(runId, () => writeLine(io.stderr, `Stopping run ${runId}: its task is told to stop.`));
  if (options.json === true) writeJson(io, record);
  const took = record.durationMs === undefined ? '' : ` · ${formatDuration(record.durationMs)}`;
  // A run whose processes ended before it recorded its end (one that did not end when asked is killed) is lost, as runs says.
  const lost = record.error?.name === LOST_RUN_ERROR ? record.error : undefined;
  const why = lost === undefined ? '' : ` · ${lost.name}: ${localizedMoments(lost.message)}`;
  writeLine(io.stderr, `Run ${runId} ${lost === undefined ? 'stopped' : 'lost'} · exit ${record.exitCode ?? 'unknown'}${took}${why}`);
  return ExitCode.OK;
}

export { stop };
export type { StopCommandOptions };
