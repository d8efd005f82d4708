import { describe, expect, it } from 'vitest';
import type { RunOwner, RunRecord, RunResult } from '../../../lib/core/run.js';
import { endRecordedNotice } from '../../../lib/platform/local/record-run-end.js';
import { FileLedger } from '../../../lib/runtime/ledger/file-ledger.js';
import { tempDir } from '../../support/temp-dir.js';

const OWNER: RunOwner = { pid: process.pid, startTime: 'now', host: 'here' };

function running(runId: string, owner?: RunOwner): RunRecord {
  return {
    runId,
    task: 'noop',
    args: {},
    release: 'r-0123456789ab',
    source: 'cli',
    caller: 'alice',
    startedAt: new Date().toISOString(),
    log: 'x',
    ...(owner === undefined ? {} : { owner }),
  };
}

const refused: Omit<RunResult, 'runId'> = {
  task: 'noop',
  release: 'r-0123456789ab',
  exitCode: 64,
  durationMs: 1,
  error: { name: 'RunIdConflict', message: 'other args' },
};

describe('endRecordedNotice', () => {
  it("leaves a record that names no owner alone: a refused retry's result is not that run's end", async () => {
    const dir = tempDir('cnf-record-end');
    const ledger = new FileLedger(dir);
    const other = running('no-owner');
    await ledger.claim(other);
    expect(await endRecordedNotice({ ledger: dir }, { ...refused, runId: 'no-owner' }, false, OWNER)).toBeUndefined();
    expect(await ledger.get('no-owner')).toEqual(other);
  });

  it('records the end of its own run, whose record of it did not land', async () => {
    const dir = tempDir('cnf-record-end');
    const ledger = new FileLedger(dir);
    await ledger.claim(running('own', OWNER));
    const ended = { task: 'noop', release: 'r-0123456789ab', exitCode: 3, runId: 'own', durationMs: 5 };
    expect(await endRecordedNotice({ ledger: dir }, ended, true, OWNER)).toBeUndefined();
    expect(await ledger.get('own')).toMatchObject({ exitCode: 3, endedAt: expect.any(String) });
  });
});
