/**
 * A local invoke's run process starts before the CLI has checked the stage,
 * and loads the live release while it does (lib/platform/local/standby-runner.ts).
 * Through the real binary: the run still uses the release the plan chose
 * (after an edit, or with --release), and a command that runs nothing
 * leaves no such process behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cnfEnvironment } from '../../lib/core/cnf-environment.js';
import type { StandbyMessage } from '../../lib/platform/local/standby-message.js';
import { runnerArguments } from '../../lib/platform/local/standby-runner.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../lib/core/run.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

/** The copy's noop task, made to say which edit of it runs, and where. */
const markerTask = (word: string): string => `import { defineTask } from 'cnf-admin/runtime';

export default defineTask({
  name: 'noop',
  description: 'Says which edit of it runs, and where',
  run: async () => ({ word: ${JSON.stringify(word)}, cwd: process.cwd(), runLog: process.env.CNF_RUN_LOG }),
});
`;

async function invokeMarker(...flags: string[]): Promise<RunResult & { output: { word: string; cwd: string; runLog?: string } }> {
  const result = await project.cli(['invoke', 'noop', '--json', ...flags]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as RunResult & { output: { word: string; cwd: string; runLog?: string } };
}

/** The run processes (dist/local-runner.mjs) whose working directory is in the project: a standby waits in it until told a release. */
function runnersIn(dir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return (
          readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('local-runner.mjs') && readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)
        );
      } catch {
        return false; // ended while we looked
      }
    })
    .map(Number);
}

/** Waits until no run process is left in the project, for at most 10 s; resolves to those still there then. */
async function leftRunners(dir: string): Promise<number[]> {
  const giveUpAt = Date.now() + 10_000;
  let left = runnersIn(dir);
  while (left.length > 0 && Date.now() < giveUpAt) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = runnersIn(dir);
  }
  return left;
}

beforeAll(async () => {
  project = createTestProject('tasks');
  writeFileSync(join(project.dir, 'lambda', 'tasks', 'noop.ts'), markerTask('first'));
  expect((await project.cli(['deploy'])).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
});

describe('the run process that starts first', () => {
  it('runs in the release the plan chose, with the environment of its own run', async () => {
    const run = await invokeMarker();
    expect(run.output.word).toBe('first');
    expect(run.output.cwd).toBe(join(project.dir, '.cnf', 'local', 'releases', run.release, 'bundle'));
    expect(run.output.runLog).toBe(join(project.dir, '.cnf', 'local', 'logs', `${run.runId}.log`));
  });

  it('runs the edited code after an edit, although the live release was loaded while the tree was checked', async () => {
    const before = await invokeMarker();
    writeFileSync(join(project.dir, 'lambda', 'tasks', 'noop.ts'), markerTask('second'));
    const after = await invokeMarker();
    expect(after.output.word).toBe('second');
    expect(after.release).not.toBe(before.release);
    // and a retained release named with --release runs its own code, not the live one's
    const pinned = await invokeMarker('--release', before.release);
    expect(pinned).toMatchObject({ release: before.release, output: { word: 'first' } });
  });

  it('loads the module of the task it was told while it waits, and runs nothing without a run', async () => {
    // A task module that says, as it loads, that it did (where it is told to: the deploy's catalog loads it too).
    writeFileSync(
      join(project.dir, 'lambda', 'tasks', 'noop.ts'),
      `import { writeFileSync } from 'node:fs';\nif (process.env.LOADED_MARKER) writeFileSync(process.env.LOADED_MARKER, 'loaded');\n${markerTask('marked')}`,
    );
    const deployed = await project.cli(['deploy', '--json']);
    expect(deployed.code, deployed.stderr).toBe(0);
    const bundle = join(project.dir, '.cnf', 'local', 'releases', (JSON.parse(deployed.stdout) as { release: string }).release, 'bundle');
    const marker = join(project.dir, 'noop-loaded');
    // A retry starts with no marker: one its first attempt left, perhaps empty, would answer at once.
    rmSync(marker, { force: true });
    const markerSays = (): string | undefined => (existsSync(marker) ? readFileSync(marker, 'utf8') : undefined);
    const runner = spawn(process.execPath, runnerArguments(), {
      env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: bundle, ...cnfEnvironment({ standbyRunner: true }) },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    const ended = new Promise<number | null>((resolve) => runner.once('exit', resolve));
    let said = '';
    for (const stream of runner.stdio.slice(1)) stream?.on('data', (chunk: Buffer) => (said += chunk.toString()));
    const load: StandbyMessage = {
      env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: bundle, LOADED_MARKER: marker },
      cwd: bundle,
      task: 'noop',
    };
    try {
      runner.stdin.write(`${JSON.stringify(load)}\n`);
      // The module creates the file, then writes it: a look between the two finds it empty.
      const giveUpAt = Date.now() + 10_000;
      while (markerSays() !== 'loaded' && runner.exitCode === null && Date.now() < giveUpAt)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(markerSays()).toBe('loaded');
      runner.stdin.end();
      expect(await ended).toBe(0);
    } finally {
      runner.kill('SIGKILL');
    }
    // no run: no output, and no result on its result descriptor
    expect(said).toBe('');
  });

  it('loads nothing for input that is wrong, and loads the task module once for a run', async () => {
    // A task module that counts its loads where a run's process can write: beside the stage's ledger.
    const loads = join(project.dir, '.cnf', 'local', 'noop-loads');
    // A retry counts from none: its first attempt's loads are not its own.
    rmSync(loads, { force: true });
    writeFileSync(
      join(project.dir, 'lambda', 'tasks', 'noop.ts'),
      `import { appendFileSync } from 'node:fs';\nif (process.env.CNF_LEDGER_DIR) appendFileSync(process.env.CNF_LEDGER_DIR + '/noop-loads', 'x');\n${markerTask('counted')}`,
    );
    expect((await project.cli(['deploy'])).code).toBe(0);
    const count = (): number => (existsSync(loads) ? readFileSync(loads, 'utf8').length : 0);
    for (const wrong of [
      ['--args', '{not json'],
      ['--release', 'r-nothex'],
      ['--config', 'current'],
    ]) {
      const refused = await project.cli(['invoke', 'noop', ...wrong]);
      expect(refused.code, refused.stderr).toBe(64);
    }
    expect(await leftRunners(project.dir)).toEqual([]);
    expect(count()).toBe(0);
    expect((await invokeMarker()).output.word).toBe('counted');
    expect(count()).toBe(1);
  });

  it('leaves no process behind when the command runs nothing', async () => {
    const unknown = await project.cli(['invoke', 'noop', '--release', 'r-000000000000']);
    expect(unknown.code, unknown.stderr).not.toBe(0);
    expect(await leftRunners(project.dir)).toEqual([]);
    // the live release damaged: its bundle was loaded, and the plan refuses it
    const live = (await invokeMarker()).release;
    const bundle = join(project.dir, '.cnf', 'local', 'releases', live, 'bundle');
    const chunk = readdirSync(bundle, { recursive: true, withFileTypes: true }).find(
      (entry) => entry.isFile() && entry.name.endsWith('.mjs') && entry.name !== 'admin.mjs',
    );
    truncateSync(join(chunk!.parentPath, chunk!.name), 10);
    const damaged = await project.cli(['invoke', 'noop', '--release', live]);
    expect(damaged.code, damaged.stderr).toBe(69);
    expect(await leftRunners(project.dir)).toEqual([]);
  });
});
