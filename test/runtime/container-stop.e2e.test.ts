/**
 * Who stopped a container run: the runner as a real process (as ECS runs
 * it, without Docker), its file ledger, the admin function's `cnf:stop`
 * in-process with ECS mocked (its StopTask sends the runner SIGTERM), and
 * `invoke` against mocked AWS reading the runner's own lines. A stop asked
 * with `cnf-admin stop` is an interrupt (130, naming who); SIGTERM with no
 * stop asked is ECS's (a Fargate Spot reclaim): 70 `TaskInterruptedError`.
 */
import { DescribeTasksCommand, ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunFrame } from '../../lib/core/platform.js';
import type { AdminEvent, RunRecord, RunResult } from '../../lib/core/run.js';
import { createAdminHandler } from '../../lib/runtime/admin-handler.js';
import { FileLedger } from '../../lib/runtime/ledger/file-ledger.js';
import { LIVE_PLAN } from '../support/aws-scenario.js';
import { fixturePlatform } from '../support/aws-platform.js';
import { framesOf, useAwsScenario } from '../support/aws-test-scenario.js';
import { CONTAINER_RECORD, containerLog, containerScenario, exitedStates, TASK_ARN } from '../support/aws-container-scenario.js';
import { finished } from '../support/cli.js';
import {
  buildRunnerImage,
  outputSeen,
  recordOf,
  resultLine,
  startRunner,
  writeClaimedRecord,
  type RunnerImage,
} from '../support/container-runner-image.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

const BOB = 'arn:aws:sts::123456789012:assumed-role/operator/bob';

let project: TestProject;
let at: RunnerImage;

beforeAll(async () => {
  project = createTestProject('tasks');
  at = await buildRunnerImage(project);
});

afterAll(async () => {
  await project.cleanup();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The record the admin function claims for a run before it starts its task. */
function claimed(runId: string): RunRecord {
  return {
    runId,
    task: 'wait-for-stop',
    args: {},
    release: at.release,
    source: 'cli',
    caller: 'alice',
    startedAt: new Date().toISOString(),
    log: 'x',
    ecsTask: TASK_ARN,
  };
}

/** The runner of a claimed run, once its task is going. */
async function runningTask(runId: string) {
  writeClaimedRecord(at, claimed(runId));
  const event = { task: 'wait-for-stop', runId, source: 'cli', caller: 'alice' };
  const child = startRunner(at, event, { CNF_RUN_CLAIMED: 'true' });
  const done = finished(child);
  await outputSeen(child, 'waiting for a stop');
  return { child, done, retry: () => finished(startRunner(at, event, { CNF_RUN_CLAIMED: 'true' })) };
}

describe('cnf-admin stop of a container run', () => {
  it('ends the run with 130, InterruptedError naming who stopped it; a retry of its run id answers the same', async () => {
    const runId = '20261130-050000-stop01';
    const { child, done, retry } = await runningTask(runId);
    // The admin function, as cnf:stop runs in it: its StopTask is the runner's SIGTERM.
    vi.stubEnv('CNF_STAGE', 'prod');
    vi.stubEnv('CNF_RELEASE', at.release);
    const { cluster, containerName, subnets, securityGroups, assignPublicIp } = CONTAINER_RECORD;
    const settings = {
      cluster,
      containerName,
      subnets,
      securityGroups,
      assignPublicIp,
      taskDefinition: `${CONTAINER_RECORD.taskFamily}:3`,
    };
    vi.stubEnv('CNF_CONTAINER', JSON.stringify(settings));
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    const ecs = mockClient(ECSClient);
    try {
      ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK_ARN, startedBy: runId, lastStatus: 'RUNNING' }] });
      ecs.on(StopTaskCommand).callsFake(() => {
        child.kill('SIGTERM');
        return {};
      });
      const gate = createAdminHandler({ tasks: {}, ledger: new FileLedger(at.ledger) });
      expect(await gate({ task: 'cnf:stop', args: { runId }, source: 'cli', caller: BOB }, {})).toMatchObject({ exitCode: 0 });
    } finally {
      ecs.restore();
    }
    const result = await done;
    expect(result.code).toBe(130);
    const error = { name: 'InterruptedError', message: expect.stringMatching(`^The run was stopped by ${BOB} with cnf-admin stop \\(`) };
    expect(resultLine(result)).toMatchObject({ exitCode: 130, error });
    expect(resultLine(result).error?.message).toMatch(/; the task was asked to stop and stopped\.$/);
    expect(recordOf(at, runId)).toMatchObject({ exitCode: 130, error, stopRequestedBy: BOB, stopRequestedAt: expect.any(String) });
    const again = await retry();
    expect(again.code).toBe(130);
    expect(resultLine(again)).toMatchObject({ exitCode: 130, error });
  });
});

describe('a container run whose task ECS stopped (a Fargate Spot reclaim)', () => {
  const given = useAwsScenario();

  it('is recorded as 70 TaskInterruptedError, invoke shows 70, and a retry of its run id answers 70', async () => {
    const runId = '20261130-050000-spot01';
    const { child, done, retry } = await runningTask(runId);
    child.kill('SIGTERM'); // what ECS sends a Spot task it reclaims: nobody asked through cnf-admin
    const result = await done;
    expect(result.code).toBe(70);
    const message =
      'ECS stopped the task (a Fargate Spot reclaim, maintenance, or a StopTask outside cnf-admin); the task was asked to stop and stopped.';
    expect(recordOf(at, runId)).toMatchObject({ exitCode: 70, error: { name: 'TaskInterruptedError', message } });
    expect(recordOf(at, runId)?.stopRequestedBy).toBeUndefined();

    // invoke follows the run's log (the runner's own lines) and ECS, which reports the reclaim.
    const from = Date.now();
    const runnerLines = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line, i) => ({ message: line, timestamp: from + 1 + i, logStreamName: 'task/admin/0123456789abcdef' }));
    const stop = { stopCode: 'SpotInterruption' as const, stoppedReason: 'Your Spot Task was interrupted.' };
    given(
      containerScenario({
        ecs: { states: exitedStates(70, stop) },
        logEvents: [...containerLog(0, undefined, from).slice(0, 2), ...runnerLines],
      }),
    );
    const event: AdminEvent & { runId: string } = { task: 'backfill', args: {}, runId, source: 'cli', caller: 'alice' };
    const frames: RunFrame[] = await framesOf(fixturePlatform().invoke(LIVE_PLAN, event));
    const shown = frames.flatMap((frame) => (frame.type === 'result' ? [frame.result] : []))[0] as RunResult | undefined;
    expect(shown).toMatchObject({ exitCode: 70, error: { name: 'TaskInterruptedError', message } });

    const again = await retry();
    expect(again.code).toBe(70);
    expect(resultLine(again)).toMatchObject({ exitCode: 70, error: { name: 'TaskInterruptedError', message } });
  });
});
