/**
 * The admin function as the gate of container runs, in-process, with ECS
 * mocked at the client (aws-sdk-client-mock) and a file ledger: it
 * validates, claims, and starts the release's task with a fixed override;
 * it stops a run's own task (`cnf:stop`) and records the end of a task that
 * stopped without recording it (`cnf:settle`).
 */
import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import type { RunRecord, RunResult } from '../../../lib/core/run.js';
import { RUN_ENDED } from '../../../lib/core/run-log.js';
import { createAdminHandler } from '../../../lib/runtime/admin-handler.js';
import { defineTask } from '../../../lib/runtime/define-task.js';
import { FileLedger } from '../../../lib/runtime/ledger/file-ledger.js';
import { tempDir } from '../../support/temp-dir.js';
import {
  GATE_RELEASE as RELEASE,
  GATE_SETTINGS as SETTINGS,
  GATE_TASK_ARN as TASK_ARN,
  stubGateEnvironment,
} from '../../support/gate-settings.js';

const ran: string[] = [];
const backfill = defineTask({
  name: 'backfill',
  description: 'Long work, in a container',
  args: z.strictObject({ batchSize: z.number().int().min(1) }),
  options: { runtime: 'container', timeoutSeconds: 3600 },
  run: async () => {
    ran.push('backfill');
  },
});

const ecs = mockClient(ECSClient);
let ledger: FileLedger;

function handler() {
  return createAdminHandler({ tasks: { backfill: async () => ({ default: backfill }) }, ledger });
}

const invoke = (event: Record<string, unknown>): Promise<RunResult> => handler()(event, {});

/** ECS's 5xx, as the SDK throws it once its retries are spent: whether a task started is not said. */
function ecsServerError(): Error {
  return Object.assign(new Error('We encountered an internal error.'), { name: 'ServerException', $metadata: { httpStatusCode: 500 } });
}

beforeEach(() => {
  ran.length = 0;
  ecs.reset();
  ledger = new FileLedger(tempDir('cnf-gate-ledger'));
  stubGateEnvironment();
  vi.stubEnv('AWS_LAMBDA_LOG_GROUP_NAME', '/aws/lambda/fixture-prod-admin');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('a container task sent to the admin function', () => {
  // The run reads its config before it starts the task: what ECS says of a start it refuses is told without its secure
  // values, and not at all where it cannot be read. Here it is read, and empty. Made in each test, as below.
  let ssm = mockClient(SSMClient);
  beforeEach(() => {
    ssm = mockClient(SSMClient);
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
  });
  afterEach(() => ssm.restore());

  it('is claimed, then started as the release’s task with the event, its time limit and the claim as the only override', async () => {
    // given
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }], failures: [] });
    const event = { task: 'backfill', argv: ['--batch-size', '500'], runId: '20261130-000000-gate01', source: 'cli', caller: 'alice' };

    // when
    const result = await invoke(event);

    // then
    expect(result).toMatchObject({ exitCode: 0, container: { taskArn: TASK_ARN, taskDefinition: SETTINGS.taskDefinition } });
    expect(ran).toEqual([]);
    const [call] = ecs.commandCalls(RunTaskCommand);
    const input = call?.args[0].input;
    expect(input).toMatchObject({
      cluster: SETTINGS.cluster,
      taskDefinition: SETTINGS.taskDefinition,
      launchType: 'FARGATE',
      clientToken: event.runId,
      startedBy: event.runId,
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a'], securityGroups: ['sg-tasks'], assignPublicIp: 'DISABLED' } },
    });
    // Nothing else is overridden: no command, no other variable, no role.
    expect(Object.keys(input?.overrides ?? {})).toEqual(['containerOverrides']);
    const [container] = input?.overrides?.containerOverrides ?? [];
    expect(Object.keys(container ?? {}).sort()).toEqual(['environment', 'name']);
    const variables = Object.fromEntries(container?.environment?.map((entry) => [entry.name, entry.value]) ?? []);
    expect(Object.keys(variables).sort()).toEqual(['CNF_ADMIN_EVENT', 'CNF_RUN_CLAIMED', 'CNF_TIME_LIMIT_SECONDS']);
    expect(JSON.parse(variables.CNF_ADMIN_EVENT ?? '{}')).toEqual({ ...event, args: {}, release: RELEASE });
    expect(variables.CNF_TIME_LIMIT_SECONDS).toBe(String(3600 + 60));
    const record = await ledger.get(event.runId);
    expect(record).toMatchObject({ task: 'backfill', args: { batchSize: 500 }, caller: 'alice', ecsTask: TASK_ARN });
    expect(record?.endedAt).toBeUndefined();
    expect(record?.log).toBe(`/aws/lambda/fixture-prod-admin:task/admin/0123456789abcdef (ECS task ${TASK_ARN})`);
  });

  it('refuses a bad argument before any task starts (64), and records nothing', async () => {
    const result = await invoke({ task: 'backfill', argv: ['--batch-size', '0'], runId: '20261130-000000-gate02', source: 'cli' });
    expect(result).toMatchObject({ exitCode: 64, error: { name: 'InvalidArgs' } });
    expect(result.error?.message).toContain('--batch-size');
    expect(ecs.commandCalls(RunTaskCommand)).toEqual([]);
    expect(await ledger.get('20261130-000000-gate02')).toBeUndefined();
  });

  it('answers a retried run id with the first run’s outcome, starting nothing', async () => {
    const runId = '20261130-000000-gate03';
    await ledger.claim({
      runId,
      task: 'backfill',
      args: { batchSize: 5 },
      release: RELEASE,
      source: 'cli',
      caller: 'alice',
      startedAt: '2026-11-30T00:00:00.000Z',
      endedAt: '2026-11-30T00:10:00.000Z',
      exitCode: 5,
      durationMs: 600_000,
      log: 'x',
    });
    const result = await invoke({ task: 'backfill', args: { batchSize: 5 }, runId, source: 'cli' });
    expect(result).toMatchObject({ exitCode: 5 });
    expect(result.container).toBeUndefined();
    expect(ecs.commandCalls(RunTaskCommand)).toEqual([]);
  });

  it('records a start ECS answered with another failure (AGENT) as 69, saying where to look', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'AGENT' }] });
    const result = await invoke({ task: 'backfill', args: { batchSize: 5 }, runId: '20261130-000000-gate0a', source: 'cli' });
    expect(result).toMatchObject({ exitCode: 69, error: { name: 'ContainerStartFailed' } });
    expect(result.error?.message).toContain(": AGENT; nothing started. ECS's reason says why");
    expect(result.error?.message).toContain('which a cdk deploy of the stage makes.');
  });

  it('records a start ECS refused (PassRole denied) as 69, saying which role makes the call and how it gets it', async () => {
    ecs.on(RunTaskCommand).rejects(
      Object.assign(new Error('not authorized to perform: iam:PassRole'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const result = await invoke({ task: 'backfill', args: { batchSize: 5 }, runId: '20261130-000000-gate0b', source: 'cli' });
    expect(result).toMatchObject({ exitCode: 69, error: { name: 'ContainerStartFailed' } });
    expect(result.error?.message).toContain("nothing started. The admin function's role makes this call");
  });

  it('records a start ECS refused for what the stack made (InvalidParameterException) as 69, naming that, not the role', async () => {
    ecs.on(RunTaskCommand).rejects(
      Object.assign(new Error('Container Overrides length must be at most 8192'), {
        name: 'InvalidParameterException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const result = await invoke({ task: 'backfill', args: { batchSize: 5 }, runId: '20261130-000000-gate0c', source: 'cli' });
    expect(result).toMatchObject({ exitCode: 69, error: { name: 'ContainerStartFailed' } });
    expect(result.error?.message).toContain('nothing started. Check the cluster, subnets and task definition');
    expect(result.error?.message).not.toContain('PassRole');
  });

  it('records the run as ended with 75 when Fargate has no capacity', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'Capacity is unavailable at this time.' }] });
    const result = await invoke({ task: 'backfill', args: { batchSize: 5 }, runId: '20261130-000000-gate04', source: 'cli' });
    expect(result).toMatchObject({ exitCode: 75, error: { name: 'ContainerStartFailed' } });
    // ECS's full stop ends its reason, not the message, which goes on after it.
    expect(result.error?.message).toContain('now: Capacity is unavailable at this time; nothing started.');
    expect(await ledger.get('20261130-000000-gate04')).toMatchObject({ exitCode: 75, error: { name: 'ContainerStartFailed' } });
  });

  it('starts a run whose start found no capacity when its run id is retried, with a new client token', async () => {
    // given: a start refused for capacity (RunTask answered failures: ECS keeps that answer for its token)
    const runId = '20261130-000000-retry1';
    const event = { task: 'backfill', args: { batchSize: 5 }, runId, source: 'cli' };
    ecs
      .on(RunTaskCommand)
      .resolvesOnce({ tasks: [], failures: [{ reason: 'Capacity is unavailable at this time. Please try again later' }] })
      .resolves({ tasks: [{ taskArn: TASK_ARN }], failures: [] });
    expect(await invoke(event)).toMatchObject({ exitCode: 75, error: { name: 'ContainerStartFailed' } });
    expect(await ledger.get(runId)).toMatchObject({ exitCode: 75, notStarted: true });

    // when: the same run id again
    const retry = await invoke(event);

    // then: it starts, once, and the ledger holds the run going on
    expect(retry).toMatchObject({ exitCode: 0, container: { taskArn: TASK_ARN } });
    const tokens = ecs.commandCalls(RunTaskCommand).map((call) => call.args[0].input.clientToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toBe(runId);
    expect(tokens[1]).not.toBe(runId);
    const record = await ledger.get(runId);
    expect(record).toMatchObject({ ecsTask: TASK_ARN, clientToken: tokens[1] });
    expect(record?.endedAt).toBeUndefined();
    expect(record?.notStarted).toBeUndefined();
  });

  it('starts a throttled run when its run id is retried, with the same client token, and only one of two retries at once starts it', async () => {
    const runId = '20261130-000000-retry2';
    const event = { task: 'backfill', args: { batchSize: 5 }, runId, source: 'cli' };
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    ecs
      .on(RunTaskCommand)
      .rejectsOnce(throttled)
      .resolves({ tasks: [{ taskArn: TASK_ARN }], failures: [] });
    expect(await invoke(event)).toMatchObject({ exitCode: 75 });

    const answers = await Promise.all([invoke(event), invoke(event)]);

    expect(answers.map((answer) => answer.exitCode).sort()).toEqual([0, 75]);
    expect(answers.find((answer) => answer.exitCode === 75)?.error?.name).toBe('RunInProgress');
    const tokens = ecs.commandCalls(RunTaskCommand).map((call) => call.args[0].input.clientToken);
    expect(tokens).toEqual([runId, runId]);
  });

  it('refuses (64) a retry of a run whose start was refused when it asks for other args, starting nothing', async () => {
    const runId = '20261130-000000-retry3';
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'Capacity is unavailable at this time.' }] });
    await invoke({ task: 'backfill', args: { batchSize: 5 }, runId, source: 'cli' });
    const other = await invoke({ task: 'backfill', args: { batchSize: 6 }, runId, source: 'cli' });
    expect(other).toMatchObject({ exitCode: 64, error: { name: 'RunIdConflict' } });
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
  });

  it('refuses (75) a locked task whose lock a run that goes on holds, before any RunTask, and starts it on a retry once that run has ended', async () => {
    // given: a locked container task, its lock held by a run in progress
    const locked = defineTask({ ...backfill, name: 'locked', options: { runtime: 'container', timeoutSeconds: 3600, lock: true } });
    const lockedHandler = createAdminHandler({ tasks: { locked: async () => ({ default: locked }) }, ledger });
    const holder: RunRecord = {
      runId: 'holder-1',
      task: 'locked',
      args: {},
      release: RELEASE,
      source: 'cli',
      caller: 'bob',
      startedAt: new Date().toISOString(),
      log: 'x',
    };
    await ledger.claim(holder);
    const lock = await ledger.acquireLock('locked', { runId: 'holder-1', caller: 'bob', since: holder.startedAt });
    if (!lock.acquired) throw new Error('expected the lock');
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }], failures: [] });
    const event = { task: 'locked', args: { batchSize: 5 }, runId: '20261130-000000-lock01', source: 'cli', caller: 'alice' };

    // when
    const refused = await lockedHandler(event, {});

    // then: nothing started, and the run id is not used up
    expect(refused).toMatchObject({ exitCode: 75, error: { name: 'LockHeld' } });
    expect(refused.error?.message).toContain('locked by run holder-1 (caller bob)');
    expect(ecs.commandCalls(RunTaskCommand)).toEqual([]);
    expect(await ledger.get(event.runId)).toMatchObject({ exitCode: 75, notStarted: true });

    // when the holder's run has ended (its lease still live), a retry of the same run id starts the task
    await ledger.finish({ ...holder, endedAt: new Date().toISOString(), exitCode: 70 });
    const retry = await lockedHandler(event, {});
    expect(retry).toMatchObject({ exitCode: 0, container: { taskArn: TASK_ARN } });
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
    await lock.lease.release();
  });

  it('passes the config version the caller planned to the task, which reads that one, not the live one', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }], failures: [] });
    const event = { task: 'backfill', args: { batchSize: 5 }, runId: '20261130-000000-gate09', source: 'cli', configVersion: 4 };
    expect(await invoke(event)).toMatchObject({ exitCode: 0, container: { taskArn: TASK_ARN } });
    const [container] = ecs.commandCalls(RunTaskCommand)[0]?.args[0].input.overrides?.containerOverrides ?? [];
    const sent = container?.environment?.find((entry) => entry.name === 'CNF_ADMIN_EVENT')?.value ?? '{}';
    expect(JSON.parse(sent)).toMatchObject({ runId: event.runId, configVersion: 4 });
  });

  it('keeps, and answers, the end a task that did start recorded while ECS failed its RunTask (5xx): no refusal overwrites it', async () => {
    const runId = '20261130-000000-unkn03';
    const failed = ecsServerError();
    // ECS started the task, which claimed the run and ended it (exit 6) before the SDK gave up on RunTask's answer.
    ecs.on(RunTaskCommand).callsFake(async () => {
      const claimed = (await ledger.get(runId)) as RunRecord;
      await ledger.finish({ ...claimed, endedAt: new Date().toISOString(), exitCode: 6, durationMs: 5 });
      throw failed;
    });
    const result = await invoke({ task: 'backfill', args: { batchSize: 5 }, runId, source: 'cli' });
    // What happened is the answer: the caller and runs agree.
    expect(result).toMatchObject({ runId, exitCode: 6 });
    expect(result.error).toBeUndefined();
    const recorded = await ledger.get(runId);
    expect(recorded).toMatchObject({ exitCode: 6 });
    expect(recorded?.notStarted).toBeUndefined();
  });

  it('keeps, and answers, the end a task recorded between the read of the run and the write of the refusal: the write is conditional', async () => {
    const runId = '20261130-000000-unkn04';
    const failed = ecsServerError();
    ecs.on(RunTaskCommand).rejects(failed);
    // The task that ECS did start ends the run just as the admin function writes its refusal, after it read the run as going on.
    class RacingLedger extends FileLedger {
      async finishUnlessEnded(refusal: RunRecord): Promise<boolean> {
        const claimed = (await this.get(runId)) as RunRecord;
        await this.finish({ ...claimed, endedAt: new Date().toISOString(), exitCode: 6, durationMs: 5 });
        if ((await this.get(refusal.runId))?.endedAt !== undefined) return false;
        await this.finish(refusal);
        return true;
      }
    }
    const racing = new RacingLedger(tempDir('cnf-gate-racing-ledger'));
    const run = createAdminHandler({ tasks: { backfill: async () => ({ default: backfill }) }, ledger: racing });
    const result = await run({ task: 'backfill', args: { batchSize: 5 }, runId, source: 'cli' }, {});
    expect(result).toMatchObject({ runId, exitCode: 6 });
    expect(result.error).toBeUndefined();
    expect(await racing.get(runId)).toMatchObject({ exitCode: 6 });
  });

  it("logs and answers its own refusal when the ledger's conditional write was retried after it had succeeded, or cannot tell", async () => {
    const failed = ecsServerError();
    ecs.on(RunTaskCommand).rejects(failed);
    // The SDK retried a put that had succeeded: its condition fails on the end it wrote itself.
    class RetriedLedger extends FileLedger {
      async finishUnlessEnded(refusal: RunRecord): Promise<boolean> {
        await this.finish(refusal);
        return false;
      }
    }
    // The condition failed, and the record cannot be read back.
    class UnreadableLedger extends FileLedger {
      async finishUnlessEnded(): Promise<boolean> {
        this.get = () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
        return false;
      }
    }
    for (const [name, ledgerOf] of [
      ['retried', (dir: string) => new RetriedLedger(dir)],
      ['unread', (dir: string) => new UnreadableLedger(dir)],
    ] as const) {
      const lines: string[] = [];
      const spies = [process.stdout, process.stderr].map((stream) =>
        vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
          lines.push(String(chunk));
          return true;
        }),
      );
      const runId = `20261130-000000-${name}`;
      const run = createAdminHandler({
        tasks: { backfill: async () => ({ default: backfill }) },
        ledger: ledgerOf(tempDir('cnf-gate-ledger')),
      });
      const result = await run({ task: 'backfill', args: { batchSize: 5 }, runId, source: 'cli' }, {});
      for (const spy of spies) spy.mockRestore();
      expect(result, name).toMatchObject({ runId, exitCode: 69, error: { name: 'ContainerStartUnknown' } });
      const ended = lines.filter((line) => line.includes(RUN_ENDED)).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(ended, name).toEqual([expect.objectContaining({ exitCode: 69, notStarted: true })]);
      if (name === 'unread') expect(lines.join(''), name).toContain('Could not record the end of the run in the ledger');
    }
  });

  it('writes no refusal over a task that took the run over while ECS failed its RunTask (5xx): the run reads as going on', async () => {
    const event = { task: 'backfill', args: { batchSize: 5 }, runId: '20261130-000000-unkn05', source: 'cli' };
    const takenOverAt = '2026-11-30T00:00:01.000Z';
    // ECS started the task, which took the run over and runs on, before the SDK gave up on RunTask's answer.
    ecs.on(RunTaskCommand).callsFake(async () => {
      const claimed = (await ledger.get(event.runId)) as RunRecord;
      await ledger.finish({ ...claimed, containerStartedAt: takenOverAt });
      throw ecsServerError();
    });
    // Both ways a ledger writes the refusal: after a read (the file ledger), and in one conditional write.
    class ConditionalLedger extends FileLedger {
      async finishUnlessEnded(refusal: RunRecord): Promise<boolean> {
        const current = await this.get(refusal.runId);
        if (current === undefined || current.endedAt !== undefined || current.containerStartedAt !== undefined) return false;
        await this.finish(refusal);
        return true;
      }
    }
    for (const [name, used] of [
      ['read, then write', ledger],
      ['conditional write', new ConditionalLedger(tempDir('cnf-gate-conditional-ledger'))],
    ] as const) {
      ledger = used;
      const result = await invoke(event);
      expect(result, name).toMatchObject({ exitCode: 69, error: { name: 'ContainerStartUnknown' } });
      const recorded = await ledger.get(event.runId);
      expect(recorded, name).toMatchObject({ containerStartedAt: takenOverAt });
      expect([recorded?.endedAt, recorded?.notStarted], name).toEqual([undefined, undefined]);
    }
  });

  it('is taken over by the task it started, which records so before its task runs, and ends it', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }], failures: [] });
    const event = { task: 'backfill', args: { batchSize: 5 }, runId: '20261130-000000-take01', source: 'cli' };
    expect(await invoke(event)).toMatchObject({ exitCode: 0, container: { taskArn: TASK_ARN } });
    expect((await ledger.get(event.runId))?.containerStartedAt).toBeUndefined();
    // In the task: the runner's handler takes over the claim the admin function made.
    vi.stubEnv('CNF_CONTAINER_RUNNER', 'true');
    const seen: (RunRecord | undefined)[] = [];
    const inspected = defineTask({ ...backfill, run: async () => void seen.push(await ledger.get(event.runId)) });
    const container = createAdminHandler({ tasks: { backfill: async () => ({ default: inspected }) }, ledger });
    expect(await container(event, { claimedRun: true })).toMatchObject({ exitCode: 0 });
    expect(seen).toEqual([expect.objectContaining({ ecsTask: TASK_ARN, containerStartedAt: expect.any(String) })]);
    expect(seen[0]?.endedAt).toBeUndefined();
    expect(await ledger.get(event.runId)).toMatchObject({ exitCode: 0, containerStartedAt: seen[0]?.containerStartedAt });
  });

  it('is taken over by the task it started as a retry takes it over, when the refusal was recorded as the task took the claim', async () => {
    const event = { task: 'backfill', args: { batchSize: 5 }, runId: '20261130-000000-take02', source: 'cli' };
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }], failures: [] });
    expect(await invoke(event)).toMatchObject({ exitCode: 0 });
    // The admin function's refusal (ECS did not answer) lands between the task's read of the claim and its own write.
    class RefusedMeanwhile extends FileLedger {
      async finishUnlessEnded(): Promise<boolean> {
        const claimed = (await this.get(event.runId)) as RunRecord;
        await this.finish({ ...claimed, endedAt: new Date().toISOString(), exitCode: 69, durationMs: 5, notStarted: true });
        return false;
      }
    }
    const racing = new RefusedMeanwhile(tempDir('cnf-gate-ledger'));
    await racing.claim((await ledger.get(event.runId)) as RunRecord);
    vi.stubEnv('CNF_CONTAINER_RUNNER', 'true');
    const container = createAdminHandler({ tasks: { backfill: async () => ({ default: backfill }) }, ledger: racing });
    expect(await container(event, { claimedRun: true })).toMatchObject({ exitCode: 0 });
    expect(ran).toEqual(['backfill']);
    const recorded = await racing.get(event.runId);
    expect(recorded).toMatchObject({ exitCode: 0 });
    expect(recorded?.notStarted).toBeUndefined();
  });

  it('says that a start may have happened when ECS failed (5xx) or its answer could not be read; the run id stays free for that task or a retry', async () => {
    const unreadable = Object.assign(
      new Error('Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.'),
      { name: 'SyntaxError', $metadata: { httpStatusCode: 200 } },
    );
    const failed = ecsServerError();
    ecs.on(RunTaskCommand).rejectsOnce(unreadable).rejectsOnce(failed);
    for (const runId of ['20261130-000000-unkn01', '20261130-000000-unkn02']) {
      const result = await invoke({ task: 'backfill', args: { batchSize: 5 }, runId, source: 'cli' });
      expect(result).toMatchObject({ exitCode: 69, error: { name: 'ContainerStartUnknown' } });
      const message = result.error?.message ?? '';
      expect(message).toContain('a task may have started');
      expect(message).toContain(`cnf-admin runs show ${runId} --stage prod`);
      expect(message).toContain(`--started-by ${runId}`);
      expect(message).toContain(`send the same invoke again with --run-id ${runId}`);
      expect(message).not.toMatch(/nothing started|\$response|hidden field/);
      // The ledger says what is known: no task known to run, not a run going on until its time limit.
      expect(await ledger.get(runId)).toMatchObject({ exitCode: 69, notStarted: true, error: { name: 'ContainerStartUnknown' } });
    }
    const [first] = ecs.commandCalls(RunTaskCommand).map((call) => call.args[0].input.clientToken);

    // A retry of the first run id starts its task with the same client token: ECS answers with a task that did start.
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    const retried = await invoke({ task: 'backfill', args: { batchSize: 5 }, runId: '20261130-000000-unkn01', source: 'cli' });
    expect(retried).toMatchObject({ exitCode: 0, container: { taskArn: TASK_ARN } });
    expect(ecs.commandCalls(RunTaskCommand).at(-1)?.args[0].input.clientToken).toBe(first);
    expect(await ledger.get('20261130-000000-unkn01')).toMatchObject({ ecsTask: TASK_ARN });
    expect((await ledger.get('20261130-000000-unkn01'))?.endedAt).toBeUndefined();

    // A task the second attempt did start takes its run over when it runs, and records how it ended.
    vi.stubEnv('CNF_CONTAINER_RUNNER', 'true');
    mockClient(SSMClient).on(GetParametersByPathCommand).resolves({ Parameters: [] });
    const inTask = await invoke({ task: 'backfill', args: { batchSize: 5 }, runId: '20261130-000000-unkn02', source: 'cli' });
    expect(inTask).toMatchObject({ exitCode: 0 });
    expect(ran).toEqual(['backfill']);
    expect(await ledger.get('20261130-000000-unkn02')).toMatchObject({ exitCode: 0, task: 'backfill' });
    expect((await ledger.get('20261130-000000-unkn02'))?.notStarted).toBeUndefined();
  });

  it('is refused (69) on a stage whose admin function has no container settings, before anything is recorded', async () => {
    vi.stubEnv('CNF_CONTAINER', '');
    const result = await invoke({ task: 'backfill', args: { batchSize: 5 }, runId: '20261130-000000-gate05', source: 'cli' });
    expect(result).toMatchObject({ exitCode: 69, error: { name: 'ContainerTasksUnavailable' } });
    expect(await ledger.get('20261130-000000-gate05')).toBeUndefined();
  });
});

describe('control tasks of container runs', () => {
  const running: RunRecord = {
    runId: '20261130-000000-ctrl01',
    task: 'backfill',
    args: { batchSize: 5 },
    release: RELEASE,
    source: 'cli',
    caller: 'alice',
    startedAt: '2026-11-30T00:00:00.000Z',
    log: 'x',
    ecsTask: TASK_ARN,
  };

  it('cnf:stop stops the run’s own task, naming the caller', async () => {
    await ledger.claim(running);
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK_ARN, startedBy: running.runId, lastStatus: 'RUNNING' }] });
    ecs.on(StopTaskCommand).resolves({});
    const result = await invoke({ task: 'cnf:stop', args: { runId: running.runId }, source: 'cli', caller: 'bob' });
    expect(result).toMatchObject({ exitCode: 0, output: { stoppedTasks: [TASK_ARN] } });
    expect(ecs.commandCalls(StopTaskCommand)[0]?.args[0].input).toEqual({
      cluster: SETTINGS.cluster,
      task: TASK_ARN,
      reason: `Stopped by bob with cnf-admin stop ${running.runId}`,
    });
  });

  it('cnf:stop records on the run who asked for the stop, and when, before its StopTask: the container tells it from a Spot reclaim', async () => {
    const runId = '20261130-000000-ctrl06';
    await ledger.claim({ ...running, runId });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK_ARN, startedBy: runId, lastStatus: 'RUNNING' }] });
    let atStopTask: RunRecord | undefined;
    ecs.on(StopTaskCommand).callsFake(async () => {
      atStopTask = await ledger.get(runId);
      return {};
    });
    const result = await invoke({ task: 'cnf:stop', args: { runId }, source: 'cli', caller: 'bob' });
    expect(result.exitCode).toBe(0);
    expect(atStopTask).toMatchObject({ stopRequestedBy: 'bob', stopRequestedAt: expect.any(String) });
    expect(atStopTask?.endedAt).toBeUndefined();
  });

  it("cnf:stop whose StopTask ECS throttled is 75 and names ECS's call, not a throttled run ledger", async () => {
    const runId = '20261130-000000-ctrl08';
    await ledger.claim({ ...running, runId });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK_ARN, startedBy: runId, lastStatus: 'RUNNING' }] });
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    ecs.on(StopTaskCommand).rejects(throttled);
    const result = await invoke({ task: 'cnf:stop', args: { runId }, source: 'cli', caller: 'bob' });
    expect(result).toMatchObject({ exitCode: 75, error: { name: 'ContainerTasksUnavailable' } });
    expect(result.error?.message).toBe('cnf:stop failed: ECS StopTask: ThrottlingException: Rate exceeded. Try again shortly.');
  });

  it("cnf:stop whose StopTask ECS denied says the admin function's role lacks the grant, and that a deploy of the stage gives it", async () => {
    const runId = '20261130-000000-ctrl09';
    await ledger.claim({ ...running, runId });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK_ARN, startedBy: runId, lastStatus: 'RUNNING' }] });
    const denied = Object.assign(new Error('not authorized to perform: ecs:StopTask'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    ecs.on(StopTaskCommand).rejects(denied);
    const result = await invoke({ task: 'cnf:stop', args: { runId }, source: 'cli', caller: 'bob' });
    expect(result).toMatchObject({ exitCode: 69, error: { name: 'ContainerTasksUnavailable' } });
    expect(result.error?.message).toBe(
      "cnf:stop failed: ECS StopTask: AccessDeniedException: not authorized to perform: ecs:StopTask. The admin function's role may not call ecs:StopTask: deploy the stage again (npx cdk deploy -c stage=prod), which grants it.",
    );
  });

  it('cnf:stop refuses (64) a run that ends while it is asked to stop, calling no StopTask and keeping the run’s end', async () => {
    const runId = '20261130-000000-ctrl07';
    await ledger.claim({ ...running, runId });
    const ended = { ...running, runId, endedAt: '2026-11-30T00:02:00.000Z', exitCode: 0 };
    ecs.on(DescribeTasksCommand).callsFake(async () => {
      await ledger.finish(ended);
      return { tasks: [{ taskArn: TASK_ARN, startedBy: runId, lastStatus: 'RUNNING' }] };
    });
    const result = await invoke({ task: 'cnf:stop', args: { runId }, source: 'cli', caller: 'bob' });
    expect(result).toMatchObject({ exitCode: 64, error: { name: 'RunNotStoppable' } });
    expect(result.error?.message).toContain('already ended (2026-11-30T00:02:00.000Z, exit 0)');
    expect(ecs.commandCalls(StopTaskCommand)).toEqual([]);
    expect(await ledger.get(runId)).toEqual(ended);
  });

  it('cnf:stop refuses (64) a run that ended, one on Lambda, and one it does not know, stopping nothing', async () => {
    await ledger.claim({ ...running, runId: '20261130-000000-ctrl02', endedAt: '2026-11-30T00:01:00.000Z', exitCode: 0 });
    await ledger.claim({ ...running, runId: '20261130-000000-ctrl03', ecsTask: undefined });
    const answers = await Promise.all(
      ['20261130-000000-ctrl02', '20261130-000000-ctrl03', '20261130-000000-nosuch'].map((runId) =>
        invoke({ task: 'cnf:stop', args: { runId }, source: 'cli' }),
      ),
    );
    expect(answers.map((answer) => [answer.exitCode, answer.error?.name])).toEqual([
      [64, 'RunNotStoppable'],
      [64, 'RunNotStoppable'],
      [64, 'UnknownRun'],
    ]);
    expect(ecs.commandCalls(StopTaskCommand)).toEqual([]);
  });

  it('cnf:stop refuses (77) a task that was not started for the run, or is not in the cluster, stopping nothing', async () => {
    // a record an operator wrote (PutItem on run#), naming another service's task of the cluster
    await ledger.claim({ ...running, runId: '20261130-000000-forged' });
    ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [{ taskArn: TASK_ARN, startedBy: 'ecs-svc/1234567890', lastStatus: 'RUNNING' }] })
      .resolvesOnce({ tasks: [], failures: [{ arn: TASK_ARN, reason: 'MISSING' }] });
    const answers = [
      await invoke({ task: 'cnf:stop', args: { runId: '20261130-000000-forged' }, source: 'cli' }),
      await invoke({ task: 'cnf:stop', args: { runId: '20261130-000000-forged' }, source: 'cli' }),
    ];
    expect(answers.map((answer) => [answer.exitCode, answer.error?.name])).toEqual([
      [77, 'RunNotStoppable'],
      [77, 'RunNotStoppable'],
    ]);
    expect(answers[0]?.error?.message).toContain('was not started for this run');
    expect(answers[1]?.error?.message).toContain('is not in the stage’s cluster');
    expect(ecs.commandCalls(StopTaskCommand)).toEqual([]);
  });

  it('cnf:settle records the end of a task killed for out of memory (70), as ECS tells it', async () => {
    await ledger.claim({ ...running, runId: '20261130-000000-ctrl04' });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: TASK_ARN,
          lastStatus: 'STOPPED',
          stopCode: 'EssentialContainerExited',
          stoppedAt: new Date('2026-11-30T00:05:00.000Z'),
          memory: '2048',
          containers: [{ name: 'admin', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }],
        },
      ],
    });
    const result = await invoke({ task: 'cnf:settle', args: { runId: '20261130-000000-ctrl04' }, source: 'cli' });
    expect(result).toMatchObject({ exitCode: 0, output: { exitCode: 70, error: { name: 'OutOfMemoryError' } } });
    expect(await ledger.get('20261130-000000-ctrl04')).toMatchObject({
      endedAt: '2026-11-30T00:05:00.000Z',
      exitCode: 70,
      durationMs: 300_000,
      error: { name: 'OutOfMemoryError' },
    });
  });

  describe('cnf:settle, where ECS quotes a secure value in its reasons', () => {
    const SECRET = 'postgres://app:hunter22@db/app';
    // Made in each test: a mock made when the file is collected is replaced by the one an earlier test makes.
    let ssm = mockClient(SSMClient);
    beforeEach(() => {
      ssm = mockClient(SSMClient);
    });
    afterEach(() => ssm.restore());

    async function settleQuoting(runId: string) {
      await ledger.claim({ ...running, runId });
      ecs.on(DescribeTasksCommand).resolves({
        tasks: [
          {
            taskArn: TASK_ARN,
            lastStatus: 'STOPPED',
            stopCode: 'TaskFailedToStart',
            stoppedAt: new Date('2026-11-30T00:05:00.000Z'),
            stoppedReason: `ResourceInitializationError: cannot resolve DATABASE_URL=${SECRET}`,
          },
        ],
      });
      const result = await invoke({ task: 'cnf:settle', args: { runId }, source: 'cli' });
      return { result, record: await ledger.get(runId) };
    }

    it('records them without the secure values of the config the run read', async () => {
      ssm
        .on(GetParametersByPathCommand)
        .resolves({ Parameters: [{ Name: '/fixture/prod/DATABASE_URL', Type: 'SecureString', Value: SECRET }] });

      const { result, record } = await settleQuoting('20261130-000000-ctrl08');

      expect(record).toMatchObject({ exitCode: 69, error: { name: 'TaskFailedToStartError' } });
      expect(record?.error?.message).toContain('ResourceInitializationError: cannot resolve DATABASE_URL=[redacted]');
      expect(JSON.stringify([result, record])).not.toContain('hunter22');
    });

    it('records none of their words where that config cannot be read: the end, its stop code, why not, and where ECS still tells them', async () => {
      ssm
        .on(GetParametersByPathCommand)
        .rejects(Object.assign(new Error('not authorized to perform: ssm:GetParametersByPath'), { name: 'AccessDeniedException' }));

      const { result, record } = await settleQuoting('20261130-000000-ctrl09');

      expect(record).toMatchObject({ exitCode: 69, error: { name: 'TaskFailedToStartError' } });
      expect(record?.error?.message).toMatch(
        /^The task ended: TaskFailedToStartError \(TaskFailedToStart\)\. ECS's reason is not shown: it may quote a secure value, and the stage's config, which names them, could not be read \(.*not authorized to perform: ssm:GetParametersByPath.*\); read them with: aws ecs describe-tasks --cluster arn:aws:ecs:eu-west-1:123456789012:cluster\/fixture-prod-admin --tasks arn:aws:ecs:eu-west-1:123456789012:task\/fixture-prod-admin\/0123456789abcdef, while ECS keeps the stopped task \(about an hour\)\.$/,
      );
      expect(JSON.stringify([result, record])).not.toContain('hunter22');
    });
  });

  it('cnf:settle records a run whose task ECS no longer knows as lost (70), but not within a minute of its start', async () => {
    const justStarted = { ...running, runId: '20261130-000000-ctrl06', startedAt: new Date(Date.now() - 5_000).toISOString() };
    await ledger.claim({ ...running, runId: '20261130-000000-ctrl07' });
    await ledger.claim(justStarted);
    ecs.on(DescribeTasksCommand).resolves({ tasks: [], failures: [{ arn: TASK_ARN, reason: 'MISSING' }] });
    const settled = await Promise.all(
      ['20261130-000000-ctrl07', '20261130-000000-ctrl06'].map((runId) => invoke({ task: 'cnf:settle', args: { runId }, source: 'cli' })),
    );
    expect(settled.map((result) => result.exitCode)).toEqual([0, 0]);
    expect(await ledger.get('20261130-000000-ctrl07')).toMatchObject({ exitCode: 70, error: { name: 'RunLostError' } });
    // ECS's reads lag behind RunTask: the task may be starting, and a lost run would refuse it when it runs.
    expect(await ledger.get('20261130-000000-ctrl06')).toEqual(justStarted);
  });

  it('cnf:settle leaves a run whose task still runs as it is', async () => {
    await ledger.claim({ ...running, runId: '20261130-000000-ctrl05' });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK_ARN, lastStatus: 'RUNNING' }] });
    const result = await invoke({ task: 'cnf:settle', args: { runId: '20261130-000000-ctrl05' }, source: 'cli' });
    expect(result.exitCode).toBe(0);
    expect((await ledger.get('20261130-000000-ctrl05'))?.endedAt).toBeUndefined();
  });
});
