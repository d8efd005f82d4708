import { spawnSync } from 'node:child_process';

/** One benchmark figure: a subject measured against a baseline in the same run. */
interface BenchResult {
  readonly name: string;
  /** subject / baseline (lower is better), or a plain count or measure when `unit` says so. */
  readonly value: number;
  readonly unit: 'ratio' | 'count' | 'ms' | 'MB';
  /** The target the figure should stay at or under. */
  readonly target?: number;
  /** What was measured, in numbers: medians in milliseconds, sample counts. */
  readonly detail: string;
}

/** A benchmark file's default export. */
type Benchmark = () => Promise<BenchResult[]>;

/** A command to time: argv and where to run it. */
interface TimedCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function timeOnce(timed: TimedCommand): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(timed.command, timed.args, { cwd: timed.cwd, env: timed.env ?? process.env, stdio: 'ignore' });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${timed.command} ${timed.args.join(' ')} exited ${result.status}`);
  return elapsed;
}

/**
 * Times a subject command against a baseline command, alternating them run
 * by run so that the machine's background noise hits both alike, and
 * reports the ratio of their medians.
 */
function compareCommands(
  subject: TimedCommand,
  baseline: TimedCommand,
  runs: number,
  warmup = 2,
): { ratio: number; subjectMs: number; baselineMs: number } {
  for (let index = 0; index < warmup; index += 1) {
    timeOnce(baseline);
    timeOnce(subject);
  }
  const subjectTimes: number[] = [];
  const baselineTimes: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    baselineTimes.push(timeOnce(baseline));
    subjectTimes.push(timeOnce(subject));
  }
  const subjectMs = median(subjectTimes);
  const baselineMs = median(baselineTimes);
  return { ratio: subjectMs / baselineMs, subjectMs, baselineMs };
}

export { compareCommands, median };
export type { Benchmark, BenchResult, TimedCommand };
