/**
 * What a person reads at the terminal, through the real binary: every table
 * fits 80 columns, the Node notice comes once a day before a run, `logs
 * --json` carries the log, and the `logs` footer has a line of its own.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestProject, type TestProject } from '../support/test-project.js';
import { runInTerminal } from '../support/terminal.js';

const OTHER_NODE = Number(process.versions.node.split('.')[0]) !== 22;
const NODE_NOTICE = 'Lambda runs Node 22, so results may differ.';

let project: TestProject;
let runId: string;

beforeAll(async () => {
  project = createTestProject('tasks');
  const first = await project.cli(['invoke', 'echo', '--json', '--', '--count', '2', '--label', 'a label', '--tags', 'x', '--tags', 'y']);
  expect(first.code).toBe(0);
  runId = (JSON.parse(first.stdout) as { runId: string }).runId;
  expect(await project.cli(['config', 'set', 'GREETING', `hello ${'wide '.repeat(30)}world`])).toMatchObject({ code: 0 });
  expect(await project.cli(['invoke', 'exit-code', '--', '--code', '3'])).toMatchObject({ code: 3 });
});

afterAll(async () => {
  await project.cleanup();
});

function widest(text: string): string {
  return text.split('\n').reduce((wide, line) => (line.length > wide.length ? line : wide), '');
}

describe('at 80 columns (no terminal, so no width known)', () => {
  it.each([['tasks'], ['runs'], ['status'], ['releases'], ['config', 'list'], ['invoke', 'echo', '--dry-run', '--', '--count', '1']])(
    '%s fits every line into 80 columns',
    async (...args) => {
      // when
      const result = await project.cli(args);

      // then
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).not.toBe('');
      expect(widest(result.stdout).length, widest(result.stdout)).toBeLessThanOrEqual(80);
      expect(widest(result.stderr).length, widest(result.stderr)).toBeLessThanOrEqual(80);
    },
  );

  it('runs keeps the run id, the task and who ran it whole, and its args readable, leaving out a year all runs share', async () => {
    // when
    const runs = await project.cli(['runs']);
    const lines = runs.stdout.split('\n');

    // then
    const exitCode = lines.find((line) => line.includes(' exit-code '));
    expect(exitCode).toMatch(/^\d{8}-\d{6}-\w{6} {2}exit-code {2}code=3 +3 +\d\d-\d\d \d\d:\d\d:\d\d {2}\S+@\S+$/);
    expect(lines.find((line) => line.includes(runId))).toMatch(/ {2}count=2 label.*…/);
    // and it says which columns it had no room for, and where they are
    expect(runs.stderr.replace(/\s+/g, ' ')).toMatch(
      /No room for [A-Z, ]+ at 80 columns: a wider terminal shows them, as do runs show and --json\./,
    );
  });

  it("runs show fits the run's record (its log lines are the task's own)", async () => {
    // when
    const result = await project.cli(['runs', 'show', runId]);

    // then
    const record = result.stdout.slice(0, result.stdout.indexOf('\n\n'));
    expect(record).toMatch(/^run {6}/);
    expect(widest(record).length, widest(record)).toBeLessThanOrEqual(80);
  });

  it('wraps descriptions and args under their columns, keeping each flag whole', async () => {
    // when
    const tasks = (await project.cli(['tasks'])).stdout.split('\n');

    // then: echo's args go under the ARGS header, each flag and its type whole on a line (a default may go on the next)
    const column = tasks[0]?.indexOf('ARGS') ?? -1;
    const echo = tasks.findIndex((line) => line.startsWith('echo '));
    const args = tasks.slice(echo, echo + 4).map((line) => line.slice(column).trim());
    expect(args).toEqual([
      expect.stringMatching(/^--count <integer>/),
      expect.stringMatching(/^\[--label <string>, default$/),
      expect.stringMatching(/^"none"\] \[--loud\]$/),
      expect.stringMatching(/^\[--tags <string>\.\.\.\]/),
    ]);
  });

  it('says each thing once: status names the stage and its release, releases lists each release once', async () => {
    // when
    const status = (await project.cli(['status'])).stdout;

    // then
    expect(status).toMatch(
      /^Stage local, on this machine\n {2}web:live {4}(r-[0-9a-f]{12}) · config v\d+\n {2}admin:live {2}\1 · config v\d+\n/,
    );
    expect(status).not.toContain('(version');
    expect(status).toMatch(/^RELEASE +CONFIG +RESTORABLE +CREATED +ALIASES$/m);
  });
});

describe('the Node notice', () => {
  it('comes before the first run of the day, in one line, and not again that day', async () => {
    // given: the runs of beforeAll said it already
    const notices = join(project.dir, '.cnf', 'notices.json');

    // when
    const again = await project.cli(['invoke', 'noop']);
    const elsewhere = await Promise.all(
      [['status'], ['tasks'], ['invoke', 'no-such-task'], ['invoke', 'noop', '--dry-run']].map((args) => project.cli(args)),
    );
    writeFileSync(notices, JSON.stringify({ 'node-20': '2020-01-01', 'node-18': '2020-01-01', 'node-24': '2020-01-01' }));
    const nextDay = await project.cli(['invoke', 'noop']);

    // then
    expect(again.stderr).not.toContain(NODE_NOTICE);
    for (const result of elsewhere) expect(result.stderr).not.toContain(NODE_NOTICE);
    if (OTHER_NODE) {
      expect(nextDay.stderr).toContain(`! Node ${process.versions.node} runs here; ${NODE_NOTICE}\n`);
      expect(nextDay.stderr.split('\n').filter((line) => line.includes('Node'))).toHaveLength(1);
      expect(readFileSync(notices, 'utf8')).toContain(new Date().toISOString().slice(0, 10));
    } else expect(nextDay.stderr).not.toContain(NODE_NOTICE);
  });
});

describe('logs', () => {
  it('--json gives one document: the result and every line of the log as JSON', async () => {
    // when
    const result = await project.cli(['logs', runId, '--json']);

    // then
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as {
      runId: string;
      result: { exitCode: number };
      lines: { message?: string; runId?: string }[];
    };
    expect(document.runId).toBe(runId);
    expect(document.result.exitCode).toBe(0);
    expect(document.lines.map((line) => line.message)).toEqual(expect.arrayContaining(['Run started', 'Run ended']));
    expect(document.lines.find((line) => line.message === 'Run started')).toMatchObject({ runId, stage: 'local' });
    // and: the lines are not said twice, as text on stderr
    expect(result.stderr).not.toContain('Run started');
  });

  it('puts its footer on a line of its own, even after a last line without a newline', async () => {
    // given: a run whose log ends without a newline
    const exited = JSON.parse((await project.cli(['runs', '--task', 'exit-code', '--json'])).stdout) as { runId: string; log: string }[];
    const log = exited[0]?.log as string;
    writeFileSync(log, readFileSync(log, 'utf8').replace(/\n$/, ''));

    // when: on a terminal, where stdout and stderr meet
    const result = await runInTerminal(['logs', exited[0]?.runId as string], { cwd: project.dir });

    // then
    expect(result.code).toBe(0);
    expect(result.screen.at(-2)).toMatch(/INFO {2}Run ended exitCode=3 durationMs=\d+$/);
    expect(result.screen.at(-1)).toMatch(/^✖ exit 3 · \d+ ms$/);
  });
});

describe('at a real terminal of 60 and 80 columns', () => {
  /** The lines as cnf-admin wrote them (not as the terminal wrapped them), without colour codes. */
  const writtenLines = (bytes: string) =>
    bytes
      // eslint-disable-next-line no-control-regex
      .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
      .split(/\r?\n/);

  it.each([
    [80, ['--help']],
    [60, ['--help']],
    [60, ['invoke', '--help']],
    [60, ['runs', '--help']],
  ])('at %i columns, %j wraps between words, so the terminal never cuts one', async (columns, args) => {
    const result = await runInTerminal(args, { cwd: project.dir, columns });
    expect(result.code).toBe(0);
    const lines = writtenLines(result.bytes);
    expect(lines.filter((line) => line.length > columns)).toEqual([]);
    expect(lines.find((line) => line.trim() !== '')).toMatch(/^Usage: cnf-admin/);
  });

  it('wraps an error and its hint between words at 60 columns', async () => {
    const result = await runInTerminal(['config', 'set', 'not a key', 'x'], { cwd: project.dir, columns: 60 });
    expect(result.code).toBe(64);
    const lines = writtenLines(result.bytes).filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.filter((line) => line.length > 60)).toEqual([]);
    expect(lines[0]).toMatch(/^cnf-admin: /);
  });
});
