/**
 * A container task through the real binary, the release's real admin
 * function and its real container runner, behind a fake AWS endpoint whose
 * ECS runs tasks as processes (test/support/live-container-stage.ts): what
 * ECS decides (a start refused, a task killed or never started) is the
 * test's; everything else is the release's own code.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startWatched } from '../support/cli.js';
import {
  LIVE_CONTAINER_SCRIPT,
  LIVE_CONTAINER_TASK,
  startLiveContainerStage,
  type LiveContainerStage,
} from '../support/live-container-stage.js';

const ALICE = 'arn:aws:sts::123456789012:assumed-role/operator/alice';
let stage: LiveContainerStage;
let counter = 0;

beforeAll(async () => {
  stage = await startLiveContainerStage();
  const set = await cnfAdmin(['config', 'set', 'GREETING', 'hello', '--stage', 'prod']);
  expect(set.code, set.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await stage?.close();
});

beforeEach(() => {
  stage.ecs.runTask.length = 0;
  stage.ecs.course = 'run';
});

function cnfAdmin(args: string[]) {
  return runCli(args, { cwd: stage.project.dir, env: stage.env });
}

const newRunId = () => `live-${Date.now()}-${(counter += 1)}`;
const invoke = (runId: string, ...args: string[]) =>
  cnfAdmin(['invoke', LIVE_CONTAINER_TASK, '--stage', 'prod', '--run-id', runId, ...(args.length === 0 ? [] : ['--', ...args])]);
/** Starts the live container task detached, in its mode that waits to be stopped. */
const detachedWait = (runId: string) =>
  cnfAdmin(['invoke', LIVE_CONTAINER_TASK, '--stage', 'prod', '--run-id', runId, '--detach', '--', '--mode', 'wait']);
/** Has ECS stop the run's task before it started (a stuck task's `TaskFailedToStart`), saying `reasons`. */
const failToStart = (runId: string, reasons: { stoppedReason: string; containerReason?: string }) =>
  Object.assign(runTasksOf(runId)[0] ?? {}, { lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart', ...reasons });
const runTasksOf = (runId: string) => stage.tasks.filter((task) => task.startedBy === runId);

/** Sets a secure value of the stage, typed in on stdin as a user would. */
async function setSecret(key: string, value: string): Promise<void> {
  const set = await runCli(['config', 'set', key, '-', '--secure', '--stage', 'prod'], {
    cwd: stage.project.dir,
    env: stage.env,
    input: value,
  });
  expect(set.code, set.stderr).toBe(0);
}

/** Starts an invoke of the live container task in the foreground, and resolves once its output has shown `seen`. */
async function watchedInvoke(runId: string, seen: string, ...args: string[]) {
  const run = startWatched(
    ['invoke', LIVE_CONTAINER_TASK, '--stage', 'prod', '--run-id', runId, ...(args.length === 0 ? [] : ['--', ...args])],
    {
      cwd: stage.project.dir,
      env: stage.env,
    },
  );
  await run.seen(seen);
  return run;
}

/** Sends the admin function an event as any holder of lambda:InvokeFunction may, without the CLI. */
async function sendEvent(event: Record<string, unknown>): Promise<Record<string, unknown>> {
  const lambda = new LambdaClient({
    endpoint: stage.aws.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const answer = await lambda.send(
    new InvokeCommand({ FunctionName: 'fixture-prod-admin', Qualifier: 'live', Payload: JSON.stringify(event) }),
  );
  return JSON.parse(Buffer.from(answer.Payload ?? []).toString('utf8')) as Record<string, unknown>;
}

describe('a container task, end to end', () => {
  it('runs, streams its output, passes its exit code through, and records release, config version and caller', async () => {
    const runId = newRunId();
    const result = await invoke(runId, '--code', '3');
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toContain('container line one');
    expect(result.stdout).toContain('container line two');
    expect(runTasksOf(runId)).toHaveLength(1);
    expect(stage.record(runId)).toMatchObject({ exitCode: 3, release: stage.image.release, caller: ALICE, configVersion: 1 });
    const zero = await invoke(newRunId());
    expect(zero.code).toBe(0);
  }, 60_000);

  it("shows the task's plain output (no run id in it), its secure values redacted: invoke, logs, logs --follow and runs show", async () => {
    const secret = 'Plain-Output-S3cret';
    await setSecret('PLAIN_TOKEN', secret);
    const runId = newRunId();
    const result = await invoke(runId);
    expect(result.code, result.stderr).toBe(0);
    const logs = await cnfAdmin(['logs', runId, '--stage', 'prod']);
    const followed = await cnfAdmin(['logs', runId, '--stage', 'prod', '--follow']);
    const shown = await cnfAdmin(['runs', 'show', runId, '--stage', 'prod']);
    for (const [what, output] of Object.entries({ invoke: result, logs, followed, shown })) {
      const all = `${output.stdout}${output.stderr}`;
      expect(output.code, `${what}: ${output.stderr}`).toBe(0);
      expect(all.split('plain output of the task'), what).toHaveLength(2);
      expect(all, what).toContain('plain error of the task');
      expect(all, what).toContain('plain token: [redacted]');
      expect(all, what).not.toContain(secret);
    }
  }, 60_000);

  // A throttled RunTask (75 after the SDK's backoff, seconds of it) is test/runtime/container/container-gate.test.ts's.
  it.each([
    ['no capacity', 75, { failure: 'RESOURCE:MEMORY' }],
    ['a denied RunTask', 69, { error: { status: 400, name: 'AccessDeniedException', message: 'not authorized to perform: ecs:RunTask' } }],
    ['invalid parameters', 69, { error: { status: 400, name: 'InvalidParameterException', message: 'No Container Instances were found' } }],
  ] as const)(
    'a start ECS refuses (%s) exits %i, starts nothing, and a retry of the run id starts it',
    async (_what, code, answer) => {
      const runId = newRunId();
      stage.ecs.runTask.push(answer, answer, answer, answer);
      const result = await invoke(runId, '--code', '4');
      expect(result.code, result.stderr).toBe(code);
      expect(result.stderr).toContain('ContainerStartFailed');
      expect(runTasksOf(runId)).toHaveLength(0);
      expect(stage.record(runId)).toMatchObject({ exitCode: code, notStarted: true });
      stage.ecs.runTask.length = 0;
      const retry = await invoke(runId, '--code', '4');
      expect(retry.code, retry.stderr).toBe(4);
      expect(runTasksOf(runId)).toHaveLength(1);
    },
    60_000,
  );

  it.each([
    ['out of memory', 'oom', 'OutOfMemoryError'],
    ['SIGKILL', 'sigkill', 'TaskKilledError'],
  ] as const)(
    'a task killed (%s) before its end exits 70, and its end is recorded',
    async (_what, kill, error) => {
      const runId = newRunId();
      stage.ecs.course = { kill, after: 'container line one' };
      const result = await invoke(runId, '--mode', 'wait');
      expect(result.code, result.stderr).toBe(70);
      expect(`${result.stdout}${result.stderr}`).toContain(error);
      expect(stage.record(runId)).toMatchObject({ exitCode: 70, error: { name: error } });
    },
    60_000,
  );

  it('stop: the run ends with 130 naming who stopped it, recorded', async () => {
    const runId = newRunId();
    const run = await watchedInvoke(runId, 'waiting for a stop', '--mode', 'wait');
    const stop = await cnfAdmin(['stop', runId, '--stage', 'prod']);
    expect(stop.code, stop.stderr).toBe(0);
    const result = await run.result;
    expect(result.code, run.output()).toBe(130);
    expect(stage.record(runId)).toMatchObject({ exitCode: 130, error: { name: 'InterruptedError' }, stopRequestedBy: ALICE });
  }, 60_000);

  it('a task ECS stops itself (a Fargate Spot reclaim) exits 70, and is not said to have ended on its own terms', async () => {
    const runId = newRunId();
    const run = await watchedInvoke(runId, 'waiting for a stop', '--mode', 'wait');
    const [task] = runTasksOf(runId);
    Object.assign(task ?? {}, { stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.' });
    task?.child?.kill('SIGTERM');
    const result = await run.result;
    expect(result.code, run.output()).toBe(70);
    expect(run.output()).toContain('TaskInterruptedError');
    expect(run.output()).not.toContain('on its own terms');
    expect(stage.record(runId)).toMatchObject({ exitCode: 70, error: { name: 'TaskInterruptedError' } });
  }, 60_000);

  it('a retried run id starts no second task: while it runs (75), and once it ended (its code)', async () => {
    const runId = newRunId();
    const run = await watchedInvoke(runId, 'waiting for a stop', '--mode', 'wait');
    const during = await invoke(runId, '--mode', 'wait');
    expect(during.code, during.stderr).toBe(75);
    expect(runTasksOf(runId)).toHaveLength(1);
    await cnfAdmin(['stop', runId, '--stage', 'prod']);
    await run.result;
    const after = await invoke(runId, '--mode', 'wait');
    expect(after.code, after.stderr).toBe(130);
    expect(runTasksOf(runId)).toHaveLength(1);
  }, 60_000);

  it('a locked task whose lock a running run holds is refused (75) before any task starts', async () => {
    const holder = newRunId();
    const run = await watchedInvoke(holder, 'waiting for a stop', '--mode', 'wait');
    const other = newRunId();
    const locked = await invoke(other);
    expect(locked.code, locked.stderr).toBe(75);
    expect(locked.stderr).toContain(`locked by run ${holder}`);
    expect(runTasksOf(other)).toHaveLength(0);
    await cnfAdmin(['stop', holder, '--stage', 'prod']);
    await run.result;
  }, 60_000);

  it('the console is refused on a stage that did not turn it on: by the CLI, and by the admin function an event reaches', async () => {
    const cli = await cnfAdmin(['console', '--stage', 'prod']);
    expect(cli.code, cli.stderr).toBe(77);
    const direct = await sendEvent({ task: 'cnf:console', args: { input: 'process.exit(9)' }, runId: newRunId() });
    expect(direct).toMatchObject({ exitCode: 77, error: { name: 'ConsoleDisabled' } });
  }, 60_000);

  it('an event sent straight to the admin function cannot put anything but the validated event into the task', async () => {
    const runId = newRunId();
    const before = stage.tasks.length;
    const answer = await sendEvent({
      task: LIVE_CONTAINER_TASK,
      runId,
      args: { code: 0 },
      overrides: { containerOverrides: [{ name: 'admin', command: ['node', '-e', 'evil()'] }] },
      command: ['node', '-e', 'evil()'],
      environment: { NODE_OPTIONS: '--require /tmp/evil.js' },
    });
    expect(answer).toMatchObject({ exitCode: 0 });
    const [task] = stage.tasks.slice(before);
    const overrides = JSON.stringify(task?.overrides);
    expect(overrides).not.toContain('evil');
    expect(overrides).not.toContain('NODE_OPTIONS');
    expect(overrides).not.toContain('command');
  }, 60_000);

  it('a RunTask that failed (5xx) after it started a task: 69, the task takes the run over, and a retry starts no second one', async () => {
    const runId = newRunId();
    const failed = { status: 500, name: 'ServerException', message: 'Service unavailable' };
    stage.ecs.runTask.push({ error: failed, started: true }, { error: failed }, { error: failed }, { error: failed });
    const result = await invoke(runId, '--code', '6');
    // The task starts within 200 ms here, and may take the run over and end it before the SDK gives up on RunTask: then
    // its end (6) is the answer; otherwise ECS's failure leaves it unknown (69).
    expect([6, 69], result.stderr).toContain(result.code);
    if (result.code === 69) expect(result.stderr).toContain('ContainerStartUnknown');
    stage.ecs.runTask.length = 0;
    const retry = await invoke(runId, '--code', '6');
    expect([6, 75]).toContain(retry.code);
    expect(runTasksOf(runId)).toHaveLength(1);
    await expect.poll(() => stage.record(runId)?.exitCode, { timeout: 20_000 }).toBe(6);
  }, 60_000);

  // The notice a minute into such a start is test/platform/aws/ecs-tasks.test.ts's: here the task stops before it.
  it('a task Fargate never starts, stopped there by ECS: 69 recorded', async () => {
    const runId = newRunId();
    stage.ecs.course = 'stuck';
    const run = await watchedInvoke(runId, 'Started ECS task');
    failToStart(runId, { stoppedReason: 'ResourceInitializationError: unable to pull secrets or registry auth' });
    const result = await run.result;
    expect(result.code, run.output()).toBe(69);
    expect(run.output()).toContain('TaskFailedToStartError');
    expect(stage.record(runId)).toMatchObject({ exitCode: 69, error: { name: 'TaskFailedToStartError' } });
  }, 60_000);

  it('stop of a run whose task never started: 130, recorded', async () => {
    const runId = newRunId();
    stage.ecs.course = 'stuck';
    const run = await watchedInvoke(runId, 'Started ECS task');
    const stop = await cnfAdmin(['stop', runId, '--stage', 'prod']);
    expect(stop.code, stop.stderr).toBe(0);
    const result = await run.result;
    expect(result.code, run.output()).toBe(130);
    expect(stage.record(runId)).toMatchObject({ exitCode: 130 });
  }, 60_000);

  it('--detach returns once the task started; runs show records the end of a task killed with no one attached', async () => {
    const runId = newRunId();
    stage.ecs.course = { kill: 'oom', after: 'container line one' };
    const detached = await detachedWait(runId);
    expect(detached.code, detached.stderr).toBe(0);
    await expect.poll(() => runTasksOf(runId)[0]?.lastStatus, { timeout: 20_000 }).toBe('STOPPED');
    const shown = await cnfAdmin(['runs', 'show', runId, '--stage', 'prod', '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ exitCode: 70, error: { name: 'OutOfMemoryError' } });
    const logs = await cnfAdmin(['logs', runId, '--stage', 'prod', '--follow']);
    expect(logs.code, logs.stderr).toBe(70);
    expect(logs.stdout).toContain('container line one');
  }, 60_000);

  it('logs --follow of a detached run shows each line once, without a word of the harness, and ends with the run', async () => {
    const runId = newRunId();
    const detached = await detachedWait(runId);
    expect(detached.code, detached.stderr).toBe(0);
    const follow = startWatched(['logs', runId, '--stage', 'prod', '--follow'], { cwd: stage.project.dir, env: stage.env });
    await follow.seen('waiting for a stop');
    const stop = await cnfAdmin(['stop', runId, '--stage', 'prod']);
    expect(stop.code, stop.stderr).toBe(0);
    const result = await follow.result;
    expect(result.code, follow.output()).toBe(130);
    expect(result.stdout.split('container line one')).toHaveLength(2);
    expect(result.stdout.split('waiting for a stop')).toHaveLength(2);
    expect(follow.output()).not.toContain('Warning');
  }, 60_000);

  it('a bare Lambda console test event starts the run too, as source console', async () => {
    const answer = await sendEvent({ task: LIVE_CONTAINER_TASK, args: { code: 2 } });
    expect(answer).toMatchObject({ exitCode: 0, container: {} });
    const runId = answer.runId as string;
    await expect.poll(() => stage.record(runId)?.exitCode, { timeout: 20_000 }).toBe(2);
    expect(stage.record(runId)).toMatchObject({ source: 'console' });
  }, 60_000);

  it('what ECS says of a task that stopped is shown and recorded without a secure value it quotes', async () => {
    const secret = 'Ecs-Reason-S3cret';
    await setSecret('START_TOKEN', secret);
    const runId = newRunId();
    stage.ecs.course = 'stuck';
    const run = await watchedInvoke(runId, 'Started ECS task');
    failToStart(runId, {
      stoppedReason: 'ResourceInitializationError: unable to start the container',
      containerReason: `CannotStartContainerError: START_TOKEN=${secret}`,
    });
    const result = await run.result;
    expect(result.code, run.output()).toBe(69);
    expect(run.output()).toContain('START_TOKEN=[redacted]');
    expect(run.output()).not.toContain(secret);
    expect(JSON.stringify(stage.record(runId))).not.toContain(secret);
  }, 60_000);

  it('what ECS says of a start it refused (a failure reason) is shown and recorded without a secure value it quotes', async () => {
    const secret = 'Ecs-Failure-S3cret';
    await setSecret('FAILURE_TOKEN', secret);
    const runId = newRunId();
    stage.ecs.runTask.push({ failure: `ATTRIBUTE FAILURE_TOKEN=${secret}` });
    const result = await invoke(runId);
    expect(result.code, result.stderr).toBe(69);
    expect(result.stderr).toContain('FAILURE_TOKEN=[redacted]');
    const shown = await cnfAdmin(['runs', 'show', runId, '--stage', 'prod']);
    const logs = await cnfAdmin(['logs', runId, '--stage', 'prod']);
    expect(`${shown.stdout}${shown.stderr}`).toContain('FAILURE_TOKEN=[redacted]');
    for (const output of [result.stdout, result.stderr, shown.stdout, shown.stderr, logs.stdout, logs.stderr])
      expect(output).not.toContain(secret);
    expect(JSON.stringify(stage.record(runId))).not.toContain(secret);
  }, 60_000);

  it('a script that declares the container runtime is followed to its end: its exit code, not its start’s', async () => {
    const runId = newRunId();
    const result = await cnfAdmin(['run', LIVE_CONTAINER_SCRIPT, '--stage', 'prod', '--run-id', runId]);
    expect(result.code, result.stderr).toBe(5);
    expect(result.stdout).toContain('script in a container');
    expect(runTasksOf(runId)).toHaveLength(1);
  }, 60_000);
});
