/**
 * Faults of the machine, not of cnf-admin, through the real binary: a user
 * who may not write the project's state or directory gets 77 naming the
 * path (as invoke does), never "a bug in cnf-admin"; `db stop` and `db
 * reset` refuse to stop or delete the database under runs in flight.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, cliEnvironment, finished, spawnCli, type CliResult } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';
import { tempDir } from '../support/temp-dir.js';

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

function expectClearError(result: CliResult, code: number, message: string): void {
  expect(result.stderr).toContain(message);
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.stderr).not.toContain('failed unexpectedly');
  expect(result.code).toBe(code);
}

/** Runs the CLI as nobody (uid 65534), as a user other than the one who owns the project's state. */
function asNobody(dir: string, args: readonly string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: dir,
    env: cliEnvironment({ HOME: tempDir('cnf-nobody-home') }),
    uid: 65534,
    gid: 65534,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return finished(child);
}

/** Everything on the way to `dir` readable by nobody; what is inside stays root's. */
function reachable(dir: string): void {
  for (let at = dir; at !== tmpdir() && at !== dirname(at); at = dirname(at)) chmodSync(at, 0o755);
}

describe('a .cnf the user cannot write', () => {
  let project: TestProject;

  beforeAll(async () => {
    // given a project whose state (and running database) belongs to root
    project = createTestProject('notes');
    expect((await project.cli(['deploy'])).code).toBe(0);
    expect((await project.cli(['db', 'url'])).code).toBe(0);
    reachable(project.dir);
  });

  afterAll(async () => {
    await project.cleanup();
  });

  it.each([[['db', 'status']], [['db', 'stop']], [['db', 'url']], [['db', 'reset', '--yes']], [['serve']]])(
    '%j: 77 naming the path, no stack',
    async (args) => {
      const result = await asNobody(project.dir, args);
      expectClearError(result, 77, join(project.dir, '.cnf'));
      expect(result.stderr).toMatch(/^cnf-admin: (Permission denied|Cannot write|Cannot read)/m);
    },
  );

  it('left the database as it was', async () => {
    const status = await project.cli(['db', 'status', '--json']);
    expect((JSON.parse(status.stdout) as { running: boolean }).running).toBe(true);
  });

  it("db psql opens the system's psql on the database, passing its args, and exits with its code", async () => {
    const result = await project.cli(['db', 'psql', '--', '-c', 'select 40 + 2 as answer']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/answer\s*\n-+\s*\n\s*42\s*\n/);
    expect(result.code).toBe(0);
    expect((await project.cli(['db', 'psql', '--', '-c', 'select nonsense'])).code).not.toBe(0);
  });

  it('db psql without a psql on the PATH: 69, saying what to install and the URL', async () => {
    const result = await project.cli(['db', 'psql'], { env: { PATH: tempDir('cnf-no-psql') } });
    expectClearError(result, 69, 'psql is not on the PATH');
    expect(result.stderr).toContain('apt-get install postgresql-client');
    expect(result.stderr).toMatch(/point any client at: postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres/);
  });
});

describe('a deploy whose releases directory the user cannot write', () => {
  it('exits 77 naming the releases directory before it builds, and stores and moves nothing', async () => {
    const project = createTestProject('tasks');
    try {
      const before = await project.cli(['status', '--json']);
      // The project and its state nobody's, all but the releases directory, which stays root's.
      const chown = spawn('chown', ['-R', '65534:65534', project.dir]);
      expect((await finished(chown)).code).toBe(0);
      const releases = join(project.dir, '.cnf', 'local', 'releases');
      const rootOwned = spawn('chown', ['0:0', releases]);
      expect((await finished(rootOwned)).code).toBe(0);
      chmodSync(releases, 0o755);
      reachable(project.dir);
      writeFileSync(
        join(project.dir, 'lambda', 'tasks', 'noop.ts'),
        `${readFileSync(join(project.dir, 'lambda', 'tasks', 'noop.ts'), 'utf8')}\nexport const edited = 1;\n`,
      );
      const result = await asNobody(project.dir, ['deploy']);
      expectClearError(result, 77, `Cannot write the local stage's state at ${releases}: permission denied (EACCES).`);
      expect(result.stderr).not.toContain('Building');
      expect(readdirSync(releases).filter((name) => name.startsWith('.'))).toEqual([]);
      const pairs = (status: CliResult): unknown => (JSON.parse(status.stdout) as { aliases: unknown }).aliases;
      expect(pairs(await project.cli(['status', '--json']))).toEqual(pairs(before));
    } finally {
      await project.cleanup();
    }
  });
});

describe('init in a directory the user cannot write', () => {
  it('exits 77 naming the directory, before it writes anything', async () => {
    const dir = tempDir('cnf-init-readonly');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'billing', type: 'module' }));
    reachable(dir);
    const result = await asNobody(dir, ['init']);
    expectClearError(result, 77, `Permission denied: cannot write ${dir}`);
    expect(result.stdout).not.toContain('created');
    expect(readdirSync(dir)).toEqual(['package.json']);
  });
});

describe('db stop and db reset while runs are in flight', () => {
  let project: TestProject;

  beforeAll(() => {
    project = createTestProject('tasks');
    const cdkJson = JSON.parse(readFileSync(join(project.dir, 'cdk.json'), 'utf8')) as {
      context: { cnf: { stages: { local: Record<string, unknown> } } };
    };
    cdkJson.context.cnf.stages.local.database = 'postgres';
    writeFileSync(join(project.dir, 'cdk.json'), JSON.stringify(cdkJson));
  });

  afterAll(async () => {
    await project.cleanup();
  });

  it('refuses (75) naming the runs, stops and deletes nothing, and deletes with --force', async () => {
    expect((await project.cli(['deploy'])).code).toBe(0);
    expect((await project.cli(['db', 'url'])).code).toBe(0);
    const run = spawnCli(['invoke', 'wait-for-stop', '--run-id', 'in-flight'], { cwd: project.dir });
    const ended = finished(run);
    await new Promise<void>((resolve) => {
      let seen = '';
      for (const stream of [run.stdout, run.stderr]) {
        stream?.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          if (seen.includes('waiting for a stop')) resolve();
        });
      }
    });
    const notStopped = await project.cli(['db', 'stop']);
    expectClearError(notStopped, 75, 'Runs are in flight on stage local: in-flight (wait-for-stop).');
    expect(notStopped.stderr).toContain('nothing stopped');
    expect((await project.cli(['db', 'status'])).stdout).toContain('running');
    // without --yes off a terminal it cannot go ahead anyway: that is said first
    expectClearError(await project.cli(['db', 'reset']), 64, 'confirm it with --yes');
    const refused = await project.cli(['db', 'reset', '--yes']);
    expectClearError(refused, 75, 'Runs are in flight on stage local: in-flight (wait-for-stop).');
    expect(refused.stderr).toContain('--force');
    expect(existsSync(join(project.dir, '.cnf', 'local', 'database', 'postgres'))).toBe(true);

    const forced = await project.cli(['db', 'reset', '--yes', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('Deleted the embedded database');
    run.kill('SIGINT');
    expect((await ended).code).toBe(130);
  });
});
