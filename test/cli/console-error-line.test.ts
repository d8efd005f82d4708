import { describe, expect, it } from 'vitest';
import { errorLine } from '../../lib/cli/console-error-line.js';
import type { RunResult } from '../../lib/core/run.js';

const ENDED: RunResult = { runId: '20261206-100000-abcdef', task: 'console', release: 'r-0123456789ab', exitCode: 0, durationMs: 3 };

describe('errorLine', () => {
  it("says an evaluation's error as Node's REPL says an uncaught one", () => {
    expect(errorLine({ ...ENDED, exitCode: 1, error: { name: 'Error', message: 'nope' } })).toBe('Uncaught Error: nope');
  });

  it('says nothing of an evaluation that ended with an exit code of its own and no error (process.exit(5))', () => {
    expect(errorLine({ ...ENDED, exitCode: 5 })).toBeUndefined();
  });

  it("says the code of one that ended with one of cnf-admin's codes and no error, never nothing", () => {
    expect(errorLine({ ...ENDED, exitCode: 70 })).toBe('Uncaught: the evaluation ended with exit code 70');
  });

  it('says an evaluation that ended without a result', () => {
    expect(errorLine(undefined)).toBe('Uncaught: the evaluation ended without a result');
  });
});
