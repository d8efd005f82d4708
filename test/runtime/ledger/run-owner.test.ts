import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { storedResult, STORED_RESULT_MAX_BYTES, type RunOwner, type RunRecord } from '../../../lib/core/run.js';
import { FileLedger } from '../../../lib/runtime/ledger/file-ledger.js';
import { isOwnerGone } from '../../../lib/core/run-owner-liveness.js';
import { currentProcessOwner } from '../../../lib/runtime/ledger/process-identity.js';
import { tempDir } from '../../support/temp-dir.js';

/** A process that has ended (its pid is free again). */
function endedProcess(): RunOwner {
  const child = spawnSync(process.execPath, ['-e', '']);
  return { ...currentProcessOwner(), pid: child.pid ?? 0 };
}

const running = (runId: string, owner: RunOwner): RunRecord => ({
  runId,
  task: 'migrate',
  args: {},
  release: 'r-0123456789ab',
  source: 'cli',
  caller: 'alice',
  startedAt: new Date().toISOString(),
  log: '/tmp/x.log',
  deadline: new Date(Date.now() + 900_000).toISOString(),
  owner,
});

describe('a run owner', () => {
  it('is alive while its process runs, and gone when it ended or its pid now names another process', () => {
    expect(isOwnerGone(currentProcessOwner())).toBe(false);
    expect(isOwnerGone(endedProcess())).toBe(true);
    expect(isOwnerGone({ ...currentProcessOwner(), startTime: 'another start' })).toBe(true);
    // its owner died, but the run's own process still runs (and will record its end): not gone yet
    const self = currentProcessOwner();
    expect(isOwnerGone({ ...endedProcess(), runner: { pid: self.pid, startTime: self.startTime } })).toBe(false);
    const ended = endedProcess();
    expect(isOwnerGone({ ...endedProcess(), runner: { pid: ended.pid, startTime: ended.startTime } })).toBe(true);
    // on another host it cannot be checked, so it is never called gone
    expect(isOwnerGone({ ...endedProcess(), host: 'elsewhere' })).toBe(false);
  });
});

describe('FileLedger and dead owners', () => {
  it('reads and records a run whose owner died as lost (130), at once', async () => {
    const ledger = new FileLedger(tempDir('cnf-ledger'));
    const owner = endedProcess();
    await ledger.claim(running('lost-run', owner));
    const read = await ledger.get('lost-run');
    expect(read).toMatchObject({ exitCode: 130, interruptedAt: expect.any(String), error: { name: 'RunLostError' } });
    expect(read?.error?.message).toContain(`pid ${owner.pid}`);
    // recorded: a second reader finds the same end
    expect((await ledger.list())[0]?.endedAt).toBe(read?.endedAt);
  });

  it('leaves a run whose owner lives in progress', async () => {
    const ledger = new FileLedger(tempDir('cnf-ledger'));
    await ledger.claim(running('live-run', currentProcessOwner()));
    expect((await ledger.get('live-run'))?.endedAt).toBeUndefined();
  });

  it('frees a lock at once when the run that holds it has ended or died', async () => {
    const ledger = new FileLedger(tempDir('cnf-ledger'));
    await ledger.claim(running('holder', currentProcessOwner()));
    const first = await ledger.acquireLock('migrate', { runId: 'holder', caller: 'alice', since: new Date().toISOString() });
    expect(first.acquired).toBe(true);
    const contender = { runId: 'next', caller: 'bob', since: new Date().toISOString() };
    expect((await ledger.acquireLock('migrate', contender)).acquired).toBe(false);
    const record = await ledger.get('holder');
    await ledger.finish({ ...(record as RunRecord), endedAt: new Date().toISOString(), exitCode: 3 });
    // the holder never gave its lease back (it called process.exit, say): its end frees the lock
    expect((await ledger.acquireLock('migrate', contender)).acquired).toBe(true);
  });
});

describe('storedResult', () => {
  it('keeps a result whole up to 64 KiB of JSON, and a longer one as its start and a marker', () => {
    expect(storedResult({ migrated: 3 })).toEqual({ migrated: 3 });
    const kept = storedResult({ text: 'é'.repeat(STORED_RESULT_MAX_BYTES) }) as string;
    expect(kept).toMatch(/^\{"text":"é+ … \[truncated: 131083 bytes in all\]$/);
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(STORED_RESULT_MAX_BYTES + 40);
    expect(kept).not.toContain('\uFFFD');
  });
});
