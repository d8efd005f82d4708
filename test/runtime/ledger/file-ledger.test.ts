import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../lib/core/run.js';
import { FileLedger } from '../../../lib/runtime/ledger/file-ledger.js';
import { tempDir } from '../../support/temp-dir.js';

const record = (runId: string, task: string, startedAt: string): RunRecord => ({
  runId,
  task,
  args: {},
  release: 'r-0123456789ab',
  source: 'cli',
  caller: 'alice',
  startedAt,
  log: '/tmp/x.log',
});

describe('FileLedger', () => {
  it('claims a run id exactly once, even among concurrent claims', async () => {
    const ledger = new FileLedger(tempDir('cnf-ledger'));
    const claims = await Promise.all(Array.from({ length: 10 }, () => ledger.claim(record('same', 'migrate', '2026-01-01T00:00:00Z'))));
    expect(claims.filter((claim) => claim.claimed)).toHaveLength(1);
    expect(claims.find((claim) => !claim.claimed)).toMatchObject({ claimed: false, existing: { runId: 'same' } });
  });

  it('records the end of a run', async () => {
    const ledger = new FileLedger(tempDir('cnf-ledger'));
    await ledger.claim(record('r1', 'migrate', '2026-01-01T00:00:00Z'));
    await ledger.finish({
      ...record('r1', 'migrate', '2026-01-01T00:00:00Z'),
      endedAt: '2026-01-01T00:00:02Z',
      exitCode: 0,
      durationMs: 2000,
    });
    expect(await ledger.get('r1')).toMatchObject({ exitCode: 0, durationMs: 2000, endedAt: '2026-01-01T00:00:02Z' });
  });

  it('lists runs newest first, by task, up to a limit', async () => {
    const ledger = new FileLedger(tempDir('cnf-ledger'));
    await ledger.claim(record('a', 'migrate', '2026-01-01T00:00:00Z'));
    await ledger.claim(record('b', 'seed', '2026-01-02T00:00:00Z'));
    await ledger.claim(record('c', 'migrate', '2026-01-03T00:00:00Z'));
    expect((await ledger.list()).map((run) => run.runId)).toEqual(['c', 'b', 'a']);
    expect((await ledger.list({ task: 'migrate' })).map((run) => run.runId)).toEqual(['c', 'a']);
    expect((await ledger.list({ limit: 1 })).map((run) => run.runId)).toEqual(['c']);
    expect((await ledger.list({ excludeTasks: ['migrate'] })).map((run) => run.runId)).toEqual(['b']);
  });

  it('names a corrupted record', async () => {
    const dir = tempDir('cnf-ledger');
    const ledger = new FileLedger(dir);
    await ledger.claim(record('a', 'migrate', '2026-01-01T00:00:00Z'));
    writeFileSync(join(dir, 'runs', 'a.json'), '{broken');
    await expect(ledger.list()).rejects.toThrow(`The run ledger's record ${join(dir, 'runs', 'a.json')} is corrupted`);
  });
});
