import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { acquireFileLock } from '../../../lib/core/files/file-lock.js';
import { tempDir } from '../../support/temp-dir.js';

const holder = (runId: string) => ({ runId, caller: 'tester', since: new Date().toISOString() });
const lockDir = () => join(tempDir('cnf-lock'), 'migrate');

describe('acquireFileLock', () => {
  it('gives the lock to one holder at a time and names the holder to others', async () => {
    const dir = lockDir();
    const first = await acquireFileLock(dir, holder('run-1'));
    const second = await acquireFileLock(dir, holder('run-2'));
    expect(first.acquired).toBe(true);
    expect(second).toMatchObject({ acquired: false, holder: { runId: 'run-1', caller: 'tester' } });
    if (first.acquired) await first.lease.release();
    expect((await acquireFileLock(dir, holder('run-3'))).acquired).toBe(true);
  });

  it('gives the lock to exactly one of many concurrent contenders, whom every other one names', async () => {
    for (let round = 0; round < 10; round += 1) {
      const dir = lockDir();
      const contenders = Array.from({ length: 20 }, (_, index) => `run-${index}`);
      const results = await Promise.all(contenders.map((runId) => acquireFileLock(dir, holder(runId))));
      const winners = contenders.filter((_, index) => results[index]?.acquired === true);
      expect(winners).toHaveLength(1);
      // a contender that reads the lock while the winner takes it sees the winner whole, never a file half written
      const named = results.flatMap((result) => (result.acquired ? [] : [result.holder.runId]));
      expect(named).toEqual(Array<string>(19).fill(winners[0] as string));
      for (const result of results) if (result.acquired) await result.lease.release();
    }
  });

  it.each([
    ['JSON of another shape', (file: string) => writeFileSync(file, '{"foo":1}')],
    ['no JSON', (file: string) => writeFileSync(file, '{"runId":')],
    ['a directory', (file: string) => mkdirSync(file)],
  ])('holds a generation that is %s for one lease from its time, naming no holder, then frees it', async (_, damage) => {
    const dir = lockDir();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, '000000000001.json');
    damage(file);
    const fresh = await acquireFileLock(dir, holder('run-1'), { leaseMs: 60_000 });
    expect(fresh).toMatchObject({ acquired: false, holder: { runId: 'unknown' } });
    // Every refusal prints the caller: it names the file, and when the lock lets go.
    expect(fresh.acquired ? '' : fresh.holder.caller).toMatch(
      /^a lock file that names no holder, .*000000000001\.json, free at \d{4}-.*Z or once removed$/,
    );
    const old = new Date(Date.now() - 120_000);
    utimesSync(file, old, old);
    const next = await acquireFileLock(dir, holder('run-2'), { leaseMs: 60_000 });
    expect(next.acquired).toBe(true);
    expect(existsSync(file)).toBe(false);
    if (next.acquired) await next.lease.release();
  });

  it('keeps a lease alive with its heartbeat past its lease time', async () => {
    const dir = lockDir();
    // a heartbeat five times per lease: only an event loop stalled for a whole second could miss it
    const first = await acquireFileLock(dir, holder('run-1'), { leaseMs: 1000, heartbeatMs: 200 });
    await sleep(2500);
    expect((await acquireFileLock(dir, holder('run-2'), { leaseMs: 1000 })).acquired).toBe(false);
    if (first.acquired) await first.lease.release();
  });

  it("lets the next run proceed once a crashed holder's lease expires", async () => {
    // given a holder in another process that takes the lock and is killed
    const dir = lockDir();
    const module = fileURLToPath(new URL('../../../lib/core/files/file-lock.ts', import.meta.url));
    const script = `const { acquireFileLock } = await import(${JSON.stringify(module)});
      const result = await acquireFileLock(${JSON.stringify(dir)}, { runId: 'crasher', caller: 'c', since: 'now' }, { leaseMs: 1000, heartbeatMs: 200 });
      console.log(result.acquired ? 'locked' : 'not locked');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    expect((await acquireFileLock(dir, holder('run-2'), { leaseMs: 1000 })).acquired).toBe(false);
    child.kill('SIGKILL');
    // when its lease runs out
    await sleep(1300);
    // then the next run takes the lock
    const next = await acquireFileLock(dir, holder('run-3'), { leaseMs: 1000 });
    expect(next.acquired).toBe(true);
    if (next.acquired) await next.lease.release();
  });

  it('tells a holder whose lease expired and was taken that it lost it', async () => {
    // given a holder whose heartbeat comes later than its lease lasts (a stalled process)
    const dir = lockDir();
    const stalled = await acquireFileLock(dir, holder('run-1'), { leaseMs: 100, heartbeatMs: 300 });
    expect(stalled.acquired).toBe(true);
    if (!stalled.acquired) return;
    const lost = new Promise<unknown>((resolve) => stalled.lease.lost.addEventListener('abort', () => resolve(stalled.lease.lost.reason)));
    // when another run takes the expired lease
    await sleep(150);
    const taker = await acquireFileLock(dir, holder('run-2'), { leaseMs: 10_000 });
    expect(taker.acquired).toBe(true);
    // then the stalled holder learns that it lost the lease: it expired (and was taken)
    const reason = await Promise.race([lost, sleep(2000).then(() => 'no loss reported')]);
    expect(String(reason)).toMatch(/expired/);
    if (taker.acquired) await taker.lease.release();
  });
});
