/**
 * The container runner as a real process on this machine, as ECS runs it
 * (without Docker): the image's layout (the bundle, the runner beside it),
 * the event in CNF_ADMIN_EVENT, the ledger claim, exit codes, SIGTERM, and
 * the release check.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../lib/bundle/build-bundle.js';
import { writeBundleFilesSync } from '../../lib/bundle/write-bundle.js';
import { loadProject } from '../../lib/core/project.js';
import type { RunRecord, RunResult } from '../../lib/core/run.js';
import { containerRunnerCode } from '../../lib/construct/private/container-runner-code.js';
import { finished, type CliResult } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;
let image: string;
let ledger: string;
let release: string;

beforeAll(async () => {
  project = createTestProject('tasks');
  const bundle = await buildBundle(loadProject(project.dir));
  release = bundle.release;
  image = tempDir('cnf-image');
  ledger = tempDir('cnf-ledger');
  writeBundleFilesSync(join(image, 'bundle'), bundle.files);
  writeFileSync(join(image, 'container-runner.mjs'), containerRunnerCode());
});

afterAll(async () => {
  await project.cleanup();
});

let counter = 0;
const newRunId = (): string => `20261130-000000-runner${(counter += 1)}`;

/** Starts the runner as ECS would: the task definition's environment, and the event as an override. */
function startRunner(event: unknown, env: NodeJS.ProcessEnv = {}) {
  return spawn(process.execPath, [join(image, 'container-runner.mjs')], {
    env: {
      PATH: process.env.PATH,
      LAMBDA_TASK_ROOT: join(image, 'bundle'),
      CNF_APP: 'fixture',
      CNF_STAGE: 'prod',
      CNF_RELEASE: release,
      CNF_LEDGER_DIR: ledger,
      CNF_PARAMETER_FILE: join(image, 'no-parameters.json'),
      CNF_ADMIN_EVENT: JSON.stringify(event),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function run(event: unknown, env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return finished(startRunner(event, env));
}

/** The JSON lines the runner wrote. */
function linesOf(result: CliResult): Record<string, unknown>[] {
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function resultLine(result: CliResult): RunResult {
  const line = linesOf(result).find((entry) => entry.message === 'Run result');
  if (line === undefined) throw new Error(`no Run result line in: ${result.stdout}${result.stderr}`);
  return line.result as RunResult;
}

function recordOf(runId: string): RunRecord | undefined {
  const file = join(ledger, 'runs', `${runId}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RunRecord) : undefined;
}

describe('the container runner', () => {
  it('runs the event through the admin handler, logs JSON lines with the run id, records the run and exits 0', async () => {
    const runId = newRunId();
    const result = await run({ task: 'echo', args: { count: 2 }, runId, source: 'cli', caller: 'alice' });
    expect(result.code).toBe(0);
    const lines = linesOf(result);
    expect(lines).toContainEqual(expect.objectContaining({ message: 'Run started', runId, task: 'echo', release }));
    expect(lines).toContainEqual(expect.objectContaining({ message: 'Run ended', runId, exitCode: 0 }));
    expect(resultLine(result)).toMatchObject({ runId, task: 'echo', release, exitCode: 0, output: { count: 2 } });
    expect(recordOf(runId)).toMatchObject({ runId, task: 'echo', caller: 'alice', exitCode: 0, release });
  });

  it.each([
    [7, 7],
    [63, 63],
  ])('exits with the exit code %i the task sets', async (code, expected) => {
    const result = await run({ task: 'exit-code', args: { code }, runId: newRunId(), source: 'cli' });
    expect(result.code).toBe(expected);
  });

  it('exits 1 when the task throws, and 64 on args its schema refuses (nothing recorded)', async () => {
    expect((await run({ task: 'fail', runId: newRunId(), source: 'cli' })).code).toBe(1);
    const runId = newRunId();
    const refused = await run({ task: 'echo', args: { count: 'many' }, runId, source: 'cli' });
    expect(refused.code).toBe(64);
    expect(resultLine(refused).error?.name).toBe('InvalidArgs');
    expect(recordOf(runId)).toBeUndefined();
  });

  it('claims the run id first: a second start of the same run id runs nothing and gives the first outcome', async () => {
    const runId = newRunId();
    const first = await run({ task: 'exit-code', args: { code: 5 }, runId, source: 'schedule' });
    expect(first.code).toBe(5);
    const second = await run({ task: 'exit-code', args: { code: 5 }, runId, source: 'schedule' });
    expect(second.code).toBe(5);
    expect(linesOf(second).map((line) => line.message)).not.toContain('Run started');
    expect(second.stdout).toContain('already ran');
  });

  it('turns SIGTERM (StopTask) into the task’s signal: it stops, the run ends with 130, recorded', async () => {
    const runId = newRunId();
    const child = startRunner({ task: 'wait-for-stop', runId, source: 'cli' });
    const done = finished(child);
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('waiting for a stop')) resolve();
      });
    });
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stdout).toContain('stopping gracefully');
    expect(linesOf(result)).toContainEqual(expect.objectContaining({ message: 'Received SIGTERM: the task is asked to stop' }));
    expect(recordOf(runId)).toMatchObject({ exitCode: 130, error: { name: 'InterruptedError' } });
  });

  it('records a run stopped from outside as 130 even when its task returns its own code after the stop', async () => {
    const runId = newRunId();
    const child = startRunner({ task: 'ignore-stop', args: { code: 0, lingerMs: 50 }, runId, source: 'cli' });
    const done = finished(child);
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('working')) resolve();
      });
    });
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(130);
    expect(linesOf(result)).toContainEqual(expect.objectContaining({ message: 'Run ended', runId, exitCode: 130 }));
    expect(recordOf(runId)).toMatchObject({ exitCode: 130, error: { name: 'InterruptedError' } });
    expect(recordOf(runId)?.interruptedAt).toEqual(expect.any(String));
  });

  it('takes over the run the admin function claimed for it (CNF_RUN_CLAIMED), and runs it once', async () => {
    const runId = newRunId();
    const claimed: RunRecord = {
      runId,
      task: 'exit-code',
      args: { code: 4 },
      release,
      source: 'cli',
      caller: 'alice',
      startedAt: new Date().toISOString(),
      log: 'x',
      ecsTask: 'arn:aws:ecs:eu-west-1:123456789012:task/fixture-prod-admin/0123456789abcdef',
    };
    mkdirSync(join(ledger, 'runs'), { recursive: true });
    writeFileSync(join(ledger, 'runs', `${runId}.json`), JSON.stringify(claimed));
    const event = { task: 'exit-code', args: { code: 4 }, runId, source: 'cli', caller: 'alice' };
    const first = await run(event, { CNF_RUN_CLAIMED: 'true' });
    expect(first.code).toBe(4);
    expect(linesOf(first).map((line) => line.message)).toContain('Run started');
    expect(recordOf(runId)).toMatchObject({ exitCode: 4, ecsTask: claimed.ecsTask, startedAt: claimed.startedAt });
    // A second start, claimed or not, runs nothing again.
    const second = await run(event, { CNF_RUN_CLAIMED: 'true' });
    expect(second.code).toBe(4);
    expect(linesOf(second).map((line) => line.message)).not.toContain('Run started');
  });

  it('refuses with 78 and runs nothing when the bundle is not the release the task definition names', async () => {
    const runId = newRunId();
    const result = await run({ task: 'noop', runId, source: 'cli' }, { CNF_RELEASE: 'r-000000000000' });
    expect(result.code).toBe(78);
    expect(result.stdout).toContain(`The image holds release ${release}, but the task definition serves r-000000000000; nothing ran.`);
    expect(recordOf(runId)).toBeUndefined();
  });

  it('notices a bundle whose bytes changed since the release was built', async () => {
    const extra = join(image, 'bundle', 'tampered.txt');
    writeFileSync(extra, 'x');
    try {
      const result = await run({ task: 'noop', runId: newRunId(), source: 'cli' });
      expect(result.code).toBe(78);
    } finally {
      rmSync(extra);
    }
  });

  it('exits 64 with one line when it has no event', async () => {
    const result = await run(undefined, { CNF_ADMIN_EVENT: '' });
    expect(result.code).toBe(64);
    expect(result.stdout).toContain('No admin event: set CNF_ADMIN_EVENT');
  });
});
