import { ExitCode } from '../../core/exit-codes.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { asInvoked } from '../invocation.js';
import { resolveRunId } from '../run-id-reference.js';
import { LocalPlatform } from '../../platform/local/local-platform.js';
import { formatDuration } from '../render/format-duration.js';
import { openAwsStage, openStage, type StageOptions } from '../stage-context.js';

/** The options of `cnf-admin stop`. */
interface StopCommandOptions extends StageOptions {
  readonly json?: boolean;
}

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
  if (context.platform instanceof LocalPlatform) {
    return stopLocal(await resolveRunId(context.platform, typed, context.stage.name), context.platform, options, io);
  }
  const { platform, stage } = await openAwsStage(io, options, 'stop');
  const runId = await resolveRunId(platform, typed, stage.name);
  const tasks = await platform.stop(runId);
  const follow = asInvoked(`cnf-admin logs ${runId} --stage ${stage.name} --follow`, io.env);
  if (options.json === true) writeJson(io, { runId, stage: stage.name, stoppedTasks: tasks, follow });
  writeLine(
    io.stderr,
    `Stopping run ${runId} (ECS task ${tasks.map((task) => task.split('/').pop()).join(', ')}): its task is told to stop and records how it ended. Watch it end with:\n  ${follow}`,
  );
  return ExitCode.OK;
}

/** `stop` on the local stage: the run is asked to stop as Ctrl-C would, and its recorded end is shown. */
async function stopLocal(runId: string, platform: LocalPlatform, options: StopCommandOptions, io: CliIo): Promise<number> {
  // A run that has ended already is refused by stop (64), with no "Stopping" line before it.
  if ((await platform.run(runId))?.endedAt === undefined) writeLine(io.stderr, `Stopping run ${runId}: its task is told to stop.`);
  const record = await platform.stop(runId);
  if (options.json === true) writeJson(io, record);
  const took = record.durationMs === undefined ? '' : ` · ${formatDuration(record.durationMs)}`;
  writeLine(io.stderr, `Run ${runId} stopped · exit ${record.exitCode ?? 'unknown'}${took}`);
  return ExitCode.OK;
}

export { stop };
export type { StopCommandOptions };
