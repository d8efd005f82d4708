import { describe, expect, it } from 'vitest';
import { settledRecord, type RunRecord } from '../../lib/core/run.js';
import { endedByTimeout, exitCodeMeaning, exitLabel, interruptReachedAt, runMeaning, runStatus } from '../../lib/core/run-status.js';
import { lostRecord } from '../../lib/runtime/ledger/lost-run.js';

const run: RunRecord = {
  runId: 'r1',
  task: 'migrate',
  args: {},
  release: 'r-0123456789ab',
  source: 'cli',
  caller: 'alice',
  startedAt: '2026-11-24T14:00:00.000Z',
  log: 'x',
};
const ended = (exitCode: number, error?: string): RunRecord => ({
  ...run,
  endedAt: '2026-11-24T14:00:01.000Z',
  exitCode,
  ...(error === undefined ? {} : { error: { name: error, message: 'm' } }),
});

describe('runStatus', () => {
  it('says how a run stands in one word', () => {
    expect(runStatus(run)).toBe('running');
    expect(runStatus(ended(0))).toBe('succeeded');
    expect(runStatus(ended(3))).toBe('failed');
    expect(runStatus(ended(124))).toBe('failed');
    expect(runStatus(ended(130))).toBe('interrupted');
    expect(runStatus(ended(64, 'InvalidArgs'))).toBe('refused');
    expect(runStatus(settledRecord({ ...run, deadline: '2026-11-24T14:15:00.000Z' }, new Date('2026-11-25T00:00:00Z')))).toBe('lost');
  });

  it('says what an exit code means', () => {
    expect(exitCodeMeaning(0)).toBe('succeeded');
    expect(exitCodeMeaning(124)).toBe('the task hit its timeout');
    expect(exitCodeMeaning(7)).toBe("the task's own exit code: it failed");
    expect(exitCodeMeaning(200)).toBe('not an exit code cnf-admin defines');
  });

  it("says what an ended run's code means for that run: a 0 an interrupt reached first was stopped, as its label says", () => {
    expect(runMeaning({ ...ended(0), exitCode: 0 })).toBe('succeeded');
    expect(runMeaning({ ...ended(0), exitCode: 0, interruptedAt: '2026-11-24T14:00:00.500Z' })).toBe(
      'stopped: asked to stop, the task returned (its result says how far it got)',
    );
    expect(runMeaning({ ...ended(130), exitCode: 130, interruptedAt: '2026-11-24T14:00:00.500Z' })).toBe(exitCodeMeaning(130));
  });

  it('tells a timeout that cnf-admin ended, on either stage, from a 124 of the task its own', () => {
    expect(endedByTimeout(ended(124, 'TimeoutError') as { exitCode: number })).toBe(true);
    expect(endedByTimeout(ended(124, 'FunctionTimeoutError') as { exitCode: number })).toBe(true);
    expect(endedByTimeout(ended(124) as { exitCode: number })).toBe(false);
    expect(endedByTimeout(ended(70, 'TimeoutError') as { exitCode: number })).toBe(false);
  });

  it("labels a run's exit as runs and the ui list show it: stopped and lost said beside the code", () => {
    expect(exitLabel(run)).toBe('running');
    expect(exitLabel(ended(3))).toBe('3');
    expect(exitLabel({ ...ended(130), interruptedAt: '2026-11-24T14:00:00.500Z' })).toBe('130 stopped');
    expect(exitLabel({ ...ended(0), interruptedAt: '2026-11-24T14:00:00.500Z' })).toBe('0 stopped');
    expect(exitLabel(settledRecord({ ...run, deadline: '2026-11-24T14:15:00.000Z' }, new Date('2026-11-25T00:00:00Z')))).toBe('70 lost');
  });

  it('says when an interrupt reached a run: never of a lost run none reached, whose record holds only when it was found lost', () => {
    const owner = { pid: 4242, startTime: '1', host: 'h' };
    const found = new Date('2026-11-24T14:05:00.000Z');
    expect(interruptReachedAt({ ...ended(130), interruptedAt: '2026-11-24T14:00:00.500Z' })).toBe('2026-11-24T14:00:00.500Z');
    expect(interruptReachedAt(ended(3))).toBeUndefined();
    expect(interruptReachedAt(lostRecord(run, owner, found))).toBeUndefined();
    // One that an interrupt reached before its process died keeps when it did.
    expect(interruptReachedAt(lostRecord({ ...run, interruptedAt: '2026-11-24T14:00:00.500Z' }, owner, found))).toBe(
      '2026-11-24T14:00:00.500Z',
    );
  });
});
