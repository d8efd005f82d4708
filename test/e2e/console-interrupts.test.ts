/**
 * Interrupting `cnf-admin console -e` through the real binary, and how
 * `runs` lists console evaluations, on the local stage of the tasks app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../lib/core/run.js';
import { finished, spawnCli } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

beforeAll(async () => {
  project = createTestProject('tasks');
  expect((await project.cli(['deploy'])).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
});

/** Starts `console -e code` and resolves, with the running process, once its output has shown `line`. */
async function startEvaluation(code: string, line: string): Promise<{ child: ReturnType<typeof spawnCli>; output: () => string }> {
  const child = spawnCli(['console', '-e', code], { cwd: project.dir });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', () => {
      if (output.includes(line)) resolve();
    });
    child.once('close', (code) => reject(new Error(`console exited ${code} before showing ${line}: ${output}`)));
  });
  return { child, output: () => output };
}

async function consoleRun(runId: string): Promise<RunRecord> {
  return JSON.parse((await project.cli(['runs', 'show', runId, '--json'])).stdout) as RunRecord;
}

async function lastConsoleRun(): Promise<RunRecord> {
  const runs = JSON.parse((await project.cli(['runs', '--task', 'cnf:console', '--limit', '1', '--json'])).stdout) as RunRecord[];
  return runs[0] as RunRecord;
}

describe('interrupting console -e', () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`ends an evaluation that ignores its signal on ${signal}: its process is killed, exit 130, recorded as interrupted`, async () => {
      const { child, output } = await startEvaluation(
        'console.log("session pid", process.pid); await new Promise((resolve) => setTimeout(resolve, 120_000)); "finished"',
        'session pid',
      );
      const pid = Number(/session pid (\d+)/.exec(output())?.[1]);
      const started = Date.now();
      child.kill(signal);
      const result = await finished(child);
      expect(result.code).toBe(130);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(result.stderr).toContain('Interrupting: the evaluation is asked to stop');
      // The run gives up on the evaluation after its grace (the run ends as stopped), or its process is ended first.
      expect(result.stderr).toMatch(
        /Uncaught InterruptedError: The (evaluation was interrupted and did not stop, so its console process was ended|run was stopped: interrupted by the user)/,
      );
      expect(result.stdout + result.stderr).not.toContain('finished');
      // The evaluation stopped for good: the process that ran it is gone.
      expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
      const record = await lastConsoleRun();
      expect(record).toMatchObject({ task: 'cnf:console', exitCode: 130, error: { name: 'InterruptedError' } });
      expect(record.endedAt).toBeDefined();
    });
  }

  it('lets an evaluation that stops through its signal end by itself, recorded with exit 130', async () => {
    // "waiting" shows once the listener is there and the input's synchronous part is over: a SIGINT during that
    // part breaks it off (`breakOnSigint`), which is not the signal path this test is about.
    const { child } = await startEvaluation(
      'await new Promise((resolve, reject) => { signal.addEventListener("abort", () => reject(signal.reason)); setTimeout(() => console.log("waiting")) })',
      'waiting',
    );
    const started = Date.now();
    child.kill('SIGINT');
    const result = await finished(child);
    expect(result.code).toBe(130);
    // It ended on being asked, well before the 8 s grace period after which it would have been given up on.
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(result.stderr).toContain('Uncaught InterruptedError: The run was stopped');
    const runId = (await lastConsoleRun()).runId;
    expect(await consoleRun(runId)).toMatchObject({ exitCode: 130, error: { name: 'InterruptedError' } });
  });
});

describe('an evaluation that returns when asked to stop', () => {
  it('keeps its own exit code, in the CLI and in the ledger, which records that it was interrupted', async () => {
    // "working" shows once the input's synchronous part is over: a SIGINT during that part breaks it off
    // (`breakOnSigint`, for `while (true) {}`), which ends it through its signal, 130, not on its own terms.
    const { child } = await startEvaluation(
      'await new Promise((resolve) => { signal.addEventListener("abort", () => resolve("wrapped up")); setTimeout(() => console.log("working")) })',
      'working',
    );
    child.kill('SIGTERM');
    const result = await finished(child);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("'wrapped up'");
    expect(result.stderr).toContain('The evaluation was asked to stop but ended on its own: exit 0 is its own');
    const record = await lastConsoleRun();
    expect(record).toMatchObject({ exitCode: 0, interruptedAt: expect.any(String) });
  });
});

describe('interrupting piped console input', () => {
  it('stops the evaluation that runs, reads no further input, and exits 130', async () => {
    const child = spawnCli(['console'], {
      cwd: project.dir,
      input: 'console.log("first ran")\nawait new Promise((resolve) => setTimeout(resolve, 120_000))\nconsole.log("second ran")\n',
    });
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('first ran')) child.kill('SIGINT');
    });
    const result = await finished(child);
    expect(result.code).toBe(130);
    expect(output).not.toContain('second ran');
    expect(result.stderr).toContain('Interrupting: the evaluation is asked to stop');
  });
});

describe('runs and console evaluations', () => {
  it('leaves console evaluations out by default, in the table and in --json, says so, and lists them with --all', async () => {
    expect((await project.cli(['invoke', 'echo', '--args', '{"count":1}'])).code).toBe(0);
    for (const code of ['1', '2', '3']) expect((await project.cli(['console', '-e', code])).code).toBe(0);
    const table = await project.cli(['runs', '--limit', '1']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/\becho\b/);
    expect(table.stdout).not.toContain('cnf:console');
    expect(table.stderr).toContain('Console evaluations (cnf:console) are left out; list them with --all.');
    const json = JSON.parse((await project.cli(['runs', '--json'])).stdout) as RunRecord[];
    expect(json.length).toBeGreaterThan(0);
    expect(json.filter((run) => run.task === 'cnf:console')).toEqual([]);
    const all = await project.cli(['runs', '--all', '--json']);
    expect(all.stderr).not.toContain('left out');
    // one task's runs leave nothing out, and say nothing of it
    expect((await project.cli(['runs', '--task', 'echo'])).stderr).not.toContain('left out');
    const tasks = (JSON.parse(all.stdout) as RunRecord[]).map((run) => run.task);
    expect(tasks.slice(0, 3)).toEqual(['cnf:console', 'cnf:console', 'cnf:console']);
    expect(tasks).toContain('echo');
  });
});
