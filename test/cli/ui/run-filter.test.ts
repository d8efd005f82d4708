import { describe, expect, it } from 'vitest';
import { filtersRecords, matchesFilter, parseRunFilter } from '../../../lib/cli/ui/run-filter.js';
import type { RunRecord } from '../../../lib/core/run.js';

const run: RunRecord = {
  runId: '20261124-143927-k3f9qz',
  task: 'migrate',
  args: {},
  release: 'r-0123456789ab',
  source: 'schedule',
  caller: 'arn:aws:sts::1:assumed-role/Admin/alice',
  startedAt: '2026-11-24T14:39:27.000Z',
  endedAt: '2026-11-24T14:39:28.000Z',
  exitCode: 2,
  log: 'x',
};

describe('the runs filter', () => {
  it('reads what the address says, and leaves out what it does not', () => {
    const filter = parseRunFilter(new URLSearchParams('status=failed&task=migrate&caller=&from=2026-11-24T00:00:00Z&all=1'));
    expect(filter).toEqual({ status: 'failed', task: 'migrate', from: '2026-11-24T00:00:00.000Z', all: true });
  });

  it('names a status, source or time it does not know', () => {
    expect(() => parseRunFilter(new URLSearchParams('status=broken'))).toThrow(
      'status takes one of running, succeeded, failed, refused, interrupted, lost, got: "broken"',
    );
    expect(() => parseRunFilter(new URLSearchParams('source=cron'))).toThrow('source takes one of');
    expect(() => parseRunFilter(new URLSearchParams('to=yesterday'))).toThrow('to takes a date and time, got: "yesterday"');
  });

  it('matches status, release, a part of the caller, source and time range', () => {
    expect(matchesFilter(run, { status: 'failed', release: 'r-0123456789ab', caller: 'ALICE', source: 'schedule' })).toBe(true);
    expect(matchesFilter(run, { status: 'succeeded' })).toBe(false);
    expect(matchesFilter(run, { caller: 'bob' })).toBe(false);
    expect(matchesFilter(run, { from: '2026-11-24T14:39:27.000Z', to: '2026-11-24T14:39:28.000Z' })).toBe(true);
    expect(matchesFilter(run, { to: '2026-11-24T14:39:27.000Z' })).toBe(false);
  });

  it('leaves task, status and time to the ledger query; release, caller and source to the records', () => {
    expect(filtersRecords({ task: 'x', status: 'failed', from: 'a', to: 'b' })).toBe(false);
    expect(filtersRecords({ caller: 'alice' })).toBe(true);
  });
});
