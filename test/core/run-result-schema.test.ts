import { describe, expect, it } from 'vitest';
import { isRunResult, parseRunResult } from '../../lib/core/run-result-schema.js';

const result = { runId: '20261124-143927-k3f9qz', task: 'migrate', release: 'r-0123456789ab', exitCode: 0, durationMs: 5 };

describe('the run result schema', () => {
  it('takes a run result, and keeps fields it does not know', () => {
    expect(parseRunResult({ ...result, future: true })).toEqual({ ok: true, result: { ...result, future: true } });
    expect(isRunResult({ ...result, error: { name: 'LockHeld', message: 'locked' }, interruptedAt: '2026-11-24T14:39:28.000Z' })).toBe(
      true,
    );
  });

  it.each([
    [{ ...result, exitCode: 'zero' }, /exitCode: /],
    [{ ...result, exitCode: 300 }, /exitCode: /],
    [{ ...result, interruptedAt: 'soon' }, /interruptedAt: expected an ISO 8601 time/],
    [{ ...result, error: 'boom' }, /error: /],
    [{ runId: 'r1', exitCode: 0 }, /task: /],
  ])('refuses %j, naming the field', (value, problem) => {
    const read = parseRunResult(value);
    expect(read.ok).toBe(false);
    expect(read.ok ? '' : read.problem).toMatch(problem);
  });
});
