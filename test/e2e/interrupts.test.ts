/**
 * Interrupts and faults of `invoke` on the local stage, through the real
 * binary: the exit code says what the ledger records, an interrupt is 130
 * only for a run that stopped because of it, and nothing hangs.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../lib/core/run.js';
import { CLI_BIN, cliEnvironment, finished, REPO_ROOT, spawnCli, startWatched, type WatchedCli } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

/** Starts `cnf-admin` in the project; `seen` resolves once its output shows the text. */
const start = (args: readonly string[]): WatchedCli => startWatched(args, { cwd: project.dir });

async function record(runId: string): Promise<RunRecord> {
  const shown = await project.cli(['runs', 'show', runId, '--json']);
  expect(shown.code).toBe(0);
  return JSON.parse(shown.stdout) as RunRecord;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

beforeAll(() => {
  project = createTestProject('tasks', { deployed: false });
});

afterAll(async () => {
  await project.cleanup();
});

describe('interrupts', () => {
  it('before the run starts (a first deploy under way): exits 130 at once, and nothing ran', async () => {
    const run = start(['invoke', 'noop', '--run-id', 'never-ran']);
    await run.seen('No local release yet: deploying the working tree first');
    run.child.kill('SIGTERM');
    const result = await run.result;
    expect(result.code).toBe(130);
    expect(result.signal).toBeNull();
    expect(result.stderr).toContain('Interrupted: nothing ran.');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect((await project.cli(['runs', 'show', 'never-ran'])).code).toBe(64);
  });

  it('SIGINT on a task that ignores it until its timeout: 124, said as its timeout, not as a code of its own', async () => {
    const run = start(['invoke', 'hang']);
    await run.seen('hanging');
    run.child.kill('SIGINT');
    const result = await run.result;
    expect(result.code).toBe(124);
    expect(result.stderr).toContain('The task was asked to stop and did not: it ran on to its timeout, and was ended then (exit 124).');
    expect(result.stderr).not.toContain('is its own');
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    '%s on a task that finishes anyway: exits with its own code, and the ledger records it and that it was interrupted',
    async (signal) => {
      const runId = `ignored-${signal.toLowerCase()}`;
      const run = start(['invoke', 'ignore-stop', '--run-id', runId, '--json', '--', '--code', '3']);
      await run.seen('working');
      run.child.kill(signal);
      const result = await run.result;
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('work finished');
      expect(result.stderr).toContain('The task was asked to stop but ended on its own terms: exit 3 is its own');
      const printed = JSON.parse(result.stdout) as { exitCode: number; interruptedAt?: string; error?: unknown; output: unknown };
      expect(printed).toMatchObject({ exitCode: 3, output: { finished: true }, interruptedAt: expect.any(String) });
      expect(printed.error).toBeUndefined();
      const recorded = await record(runId);
      expect(recorded).toMatchObject({ exitCode: 3, interruptedAt: printed.interruptedAt, endedAt: expect.any(String) });
      expect(recorded.error).toBeUndefined();
    },
  );

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    '%s on a task that stops through its signal: 130, recorded so, never the signal’s own code',
    async (signal) => {
      const runId = `stopped-${signal.toLowerCase()}`;
      const run = start(['invoke', 'wait-for-stop', '--run-id', runId]);
      await run.seen('waiting for a stop');
      run.child.kill(signal);
      const result = await run.result;
      expect(result.code).toBe(130);
      expect(result.signal).toBeNull();
      expect(result.stderr).toMatch(/■ stopped · exit 130 · \d/);
      expect(await record(runId)).toMatchObject({ exitCode: 130, interruptedAt: expect.any(String), error: { name: 'InterruptedError' } });
    },
  );

  it('a second Ctrl-C stops the run at once, and says that the user forced it', async () => {
    const run = start(['invoke', 'ignore-stop', '--run-id', 'forced', '--', '--linger-ms', '600000']);
    await run.seen('working');
    run.child.kill('SIGINT');
    await run.seen('told to stop; finishing the work anyway');
    const forcedAt = Date.now();
    run.child.kill('SIGINT');
    const result = await run.result;
    expect(Date.now() - forcedAt).toBeLessThan(5_000);
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('a second interrupt forced it to stop at once');
    expect(result.stderr).not.toContain('did not stop');
    expect(result.stdout).not.toContain('work finished');
    expect(await record('forced')).toMatchObject({
      exitCode: 130,
      interruptedAt: expect.any(String),
      error: { name: 'InterruptedError', message: expect.stringContaining('a second interrupt forced it') },
    });
    expect((await project.cli(['runs', 'show', 'forced'])).stdout).toMatch(/^stop {5}interrupted at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m);
  });
});

/** Runs the command its arguments name, catching SIGINT itself (the command then starts with its default), and exits with its code. */
const PASS_SIGINT_DEFAULT = `process.on('SIGINT', () => {});
const command = require('node:child_process').spawn(process.execPath, process.argv.slice(1), { stdio: 'inherit' });
command.on('exit', (code) => process.exit(code ?? 1));`;

describe('an interrupt while the embedded database starts', () => {
  it('tells the run as it starts: its task does not run, the ledger records 130, and the CLI exits 130', async () => {
    const notes = createTestProject('notes');
    try {
      const child = spawnCli(['invoke', 'migrate', '--run-id', 'early'], { cwd: notes.dir });
      let stderr = '';
      const starting = new Promise<void>((resolve) => {
        child.stderr?.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes('Starting the embedded PostgreSQL')) resolve();
        });
      });
      const result = finished(child);
      await starting;
      child.kill('SIGINT');
      const ended = await result;
      expect(ended.code).toBe(130);
      expect(ended.stdout).not.toContain('pending migration');
      const shown = JSON.parse((await notes.cli(['runs', 'show', 'early', '--json'])).stdout) as RunRecord;
      expect(shown).toMatchObject({
        exitCode: 130,
        interruptedAt: expect.any(String),
        error: { name: 'InterruptedError', message: 'The run was interrupted before its task started; the task did not run.' },
        notStarted: true,
      });
      // Nothing of it ran: its run id is not used up, and a retry runs it.
      const retried = await notes.cli(['invoke', 'migrate', '--run-id', 'early']);
      expect(retried.code, retried.stderr).toBe(0);
      expect(`${retried.stdout}${retried.stderr}`).not.toContain('already ran');
    } finally {
      await notes.cleanup();
    }
  }, 120_000);

  it('a Ctrl-C at a terminal during the first start leaves initdb to finish: the database serves, and the run is 130', async () => {
    const notes = createTestProject('notes');
    try {
      // A terminal's Ctrl-C reaches its whole foreground process group: here one of the test's own, led by a
      // process that catches SIGINT, so that what it starts takes SIGINT's default (a test runner started in
      // the background ignores SIGINT, and what it starts would inherit that).
      const child = spawn(process.execPath, ['-e', PASS_SIGINT_DEFAULT, CLI_BIN, 'invoke', 'migrate', '--run-id', 'terminal'], {
        cwd: notes.dir,
        env: cliEnvironment(),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const result = finished(child);
      // initdb writes its configuration files, then runs its bootstrap, which a SIGINT ends (before that, while
      // it tries settings through system(), it ignores SIGINT).
      const initdbRunning = join(notes.dir, '.cnf', 'local', 'database', 'postgres.init', 'pg_hba.conf');
      await expect.poll(() => existsSync(initdbRunning), { timeout: 60_000, interval: 5 }).toBe(true);
      process.kill(-(child.pid ?? 0), 'SIGINT');
      const ended = await result;
      expect(ended.code, ended.stderr).toBe(130);
      expect(ended.stderr).toContain('Started the embedded PostgreSQL');
      expect(ended.stderr).not.toContain('initdb failed');
      const status = JSON.parse((await notes.cli(['db', 'status', '--json'])).stdout) as { running: boolean };
      expect(status.running).toBe(true);
      expect(existsSync(join(notes.dir, '.cnf', 'local', 'database', 'postgres.init'))).toBe(false);
    } finally {
      await notes.cleanup();
    }
  }, 120_000);
});

describe('nothing hangs', () => {
  it('refuses --args nested 5000 levels deep before anything starts: 64, naming the limit', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const result = await project.cli(['invoke', 'echo', '--run-id', 'too-deep', '--args', deep]);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('--args: nested more than 32 levels deep; task args may nest at most 32 levels.');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect((await project.cli(['runs', 'show', 'too-deep'])).code).toBe(64);
  });

  it('refuses args over 256 KB before anything starts: 64, naming the limit', async () => {
    // (one argument of a process may hold 128 KB: three make 300 KB)
    const tag = 'x'.repeat(100 * 1024);
    const result = await project.cli(['invoke', 'echo', '--', '--count', '1', '--tags', tag, '--tags', tag, '--tags', tag]);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/The task args: 300 KB; task args may take at most 256 KB \(Lambda's payload limit/);
  });

  it('an internal error of the CLI during a run ends the run, records it and exits 70 with one line', async () => {
    // The task prints its "deep" line, then works on until killed; showing that line fails in the CLI
    // (a fault injected where it writes it: test/support/render-fault-preload.cjs).
    const run = startWatched(['invoke', 'deep-log', '--run-id', 'abandoned'], {
      cwd: project.dir,
      env: {
        NODE_OPTIONS: `--require ${join(REPO_ROOT, 'test', 'support', 'render-fault-preload.cjs')}`,
        CNF_TEST_RENDER_FAULT: 'INFO  deep ',
      },
    });
    const result = await run.result;
    expect(result.code).toBe(70);
    const pid = Number(/pid=(\d+)/.exec(result.stdout)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
    const errors = result.stderr.split('\n').filter((line) => line.startsWith('cnf-admin:'));
    expect(errors).toEqual([
      'cnf-admin: cnf-admin failed during run abandoned (Error: injected render fault); the ledger records it as ended with exit 70. CNF_DEBUG=1 shows where.',
    ]);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(await record('abandoned')).toMatchObject({
      exitCode: 70,
      endedAt: expect.any(String),
      error: { name: 'RunAbandonedError', message: 'The run was killed: cnf-admin failed while showing it.' },
    });
  }, 30_000);
});
