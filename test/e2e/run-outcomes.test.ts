/**
 * Every way a task can end (docs/outcomes.md), through the real binary on
 * the local stage: the exit code, the one line that says it, and what the
 * ledger records; and runs whose owner process died read as lost at once.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORED_RESULT_MAX_BYTES, type RunRecord, type RunResult } from '../../lib/core/run.js';
import { CLI_BIN, killDetached, startWatched, type WatchedCli } from '../support/cli.js';
import { startTerminal } from '../support/tmux.js';
import { localLogShows, localRunEnded } from '../support/local-run-files.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

/** A frame of cnf-admin's own code, or a path inside the release store, which no editor opens. */
const TOOL_FRAME = /run-task|admin-run|runner\.ts|local-runner|\.cnf\/local\/releases/;

/** Starts `cnf-admin` in the project; `seen` resolves once its output shows the text. */
const start = (args: readonly string[]): WatchedCli => startWatched(args, { cwd: project.dir });

async function record(runId: string): Promise<RunRecord> {
  const shown = await project.cli(['runs', 'show', runId, '--json']);
  expect(shown.code).toBe(0);
  return JSON.parse(shown.stdout) as RunRecord;
}

/** The run's record through the CLI, once the run has ended as the ledger reads it (test/support/local-run-files.ts). */
async function endedRecord(runId: string): Promise<RunRecord> {
  await localRunEnded(project.dir, runId);
  return record(runId);
}

/** Resolves once the run's log file holds `text`. */
const logShows = (runId: string, text: string): Promise<void> => localLogShows(project.dir, runId, text);

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

beforeAll(async () => {
  project = createTestProject('tasks');
  expect((await project.cli(['deploy'])).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await project.cleanup();
});

describe('how a task ends', () => {
  it('process.exit(3): the run ends with 3, recorded, and its lock is given back', async () => {
    const first = await project.cli(['invoke', 'process-exit', '--run-id', 'exit-three', '--json']);
    expect(first.code).toBe(3);
    expect((JSON.parse(first.stdout) as RunResult).exitCode).toBe(3);
    expect(first.stderr).toContain('The task called process.exit(3): the run ends with its code');
    expect(first.stderr).not.toContain('after exit: never logged');
    expect(await record('exit-three')).toMatchObject({ exitCode: 3, endedAt: expect.any(String) });
    // the lock was given back: the next run takes it at once, not 75
    const second = await project.cli(['invoke', 'process-exit', '--', '--code', '0']);
    expect(second.code).toBe(0);
  });

  it('a promise that never settles: the timeout ends the run with 124, not 70', async () => {
    const result = await project.cli(['invoke', 'stuck', '--run-id', 'stuck-run']);
    expect(result.code).toBe(124);
    expect(result.stderr).toContain('TimeoutError: The run was stopped: the task hit its timeout; the task did not end within 2s');
    expect(await record('stuck-run')).toMatchObject({ exitCode: 124, error: { name: 'TimeoutError' } });
  });

  it('a task that blocks its process: killed after its timeout and grace, with a message that tells the times as they were', async () => {
    const result = await project.cli(['invoke', 'spin', '--run-id', 'spin-run']);
    expect(result.code).toBe(124);
    expect(result.stderr).toContain('The run passed its 1s timeout and did not end within 5s after it, so it was killed.');
    expect((await record('spin-run')).exitCode).toBe(124);
  });

  it.each([
    ['cycle', "=> { name: 'root', self: '[Circular]' }", { name: 'root', self: '[Circular]' }],
    ['bigint', "=> { total: '12345678901234567890' }", { total: '12345678901234567890' }],
  ])('a result with a %s: shown, kept, exit 0, never a TypeError', async (kind, shown, kept) => {
    const result = await project.cli(['invoke', 'odd-result', '--run-id', `result-${kind}`, '--', '--kind', kind]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(shown);
    expect(`${result.stdout}${result.stderr}`).not.toContain('TypeError');
    expect((await record(`result-${kind}`)).result).toEqual(kept);
    const json = await project.cli(['invoke', 'odd-result', '--json', '--', '--kind', kind]);
    expect((JSON.parse(json.stdout) as RunResult).output).toEqual(kept);
  });

  it.each(['null-prototype', 'throwing-getters', 'proxy'])(
    'a thrown %s: exit 1 with a safe description, no stack of the tool',
    async (kind) => {
      const result = await project.cli(['invoke', 'odd-throw', '--run-id', `throw-${kind}`, '--', '--kind', kind]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('✖ exit 1');
      expect(result.stderr).toContain('A value that cannot be shown as text was thrown (object)');
      expect(`${result.stdout}${result.stderr}`).not.toMatch(TOOL_FRAME);
      expect(await record(`throw-${kind}`)).toMatchObject({ exitCode: 1, error: { name: 'Error' } });
    },
  );

  it("a thrown error's stack names the project's files, and only the user's frames; --verbose shows all", async () => {
    const result = await project.cli(['invoke', 'explode']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('at explode (lambda/tasks/explode.ts:4:9)');
    expect(result.stdout).toContain('at Object.run (lambda/tasks/explode.ts:11:5)');
    expect(result.stdout).not.toMatch(TOOL_FRAME);
    const verbose = await project.cli(['invoke', 'explode', '--verbose']);
    expect(verbose.stdout).toMatch(/\.cnf\/local\/releases\/r-[0-9a-f]+\/bundle\/lambda\/tasks\/explode\.ts:4:9/);
    expect(verbose.stdout).toMatch(/run-task/);
  });

  it('a task that stops through signal.throwIfAborted(): one line, stopped · exit 130, no stack', async () => {
    const run = start(['invoke', 'wait-for-stop', '--run-id', 'stopped-gracefully']);
    await run.seen('waiting for a stop');
    run.child.kill('SIGINT');
    const result = await run.result;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/■ stopped · exit 130 · \d/);
    expect(`${result.stdout}${result.stderr}`).not.toContain('threw');
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(await record('stopped-gracefully')).toMatchObject({ exitCode: 130, interruptedAt: expect.any(String) });
  });

  it.each(['later', 'always'])(
    'a task that leaves a process behind holding its output (writing %s): the run ends when its process does, and the CLI with it',
    async (writes) => {
      const runId = `left-behind-${writes}`;
      const result = await project.cli(['invoke', 'leave-behind', '--run-id', runId, '--json', '--', '--writes', writes]);
      const leftover = Number(/left behind pid=(\d+)/.exec(result.stderr)?.[1]);
      try {
        expect(result.code).toBe(0);
        expect((JSON.parse(result.stdout) as RunResult).output).toBe('returned');
        // The CLI did not wait for it: the process the task left behind still runs, and what it writes later is not the run's.
        expect(() => process.kill(leftover, 0)).not.toThrow();
        expect(result.stderr).not.toContain('written after the run');
        expect(await record(runId)).toMatchObject({ exitCode: 0, endedAt: expect.any(String) });
      } finally {
        kill(-leftover, 'SIGKILL');
      }
    },
  );
});

describe('a task whose last output leaves its line open', () => {
  it.each([
    ['stream', 'progress 100%'],
    ['fd', 'warning without an end'],
    ['both', 'progress 100%a warning on a line of its own'],
  ])('keeps that line, and the run’s own end on a line of its own: shown, kept in the log, and read as the end (%s)', async (via, last) => {
    const runId = `open-line-${via}`;
    const result = await project.cli(['invoke', 'open-line', '--run-id', runId, '--', '--via', via]);
    expect(result.code, result.stderr).toBe(0);
    const shownLines = `${result.stdout}\n${result.stderr}`;
    expect(shownLines.split('\n')).toContain(last);
    expect(shownLines).toMatch(/^\S+ INFO {2}Run ended exitCode=0/m);
    const log = readFileSync(join(project.dir, '.cnf', 'local', 'logs', `${runId}.log`), 'utf8').split('\n');
    expect(log).toContain(last);
    expect(log.find((line) => line.includes('"Run ended"'))).toMatch(/^\{"level":"INFO","message":"Run ended"/);
    const shown = await project.cli(['logs', runId]);
    expect(shown.code).toBe(0);
    expect(`${shown.stdout}${shown.stderr}`).not.toContain('ends before the run did');
  });
});

describe('a task’s return value is kept', () => {
  it('after --detach: logs --json, runs show and runs --json show it', async () => {
    const detached = await project.cli(['invoke', 'odd-result', '--detach', '--run-id', 'kept-result', '--', '--kind', 'plain']);
    expect(detached.code).toBe(0);
    const logs = await project.cli(['logs', 'kept-result', '--follow', '--json']);
    expect(logs.code).toBe(0);
    const expected = { migrated: 3, names: ['a', 'b'] };
    expect((JSON.parse(logs.stdout) as { result: RunResult }).result.output).toEqual(expected);
    const shown = await project.cli(['runs', 'show', 'kept-result']);
    expect(shown.stdout).toContain('result   {"migrated":3,"names":["a","b"]}');
    const listed = JSON.parse((await project.cli(['runs', '--json'])).stdout) as RunRecord[];
    expect(listed.find((entry) => entry.runId === 'kept-result')?.result).toEqual(expected);
    const human = await project.cli(['logs', 'kept-result']);
    expect(human.stdout).toContain("=> { migrated: 3, names: [ 'a', 'b' ] }");
  });

  it('a result too big to keep whole: the ledger keeps its first 64 KiB and says how long it was', async () => {
    const result = await project.cli(['invoke', 'odd-result', '--run-id', 'big-result', '--json', '--', '--kind', 'big']);
    expect(result.code).toBe(0);
    // the caller gets it whole
    expect(((JSON.parse(result.stdout) as RunResult).output as { rows: string }).rows).toHaveLength(100_000);
    const kept = (await record('big-result')).result;
    expect(typeof kept).toBe('string');
    expect(kept as string).toMatch(/^\{"rows":"x+ … \[truncated: 100011 bytes in all\]$/);
    expect(Buffer.byteLength(kept as string)).toBeLessThan(STORED_RESULT_MAX_BYTES + 100);
  });
});

describe('the ledger never says "running" about a dead run', () => {
  it('an attached run whose CLI and run process are killed: lost (130) at once, its lock free, logs --follow ends', async () => {
    const run = start(['invoke', 'locked', '--run-id', 'killed-owner', '--', '--ms', '600000']);
    await run.seen('holding the lock');
    const running = await record('killed-owner');
    const owner = running.owner;
    expect(owner?.pid).toBe(run.child.pid);
    // the config it runs with is recorded from the start, not only at a recorded end
    expect(running.configVersion).toEqual(expect.any(Number));
    // the CLI (the run's owner) and the run's own process both die at once, as with a closed window's kill -9
    const runner = Number(readFileSync(`/proc/${run.child.pid}/task/${run.child.pid}/children`, 'utf8').trim().split(' ')[0]);
    kill(run.child.pid ?? 0, 'SIGKILL');
    kill(runner, 'SIGKILL');
    await run.result;
    const lost = await record('killed-owner');
    expect(lost).toMatchObject({ exitCode: 130, interruptedAt: expect.any(String), error: { name: 'RunLostError' } });
    expect(lost.error?.message).toContain(`(pid ${owner?.pid}) ended before the run recorded its end`);
    expect(lost.configVersion).toBe(running.configVersion);
    // the table calls it lost, as the page does: not "stopped", which a Ctrl-C'd run reads
    expect((await project.cli(['runs', 'show', 'killed-owner'])).stdout).toMatch(/^exit\s+130 lost$/m);
    const follow = await project.cli(['logs', 'killed-owner', '--follow']);
    expect(follow.code).toBe(130);
    // its lock is free now, not 30 s later
    const next = await project.cli(['invoke', 'locked', '--', '--ms', '0']);
    expect(next.code).toBe(0);
  });

  it('an attached run whose CLI alone is killed: the run stops itself and records 130, naming why', async () => {
    const run = start(['invoke', 'wait-for-stop', '--run-id', 'orphaned']);
    await run.seen('waiting for a stop');
    kill(run.child.pid ?? 0, 'SIGKILL');
    await run.result;
    const ended = await endedRecord('orphaned');
    expect(ended).toMatchObject({ exitCode: 130, interruptedAt: expect.any(String) });
    expect(ended.error?.message).toMatch(/went away|ended before the run recorded its end/);
  });

  it('an attached run that blocks its process, whose CLI alone is killed: its watch ends the process, and the run reads as lost', async () => {
    const run = start(['invoke', 'spin', '--run-id', 'orphaned-spin']);
    await run.seen('spinning');
    const runner = Number(readFileSync(`/proc/${run.child.pid}/task/${run.child.pid}/children`, 'utf8').trim().split(' ')[0]);
    kill(run.child.pid ?? 0, 'SIGKILL');
    await run.result;
    // the run's own thread never yields: only its watch, a process of its own, can end it
    const ended = await endedRecord('orphaned-spin');
    expect(ended).toMatchObject({ exitCode: 130, interruptedAt: expect.any(String), error: { name: 'RunLostError' } });
    // and the process is gone, not spinning on beside a later run
    while (existsSync(`/proc/${runner}`) && !readFileSync(`/proc/${runner}/stat`, 'utf8').includes(') Z ')) {
      // no event tells a process's end to one that is not its parent: looked at every 20 ms, not in a busy loop
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it('an attached run whose terminal window is closed: 130, recorded, never "running"', async () => {
    const terminal = startTerminal([process.execPath, CLI_BIN, 'invoke', 'wait-for-stop', '--run-id', 'closed-window'], {
      cwd: project.dir,
      env: { CNF_LOCAL_DB_IDLE_SECONDS: '60' },
    });
    try {
      await terminal.waitFor((screen) => screen.includes('waiting for a stop'));
    } finally {
      terminal.close();
    }
    const ended = await endedRecord('closed-window');
    expect(ended).toMatchObject({ exitCode: 130, interruptedAt: expect.any(String) });
  });

  it('an attached run whose terminal hangs up (SIGHUP): 130, recorded', async () => {
    const run = start(['invoke', 'wait-for-stop', '--run-id', 'hung-up']);
    await run.seen('waiting for a stop');
    run.child.kill('SIGHUP');
    expect((await run.result).code).toBe(130);
    expect(await record('hung-up')).toMatchObject({ exitCode: 130, interruptedAt: expect.any(String) });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('a detached run whose supervisor gets %s: 130, recorded', async (signal) => {
    const runId = `detached-${signal.toLowerCase()}`;
    expect((await project.cli(['invoke', 'wait-for-stop', '--detach', '--run-id', runId])).code).toBe(0);
    await logShows(runId, 'waiting for a stop');
    const owner = (await record(runId)).owner;
    expect(owner).toBeDefined();
    kill(owner?.pid ?? 0, signal);
    const ended = await endedRecord(runId);
    expect(ended).toMatchObject({ exitCode: 130, interruptedAt: expect.any(String) });
  });

  it('a run whose processes live on past its deadline (the machine slept, its clock jumped) reads as running, not lost', async () => {
    expect((await project.cli(['invoke', 'wait-for-stop', '--detach', '--run-id', 'past-deadline'])).code).toBe(0);
    await logShows('past-deadline', 'waiting for a stop');
    // the clock jumps an hour on: the run's deadline (and its minute of grace) is behind it
    const file = join(project.dir, '.cnf', 'local', 'runs', 'past-deadline.json');
    const running = JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
    writeFileSync(file, JSON.stringify({ ...running, deadline: new Date(Date.now() - 3_600_000).toISOString() }));
    expect((await project.cli(['runs', 'show', 'past-deadline'])).stdout).toMatch(/^exit\s+running$/m);
    // a retry of its run id runs nothing and records nothing: the run goes on
    const retry = await project.cli(['invoke', 'wait-for-stop', '--run-id', 'past-deadline']);
    expect(retry.code).toBe(75);
    expect(retry.stderr).toContain('Run past-deadline (wait-for-stop) is still in progress');
    // and it can still be stopped, its end recorded as it happened
    const stopped = await project.cli(['stop', 'past-deadline']);
    expect(stopped.code).toBe(0);
    expect(await record('past-deadline')).toMatchObject({ exitCode: 130, interruptedAt: expect.any(String) });
  });

  it('stop <runId> stops a detached local run: 130 with interruptedAt', async () => {
    expect((await project.cli(['invoke', 'wait-for-stop', '--detach', '--run-id', 'stop-detached'])).code).toBe(0);
    await logShows('stop-detached', 'waiting for a stop');
    const stopped = await project.cli(['stop', 'stop-detached']);
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain('Run stop-detached stopped · exit 130');
    // Said at once, before the wait for the run's end (up to 8 s for a task that does not stop), not only after it.
    expect(stopped.stderr).toMatch(/^Stopping run stop-detached: its task is told to stop\.\nRun stop-detached stopped · exit 130/m);
    expect(await record('stop-detached')).toMatchObject({ exitCode: 130, interruptedAt: expect.any(String) });
    const again = await project.cli(['stop', 'stop-detached']);
    expect(again.code).toBe(64);
    expect(again.stderr).toContain('Run stop-detached has already ended');
    // No "Stopping run" line before the refusal: nothing was told to stop.
    expect(again.stderr).not.toContain('Stopping run');
  });

  it('stop <runId> of a run that does not end when asked (its CLI frozen): killed after 15 s, and said to be lost, as runs says', async () => {
    const run = startWatched(['invoke', 'wait-for-stop', '--run-id', 'stop-frozen'], { cwd: project.dir, detached: true });
    try {
      await run.seen('waiting for a stop');
      // the CLI that owns the run is frozen (Ctrl-Z, a debugger): the stop's SIGINT waits in it
      kill(run.child.pid ?? 0, 'SIGSTOP');
      const stopped = await project.cli(['stop', 'stop-frozen']);
      await run.result;
      expect(stopped.code).toBe(0);
      expect(stopped.stderr).toMatch(/Run stop-frozen lost · exit 130 · [\d.]+ s · RunLostError: The process that ran it \(pid \d+\)/);
      expect((await project.cli(['runs', 'show', 'stop-frozen'])).stdout).toMatch(/^exit\s+130 lost$/m);
    } finally {
      killDetached(run.child);
    }
  }, 30_000);

  it('stop <runId> stops an attached local run: its CLI exits 130', async () => {
    const run = start(['invoke', 'wait-for-stop', '--run-id', 'stop-attached']);
    await run.seen('waiting for a stop');
    const stopped = await project.cli(['stop', 'stop-attached']);
    expect(stopped.code).toBe(0);
    expect((await run.result).code).toBe(130);
    expect(await record('stop-attached')).toMatchObject({ exitCode: 130, interruptedAt: expect.any(String) });
  });
});
