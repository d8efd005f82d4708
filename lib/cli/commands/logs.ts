import { ExitCode } from '../../core/exit-codes.js';
import { writeJson, type CliIo } from '../io.js';
import { assertRunIdArgument } from '../run-id-argument.js';
import { renderFrames, writeRunFooter } from '../render/run-view.js';
import { openStage, type StageOptions } from '../stage-context.js';
import { withInterrupts } from '../interrupts.js';

/** The options of `cnf-admin logs`. */
interface LogsCommandOptions extends StageOptions {
  readonly follow?: boolean;
  readonly json?: boolean;
}

/**
 * `cnf-admin logs <runId>`: the whole log of a run; `--follow` keeps reading
 * until the run ends and then exits with the run's exit code.
 */
async function logs(runId: string, options: LogsCommandOptions, io: CliIo): Promise<number> {
  assertRunIdArgument(runId);
  const { platform } = await openStage(io, options);
  const result = await withInterrupts(io, 'Stopped following; the run itself goes on.', (signal) =>
    renderFrames(io, platform.logs(runId, { follow: options.follow === true, signal }), options.json === true),
  );
  if (result !== undefined) {
    writeRunFooter(io, result);
    if (options.json === true) writeJson(io, result);
  }
  if (options.follow === true) return result?.exitCode ?? ExitCode.INTERRUPTED;
  return ExitCode.OK;
}

export { logs };
export type { LogsCommandOptions };
