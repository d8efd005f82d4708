/**
 * A container task on an AWS stage, in-process against aws-sdk-client-mock:
 * RunTask of the planned release (clientToken = run id), the live log, the
 * end watched with DescribeTasks, exit codes and stop reasons, Ctrl-C,
 * --detach, stop.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../lib/core/errors.js';
import type { RunFrame } from '../../../lib/core/platform.js';
import type { AdminEvent, RunResult } from '../../../lib/core/run.js';
import { LIVE_PLAN, OLD_RELEASE, RELEASE, type InstalledScenario } from '../../support/aws-scenario.js';
import { fixturePlatform } from '../../support/aws-platform.js';
import { framesOf, logLinesOf, noticesOf, useAwsScenario } from '../../support/aws-test-scenario.js';
import {
  CONTAINER_RECORD,
  CONTAINER_STREAM,
  CONTAINER_TASK,
  containerLog,
  containerScenario,
  exitedStates,
  gateStream,
  startedResult,
  TASK_ARN,
} from '../../support/aws-container-scenario.js';

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
  it('asks the admin function at the planned version to start the run, and never calls RunTask itself', async () => {
    const installed = given(containerScenario());
    const frames = await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT));
    const [invoke] = calls(installed, 'InvokeWithResponseStreamCommand');
    expect(invoke?.input).toMatchObject({ FunctionName: 'fixture-prod-admin', Qualifier: LIVE_PLAN.qualifier });
    // The event as the user gave it, for the planned release: the function validates and claims it before any task starts.
    expect(JSON.parse(Buffer.from(invoke?.input.Payload as Uint8Array).toString('utf8'))).toEqual({
      ...EVENT,
      release: RELEASE,
      stream: true,
    });
    expect(installed.sent().map((call) => call.command)).not.toContain('RunTaskCommand');
    expect(logLinesOf(frames).map((line) => JSON.parse(line).message)).toContain(
      `Started ECS task 0123456789abcdef (fixture-prod-admin-${RELEASE}:3) for run ${RUN_ID}`,
    );
  });

  it('asks a retained release’s admin version with --release (it starts its own release’s task definition)', async () => {
    const installed = given(containerScenario());
    await framesOf(
      fixturePlatform().invoke({ ...LIVE_PLAN, alias: undefined, release: OLD_RELEASE, adminVersion: '4', qualifier: '4' }, EVENT),
    );
    expect(calls(installed, 'InvokeWithResponseStreamCommand')[0]?.input).toMatchObject({ Qualifier: '4' });
  });

  it('follows a task a retained release runs in a container where the live one runs it on Lambda (--release): its exit code, not its start’s', async () => {
    const installed = given(
      containerScenario({
        record: { container: { ...CONTAINER_RECORD, tasks: [] } },
        ecs: { states: exitedStates(7) },
        logEvents: containerLog(7, { batches: 3 }),
      }),
    );
    const frames = await framesOf(
      fixturePlatform().invoke({ ...LIVE_PLAN, alias: undefined, release: OLD_RELEASE, adminVersion: '4', qualifier: '4' }, EVENT),
    );
    expect(noticesOf(frames)).toContain('Started ECS task 0123456789abcdef');
    expect(resultOf(frames)).toMatchObject({ runId: RUN_ID, exitCode: 7, output: { batches: 3 } });
    expect(calls(installed, 'DescribeTasksCommand').length).toBeGreaterThanOrEqual(1);
  });

  it('runs nothing when the admin function refuses the event (64, bad args): no task starts, nothing is watched', async () => {
    const refusal = {
      ...startedResult(),
      container: undefined,
      exitCode: 64,
      error: { name: 'InvalidArgs', message: 'Invalid args for backfill: --batch-size must be at least 1' },
    };
    const installed = given(containerScenario({ stream: gateStream(refusal, 'Invalid args') }));
    const frames = await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT));
    expect(resultOf(frames)).toMatchObject({ exitCode: 64, error: { name: 'InvalidArgs' } });
    expect(calls(installed, 'DescribeTasksCommand')).toEqual([]);
    expect(noticesOf(frames)).not.toContain('Started ECS task');
  });

  it('says a retried run id already ran, and ends with its exit code, watching no old task', async () => {
    const old = { ...startedResult(), container: undefined, exitCode: 5, durationMs: 4000 };
    const installed = given(
      containerScenario({
        stream: gateStream(old, `Run $RUN_ID already ran (ended 2026-11-30T04:10:00.000Z, exit 5); nothing ran again.`),
      }),
    );
    const frames = await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT));
    expect(logLinesOf(frames).join('\n')).toContain(`Run ${RUN_ID} already ran`);
    expect(resultOf(frames)).toMatchObject({ exitCode: 5 });
    expect(noticesOf(frames)).not.toContain('Started ECS task');
    expect(calls(installed, 'DescribeTasksCommand')).toEqual([]);
  });

  it('shows the log as it arrives, waits for the task to stop, and ends with the container’s exit code and the run’s output', async () => {
    const installed = given(containerScenario({ ecs: { states: exitedStates(7) }, logEvents: containerLog(7, { batches: 3 }) }));
    const frames = await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT));
    expect(noticesOf(frames)).toContain(
      `Started ECS task 0123456789abcdef (fixture-prod-admin-${RELEASE}:3) on cluster fixture-prod-admin. Ctrl-C leaves it running; stop it with: cnf-admin stop ${RUN_ID} --stage prod`,
    );
    expect(logLinesOf(frames).map((line) => JSON.parse(line).message)).toEqual([
      `Started ECS task 0123456789abcdef (fixture-prod-admin-${RELEASE}:3) for run ${RUN_ID}`,
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
    const installed = given(containerScenario({ ecs: { states: exitedStates(0, stop as never) }, logEvents: [] }));
    const frames = await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT));
    const result = resultOf(frames);
    expect(result).toMatchObject({ exitCode, error: { name } });
    expect(result?.error?.message).toContain(message);
    expect(noticesOf(frames)).toContain(message);
    // The run could not record its end: the admin function is asked to record what ECS says (the operator cannot write the ledger).
    const [settle] = calls(installed, 'InvokeCommand');
    expect(JSON.parse(Buffer.from(settle?.input.Payload as Uint8Array).toString('utf8'))).toMatchObject({
      task: 'cnf:settle',
      args: { runId: RUN_ID },
    });
  });

  it.each([
    [
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref',
      'ImagePullError',
      "The task's image could not be pulled: CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref. Check that the release's image is in ECR and that the task's execution role may pull it",
    ],
    [
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed',
      'TaskFailedToStartError',
      "The task failed to start: ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed. The task's subnets need a route to ECR, Secrets Manager and CloudWatch Logs (a NAT gateway, or VPC endpoints)",
    ],
  ])(
    'says a start failure that ECS gives as both the stopped and the container reason once, with what to do: %s',
    async (reason, name, said) => {
      const stop = { stopCode: 'TaskFailedToStart' as const, stoppedReason: reason, containers: [{ name: 'admin', reason }] };
      given(containerScenario({ ecs: { states: exitedStates(0, stop) }, logEvents: [] }));
      const result = resultOf(await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT)));
      expect(result).toMatchObject({ exitCode: 69, error: { name } });
      expect(result?.error?.message).toContain(said);
      expect(result?.error?.message.split(reason)).toHaveLength(2);
    },
  );

  it("shows none of ECS's words when the admin function could not record the end: they may quote a secure value", async () => {
    const denied = { name: 'AccessDeniedException', message: 'not authorized to perform: lambda:InvokeFunction', status: 403 };
    const stop = {
      stopCode: 'TaskFailedToStart' as const,
      stoppedReason: 'CannotStartContainerError: START_TOKEN=Ecs-Reason-S3cret',
      containers: [{ name: 'admin', reason: 'CannotStartContainerError: START_TOKEN=Ecs-Reason-S3cret' }],
    };
    given({
      ...containerScenario({ ecs: { states: exitedStates(0, stop) }, logEvents: [] }),
      errors: { Invoke: [denied, denied, denied] },
    });
    const frames = await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT));
    const result = resultOf(frames);
    expect(result).toMatchObject({ exitCode: 69, error: { name: 'TaskFailedToStartError' } });
    expect(result?.error?.message).toContain("The task ended: TaskFailedToStartError (TaskFailedToStart). ECS's reason is not shown");
    expect(JSON.stringify(frames)).not.toContain('Ecs-Reason-S3cret');
  });

  it('ends with the run’s own recorded result when ECS tells no exit code: what the ledger holds, nothing settled', async () => {
    const noExitCode = { containers: [{ name: 'admin', lastStatus: 'STOPPED' }] };
    const installed = given(
      containerScenario({ ecs: { states: exitedStates(0, noExitCode) }, logEvents: containerLog(0, { batches: 2 }) }),
    );
    const frames = await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT));
    expect(resultOf(frames)).toEqual({
      runId: RUN_ID,
      task: CONTAINER_TASK,
      release: RELEASE,
      exitCode: 0,
      durationMs: 42,
      output: { batches: 2 },
    });
    expect(noticesOf(frames)).not.toContain('without an exit code');
    expect(calls(installed, 'InvokeCommand')).toEqual([]);
  });

  it('ends a run whose task ECS no longer knows (MISSING) as lost, 70, and has the admin function record it', async () => {
    const installed = given(containerScenario({ ecs: { missing: true }, logEvents: containerLog(0).slice(0, 4) }));
    const frames = await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT));
    expect(resultOf(frames)).toMatchObject({ exitCode: 70, error: { name: 'RunLostError' } });
    expect(noticesOf(frames)).toContain(`ECS no longer knows task ${TASK_ARN}`);
    expect(calls(installed, 'InvokeCommand')).toHaveLength(1);
  });

  it('a process killed by a signal without a result (exit 137): 70, TaskKilledError naming the signal, not 137', async () => {
    given(containerScenario({ ecs: { states: exitedStates(137) }, logEvents: [] }));
    const result = resultOf(await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT)));
    expect(result).toMatchObject({ exitCode: 70, error: { name: 'TaskKilledError' } });
    expect(result?.error?.message).toContain('killed by SIGKILL (exit 137)');
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
        logEvents: [
          {
            message: JSON.stringify({ level: 'ERROR', message: 'Run result', runId: '$RUN_ID', result: refusal }),
            logStreamName: CONTAINER_STREAM,
          },
        ],
      }),
    );
    expect(resultOf(await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT)))).toMatchObject({
      exitCode: 64,
      error: { name: 'InvalidArgs' },
    });
  });

  it('takes no result of an earlier attempt’s task for this task’s: one killed without a result is 70, not that attempt’s 75', async () => {
    const earlier = {
      runId: '$RUN_ID',
      task: CONTAINER_TASK,
      release: RELEASE,
      exitCode: 75,
      durationMs: 1,
      error: { name: 'LockHeld', message: 'locked' },
    };
    given(
      containerScenario({
        ecs: { states: exitedStates(137) },
        logEvents: [
          {
            message: JSON.stringify({ level: 'ERROR', message: 'Run result', runId: '$RUN_ID', result: earlier }),
            logStreamName: 'task/admin/fedcba9876543210',
          },
        ],
      }),
    );
    expect(resultOf(await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT)))).toMatchObject({
      exitCode: 70,
      error: { name: 'TaskKilledError' },
    });
  });

  it('ends with the admin function’s answer when ECS could not start the task (75, no capacity; recorded by the function)', async () => {
    const failed = {
      ...startedResult(),
      container: undefined,
      exitCode: 75,
      error: { name: 'ContainerStartFailed', message: 'ECS has no capacity for run x now' },
    };
    const installed = given(containerScenario({ stream: gateStream(failed, 'ECS has no capacity for run x now') }));
    expect(resultOf(await framesOf(fixturePlatform().invoke(LIVE_PLAN, EVENT)))).toMatchObject({
      exitCode: 75,
      error: { name: 'ContainerStartFailed' },
    });
    expect(calls(installed, 'DescribeTasksCommand')).toEqual([]);
  });

  it('leaves the task running at Ctrl-C: following stops, nothing is stopped, no result', async () => {
    const installed = given(containerScenario({ ecs: { states: [{ lastStatus: 'RUNNING' }] }, logEvents: containerLog(0).slice(0, 4) }));
    const interrupt = new AbortController();
    const frames: RunFrame[] = [];
    for await (const frame of fixturePlatform().invoke(LIVE_PLAN, EVENT, { signal: interrupt.signal })) {
      frames.push(frame);
      if (frame.type === 'log') interrupt.abort();
    }
    expect(resultOf(frames)).toBeUndefined();
    expect(calls(installed, 'InvokeCommand')).toEqual([]);
  });

  it('asks the admin function to start the task at --detach (a synchronous invoke), watching nothing', async () => {
    const installed = given(containerScenario());
    await fixturePlatform().detach(LIVE_PLAN, EVENT);
    expect(calls(installed, 'InvokeCommand')[0]?.input).toMatchObject({
      InvocationType: 'RequestResponse',
      Qualifier: LIVE_PLAN.qualifier,
    });
    expect(calls(installed, 'DescribeTasksCommand')).toEqual([]);
  });

  it('refuses at --detach as attached (64, bad args): the function started nothing', async () => {
    const refusal = {
      ...startedResult(),
      container: undefined,
      exitCode: 64,
      error: { name: 'InvalidArgs', message: 'Invalid args for backfill: batchSize' },
    };
    given(containerScenario({ invoke: { payload: JSON.stringify(refusal) } }));
    const attempt = fixturePlatform().detach(LIVE_PLAN, EVENT);
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow('Invalid args for backfill: batchSize');
  });

  it('keeps a Lambda task on Lambda on the same stage', async () => {
    // The function answers as a Lambda run does: the run's result, with no task started.
    const ran = { ...startedResult(), task: 'echo', container: undefined, exitCode: 0 };
    const installed = given(containerScenario({ invoke: { payload: '{}' }, stream: gateStream(ran, 'echoed') }));
    await framesOf(fixturePlatform().invoke(LIVE_PLAN, { ...EVENT, task: 'echo' })).catch(() => undefined);
    expect(calls(installed, 'DescribeTasksCommand')).toEqual([]);
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

describe('logs and runs of a container run that died without recording its end', () => {
  const RUNNING = {
    runId: RUN_ID,
    task: CONTAINER_TASK,
    args: {},
    release: RELEASE,
    source: 'cli',
    caller: 'alice',
    startedAt: new Date(Date.now() - 60_000).toISOString(),
    log: 'x',
    ecsTask: TASK_ARN,
  };
  const SETTLED = {
    ...RUNNING,
    endedAt: new Date().toISOString(),
    exitCode: 70,
    error: { name: 'OutOfMemoryError', message: 'The task ran out of memory (2048 MiB) and was killed' },
  };
  const killed = () =>
    containerScenario({
      ledger: [RUNNING],
      ecs: { states: exitedStates(137, { containers: [{ name: 'admin', exitCode: 137, reason: 'OutOfMemoryError: killed' }] }).slice(-1) },
      // Nothing was invoked before these are read: their run id is the run's own.
      logEvents: containerLog(0)
        .slice(0, 4)
        .map((event) => ({ ...event, message: event.message.replaceAll('$RUN_ID', RUN_ID) })),
      invoke: { payload: JSON.stringify({ ...startedResult(), container: undefined, output: SETTLED }) },
    });
  const settleCalls = (installed: InstalledScenario) =>
    calls(installed, 'InvokeCommand').map((call) => JSON.parse(Buffer.from(call.input.Payload as Uint8Array).toString('utf8')));

  it('logs --follow asks ECS, ends with 70 (out of memory), and has the admin function record the end', async () => {
    const installed = given(killed());
    const frames = await framesOf(fixturePlatform().logs(RUN_ID, { follow: true }));
    expect(resultOf(frames)).toMatchObject({ exitCode: 70, error: { name: 'OutOfMemoryError' } });
    expect(logLinesOf(frames).join('\n')).toContain('Batch 1');
    expect(settleCalls(installed)).toEqual([expect.objectContaining({ task: 'cnf:settle', args: { runId: RUN_ID } })]);
  });

  it('logs (no --follow) shows the recorded end after the log', async () => {
    given(killed());
    const frames = await framesOf(fixturePlatform().logs(RUN_ID));
    expect(resultOf(frames)).toMatchObject({ exitCode: 70 });
    expect(noticesOf(frames)).toContain('ran out of memory');
  });

  it('runs shows the run as ended, as the admin function recorded it', async () => {
    const installed = given(killed());
    const [run] = await fixturePlatform().runs({});
    expect(run).toMatchObject({ runId: RUN_ID, exitCode: 70, error: { name: 'OutOfMemoryError' } });
    expect(settleCalls(installed)).toHaveLength(1);
  });

  it('runs leaves a container run whose task still runs as running, asking the function nothing', async () => {
    const installed = given(containerScenario({ ledger: [RUNNING], ecs: { states: [{ lastStatus: 'RUNNING' }] } }));
    const [run] = await fixturePlatform().runs({});
    expect(run?.endedAt).toBeUndefined();
    expect(calls(installed, 'InvokeCommand')).toEqual([]);
  });
});

describe('stop <runId>', () => {
  it('asks the live admin function to stop the run (cnf:stop): the operator calls no StopTask', async () => {
    const installed = given(
      containerScenario({
        invoke: {
          payload: JSON.stringify({ ...startedResult(), container: undefined, output: { runId: RUN_ID, stoppedTasks: [TASK_ARN] } }),
        },
      }),
    );
    expect(await fixturePlatform().stop(RUN_ID)).toEqual([TASK_ARN]);
    const [invoke] = calls(installed, 'InvokeCommand');
    expect(invoke?.input).toMatchObject({ FunctionName: 'fixture-prod-admin', Qualifier: 'live', InvocationType: 'RequestResponse' });
    expect(JSON.parse(Buffer.from(invoke?.input.Payload as Uint8Array).toString('utf8'))).toMatchObject({
      task: 'cnf:stop',
      args: { runId: RUN_ID },
      caller: 'arn:aws:sts::123456789012:assumed-role/operator/alice',
    });
    expect(installed.sent().map((call) => call.command)).not.toContain('StopTaskCommand');
  });

  it('stops nothing, and says why, when the function refuses (the run already ended: 64)', async () => {
    const refusal = {
      ...startedResult(),
      container: undefined,
      exitCode: 64,
      error: { name: 'RunNotStoppable', message: `Run ${RUN_ID} already ended (2026-11-30T04:10:00.000Z, exit 0); nothing stopped.` },
    };
    given(containerScenario({ invoke: { payload: JSON.stringify(refusal) } }));
    const attempt = fixturePlatform().stop(RUN_ID);
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(`Run ${RUN_ID} already ended (2026-11-30T04:10:00.000Z, exit 0); nothing stopped.`);
    await expect(attempt).rejects.toMatchObject({ hint: "List the stage's runs, and how each ended, with: cnf-admin runs --stage prod" });
  });

  it('is refused on a stage without container tasks', async () => {
    given({});
    await expect(fixturePlatform().stop(RUN_ID)).rejects.toThrow('has no container tasks');
  });
});
