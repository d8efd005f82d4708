/**
 * `--detach` and `--dry-run` check a run as a foreground invoke is checked,
 * through the real binary: an unknown task, bad args, a missing script or a
 * conflicting run id are refused with the same code, and nothing starts.
 * Flags that take a value, and keys of --args, are given once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

async function runCount(): Promise<number> {
  return (JSON.parse((await project.cli(['runs', '--json'])).stdout) as unknown[]).length;
}

function expectRefused(result: CliResult, code: number, message: string): void {
  expect(result.code).toBe(code);
  expect(result.stderr).toContain(message);
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.stderr).not.toContain('Started');
  expect(result.stdout).not.toContain('Would run');
}

beforeAll(async () => {
  project = createTestProject('tasks');
  expect((await project.cli(['deploy'])).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
});

describe.each([['--detach'], ['--dry-run']])('%s checks before it starts anything', (flag) => {
  it('an unknown task: 64 with the did-you-mean a foreground invoke gives', async () => {
    const before = await runCount();
    const foreground = await project.cli(['invoke', 'ecoh']);
    const checked = await project.cli(['invoke', 'ecoh', flag]);
    expectRefused(checked, 64, 'Unknown task "ecoh". Did you mean "echo"?');
    expect(checked.stderr).toContain('See the tasks and their args with: cnf-admin tasks --stage local');
    const refusal = (result: CliResult): string | undefined => result.stderr.split('\n').find((line) => line.includes('Unknown task'));
    expect(refusal(checked)).toBe(refusal(foreground));
    expect(await runCount()).toBe(before);
  });

  it('args that fail the schema or an unknown flag: 64, naming the flag', async () => {
    const before = await runCount();
    expectRefused(await project.cli(['invoke', 'echo', flag]), 64, 'Invalid args for echo: missing --count <integer>');
    expectRefused(await project.cli(['invoke', 'echo', flag, '--', '--count', '0']), 64, 'Invalid args for echo: --count: Too small');
    expectRefused(await project.cli(['invoke', 'echo', flag, '--', '--cuont', '2']), 64, 'Unknown arg --cuont for task echo');
    expectRefused(await project.cli(['invoke', 'echo', flag, '--args', '{"count": "2"}']), 64, 'Invalid args for echo: count:');
    expect(await runCount()).toBe(before);
  });

  it('a script that is not on disk: 64', async () => {
    expectRefused(await project.cli(['run', 'scripts/nope.ts', flag]), 64, 'No such script: scripts/nope.ts.');
  });

  it('a run id that names another run: 64, naming what differs', async () => {
    const runId = `taken${flag.replace(/-/g, '')}`;
    expect((await project.cli(['invoke', 'exit-code', '--run-id', runId, '--', '--code', '3'])).code).toBe(3);
    const before = await runCount();
    expectRefused(
      await project.cli(['invoke', 'exit-code', flag, '--run-id', runId, '--', '--code', '4']),
      64,
      `Run id ${runId} already names a run of exit-code with other args (code: 3 then, 4 now); nothing ran.`,
    );
    expectRefused(await project.cli(['invoke', 'noop', flag, '--run-id', runId]), 64, `a run of exit-code, not noop`);
    // The same task and args: it already ran, and ends as it did.
    const same = await project.cli(['invoke', 'exit-code', flag, '--run-id', runId, '--', '--code', '3']);
    expect(same.code).toBe(3);
    expect(same.stderr).toContain(`Run ${runId} (exit-code) already ran on stage local, exit 3; nothing ran again.`);
    expect(await runCount()).toBe(before);
  });

  it('a good run passes the check', async () => {
    const result = await project.cli(['invoke', 'echo', flag, '--', '--count', '2']);
    expect(result.code).toBe(0);
    expect(flag === '--detach' ? result.stderr : result.stdout).toMatch(flag === '--detach' ? /Started echo/ : /Would run echo/);
    // A detached run goes on: wait for its end, so that the next test counts the ledger as it stays.
    if (flag === '--detach') expect((await project.cli(['logs', result.stdout.trim(), '--follow'])).code).toBe(0);
  });
});

describe('a flag that takes a value is given once', () => {
  it.each([
    [['invoke', 'noop', '--stage', 'prod', '--stage', 'local'], '--stage is given more than once (prod, then local)'],
    [['invoke', 'noop', '--run-id', 'a', '--run-id', 'b'], '--run-id is given more than once (a, then b)'],
    [['invoke', 'echo', '--args', '{"count": 1}', '--args', '{"count": 2}'], '--args is given more than once'],
    [['runs', '--stage', 'local', '-s', 'local'], '--stage is given more than once'],
  ])('%j: 64', async (args, message) => {
    const before = await runCount();
    const result = await project.cli(args);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toMatch(/^cnf-admin: /);
    expect(await runCount()).toBe(before);
  });

  it('a key given twice in --args: 64, naming it', async () => {
    const before = await runCount();
    const result = await project.cli(['invoke', 'echo', '--args', '{"count": 1, "label": "a", "count": 2}']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(
      'cnf-admin: --args gives the key "count" more than once; give it once.\nEach arg takes one value: keep the "count" you mean and remove the other.\n',
    );
    expect(await runCount()).toBe(before);
  });
});

describe('AWS flags and task args', () => {
  it('--region on the local stage is refused (64): a task arg goes after --', async () => {
    const result = await project.cli(['invoke', 'noop', '--region', 'eu-west-1']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('cnf-admin: --region is for AWS stages; stage local runs on this machine.');
    expect(result.stderr).toContain('cnf-admin invoke <task> -- --region <value>');
  });

  it('a misspelt flag of cnf-admin gets its did-you-mean, and no word about task args', async () => {
    const result = await project.cli(['invoke', 'noop', '--dryrun']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('--dry-run');
    expect(result.stderr).not.toContain('Task args go after --');
  });
});
