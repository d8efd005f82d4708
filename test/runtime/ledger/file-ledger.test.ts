import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../lib/core/errors.js';
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

  it('filters by release (the id or its start), caller (any part, any case) and source over every run', async () => {
    const ledger = new FileLedger(tempDir('cnf-ledger'));
    await ledger.claim({ ...record('a', 'migrate', '2026-01-01T00:00:00Z'), caller: 'Alice@laptop', source: 'ui' });
    await ledger.claim({ ...record('b', 'migrate', '2026-01-02T00:00:00Z'), caller: 'bob@ci', release: 'r-999999999999' });
    await ledger.claim({ ...record('c', 'seed', '2026-01-03T00:00:00Z'), caller: 'alice@laptop' });
    expect((await ledger.list({ caller: 'ALICE' })).map((run) => run.runId)).toEqual(['c', 'a']);
    expect((await ledger.list({ release: 'r-999999999999' })).map((run) => run.runId)).toEqual(['b']);
    expect((await ledger.list({ release: 'r-9999' })).map((run) => run.runId)).toEqual(['b']);
    expect((await ledger.list({ release: '9999' })).map((run) => run.runId)).toEqual(['b']);
    expect((await ledger.list({ source: 'ui', caller: 'alice', limit: 1 })).map((run) => run.runId)).toEqual(['a']);
  });

  it('takes over a run that never started for a retry with the same task and args, once, and lists it as the retry claimed it', async () => {
    const ledger = new FileLedger(tempDir('cnf-ledger'));
    const first = { ...record('r1', 'migrate', '2026-01-01T00:00:00Z'), argsHash: 'h1' };
    await ledger.claim(first);
    await ledger.finish({ ...first, endedAt: '2026-01-01T00:00:01Z', exitCode: 75, notStarted: true });
    const retry = { ...first, startedAt: '2026-01-05T00:00:00Z', caller: 'bob', release: 'r-999999999999' };
    const claims = await Promise.all(Array.from({ length: 5 }, () => ledger.claim(retry)));
    expect(claims.filter((claim) => claim.claimed)).toHaveLength(1);
    expect(await ledger.get('r1')).toEqual(retry);
    // the listing knows it by the retry's claim: its time, its caller, its release
    expect((await ledger.list({ since: '2026-01-04T00:00:00Z' })).map((run) => run.runId)).toEqual(['r1']);
    expect((await ledger.list({ caller: 'bob' })).map((run) => run.runId)).toEqual(['r1']);
    expect((await ledger.list({ release: 'r-999999999999' })).map((run) => run.runId)).toEqual(['r1']);
    // other args take nothing over
    expect(await ledger.claim({ ...retry, argsHash: 'h2' })).toMatchObject({ claimed: false });
  });

  it('never lets a claim with other args in while a retry takes a run over: the run id always has its record', async () => {
    const ledger = new FileLedger(tempDir('cnf-ledger'));
    for (let round = 0; round < 40; round += 1) {
      const first = { ...record(`w${round}`, 'migrate', '2026-01-01T00:00:00Z'), argsHash: 'h1' };
      await ledger.claim(first);
      await ledger.finish({ ...first, endedAt: '2026-01-01T00:00:01Z', exitCode: 75, notStarted: true });
      const retries = Array.from({ length: 3 }, () => ledger.claim({ ...first, caller: 'retry' }));
      const others = Array.from({ length: 6 }, () => ledger.claim({ ...first, argsHash: 'h2', caller: 'other' }));
      const [retried, conflicting] = await Promise.all([Promise.all(retries), Promise.all(others)]);
      expect(retried.filter((claim) => claim.claimed)).toHaveLength(1);
      expect(conflicting.filter((claim) => claim.claimed)).toEqual([]);
      expect(await ledger.get(`w${round}`)).toMatchObject({ caller: 'retry', argsHash: 'h1' });
    }
  });

  it('indexes a ledger written before the index, then reads only the records a page lists', async () => {
    const dir = tempDir('cnf-ledger');
    const ledger = new FileLedger(dir);
    await ledger.claim(record('first', 'migrate', '2026-01-01T00:00:00.000Z'));
    const start = Date.parse('2026-02-01T00:00:00.000Z');
    const ids = Array.from({ length: 100 }, (_, index) => `old-${String(index).padStart(3, '0')}`);
    ids.forEach((runId, index) =>
      writeFileSync(
        join(dir, 'runs', `${runId}.json`),
        JSON.stringify(record(runId, 'seed', new Date(start + index * 1000).toISOString())),
      ),
    );
    expect((await ledger.list({ limit: 3 })).map((run) => run.runId)).toEqual(['old-099', 'old-098', 'old-097']);
    // Now indexed: a page never reads the other records (a damaged one would stop it), and a torn line is passed over.
    writeFileSync(join(dir, 'runs', 'old-000.json'), '{ damaged');
    writeFileSync(join(dir, 'runs.index'), '{"runId":"torn', { flag: 'a' });
    expect((await ledger.list({ limit: 3, task: 'seed' })).map((run) => run.runId)).toEqual(['old-099', 'old-098', 'old-097']);
    await ledger.claim(record('newest', 'migrate', '2026-03-01T00:00:00.000Z'));
    expect((await ledger.list({ task: 'migrate' })).map((run) => run.runId)).toEqual(['newest', 'first']);
    await expect(ledger.list({ task: 'seed' })).rejects.toThrow(/old-000\.json is corrupted/);
  });

  it('a long-lived reader sees the runs other processes claim, and forgets a record moved away', async () => {
    const dir = tempDir('cnf-ledger');
    const reader = new FileLedger(dir);
    await new FileLedger(dir).claim(record('a', 'migrate', '2026-01-01T00:00:00.000Z'));
    expect((await reader.list()).map((run) => run.runId)).toEqual(['a']);
    await new FileLedger(dir).claim(record('b', 'seed', '2026-01-02T00:00:00.000Z'));
    expect((await reader.list()).map((run) => run.runId)).toEqual(['b', 'a']);
    rmSync(join(dir, 'runs', 'a.json'));
    expect((await reader.list()).map((run) => run.runId)).toEqual(['b']);
  });

  it('lists by status and within a time range, as the AWS ledger does', async () => {
    const ledger = new FileLedger(tempDir('cnf-ledger'));
    await ledger.claim(record('a', 'migrate', '2026-01-01T00:00:00.000Z'));
    await ledger.claim(record('b', 'migrate', '2026-01-02T00:00:00.000Z'));
    await ledger.finish({ ...record('b', 'migrate', '2026-01-02T00:00:00.000Z'), endedAt: '2026-01-02T00:00:01.000Z', exitCode: 1 });
    await ledger.claim(record('c', 'seed', '2026-01-03T00:00:00.000Z'));
    await ledger.finish({ ...record('c', 'seed', '2026-01-03T00:00:00.000Z'), endedAt: '2026-01-03T00:00:01.000Z', exitCode: 0 });
    expect((await ledger.list({ status: 'failed' })).map((run) => run.runId)).toEqual(['b']);
    expect((await ledger.list({ status: 'running' })).map((run) => run.runId)).toEqual(['a']);
    expect((await ledger.list({ status: 'lost' })).map((run) => run.runId)).toEqual(['a']);
    // one recorded lost (its owner died): a lost run too, not a running one
    const lost = { endedAt: '2026-01-04T00:00:01.000Z', exitCode: 130, error: { name: 'RunLostError', message: 'gone' } };
    await ledger.claim(record('d', 'seed', '2026-01-04T00:00:00.000Z'));
    await ledger.finish({ ...record('d', 'seed', '2026-01-04T00:00:00.000Z'), ...lost });
    expect((await ledger.list({ status: 'lost' })).map((run) => run.runId)).toEqual(['d', 'a']);
    expect((await ledger.list({ status: 'running' })).map((run) => run.runId)).toEqual(['a']);
    expect((await ledger.list({ since: '2026-01-02T00:00:00.000Z', until: '2026-01-04T00:00:00.000Z' })).map((run) => run.runId)).toEqual([
      'c',
      'b',
    ]);
    expect((await ledger.list({ until: '2026-01-02T00:00:00.000Z' })).map((run) => run.runId)).toEqual(['a']);
  });

  it('names a corrupted record, quoting none of it: a record may hold a value made secure after its run', async () => {
    const dir = tempDir('cnf-ledger');
    const ledger = new FileLedger(dir);
    await ledger.claim(record('a', 'migrate', '2026-01-01T00:00:00Z'));
    writeFileSync(join(dir, 'runs', 'a.json'), '{"x":Zsekret-XYZ-123 more}');
    const error = await ledger.list().then(
      () => undefined,
      (thrown: unknown) => thrown as Error,
    );
    expect(error?.message).toContain(`The run ledger's record ${join(dir, 'runs', 'a.json')} is corrupted: not valid JSON`);
    expect(error?.message).not.toContain('sekret');
  });

  it('names a record, or an index, that is a directory where its file should be, as unavailable (69), not as its own failure', async () => {
    const dir = tempDir('cnf-ledger');
    const ledger = new FileLedger(dir);
    await ledger.claim(record('a', 'migrate', '2026-01-01T00:00:00Z'));
    rmSync(join(dir, 'runs', 'a.json'));
    mkdirSync(join(dir, 'runs', 'a.json'));
    await expect(ledger.get('a')).rejects.toMatchObject({
      exitCode: 69,
      message: `The run ledger's record ${join(dir, 'runs', 'a.json')} is a directory, not a record.`,
    });
    rmSync(join(dir, 'runs', 'a.json'), { recursive: true });

    const index = join(dir, 'runs.index');
    rmSync(index);
    mkdirSync(index);
    const fresh = new FileLedger(dir);
    await expect(fresh.list()).rejects.toMatchObject({
      exitCode: 69,
      message: `The run ledger's index ${index} is a directory, not the index file.`,
    });
    // and a claim it cannot index is no claim: refused, with no record left that would read as a run that began
    await expect(fresh.claim(record('b', 'migrate', '2026-01-02T00:00:00Z'))).rejects.toMatchObject({ exitCode: 69 });
    expect(existsSync(join(dir, 'runs', 'b.json'))).toBe(false);
  });

  it.each([
    ['an exit code that is not a number', { exitCode: 'zero' }, /exitCode: .*expected number/],
    ['a start that is not a time', { startedAt: 'not-a-date' }, /startedAt: expected an ISO 8601 time/],
    ['an unknown source', { source: 'cron' }, /source: /],
  ])('refuses a record with %s as corrupted state (69), naming the file and the field', async (_case, change, problem) => {
    // given a record whose fields were changed by hand
    const dir = tempDir('cnf-ledger');
    const ledger = new FileLedger(dir);
    const file = join(dir, 'runs', 'a.json');
    await ledger.claim(record('a', 'migrate', '2026-01-01T00:00:00Z'));
    writeFileSync(file, JSON.stringify({ ...record('a', 'migrate', '2026-01-01T00:00:00Z'), endedAt: '2026-01-01T00:00:01Z', ...change }));
    // when it is read, then it is an error that names it, not a run in progress for ever
    const error = await ledger.get('a').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).exitCode).toBe(69);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(problem);
  });

  it('keeps fields it does not know (written by a newer cnf-admin)', async () => {
    const dir = tempDir('cnf-ledger');
    const ledger = new FileLedger(dir);
    await ledger.claim({ ...record('a', 'migrate', '2026-01-01T00:00:00Z'), ...({ interrupted: true } as object) });
    expect(await ledger.get('a')).toMatchObject({ runId: 'a', interrupted: true });
  });
});
