import type { RunRecord } from '../../core/run.js';
import { runStatus } from '../../core/run-status.js';

/** What the tasks page shows of one task's recent runs. */
interface TaskStats {
  readonly runs: number;
  /** The newest run: id, status, when. */
  readonly lastRun?: { readonly runId: string; readonly status: string; readonly startedAt: string };
  /** Succeeded runs over ended runs (refusals aside), 0..1; absent without ended runs. */
  readonly successRate?: number;
  readonly p50Ms?: number;
  readonly p95Ms?: number;
}

/** The `q`-quantile (0..1) of sorted values, nearest rank. */
function quantile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** The stats of one task from its runs, newest first. */
function taskStats(records: readonly RunRecord[]): TaskStats {
  const ended = records.filter((record) => !['running', 'refused'].includes(runStatus(record)));
  const durations = ended
    .map((record) => record.durationMs)
    .filter((value): value is number => value !== undefined)
    .sort((a, b) => a - b);
  const [last] = records;
  const p50Ms = quantile(durations, 0.5);
  const p95Ms = quantile(durations, 0.95);
  return {
    runs: records.length,
    ...(last === undefined ? {} : { lastRun: { runId: last.runId, status: runStatus(last), startedAt: last.startedAt } }),
    ...(ended.length === 0 ? {} : { successRate: ended.filter((record) => runStatus(record) === 'succeeded').length / ended.length }),
    ...(p50Ms === undefined ? {} : { p50Ms }),
    ...(p95Ms === undefined ? {} : { p95Ms }),
  };
}

export { quantile, taskStats };
export type { TaskStats };
