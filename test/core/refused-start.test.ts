import { describe, expect, it } from 'vitest';
import { refusedStartRecord, retakenRecord, takesOverRefusedStart } from '../../lib/core/refused-start.js';
import type { RunRecord } from '../../lib/core/run.js';

const record: RunRecord = {
  runId: 'import-1',
  task: 'import',
  args: {},
  argsHash: 'sha256:a',
  release: 'r-0123456789ab',
  source: 'cli',
  caller: 'alice',
  startedAt: '2026-12-06T02:00:00.000Z',
  log: 'x',
  endedAt: '2026-12-06T02:00:01.000Z',
  exitCode: 75,
};

describe('refusedStartRecord', () => {
  it('keeps the run id as the token of a RunTask that failed: a task it may have started is found, not started again', () => {
    expect(refusedStartRecord(record, false)).toEqual({ ...record, notStarted: true });
  });

  it('gives a new token after RunTask answered failures, and after the run ended in its own task, whose token started it', () => {
    const answered = refusedStartRecord(record, true);
    const inItsTask = refusedStartRecord({ ...record, ecsTask: 'arn:aws:ecs:eu-west-1:1:task/c/abc' }, false);
    for (const ended of [answered, inItsTask]) {
      expect(ended.notStarted).toBe(true);
      expect(ended.clientToken).toMatch(/^[0-9a-f-]{36}$/);
    }
    // the retry takes the new token, not the task of the attempt it takes over
    const retry = { ...record, endedAt: undefined, exitCode: undefined, startedAt: '2026-12-06T02:05:00.000Z' };
    expect(takesOverRefusedStart(inItsTask, retry)).toBe(true);
    expect(retakenRecord(inItsTask, retry)).toEqual({ ...retry, clientToken: inItsTask.clientToken });
  });
});
