/**
 * Run ids and task args mean one thing, through the real binary: a run id
 * names one piece of work, a refusal names no run the ledger lacks, an arg
 * is given once and in decimal, errors speak in the terms the user wrote,
 * and the ledger records args one way.
 */
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../lib/core/run.js';
import { startWatched, type CliResult } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

async function runCount(): Promise<number> {
  return (JSON.parse((await project.cli(['runs', '--json'])).stdout) as unknown[]).length;
}

async function record(runId: string): Promise<RunRecord> {
  return JSON.parse((await project.cli(['runs', 'show', runId, '--json'])).stdout) as RunRecord;
}

function expectRefused(result: CliResult, message: string): void {
  expect(result.code).toBe(64);
  expect(result.stderr).toContain(message);
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.stderr).not.toContain('▶');
}

beforeAll(async () => {
  project = createTestProject('tasks');
  expect((await project.cli(['deploy'])).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
});

describe('run ids', () => {
  it('a run id reused with other args is refused (64), naming the run id and what differs; the same args return its outcome', async () => {
    expect((await project.cli(['invoke', 'exit-code', '--run-id', 'once', '--', '--code', '3'])).code).toBe(3);
    const before = await runCount();
    const other = await project.cli(['invoke', 'exit-code', '--run-id', 'once', '--', '--code', '4']);
    expectRefused(other, 'Run id once already names a run of exit-code with other args (code: 3 then, 4 now); nothing ran.');
    const same = await project.cli(['invoke', 'exit-code', '--run-id', 'once', '--args', '{"code": 3}']);
    expect(same.code).toBe(3);
    expect(same.stdout).toContain('already ran');
    expect(await runCount()).toBe(before);
    // Neither repeat wrote into the run's log: it ends with the run's own end.
    const log = await project.cli(['logs', 'once']);
    expect(log.stdout).not.toMatch(/nothing ran|already ran|other args/);
    expect(log.stdout.trim().split('\n').at(-1)).toMatch(/Run ended exitCode=3/);
  });

  it('a run id reused for another task is refused (64), naming both tasks', async () => {
    expect((await project.cli(['invoke', 'noop', '--run-id', 'noop-once'])).code).toBe(0);
    expectRefused(await project.cli(['invoke', 'fail', '--run-id', 'noop-once']), 'Run id noop-once already names a run of noop, not fail');
  });

  it('a retry of a run id still in progress is refused (75) and leaves the run, its record and its lock alone', async () => {
    const first = startWatched(['invoke', 'locked', '--run-id', 'locked-once', '--', '--ms', '60000'], { cwd: project.dir });
    await first.seen('holding the lock');
    const retry = await project.cli(['invoke', 'locked', '--run-id', 'locked-once', '--', '--ms', '60000']);
    expect(retry.code).toBe(75);
    expect(retry.stderr).toContain('still in progress');
    const inProgress = await record('locked-once');
    expect(inProgress.endedAt).toBeUndefined();
    expect(inProgress.exitCode).toBeUndefined();
    // The lock is still the first run's: another run of the task is refused, naming it.
    const other = await project.cli(['invoke', 'locked', '--', '--ms', '1']);
    expect(other.code).toBe(75);
    expect(other.stderr).toContain('locked by run locked-once');
    // It ignores the ask to stop: a second Ctrl-C ends it at once (a stop would wait out its grace).
    first.child.kill('SIGINT');
    await first.seen('Interrupting');
    first.child.kill('SIGINT');
    expect((await first.result).code).toBe(130);
    expect(await record('locked-once')).toMatchObject({ exitCode: 130, endedAt: expect.any(String) });
  });

  it('detached starts that race on one run id: one starts the run, the others say it is in progress (75), none that it started', async () => {
    // all start before any has taken the id: the check before the start passes each of them
    const starts = await Promise.all(
      [1, 2, 3, 4].map(() => project.cli(['invoke', 'wait-for-stop', '--detach', '--run-id', 'raced-detach'])),
    );
    const started = starts.filter((start) => start.code === 0);
    expect(started).toHaveLength(1);
    expect(started[0]?.stderr).toContain('as run raced-detach');
    for (const refused of starts.filter((start) => start.code !== 0)) {
      expect(refused.code).toBe(75);
      expect(refused.stderr).toContain('Run raced-detach (wait-for-stop) is still in progress');
      expect(refused.stderr).not.toContain('Started');
    }
    expect((await project.cli(['stop', 'raced-detach'])).code).toBe(0);
  });

  it('retries that race a run on its id, in the foreground, write nothing into its log: it holds that run alone', async () => {
    // all start before any has taken the id: the check before the start passes each of them, and the run's process refuses
    const starts = [1, 2, 3, 4].map(() => startWatched(['invoke', 'wait-for-stop', '--run-id', 'raced-retry'], { cwd: project.dir }));
    const ends = starts.map((start) => start.result);
    await Promise.any(starts.map((start) => start.seen('waiting for a stop')));
    expect((await project.cli(['stop', 'raced-retry'])).code).toBe(0);
    await Promise.all(ends);
    // One ran; each other found it going (75), or, started later on a loaded machine, found it ended (its outcome, 130).
    expect(starts.filter((start) => start.output().includes('Run started'))).toHaveLength(1);
    for (const start of starts.filter((each) => !each.output().includes('Run started')))
      expect(start.output()).toMatch(/still in progress|already ran/);
    const log = await project.cli(['logs', 'raced-retry']);
    expect(log.stdout).toContain('waiting for a stop');
    expect(log.stdout).not.toMatch(/still in progress|already ran/);
    expect(log.stdout.trim().split('\n').at(-1)).toMatch(/Run ended exitCode=130/);
  });

  it('a refusal printed with --json names no run id that `runs show` cannot find', async () => {
    const unknown = await project.cli(['invoke', 'no-such-task', '--json', '--run-id', 'nothing-ran']);
    expect(unknown.code).toBe(64);
    const document = JSON.parse(unknown.stdout) as Record<string, unknown>;
    expect(document).toMatchObject({ exitCode: 64, error: { name: 'UnknownTask' } });
    expect(document).not.toHaveProperty('runId');
    expect((await project.cli(['runs', 'show', 'nothing-ran'])).code).toBe(64);
    // one that names a run the ledger holds keeps it, and `runs show` finds it
    const conflict = JSON.parse((await project.cli(['invoke', 'fail', '--run-id', 'noop-once', '--json'])).stdout) as { runId?: string };
    expect(conflict.runId).toBe('noop-once');
    expect((await project.cli(['runs', 'show', 'noop-once'])).code).toBe(0);
  });

  it.each([
    ['an unknown task', ['invoke', 'no-such-task', '--run-id', 'refused-unknown']],
    ['args that fail the schema', ['invoke', 'echo', '--run-id', 'refused-args', '--', '--count', 'x']],
  ])('a refused invoke (%s) leaves no log: logs of its id says there is no such run (64), as runs show does', async (_case, args) => {
    const runId = args[args.indexOf('--run-id') + 1] as string;
    expectRefused(await project.cli(args), 'See the tasks and their args');
    expect(existsSync(join(project.dir, '.cnf', 'local', 'logs', `${runId}.log`))).toBe(false);
    for (const logs of [
      ['logs', runId],
      ['logs', runId, '--json'],
      ['logs', runId, '--follow'],
    ]) {
      expectRefused(await project.cli(logs), `No run "${runId}" on stage local.`);
    }
  });

  it('an empty log that no run claimed within the time a run takes to start is no run (64), named as a leftover, --follow too', async () => {
    // given what a refused invoke of an older cnf-admin left: an empty log, its record never made
    const log = join(project.dir, '.cnf', 'local', 'logs', 'left-behind.log');
    writeFileSync(log, '');
    const tenMinutesAgo = new Date(Date.now() - 600_000);
    utimesSync(log, tenMinutesAgo, tenMinutesAgo);
    for (const logs of [
      ['logs', 'left-behind'],
      ['logs', 'left-behind', '--follow'],
    ]) {
      const result = await project.cli(logs);
      expectRefused(result, 'No run "left-behind" on stage local.');
      expect(result.stderr).toContain(`${log} is an empty log that no run claimed`);
    }
  });
});

describe('task args', () => {
  it.each([
    [['--', '--count', '1', '--count', '2'], '--count is given more than once; give it once.'],
    [['--', '--count', '1', '--loud', '--no-loud'], '--loud and --no-loud contradict each other; give one of them.'],
    [['--args', '{"count":1}', '--', '--count', '2'], '--count is given twice: in the JSON args (count: 1) and as a flag; give it once.'],
    [['--', '--count', '0x10'], '--count takes an integer in decimal digits, got: "0x10"'],
    [['--', '--count', '1e3'], '--count takes an integer in decimal digits, got: "1e3"'],
    [['--', '--count', ' 16'], '--count takes an integer in decimal digits, got: " 16"'],
  ])('refuses %j with 64 naming the flag, and runs nothing', async (args, message) => {
    const before = await runCount();
    expectRefused(await project.cli(['invoke', 'echo', ...args]), message);
    expect(await runCount()).toBe(before);
  });

  it('refuses --dry-run with --detach (64): one runs nothing, the other starts a run; nothing runs', async () => {
    const before = await runCount();
    expectRefused(
      await project.cli(['invoke', 'echo', '--dry-run', '--detach', '--', '--count', '1']),
      '--dry-run runs nothing and --detach starts a run; give one of them.',
    );
    expect(await runCount()).toBe(before);
  });

  it('speaks in flags where the args come as flags, and in JSON paths where they come as --args', async () => {
    expectRefused(await project.cli(['invoke', 'echo']), 'Invalid args for echo: missing --count <integer>');
    expectRefused(await project.cli(['invoke', 'echo', '--', '--loud']), 'Invalid args for echo: missing --count <integer>');
    expectRefused(await project.cli(['invoke', 'echo', '--', '--count', '0']), 'Invalid args for echo: --count: Too small');
    expectRefused(
      await project.cli(['invoke', 'echo', '--args', '{"loud": true}']),
      'Invalid args for echo: count: missing (expected number)',
    );
  });

  it('records args one way, parsed with their defaults, whether they came as --args or as flags', async () => {
    expect((await project.cli(['invoke', 'echo', '--run-id', 'as-json', '--args', '{"count": 2}'])).code).toBe(0);
    expect((await project.cli(['invoke', 'echo', '--run-id', 'as-flags', '--', '--count', '2'])).code).toBe(0);
    const expected = { count: 2, label: 'none', loud: false, tags: [] };
    expect((await record('as-json')).args).toEqual(expected);
    expect((await record('as-flags')).args).toEqual(expected);
  });
});
