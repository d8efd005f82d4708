import type { InvokePlan, RunFrame } from '../../core/platform.js';
import type { RunResult } from '../../core/run.js';
import { stylerFor, writeLine, writeLineAndWait, type CliIo } from '../io.js';
import { formatLogLine } from './log-line.js';

/** How long a run took, for people: `850 ms`, `4.2 s`, `3 min 5 s`. */
function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** The line above a run's output: task, stage, release and run id. */
function writeRunHeader(io: CliIo, task: string, plan: InvokePlan, runId: string): void {
  const style = stylerFor(io.stderr, io.env);
  writeLine(io.stderr, `${style('bold', `▶ ${task}`)} ${style('dim', `· stage ${plan.stage} · release ${plan.release} · run ${runId}`)}`);
}

/** The line below a run's output: its exit code and duration, and its error if it failed. */
function writeRunFooter(io: CliIo, result: RunResult): void {
  const style = stylerFor(io.stderr, io.env);
  const ok = result.exitCode === 0;
  const mark = ok ? style('green', '✔') : style('red', '✖');
  const error = result.error === undefined ? '' : ` · ${result.error.name}: ${result.error.message}`;
  writeLine(io.stderr, `${mark} ${style('bold', `exit ${result.exitCode}`)} · ${formatDuration(result.durationMs)}${error}`);
}

/** Writes a platform notice to stderr. */
function writeNotice(io: CliIo, message: string): void {
  writeLine(io.stderr, stylerFor(io.stderr, io.env)('yellow', `! ${message}`));
}

/**
 * Shows a run's frames as they arrive: log lines to stdout (to stderr with
 * `--json`, whose stdout is the result document), notices to stderr.
 * Resolves to the result, or undefined when the frames ended without one.
 */
async function renderFrames(io: CliIo, frames: AsyncIterable<RunFrame>, json: boolean): Promise<RunResult | undefined> {
  const out = json ? io.stderr : io.stdout;
  const style = stylerFor(out, io.env);
  for await (const frame of frames) {
    if (frame.type === 'log') await writeLineAndWait(out, formatLogLine(frame.line, style));
    else if (frame.type === 'notice') writeNotice(io, frame.message);
    else return frame.result;
  }
  return undefined;
}

export { formatDuration, renderFrames, writeNotice, writeRunFooter, writeRunHeader };
