import { describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { isValidRunId, newRunId, resultOfRecord, settledRecord } from '../../lib/core/run.js';
import { processStartTime } from '../../lib/core/run-owner-liveness.js';

describe('newRunId', () => {
  it('starts with the UTC time to the second and ends with six random characters', () => {
    expect(newRunId(new Date('2026-11-24T14:39:27.123Z'))).toMatch(/^20261124-143927-[0-9a-hjkmnp-tv-z]{6}$/);
  });

  it('sorts by start time', () => {
    const earlier = newRunId(new Date('2026-01-01T00:00:00Z'));
    const later = newRunId(new Date('2026-01-01T00:00:01Z'));
    expect([later, earlier].sort()).toEqual([earlier, later]);
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newRunId()));
    expect(ids.size).toBe(1000);
  });
});

describe('isValidRunId', () => {
  it.each([
    ['20261124-143927-k3f9qz', true],
    ['release-r-0123456789ab', true],
    ['a', true],
    ['', false],
    ['../etc/passwd', false],
    ['has space', false],
    ['x'.repeat(129), false],
    [7, false],
  ])('%s -> %s', (value, expected) => {
    expect(isValidRunId(value)).toBe(expected);
  });
});

describe('settledRecord', () => {
  const started = {
    runId: 'r1',
    task: 'migrate',
    args: {},
    release: 'r-0123456789ab',
    source: 'cli' as const,
    caller: 'alice',
    startedAt: '2026-11-24T10:00:00.000Z',
    log: 'x',
    deadline: '2026-11-24T10:15:00.000Z',
  };

  it('leaves a run in progress alone until well past its deadline', () => {
    expect(settledRecord(started, new Date('2026-11-24T10:15:30.000Z'))).toBe(started);
  });

  it('reads a run still without an end well past its deadline as lost, exit 70', () => {
    expect(settledRecord(started, new Date('2026-11-24T10:16:01.000Z'))).toMatchObject({
      endedAt: '2026-11-24T10:15:00.000Z',
      exitCode: 70,
      error: { name: 'RunLostError' },
    });
  });

  it('leaves a run past its deadline whose process is there on this host (a clock that jumped), and settles one whose process is gone', () => {
    const later = new Date('2026-11-24T11:00:00.000Z');
    const here = { host: hostname(), startTime: '1' };
    const alive = { ...started, owner: { host: hostname(), pid: process.pid, startTime: processStartTime(process.pid) ?? 'unknown' } };
    expect(settledRecord(alive, later)).toBe(alive);
    // The rollback on AWS of a CLI killed on this machine: its ledger probes no owner, so the clock must settle it here too.
    const gone = { ...started, owner: { ...here, pid: 2_147_483_646 } };
    expect(settledRecord(gone, later)).toMatchObject({ exitCode: 70, error: { name: 'RunLostError' } });
    const elsewhere = { ...started, owner: { host: 'another-host', startTime: '1', pid: process.pid } };
    expect(settledRecord(elsewhere, later)).toMatchObject({ exitCode: 70 });
  });

  it('leaves ended runs, and runs with no deadline, as they are', () => {
    const ended = { ...started, endedAt: '2026-11-24T10:01:00.000Z', exitCode: 0 };
    expect(settledRecord(ended, new Date('2027-01-01T00:00:00Z'))).toBe(ended);
    const { deadline: _deadline, ...noDeadline } = started;
    expect(settledRecord(noDeadline, new Date('2027-01-01T00:00:00Z'))).toBe(noDeadline);
  });
});

describe('resultOfRecord', () => {
  it('gives the run result a record keeps, the config version the run read included', () => {
    const record = {
      runId: 'r1',
      task: 'echo',
      args: {},
      release: 'r-0123456789ab',
      source: 'cli' as const,
      caller: 'alice@host',
      startedAt: '2026-12-05T09:00:00.000Z',
      endedAt: '2026-12-05T09:00:01.000Z',
      exitCode: 0,
      durationMs: 1000,
      log: 'file',
      configVersion: 7,
      result: { count: 1 },
    };
    expect(resultOfRecord(record)).toEqual({
      runId: 'r1',
      task: 'echo',
      release: 'r-0123456789ab',
      exitCode: 0,
      durationMs: 1000,
      output: { count: 1 },
      configVersion: 7,
    });
  });
});
