import { describe, expect, it } from 'vitest';
import { quantile, taskStats } from '../../../lib/cli/ui/task-stats.js';
import type { RunRecord } from '../../../lib/core/run.js';

const run = (runId: string, exitCode: number | undefined, durationMs?: number, error?: string): RunRecord => ({
  runId,
  task: 'migrate',
  args: {},
  release: 'r-0123456789ab',
  source: 'cli',
  caller: 'alice',
  startedAt: `2026-11-24T14:00:0${runId}.000Z`,
  ...(exitCode === undefined ? {} : { endedAt: '2026-11-24T15:00:00.000Z', exitCode }),
  ...(durationMs === undefined ? {} : { durationMs }),
  ...(error === undefined ? {} : { error: { name: error, message: 'm' } }),
  log: 'x',
});

describe('taskStats', () => {
  it('gives the last run, the success rate of ended runs (refusals aside) and p50/p95 durations', () => {
    const stats = taskStats([
      run('5', undefined),
      run('4', 75, 1, 'LockHeld'),
      run('3', 0, 100),
      run('2', 1, 300),
      run('1', 0, 200),
      run('0', 64, 2, 'InvalidArgs'),
    ]);
    expect(stats).toEqual({
      runs: 6,
      lastRun: { runId: '5', status: 'running', startedAt: '2026-11-24T14:00:05.000Z' },
      // 4 (lock held) and 0 (invalid args) were refused: nothing of their task ran.
      successRate: 2 / 3,
      p50Ms: 200,
      p95Ms: 300,
    });
  });

  it('has nothing to say of a task that never ran', () => {
    expect(taskStats([])).toEqual({ runs: 0 });
  });

  it('takes quantiles by nearest rank', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.95)).toBe(4);
    expect(quantile([], 0.5)).toBeUndefined();
  });
});
