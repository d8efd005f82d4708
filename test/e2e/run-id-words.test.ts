/**
 * Run ids are easy to type, through the real binary: `last` and a unique
 * start of an id name a run wherever one is taken, `logs` alone shows the
 * newest run, a mistyped id gets a did-you-mean, and `runs` shows each
 * run's args and source, and that an interrupted run was stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, spawnCli } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

beforeAll(async () => {
  project = createTestProject('tasks');
  expect((await project.cli(['deploy'])).code).toBe(0);
  expect((await project.cli(['invoke', 'exit-code', '--run-id', 'batch-alpha-1', '--', '--code', '2'])).code).toBe(2);
  expect((await project.cli(['invoke', 'echo', '--run-id', 'batch-alpha-2', '--', '--count', '3', '--label', 'dry'])).code).toBe(0);
  expect((await project.cli(['invoke', 'noop', '--run-id', 'nightly-7'])).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
});

describe('a run named without its whole id', () => {
  it('logs alone shows the newest run, and says which', async () => {
    const result = await project.cli(['logs']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Run nightly-7');
    expect(result.stdout + result.stderr).toContain('Run ended');
  });

  it('last names the newest run in logs and runs show', async () => {
    const shown = await project.cli(['runs', 'show', 'last', '--json']);
    expect(shown.code).toBe(0);
    expect((JSON.parse(shown.stdout) as { runId: string }).runId).toBe('nightly-7');
    expect((await project.cli(['logs', 'last'])).stderr).toContain('Run nightly-7');
  });

  it('a unique start of a run id names it', async () => {
    const shown = await project.cli(['runs', 'show', 'night', '--json']);
    expect(shown.code).toBe(0);
    expect((JSON.parse(shown.stdout) as { runId: string }).runId).toBe('nightly-7');
  });

  it('a start shared by several runs: 64, listing them', async () => {
    const result = await project.cli(['logs', 'batch-alpha']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('"batch-alpha" starts 2 run ids on stage local: batch-alpha-2, batch-alpha-1. Type more of it.');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('a mistyped run id: 64 with a did-you-mean', async () => {
    const result = await project.cli(['runs', 'show', 'nightly-8']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('No run "nightly-8" on stage local. Did you mean "nightly-7"?');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('the runs table', () => {
  it('shows the args and the source of each run', async () => {
    const result = await project.cli(['runs'], { env: { COLUMNS: '160' } });
    expect(result.stdout).toMatch(/^RUN ID\s+TASK\s+ARGS\s+EXIT\s+TOOK\s+STARTED\s+RELEASE\s+CONFIG\s+SOURCE\s+BY$/m);
    expect(result.stdout).toMatch(/^batch-alpha-2\s+echo\s+count=3 label=dry loud=false tags=\[\]\s+0\s/m);
    expect(result.stdout).toMatch(/^batch-alpha-1\s+exit-code\s+code=2\s+2\s.*\scli\s/m);
  });

  it('an interrupted run that ended 0 reads as stopped, not as a plain 0', async () => {
    const run = spawnCli(['invoke', 'ignore-stop', '--run-id', 'told-to-stop'], { cwd: project.dir });
    const ended = finished(run);
    await new Promise<void>((resolve) => {
      let seen = '';
      for (const stream of [run.stdout, run.stderr]) {
        stream?.on('data', (chunk: Buffer | string) => {
          seen += chunk.toString();
          if (seen.includes('working')) resolve();
        });
      }
    });
    run.kill('SIGINT');
    expect((await ended).code).toBe(0);
    const table = await project.cli(['runs'], { env: { COLUMNS: '160' } });
    expect(table.stdout).toMatch(/^told-to-stop\s+ignore-stop\s+code=0 lingerMs=200\s+0 stopped\s/m);
  });
});
