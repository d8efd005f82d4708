import { ExitCode } from '../../core/exit-codes.js';
import { formatMoment } from '../../core/format-moment.js';
import type { RunResult } from '../../core/run.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { LAST_RUN, resolveRunId } from '../run-id-reference.js';
import { renderFrames, writeRunFooter } from '../render/run-view.js';
import { openStage } from '../stage-context.js';
import type { CommandOptions } from '../command-options.js';
import { withInterrupts } from '../interrupts.js';
import { runLogFrames } from '../run-log-frames.js';
import { assertSecretsReadable } from '../secret-mask.js';

/** The options of `cnf-admin logs`, as its flags declare them. */
type LogsCommandOptions = CommandOptions<'logs'>;

/**
 * The one document of `logs --json`: every line of the run's log, each as
 * the JSON object it is (structured lines, Lambda's platform records) or as
 * a string (any other line), and the run's result, null while it has none.
 */
interface LogsDocument {
  readonly runId: string;
  readonly result: RunResult | null;
  readonly lines: readonly unknown[];
}

/**
 * `cnf-admin logs [runId]`: the whole log of a run (the newest without one; `last` or a unique prefix name one too); `--follow` keeps reading
 * until the run ends and then exits with the run's exit code. With `--json`,
 * stdout is one {@link LogsDocument}, written when the log ends (with
 * `--follow`, when the run ends or following stops); notices stay on stderr.
 */
async function logs(typed: string | undefined, options: LogsCommandOptions, io: CliIo): Promise<number> {
  const { platform, progress, stage } = await openStage(io, options);
  await assertSecretsReadable(platform);
  // Without a run id, the newest run's: what a user wants after a run ended, or a detached one started.
  const runId = await resolveRunId(platform, typed ?? LAST_RUN, stage.name);
  if (runId !== typed) {
    // The run the user did not name in full: which one it is, and when it started.
    const record = await platform.run(runId);
    writeLine(
      io.stderr,
      record === undefined ? `Run ${runId}` : `Run ${runId} (${record.task}, started ${formatMoment(record.startedAt)})`,
    );
  }
  const lines: unknown[] = [];
  const json = options.json === true;
  const result = await withInterrupts(io, 'Stopped following; the run itself goes on.', (signal) =>
    renderFrames(io, runLogFrames(platform, stage.name, runId, { follow: options.follow === true, signal }), {
      json,
      progress,
      verbose: options.verbose === true,
      ...(json ? { keepLines: (line: string) => lines.push(parsedLine(line)) } : {}),
    }),
  );
  if (json) writeJson(io, { runId, result: result ?? null, lines } satisfies LogsDocument);
  else if (result !== undefined) writeRunFooter(io, result);
  if (options.follow === true) return result?.exitCode ?? ExitCode.INTERRUPTED;
  return ExitCode.OK;
}

/** A log line as JSON: the object a structured line holds, or the line itself as a string. */
function parsedLine(line: string): unknown {
  if (!line.startsWith('{')) return line;
  try {
    return JSON.parse(line) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) return line; // a line that only looks like JSON
    throw error;
  }
}

export { logs };
export type { LogsCommandOptions, LogsDocument };
