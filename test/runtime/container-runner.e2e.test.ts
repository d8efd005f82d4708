/**
 * The container runner as a real process on this machine, as ECS runs it
 * (without Docker): the image's layout (the bundle, the runner beside it),
 * the event in CNF_ADMIN_EVENT, the ledger claim, exit codes, SIGTERM, and
 * the release check.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../lib/core/run.js';
import { finished, type CliResult } from '../support/cli.js';
import {
  buildRunnerImage,
  linesOf,
  outputSeen,
  recordOf as recordIn,
  resultLine,
  startRunner as startIn,
  writeClaimedRecord,
  type RunnerImage,
} from '../support/container-runner-image.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;
let at: RunnerImage;
let image: string;
let release: string;

beforeAll(async () => {
  project = createTestProject('tasks');
  at = await buildRunnerImage(project);
  ({ image, release } = at);
});

afterAll(async () => {
  await project.cleanup();
});

let counter = 0;
const newRunId = (): string => `20261130-000000-runner${(counter += 1)}`;

const startRunner = (event: unknown, env?: NodeJS.ProcessEnv) => startIn(at, event, env);
const run = (event: unknown, env?: NodeJS.ProcessEnv): Promise<CliResult> => finished(startRunner(event, env));
const recordOf = (runId: string): RunRecord | undefined => recordIn(at, runId);

const BOB = 'arn:aws:sts::123456789012:assumed-role/operator/bob';

/** A run's record as the admin function claims it before it starts the run's task. */
function claimedRecord(runId: string, task: string, args: Record<string, unknown>): RunRecord {
  return {
    runId,
    task,
    args,
    release,
    source: 'cli',
    caller: 'alice',
    startedAt: new Date().toISOString(),
    log: 'x',
    ecsTask: 'arn:aws:ecs:eu-west-1:123456789012:task/fixture-prod-admin/0123456789abcdef',
  };
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

  it('turns SIGTERM into the task’s signal; with no stop asked through cnf-admin, ECS stopped it: 70 TaskInterruptedError, recorded', async () => {
    const runId = newRunId();
    const child = startRunner({ task: 'wait-for-stop', runId, source: 'cli' });
    const done = finished(child);
    await outputSeen(child, 'waiting for a stop');
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(70);
    expect(result.stdout).toContain('stopping gracefully');
    const lines = linesOf(result);
    expect(lines).toContainEqual(expect.objectContaining({ message: 'Received SIGTERM: the task is asked to stop' }));
    // Who stopped the task is told at the run's end; the stop's own line says only what came.
    expect(result.stderr).toContain('"message":"Stopping the task: the container got SIGTERM"');
    const error = {
      name: 'TaskInterruptedError',
      message:
        'ECS stopped the task (a Fargate Spot reclaim, maintenance, or a StopTask outside cnf-admin); the task was asked to stop and stopped.',
    };
    expect(resultLine(result)).toMatchObject({ exitCode: 70, error });
    expect(recordOf(runId)).toMatchObject({ exitCode: 70, error, interruptedAt: expect.any(String) });
    // A retry of the run id answers what the run recorded.
    const retry = await run({ task: 'wait-for-stop', runId, source: 'cli' });
    expect(retry.code).toBe(70);
    expect(resultLine(retry)).toMatchObject({ exitCode: 70, error });
  });

  it('records a run stopped by ECS as 70 even when its task returns its own code after the stop', async () => {
    const runId = newRunId();
    const child = startRunner({ task: 'ignore-stop', args: { code: 0, lingerMs: 50 }, runId, source: 'cli' });
    const done = finished(child);
    await outputSeen(child, 'working');
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(70);
    expect(linesOf(result)).toContainEqual(expect.objectContaining({ message: 'Run ended', runId, exitCode: 70 }));
    expect(recordOf(runId)).toMatchObject({ exitCode: 70, error: { name: 'TaskInterruptedError' }, result: { finished: true } });
    expect(recordOf(runId)?.error?.message).toContain('the task was asked to stop and ended with exit 0.');
  });

  it('records a stop asked with cnf-admin stop (on the run’s record) as 130, naming who, even when the task returns its own code', async () => {
    const runId = newRunId();
    writeClaimedRecord(at, claimedRecord(runId, 'ignore-stop', { code: 0, lingerMs: 50 }));
    const child = startRunner({ task: 'ignore-stop', args: { code: 0, lingerMs: 50 }, runId, source: 'cli' }, { CNF_RUN_CLAIMED: 'true' });
    const done = finished(child);
    await outputSeen(child, 'working');
    // What cnf:stop writes before its StopTask.
    const asked = { ...(recordOf(runId) as RunRecord), stopRequestedAt: '2026-11-30T00:01:00.000Z', stopRequestedBy: BOB };
    writeClaimedRecord(at, asked);
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(130);
    const error = {
      name: 'InterruptedError',
      message: `The run was stopped by ${BOB} with cnf-admin stop (2026-11-30T00:01:00.000Z); the task was asked to stop and ended with exit 0.`,
    };
    expect(resultLine(result)).toMatchObject({ exitCode: 130, error });
    expect(recordOf(runId)).toMatchObject({ exitCode: 130, error, stopRequestedBy: BOB, stopRequestedAt: '2026-11-30T00:01:00.000Z' });
  });

  it('counts a stop as ECS’s (70) when the run’s record cannot be read, and says so', async () => {
    const runId = newRunId();
    writeClaimedRecord(at, claimedRecord(runId, 'wait-for-stop', {}));
    const child = startRunner({ task: 'wait-for-stop', runId, source: 'cli' }, { CNF_RUN_CLAIMED: 'true' });
    const done = finished(child);
    await outputSeen(child, 'waiting for a stop');
    writeFileSync(join(at.ledger, 'runs', `${runId}.json`), '{ not json');
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(70);
    expect(resultLine(result).error?.message).toMatch(
      /^ECS stopped the task .*; the task was asked to stop and stopped\. Whether cnf-admin asked for the stop could not be read: The run ledger's record .* is corrupted/,
    );
  });

  it('takes over the run the admin function claimed for it (CNF_RUN_CLAIMED), and runs it once', async () => {
    const runId = newRunId();
    const claimed = claimedRecord(runId, 'exit-code', { code: 4 });
    writeClaimedRecord(at, claimed);
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
