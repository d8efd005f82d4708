/**
 * `cnf-admin invoke` on the local stage, through the real binary: output,
 * header and footer, exit codes, timeouts, interrupts and large output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../lib/core/run.js';
import { finished, spawnCli } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;
let release: string;

beforeAll(async () => {
  project = createTestProject('tasks', { deployed: false });
  // the first invoke finds no release, deploys one, and says so
  const first = await project.cli(['invoke', 'noop']);
  expect(first.stderr).toContain('No local release yet: deploying the working tree first');
  expect(first.stderr).toMatch(/^· Deployed r-[0-9a-f]{12} to the local stage \(web:live and admin:live\)$/m);
  expect(first.stderr).not.toContain('! Deployed');
  expect(first.code).toBe(0);
  // and: a Node other than Lambda's is worth one line before the first run of the day
  if (Number(process.versions.node.split('.')[0]) !== 22) {
    expect(first.stderr).toContain(`! Node ${process.versions.node} runs here; Lambda runs Node 22, so results may differ.\n`);
  }
  release = /release (r-[0-9a-f]{12})/.exec(first.stderr)?.[1] as string;
});

afterAll(async () => {
  await project.cleanup();
});

describe('invoke on the local stage', () => {
  it('shows a header naming task, stage, release and run id, the output, and a footer with exit code and duration', async () => {
    const result = await project.cli(['invoke', 'echo', '--', '--count', '2', '--label', 'hi']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`▶ echo · stage local · release ${release} · config v\\d+ · run \\d{8}-\\d{6}-[a-z0-9]{6}`));
    expect(result.stderr).toMatch(/✔ exit 0 · \d+ ms/);
    // the first line says who started the run with what; the JSON log keeps the rest (stage, fingerprint, time left)
    expect(result.stdout).toMatch(/INFO {2}Run started caller=\S+@\S+ args=\{"count":2,"label":"hi","loud":false,"tags":\[\]\}$/m);
    expect(result.stdout).toContain('INFO  echo args={"count":2,"label":"hi","loud":false,"tags":[]}');
  });

  it("keeps what a task writes to stderr and stdout in the order written, live and in its log, the run's end last", async () => {
    const result = await project.cli(['invoke', 'echo', '--', '--count', '3', '--loud']);
    expect(result.code).toBe(0);
    const written = (text: string): string[] =>
      text
        .split('\n')
        .map((line) => /(loud \d|stderr \d|stdout \d|Run ended)/.exec(line)?.[1])
        .filter((line): line is string => line !== undefined);
    const order = ['loud 1', 'stderr 1', 'stdout 1', 'loud 2', 'stderr 2', 'stdout 2', 'loud 3', 'stderr 3', 'stdout 3', 'Run ended'];
    expect(written(result.stdout)).toEqual(order);
    expect(written((await project.cli(['logs', 'last'])).stdout)).toEqual(order);
  });

  it('takes args as JSON too, and prints the run result as one JSON document with --json', async () => {
    const result = await project.cli(['invoke', 'echo', '--json', '--args', '{"count": 3, "tags": ["a"]}']);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as RunResult;
    expect(parsed).toMatchObject({ task: 'echo', release, exitCode: 0, output: { count: 3, label: 'none', loud: false, tags: ['a'] } });
    expect(Object.keys(parsed).sort()).toEqual(['configVersion', 'durationMs', 'exitCode', 'output', 'release', 'runId', 'task']);
    // the config version the run read, as its record says
    const record = JSON.parse((await project.cli(['runs', 'show', parsed.runId, '--json'])).stdout) as { configVersion: number };
    expect(parsed.configVersion).toBe(record.configVersion);
    expect(parsed.configVersion).toBeGreaterThan(0);
    // the log still shows, on stderr
    expect(result.stderr).toContain('Run started');
  });

  it.each([
    ['7', 7],
    ['0', 0],
    ['63', 63],
  ])('exits with the exit code %s the task sets', async (code, expected) => {
    expect((await project.cli(['invoke', 'exit-code', '--', '--code', code])).code).toBe(expected);
  });

  it("exits 1 when the task throws, with the error's name and message in the footer and its stack in the log", async () => {
    const result = await project.cli(['invoke', 'fail']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('✖ exit 1');
    expect(result.stderr).toContain('InventoryMismatchError: 3 rows disagree');
    expect(result.stdout).toContain('ERROR The task threw');
    expect(result.stdout).toMatch(/InventoryMismatchError: 3 rows disagree\n\s+at .*lambda\/tasks\/fail\.ts:\d+:\d+/);
  });

  it('exits 124 when a task hits its timeout and stops', async () => {
    const result = await project.cli(['invoke', 'sleep']);
    expect(result.code).toBe(124);
    expect(result.stderr).toContain('TimeoutError');
    expect(result.stdout).toContain('woken early');
  });

  it('kills a task that ignores its timeout, and exits 124', async () => {
    const started = Date.now();
    const result = await project.cli(['invoke', 'hang', '--json']);
    expect(result.code).toBe(124);
    expect(Date.now() - started).toBeLessThan(20_000);
    const parsed = JSON.parse(result.stdout) as RunResult;
    // its process lives on (a timer), but the run ends without it once the task had its time to stop
    expect(parsed.error?.message).toBe('The run was stopped: the task hit its timeout; the task did not end within 2s');
    // the ledger records the end the run itself could not
    const runs = JSON.parse((await project.cli(['runs', '--task', 'hang', '--json'])).stdout) as { exitCode: number; endedAt?: string }[];
    expect(runs[0]).toMatchObject({ exitCode: 124, endedAt: expect.any(String) });
  });

  it('stops the task gracefully on Ctrl-C and exits 130', async () => {
    const child = spawnCli(['invoke', 'wait-for-stop'], { cwd: project.dir });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (stdout.includes('waiting for a stop')) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    child.kill('SIGINT');
    const result = await finished(child);
    expect(result.code).toBe(130);
    expect(stdout + result.stdout).toContain('stopping gracefully');
    expect(result.stderr).toContain('Interrupting: the task is asked to stop');
    expect(result.stderr).toMatch(/■ stopped · exit 130 · \d/);
  });

  it('streams 100 MB of output as it is written, with the CLI memory bounded', async () => {
    // the task prints a first line, then pauses for a second before its 100 MB
    const child = spawnCli(['invoke', 'chatty', '--', '--megabytes', '100', '--pause-ms', '1000'], { cwd: project.dir });
    let bytes = 0;
    let firstLineAt = 0;
    let bulkAt = 0;
    child.stdout?.on('data', (chunk: Buffer) => {
      if (firstLineAt === 0 && chunk.includes('first line')) firstLineAt = Date.now();
      if (bulkAt === 0 && chunk.includes('xxxxxxxx')) bulkAt = Date.now();
      bytes += chunk.length;
    });
    let peakKb = 0;
    const sampler = setInterval(() => {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        peakKb = Math.max(peakKb, Number(match?.[1] ?? 0));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }, 25);
    const result = await finished(child);
    clearInterval(sampler);
    expect(result.code).toBe(0);
    expect(bytes).toBeGreaterThanOrEqual(100 * 1024 * 1024);
    // the first line reached the terminal while the task was still pausing: output streams as it is written
    expect(firstLineAt).toBeGreaterThan(0);
    expect(bulkAt - firstLineAt).toBeGreaterThanOrEqual(800);
    // holding the output would need well over 100 MB on top of Node's own ~50 MB
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb).toBeLessThan(140 * 1024);
  });

  it('asks the run to stop when the CLI is told to stop (SIGTERM), so that the run ends recorded', async () => {
    const child = spawnCli(['invoke', 'wait-for-stop', '--run-id', 'terminated'], { cwd: project.dir });
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('waiting for a stop')) resolve();
      });
    });
    child.kill('SIGTERM');
    const result = await finished(child);
    expect(result.code).toBe(130);
    const record = JSON.parse((await project.cli(['runs', 'show', 'terminated', '--json'])).stdout) as {
      exitCode: number;
      endedAt: string;
    };
    expect(record).toMatchObject({ exitCode: 130, endedAt: expect.any(String) });
  });

  it('finishes the run and exits with its code when the reader of its output goes away', async () => {
    const child = spawnCli(['invoke', 'chatty', '--run-id', 'cut-short', '--', '--megabytes', '20'], { cwd: project.dir });
    child.stdout?.once('data', () => child.stdout?.destroy());
    const result = await finished(child);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('EPIPE');
    const record = JSON.parse((await project.cli(['runs', 'show', 'cut-short', '--json'])).stdout) as { exitCode: number };
    expect(record.exitCode).toBe(0);
  });

  it('writes every run to the ledger and its log to a file under .cnf/local', async () => {
    const result = await project.cli(['invoke', 'noop', '--json', '--run-id', 'audit-me']);
    expect(result.code).toBe(0);
    const record = JSON.parse((await project.cli(['runs', 'show', 'audit-me', '--json'])).stdout) as {
      log: string;
      caller: string;
      source: string;
    };
    expect(record).toMatchObject({ runId: 'audit-me', task: 'noop', release, source: 'cli', exitCode: 0 });
    expect(record.log).toBe(join(project.dir, '.cnf', 'local', 'logs', 'audit-me.log'));
    expect(readFileSync(record.log, 'utf8')).toContain('"message":"Run started"');
  });

  it('runs a run id once: invoking it again runs nothing and repeats the outcome', async () => {
    await project.cli(['invoke', 'exit-code', '--run-id', 'twice', '--', '--code', '3']);
    const again = await project.cli(['invoke', 'exit-code', '--run-id', 'twice', '--', '--code', '3']);
    expect(again.code).toBe(3);
    expect(again.stdout).toContain('already ran');
    expect(again.stdout).not.toContain('Run started');
  });

  it('prints the plan and runs nothing with --dry-run', async () => {
    const before = (await project.cli(['runs', '--json'])).stdout;
    const result = await project.cli(['invoke', 'fail', '--dry-run']);
    expect(result.code).toBe(0);
    // the local stage's versions are its release ids: said once
    expect(result.stdout).toMatch(
      new RegExp(
        `Would run fail on stage local:\\n  args     \\{\\}\\n  release  ${release} \\(behind web:live\\)\\n  config   v\\d+\\nNothing ran`,
      ),
    );
    expect(result.stdout).toContain('Nothing ran (--dry-run).');
    expect((await project.cli(['runs', '--json'])).stdout).toBe(before);
  });

  it('says that the local Node differs from the Lambda runtime once a day, not on every run', async () => {
    const result = await project.cli(['invoke', 'noop']);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('Lambda runs Node');
  });
});
