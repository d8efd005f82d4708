/**
 * The README's exit codes after a Ctrl-C, for the command as docs/cli.md
 * writes it for scripts and terminals that read them: the installed binary,
 * `node_modules/.bin/cnf-admin` (npx puts npm and a shell between the
 * terminal and the CLI, and npm reports an interrupt as 130 whatever the CLI
 * returned). A Ctrl-C reaches the command's whole process group; one Ctrl-C
 * reads as one: a task that finishes on its own terms keeps its exit code,
 * and `serve` exits 0. A deploy stopped by one moves nothing and leaves the
 * stage free.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliEnvironment } from '../support/cli.js';
import { localRunEnded } from '../support/local-run-files.js';
import { holdTaskAtImport } from '../support/task-held-at-import.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

beforeAll(async () => {
  project = createTestProject('tasks');
  expect((await project.cli(['deploy'])).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
});

/** `node_modules/.bin/cnf-admin <args>` in a process group of its own, as a terminal runs a command; Ctrl-C signals the group. */
function installed(args: readonly string[]) {
  return started(join('node_modules', '.bin', 'cnf-admin'), args);
}

/** `command <args>` in the project, in a process group of its own, as a terminal runs a command. */
function started(command: string, args: readonly string[]) {
  const child = spawn(command, [...args], {
    cwd: project.dir,
    env: cliEnvironment(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    for (const waiter of waiters.filter((candidate) => output.includes(candidate.text))) waiter.resolve();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    seen: (text: string) =>
      new Promise<void>((resolve) => {
        if (output.includes(text)) resolve();
        else waiters.push({ text, resolve });
      }),
    ctrlC: () => process.kill(-(child.pid as number), 'SIGINT'),
    pid: child.pid as number,
    exited,
    output: () => output,
  };
}

it('one Ctrl-C on a task that finishes anyway: the task’s own exit code, not 130', async () => {
  const run = installed(['invoke', 'ignore-stop', '--', '--code', '3', '--linger-ms', '300']);
  await run.seen('working');
  run.ctrlC();
  expect(await run.exited).toBe(3);
  expect(run.output()).toContain('work finished');
  expect(run.output()).not.toContain('forced');
});

it('serve stopped with one Ctrl-C exits 0', async () => {
  const serve = installed(['serve', '--port', '0']);
  await serve.seen('Ctrl-C to stop');
  serve.ctrlC();
  expect(await serve.exited).toBe(0);
  expect(serve.output()).toContain('Stopped.');
});

it('Ctrl-C during a deploy: 130, one line saying nothing moved, and the stage free for the next deploy', async () => {
  const aliases = join(project.dir, '.cnf', 'local', 'aliases.json');
  const before = readFileSync(aliases, 'utf8');
  // A name of its own each time: a retry of this test appends again.
  appendFileSync(join(project.dir, 'lambda', 'admin.ts'), `\nexport const deployedAfterCtrlC${Date.now()} = true;\n`);
  const deploy = installed(['deploy']);
  await deploy.seen('Building the bundle');
  deploy.ctrlC();
  expect(await deploy.exited).toBe(130);
  expect(deploy.output()).toContain('Interrupted: the deploy stopped; web:live and admin:live did not move.');
  expect(deploy.output()).not.toMatch(/\n\s+at /);
  expect(readFileSync(aliases, 'utf8')).toBe(before);
  const again = await project.cli(['deploy']);
  expect(again.code, again.stderr).toBe(0);
  expect(readFileSync(aliases, 'utf8')).not.toBe(before);
});

/**
 * Runs `invoke noop` after a change to the working tree, whose new release's
 * catalog is held at the import of the noop task; calls `interrupt` with the
 * command and the id of the process that loads the catalog, once it waits.
 */
async function invokeStoppedWhileTheTasksLoad(interrupt: (run: ReturnType<typeof installed>, loaderPid: number) => void) {
  const held = holdTaskAtImport(join(project.dir, 'lambda', 'tasks', 'noop.ts'));
  try {
    const run = installed(['invoke', 'noop']);
    interrupt(run, await held.loaded);
    return { code: await run.exited, output: run.output() };
  } finally {
    held.restore();
  }
}

it('Ctrl-C while invoke deploys the working tree first: 130, one line saying nothing ran and nothing moved, and no word of a deploy', async () => {
  const aliases = join(project.dir, '.cnf', 'local', 'aliases.json');
  const before = readFileSync(aliases, 'utf8');
  const { code, output } = await invokeStoppedWhileTheTasksLoad((run) => run.ctrlC());
  expect(code).toBe(130);
  expect(output).toContain("Interrupted: nothing ran; the working tree's deploy stopped before web:live and admin:live moved.");
  expect(output).not.toContain('Deployed the working tree');
  expect(output).not.toMatch(/\n\s+at /);
  expect(readFileSync(aliases, 'utf8')).toBe(before);
  const runs = JSON.parse((await project.cli(['runs', '--task', 'noop', '--json'])).stdout) as unknown[];
  expect(runs).toEqual([]);
});

it('a SIGINT to the CLI alone while invoke deploys ends the load of the tasks at once: the loading process is gone when the CLI ends', async () => {
  let loader = 0;
  const { code, output } = await invokeStoppedWhileTheTasksLoad((run, loaderPid) => {
    loader = loaderPid;
    process.kill(run.pid, 'SIGINT');
  });
  expect(code).toBe(130);
  expect(output).toContain("Interrupted: nothing ran; the working tree's deploy stopped before web:live and admin:live moved.");
  expect(() => process.kill(loader, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
});

it('a SIGTERM to npx alone (a CI job cancelled) stops the run, recorded as 130, rather than leaving it running unseen', async () => {
  const viaNpx = started('npx', ['cnf-admin', 'invoke', 'wait-for-stop']);
  await viaNpx.seen('waiting for a stop');
  const runId = /· run (\S+)/.exec(viaNpx.output())?.[1] as string;
  // npm's process only, not its group: npm exits, and passes nothing on
  process.kill(viaNpx.pid, 'SIGTERM');
  await localRunEnded(project.dir, runId);
  const record = JSON.parse((await project.cli(['runs', 'show', runId, '--json'])).stdout) as {
    exitCode: number;
    endedAt?: string;
    interruptedAt?: string;
  };
  // stopped through its signal and recorded by its own process: not lost
  expect(record).toMatchObject({ exitCode: 130, endedAt: expect.any(String), interruptedAt: expect.any(String) });
});

it('a SIGTERM to the whole group under npx is one stop: a task that finishes anyway keeps its exit code', async () => {
  const viaNpx = started('npx', ['cnf-admin', 'invoke', 'ignore-stop', '--', '--code', '3', '--linger-ms', '700']);
  await viaNpx.seen('working');
  const runId = /· run (\S+)/.exec(viaNpx.output())?.[1] as string;
  // npm exits at once; the CLI, signalled too, must not take npm's going for a second stop
  process.kill(-viaNpx.pid, 'SIGTERM');
  await localRunEnded(project.dir, runId);
  const record = JSON.parse((await project.cli(['runs', 'show', runId, '--json'])).stdout) as { exitCode: number };
  expect(record.exitCode).toBe(3);
});
