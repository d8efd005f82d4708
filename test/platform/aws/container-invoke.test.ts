/**
 * A container task on an AWS stage, in-process against aws-sdk-client-mock:
 * RunTask of the planned release (clientToken = run id), the live log, the
 * end watched with DescribeTasks, exit codes and stop reasons, Ctrl-C,
 * --detach, stop.
 */
import { describe, expect, it } from 'vitest';
import { TryAgainError, UnavailableError, UsageError } from '../../../lib/core/errors.js';
import type { RunFrame } from '../../../lib/core/platform.js';
import type { AdminEvent, RunResult } from '../../../lib/core/run.js';
import { LIVE_PLAN, OLD_RELEASE, RELEASE, type InstalledScenario } from '../../support/aws-scenario.js';
import { fixturePlatform } from '../../support/aws-platform.js';
import { framesOf, logLinesOf, noticesOf, useAwsScenario } from '../../support/aws-test-scenario.js';
import { CONTAINER_RECORD, CONTAINER_TASK, containerLog, containerScenario, exitedStates } from '../../support/aws-container-scenario.js';

const RUN_ID = '20261130-040000-fg8te1';
const EVENT: AdminEvent & { runId: string } = {
  task: CONTAINER_TASK,
  args: { batchSize: 100 },
  runId: RUN_ID,
  source: 'cli',
  caller: 'arn:aws:sts::123456789012:assumed-role/operator/alice',
};

const given = useAwsScenario();

const calls = (installed: InstalledScenario, command: string) => installed.sent().filter((call) => call.command === command);
const resultOf = (frames: readonly RunFrame[]): RunResult | undefined =>
  frames.flatMap((frame) => (frame.type === 'result' ? [frame.result] : []))[0];

describe('a container task on an AWS stage', () => {
  it("starts the planned release's task definition with RunTask, the run id as its client token, and no Lambda invoke", async () => {
    const installed = given(containerScenario());
    await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT));
    const [runTask] = calls(installed, 'RunTaskCommand');
    expect(runTask?.input).toMatchObject({
      cluster: CONTAINER_RECORD.cluster,
      taskDefinition: `fixture-prod-admin-${RELEASE}`,
      launchType: 'FARGATE',
      clientToken: RUN_ID,
      startedBy: RUN_ID,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-private-a', 'subnet-private-b'],
          securityGroups: ['sg-tasks'],
          assignPublicIp: 'DISABLED',
        },
      },
    });
    const environment = (
      runTask?.input as { overrides: { containerOverrides: { name: string; environment: { name: string; value: string }[] }[] } }
    ).overrides.containerOverrides[0];
    expect(environment?.name).toBe('admin');
    const variables = Object.fromEntries(environment?.environment.map((entry) => [entry.name, entry.value]) ?? []);
    // The event carries the planned release: the runner's admin handler refuses any other (78).
    expect(JSON.parse(variables.CNF_ADMIN_EVENT ?? '{}')).toEqual({ ...EVENT, release: RELEASE });
    expect(variables.CNF_TIME_LIMIT_SECONDS).toBe(String(4 * 3600 + 60));
    expect(installed.sent().filter((call) => call.command.startsWith('Invoke'))).toEqual([]);
  });

  it('runs a retained release’s task definition with --release (its own family)', async () => {
    const installed = given(containerScenario());
    await framesOf(
      fixturePlatform().invoke({ ...LIVE_PLAN, alias: undefined, release: OLD_RELEASE, adminVersion: '4', qualifier: '4' }, EVENT),
    );
    expect(calls(installed, 'RunTaskCommand')[0]?.input.taskDefinition).toBe(`fixture-prod-admin-${OLD_RELEASE}`);
  });

  it('shows the log as it arrives, waits for the task to stop, and ends with the container’s exit code and the run’s output', async () => {
    const installed = given(containerScenario({ ecs: { states: exitedStates(7) }, logEvents: containerLog(7, { batches: 3 }) }));
    const frames = await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT));
    expect(noticesOf(frames)).toContain(
      `Started ECS task 0123456789abcdef (fixture-prod-admin-${RELEASE}) on cluster fixture-prod-admin. Ctrl-C leaves it running; stop it with: cnf-admin stop ${RUN_ID} --stage prod`,
    );
    expect(logLinesOf(frames).map((line) => JSON.parse(line).message)).toEqual([
      'Run started',
      'Batch 1: up to note 500, 3 changed',
      'Run ended',
    ]);
    expect(resultOf(frames)).toMatchObject({ runId: RUN_ID, task: CONTAINER_TASK, release: RELEASE, exitCode: 7, output: { batches: 3 } });
    expect(frames.at(-1)?.type).toBe('result');
    expect(calls(installed, 'DescribeTasksCommand').length).toBeGreaterThanOrEqual(3);
  });

  it.each([
    [
      'out of memory',
      { containers: [{ name: 'admin', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }] },
      70,
      'OutOfMemoryError',
      'ran out of memory (2048 MiB)',
    ],
    [
      'an image that cannot be pulled',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
        containers: [{ name: 'admin' }],
      },
      69,
      'ImagePullError',
      'could not be pulled',
    ],
    [
      'a task that cannot start',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'ResourceInitializationError: unable to pull secrets',
        containers: [{ name: 'admin' }],
      },
      69,
      'TaskFailedToStartError',
      'failed to start',
    ],
    [
      'a task stopped by someone',
      {
        stopCode: 'UserInitiated',
        stoppedReason: 'Stopped by arn:aws:sts::123456789012:assumed-role/operator/bob with cnf-admin stop',
        containers: [{ name: 'admin', exitCode: 130 }],
      },
      130,
      'TaskStoppedError',
      'operator/bob',
    ],
    [
      'Fargate reclaiming it',
      { stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.' },
      70,
      'TaskInterruptedError',
      'SpotInterruption',
    ],
  ])('names the stop reason %s and exits %i', async (_what, stop, exitCode, name, message) => {
    given(containerScenario({ ecs: { states: exitedStates(0, stop as never) }, logEvents: [] }));
    const frames = await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT));
    const result = resultOf(frames);
    expect(result).toMatchObject({ exitCode, error: { name } });
    expect(result?.error?.message).toContain(message);
    expect(noticesOf(frames)).toContain(message);
  });

  it('passes through a code the runner exits with before any run (78: the image is not the release)', async () => {
    given(containerScenario({ ecs: { states: exitedStates(78) }, logEvents: [] }));
    expect(resultOf(await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT)))).toMatchObject({ exitCode: 78 });
  });

  it('says a refusal as the run result line tells it (64, bad args: nothing ran)', async () => {
    const refusal = {
      runId: '$RUN_ID',
      task: CONTAINER_TASK,
      release: RELEASE,
      exitCode: 64,
      durationMs: 1,
      error: { name: 'InvalidArgs', message: 'Invalid args for backfill: batchSize' },
    };
    given(
      containerScenario({
        ecs: { states: exitedStates(64) },
        logEvents: [{ message: JSON.stringify({ level: 'ERROR', message: 'Run result', runId: '$RUN_ID', result: refusal }) }],
      }),
    );
    expect(resultOf(await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT)))).toMatchObject({
      exitCode: 64,
      error: { name: 'InvalidArgs' },
    });
  });

  it('is told to try again later (75) when Fargate has no capacity: no task started', async () => {
    given(containerScenario({ ecs: { failures: [{ reason: 'Capacity is unavailable at this time. Please try again later.' }] } }));
    const attempt = framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT));
    await expect(attempt).rejects.toThrow(TryAgainError);
    await expect(attempt).rejects.toThrow('ECS has no capacity');
  });

  it('says the release’s task definition is missing (69) when RunTask cannot find it', async () => {
    given(containerScenario({ ecs: { failures: [{ reason: 'MISSING', detail: 'task definition not found' }] } }));
    await expect(framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT))).rejects.toThrow(UnavailableError);
  });

  it('leaves the task running at Ctrl-C: following stops, nothing is stopped, no result', async () => {
    const installed = given(containerScenario({ ecs: { states: [{ lastStatus: 'RUNNING' }] }, logEvents: containerLog(0).slice(0, 2) }));
    const interrupt = new AbortController();
    const frames: RunFrame[] = [];
    for await (const frame of fixturePlatform().invoke(LIVE_PLAN, EVENT, { signal: interrupt.signal })) {
      frames.push(frame);
      if (frame.type === 'log') interrupt.abort();
    }
    expect(resultOf(frames)).toBeUndefined();
    expect(calls(installed, 'StopTaskCommand')).toEqual([]);
  });

  it('starts the task and returns at --detach, watching nothing', async () => {
    const installed = given(containerScenario());
    await fixturePlatform().detach(LIVE_PLAN, EVENT);
    expect(calls(installed, 'RunTaskCommand')[0]?.input).toMatchObject({
      clientToken: RUN_ID,
      taskDefinition: `fixture-prod-admin-${RELEASE}`,
    });
    expect(calls(installed, 'DescribeTasksCommand')).toEqual([]);
  });

  it('keeps a Lambda task on Lambda on the same stage', async () => {
    const installed = given(containerScenario({ invoke: { payload: '{}' } }));
    await framesOf(fixturePlatform().invoke(LIVE_PLAN, { ...EVENT, task: 'echo' })).catch(() => undefined);
    expect(calls(installed, 'RunTaskCommand')).toEqual([]);
    expect(installed.sent().some((call) => call.command.startsWith('Invoke'))).toBe(true);
  });

  it('plans the container task for --dry-run: task definition, cluster, subnets', async () => {
    given(containerScenario());
    expect(await fixturePlatform().containerPlan(LIVE_PLAN, CONTAINER_TASK)).toEqual({
      taskDefinition: `fixture-prod-admin-${RELEASE}`,
      cluster: CONTAINER_RECORD.cluster,
      subnets: ['subnet-private-a', 'subnet-private-b'],
      securityGroups: ['sg-tasks'],
      assignPublicIp: false,
      timeLimitSeconds: 4 * 3600 + 60,
    });
    expect(await fixturePlatform().containerPlan(LIVE_PLAN, 'echo')).toBeUndefined();
  });
});

describe('stop <runId>', () => {
  const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/fixture-prod-admin/0123456789abcdef';

  it('finds the run’s task by its startedBy and stops it, naming the caller in the reason', async () => {
    const installed = given(containerScenario({ ecs: { running: { [RUN_ID]: [TASK] } } }));
    expect(await fixturePlatform().stop(RUN_ID)).toEqual([TASK]);
    expect(calls(installed, 'ListTasksCommand')[0]?.input).toMatchObject({ cluster: CONTAINER_RECORD.cluster, startedBy: RUN_ID });
    expect(calls(installed, 'StopTaskCommand')[0]?.input).toEqual({
      cluster: CONTAINER_RECORD.cluster,
      task: TASK,
      reason: `Stopped by arn:aws:sts::123456789012:assumed-role/operator/alice with cnf-admin stop ${RUN_ID}`,
    });
  });

  it('stops nothing, and says why, when no task runs it', async () => {
    const installed = given(
      containerScenario({
        ledger: [
          {
            runId: RUN_ID,
            task: CONTAINER_TASK,
            args: {},
            release: RELEASE,
            source: 'cli',
            caller: 'alice',
            log: 'x',
            startedAt: '2026-11-30T04:00:00.000Z',
            endedAt: '2026-11-30T04:10:00.000Z',
            exitCode: 0,
            durationMs: 1,
          },
        ],
      }),
    );
    const attempt = fixturePlatform().stop(RUN_ID);
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(
      `No ECS task runs ${RUN_ID} on stage prod (it ended 2026-11-30T04:10:00.000Z with exit 0); nothing stopped.`,
    );
    expect(calls(installed, 'StopTaskCommand')).toEqual([]);
  });

  it('is refused on a stage without container tasks', async () => {
    given({});
    await expect(fixturePlatform().stop(RUN_ID)).rejects.toThrow('has no container tasks');
  });
});
