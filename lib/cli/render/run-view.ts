import { ExitCode } from '../../core/exit-codes.js';
import type { InvokePlan, RunFrame } from '../../core/platform.js';
import { STOPPED_BY_USER, stoppedMessage } from '../../core/run-log.js';
import { LOST_RUN_ERROR } from '../../core/run-status.js';
import type { Progress, ProgressTask } from '../../core/progress.js';
import { configVersionLabel } from '../../core/config-version.js';
import { localizedMoments } from '../../core/format-moment.js';
import type { RunResult } from '../../core/run.js';
import { CONSOLE_TASK } from '../../core/task-catalog.js';
import { stylerFor, writeLine, writeLineAndWait, writeWrapped, type CliIo } from '../io.js';
import { asInvoked } from '../invocation.js';
import { formatDuration } from './format-duration.js';
import { formatLogLine } from './log-line.js';
import { writeRunOutput } from './run-output.js';

/** The line above a run's output: task, stage, release and run id. */
function writeRunHeader(io: CliIo, task: string, plan: InvokePlan, runId: string): void {
  const style = stylerFor(io.stderr, io.env);
  const config = plan.configVersion === undefined ? '' : ` · ${describePlanConfig(plan)}`;
  writeLine(
    io.stderr,
    `${style('bold', `▶ ${task}`)} ${style('dim', `· stage ${plan.stage} · release ${plan.release}${config} · run ${runId}`)}`,
  );
}

/** Which config a plan runs with, and why: `config v7`, `config v5 (pinned)`, `config v9 (current)`. */
function describePlanConfig(plan: InvokePlan): string {
  if (plan.configVersion === undefined) return 'config (unversioned)';
  const why = plan.configSource === 'pinned' ? ' (pinned)' : plan.configSource === 'current' ? ' (the live config)' : '';
  return `config ${configVersionLabel(plan.configVersion)}${why}`;
}

/** Options of {@link writeRunFooter}. */
interface FooterOptions {
  /** Show the task's return value on stdout first (not when stdout is a `--json` document). @default true */
  readonly output?: boolean;
}

/**
 * Below a run's output: the task's return value (stdout), then one line
 * (stderr) with its exit code and duration, and its error if it failed. A
 * run that stopped as it was asked (exit 130) says `stopped · exit 130`; one
 * whose process died before it recorded its end, `lost · exit 130`. The
 * commands an error suggests are written as the user runs cnf-admin.
 */
function writeRunFooter(io: CliIo, result: RunResult, options: FooterOptions = {}): void {
  // A console evaluation's record keeps its value as the console showed it: shown as it was, not quoted again.
  if (options.output !== false && result.task === CONSOLE_TASK && typeof result.output === 'string')
    writeLine(io.stdout, `=> ${result.output}`);
  else if (options.output !== false) writeRunOutput(io, result.output);
  const style = stylerFor(io.stderr, io.env);
  const took = formatDuration(result.durationMs);
  if (result.exitCode === ExitCode.INTERRUPTED) {
    // Stopped as asked is no failure to explain; a run that was lost, killed or forced says why.
    const asked = result.error === undefined || result.error.message === stoppedMessage(STOPPED_BY_USER);
    const why = asked ? '' : ` · ${result.error?.name}: ${localizedMoments(asInvoked(result.error?.message ?? '', io.env))}`;
    // A run whose process died before it recorded its end was lost, as runs says, not stopped.
    const how = result.error?.name === LOST_RUN_ERROR ? 'lost' : 'stopped';
    writeLine(io.stderr, `${style('yellow', '■')} ${how} · ${style('bold', `exit ${result.exitCode}`)} · ${took}${why}`);
    return;
  }
  const ok = result.exitCode === 0;
  const mark = ok ? style('green', '✔') : style('red', '✖');
  // The run's error may suggest a command (an UnknownMigrationsError, its --force): as the user runs cnf-admin.
  const error = result.error === undefined ? '' : ` · ${result.error.name}: ${localizedMoments(asInvoked(result.error.message, io.env))}`;
  writeLine(io.stderr, `${mark} ${style('bold', `exit ${result.exitCode}`)} · ${took}${error}`);
}

/** Writes a platform notice to stderr, its suggested commands written as the user runs cnf-admin (`npx cnf-admin …`). */
function writeNotice(io: CliIo, message: string): void {
  const style = stylerFor(io.stderr, io.env);
  writeWrapped(io.stderr, io.env, `! ${asInvoked(message, io.env)}`, (line) => style('yellow', line));
}

/* The runtime's line when a run waits for its task's lock (`--wait-lock`): the wait ends with the run's next line. */
const LOCK_WAIT = /"message":"Waiting up to \d+s for the lock held by run ([^"]+)"/;

/** Options of {@link renderFrames}. */
interface FrameViewOptions {
  /** `--json`: stdout is the command's one document, so log lines go to stderr. @default false */
  readonly json?: boolean;
  /** Where a wait inside the run (for a task's lock) is shown. @default - not shown */
  readonly progress?: Progress;
  /** Receives the log lines, as the run wrote them, instead of the screen (`logs --json`). @default - shown */
  readonly keepLines?: (line: string) => void;
  /** Show stack traces whole (`--verbose`), not only the user's frames. @default false */
  readonly verbose?: boolean;
}

/**
 * Shows a run's frames as they arrive: log lines to stdout (to stderr with
 * `--json`, whose stdout is the result document), notices to stderr.
 * Resolves to the result, or undefined when the frames ended without one.
 */
async function renderFrames(io: CliIo, frames: AsyncIterable<RunFrame>, options: FrameViewOptions = {}): Promise<RunResult | undefined> {
  const out = options.json === true ? io.stderr : io.stdout;
  const style = stylerFor(out, io.env);
  let lockWait: ProgressTask | undefined;
  try {
    for await (const frame of frames) {
      lockWait?.stop('ok');
      lockWait = undefined;
      if (frame.type === 'log') {
        const holder = LOCK_WAIT.exec(frame.line)?.[1];
        if (options.keepLines !== undefined) options.keepLines(frame.line);
        else await writeShown(out, formatLogLine(frame.line, style, { verbose: options.verbose === true, record: frame.record }));
        if (holder !== undefined) lockWait = options.progress?.start(`Waiting for the lock held by run ${holder}`, { quiet: true });
      } else if (frame.type === 'notice') writeNotice(io, frame.message);
      else return frame.result;
    }
    return undefined;
  } finally {
    lockWait?.stop('ok');
  }
}

/** Writes a log line as shown, on a line of its own; a line left out of the view writes nothing. */
async function writeShown(out: NodeJS.WritableStream, shown: string | undefined): Promise<void> {
  // A line the run ended without a newline still ends here, so that whatever follows starts on a line of its own.
  if (shown !== undefined) await writeLineAndWait(out, shown.replace(/[\r\n]+$/, ''));
}

export { describePlanConfig, renderFrames, writeNotice, writeRunFooter, writeRunHeader };
export type { FooterOptions, FrameViewOptions };
