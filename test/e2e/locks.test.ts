/**
 * A locked task on the local stage with real processes: at most one run at
 * a time, whoever starts it.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord, RunResult } from '../../lib/core/run.js';
import { finished, outputShows, spawnCli } from '../support/cli.js';
import { localRunEnded } from '../support/local-run-files.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

/** Stops a run of `locked`, which ignores the ask to stop, at once: a second Ctrl-C, as a person would give it. */
async function stopAtOnce(holder: ChildProcess): Promise<void> {
  const interrupting = outputShows(holder, 'Interrupting', 'stderr');
  holder.kill('SIGINT');
  await interrupting;
  holder.kill('SIGINT');
}

beforeAll(async () => {
  project = createTestProject('tasks');
  expect((await project.cli(['deploy'])).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
});

describe('a locked task', () => {
  it('runs once among 20 concurrent invokes; the other 19 exit 75 and learn who holds the lock', async () => {
    // the holder keeps the lock long enough that all 20 processes start while it holds it, even on a loaded machine
    const results = await Promise.all(Array.from({ length: 20 }, () => project.cli(['invoke', 'locked', '--json', '--', '--ms', '12000'])));
    const codes = results.map((result) => result.code);
    expect(codes.filter((code) => code === 0)).toHaveLength(1);
    expect(codes.filter((code) => code === 75)).toHaveLength(19);
    const winner = JSON.parse((results.find((result) => result.code === 0) as { stdout: string }).stdout) as RunResult;
    for (const loser of results.filter((result) => result.code === 75)) {
      const refused = JSON.parse(loser.stdout) as RunResult;
      expect(refused.error?.name).toBe('LockHeld');
      expect(refused.error?.message).toMatch(new RegExp(`locked by run ${winner.runId} \\(caller \\S+@\\S+\\) since \\d{4}-`));
      // a person reads the moment as every moment the CLI shows, and how to wait instead
      expect(loser.stderr).toMatch(/since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d; nothing ran/);
      expect(loser.stderr).toContain('To wait for the lock instead, add --wait-lock');
    }
    // every attempt is in the ledger: one run, nineteen refusals (of these 20; a retry of this test finds the last one's too)
    const attempts = new Set(results.map((result) => (JSON.parse(result.stdout) as RunResult).runId));
    const ledger = JSON.parse((await project.cli(['runs', '--task', 'locked', '--limit', '100', '--json'])).stdout) as RunResult[];
    const recorded = ledger.filter((run) => attempts.has(run.runId));
    expect(recorded.map((run) => run.exitCode).sort((a, b) => a - b)).toEqual([0, ...Array<number>(19).fill(75)]);
  });

  it('a run id locked out (75) is not used up: its retry once the lock is free runs it, once; with --detach too', async () => {
    const holder = spawnCli(['invoke', 'locked', '--', '--ms', '20000'], { cwd: project.dir });
    const holderDone = finished(holder);
    await outputShows(holder, 'holding the lock');
    const refused = await project.cli(['invoke', 'locked', '--run-id', 'locked-out', '--', '--ms', '10']);
    expect(refused.code).toBe(75);
    // its end says so, for a reader of the log to take the retry's end for the run's
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/Run ended exitCode=75 durationMs=\d+ notStarted=true/);
    const refusedDetached = await project.cli(['invoke', 'locked', '--run-id', 'locked-out-detached', '--detach', '--', '--ms', '10']);
    expect(refusedDetached.code).toBe(0);
    await localRunEnded(project.dir, 'locked-out-detached');
    const detachedRecord = JSON.parse((await project.cli(['runs', 'show', 'locked-out-detached', '--json'])).stdout) as RunRecord;
    expect(detachedRecord).toMatchObject({ exitCode: 75, notStarted: true });
    await stopAtOnce(holder);
    await holderDone;
    const retried = await project.cli(['invoke', 'locked', '--run-id', 'locked-out', '--json', '--', '--ms', '10']);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stderr).not.toContain('already ran');
    const again = await project.cli(['invoke', 'locked', '--run-id', 'locked-out', '--json', '--', '--ms', '10']);
    expect(again.code).toBe(0);
    expect(`${again.stdout}${again.stderr}`).toContain('already ran');
    const retriedDetached = await project.cli(['invoke', 'locked', '--run-id', 'locked-out-detached', '--detach', '--', '--ms', '10']);
    expect(retriedDetached.code, retriedDetached.stderr).toBe(0);
    // The detached retry returns before its run takes the record over: its end is the record that says it started.
    let ran: RunRecord;
    do {
      await localRunEnded(project.dir, 'locked-out-detached');
      ran = JSON.parse((await project.cli(['runs', 'show', 'locked-out-detached', '--json'])).stdout) as RunRecord;
    } while (ran.notStarted === true || ran.endedAt === undefined);
    expect(ran.exitCode, JSON.stringify(ran)).toBe(0);
  });

  it('waits for the lock with --wait-lock instead of exiting 75', async () => {
    const holder = spawnCli(['invoke', 'locked', '--', '--ms', '1500'], { cwd: project.dir });
    const holderDone = finished(holder);
    // the waiter starts once the holder provably holds the lock
    await outputShows(holder, 'holding the lock');
    const waiter = await project.cli(['invoke', 'locked', '--wait-lock=20s', '--', '--ms', '10']);
    expect((await holderDone).code).toBe(0);
    expect(waiter.code).toBe(0);
    expect(waiter.stdout).toMatch(/Waiting up to 20s for the lock held by run/);
  });

  it('an interrupt while it waits for the lock ends the wait at once: 130, the task never started', async () => {
    const holder = spawnCli(['invoke', 'locked', '--', '--ms', '20000'], { cwd: project.dir });
    const holderDone = finished(holder);
    await outputShows(holder, 'holding the lock');
    const waiter = spawnCli(['invoke', 'locked', '--wait-lock=1m', '--run-id', 'waited-interrupted', '--', '--ms', '10'], {
      cwd: project.dir,
    });
    const waiterDone = finished(waiter);
    await outputShows(waiter, 'Waiting up to 60s for the lock');
    waiter.kill('SIGINT');
    const waited = await waiterDone;
    expect(waited.code).toBe(130);
    expect(waited.stderr).toContain('interrupted while it waited for the lock held by run');
    expect(waited.stderr).not.toContain('did not stop within');
    const record = JSON.parse((await project.cli(['runs', 'show', 'waited-interrupted', '--json'])).stdout) as RunResult & {
      endedAt: string;
    };
    expect(record).toMatchObject({ exitCode: 130, error: { name: 'InterruptedError' } });
    // a wait that runs out says to wait longer, not to add the flag it was given
    const outwaited = await project.cli(['invoke', 'locked', '--wait-lock=1s', '--', '--ms', '10']);
    expect(outwaited.code).toBe(75);
    expect(outwaited.stderr).toContain('It waited 1s for the lock, which is still held. Wait longer with, say, --wait-lock=15m.');
    expect(outwaited.stderr).not.toContain('add --wait-lock');
    // and the holder is stopped in turn
    await stopAtOnce(holder);
    await holderDone;
    // the interrupted wait ran nothing: its run id runs on a retry
    expect(record).toMatchObject({ notStarted: true });
    const retried = await project.cli(['invoke', 'locked', '--run-id', 'waited-interrupted', '--', '--ms', '10']);
    expect(retried.code, retried.stderr).toBe(0);
  });
});
