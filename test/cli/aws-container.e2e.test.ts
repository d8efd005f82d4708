/**
 * A container task through the real binary and the real SDK on the wire:
 * `AWS_ENDPOINT_URL` points at a fake AWS that speaks ECS's JSON protocol
 * (DescribeTasks: the CLI only watches tasks) beside SSM, STS, Lambda (whose
 * admin function answers as the gate that starts container runs) and
 * CloudWatch Logs.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_BIN, cliEnvironment, finished, runCli } from '../support/cli.js';
import { fakeAwsEnvironment } from '../support/aws-cli.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import {
  CONTAINER_RECORD,
  CONTAINER_TASK,
  containerLog,
  containerScenario,
  exitedStates,
  gateStream,
  startedResult,
  TASK_ARN,
} from '../support/aws-container-scenario.js';
import { healthyScenario, OLD_RELEASE, RELEASE, type AwsScenario } from '../support/aws-scenario.js';
import { startFakeAws, type FakeAws, type FakeAwsOptions } from '../support/fake-aws-server.js';

const RUN_ID = '20261130-043000-wire01';
const servers: FakeAws[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function fakeAws(overrides: Partial<AwsScenario>, options: FakeAwsOptions = {}): Promise<FakeAws> {
  const server = await startFakeAws(healthyScenario(containerScenario(overrides)), options);
  servers.push(server);
  return server;
}

function environment(server: FakeAws): NodeJS.ProcessEnv {
  return fakeAwsEnvironment(server.url, { CNF_LOG_WAIT_SECONDS: '1' });
}

const cnfAdmin = (server: FakeAws, args: string[]) => runCli(args, { cwd: FIXTURE_ROOT, env: environment(server) });
const ecsCalls = (server: FakeAws, operation: string) =>
  server.requests.filter((request) => request.service === 'ecs' && request.operation === operation);

describe('a container task on the wire', () => {
  it('asks the live admin function to start the run, shows its log, and exits with its code: the CLI calls no RunTask', async () => {
    const server = await fakeAws({ ecs: { states: exitedStates(7) }, logEvents: containerLog(7, { batches: 1 }) });
    const result = await cnfAdmin(server, ['invoke', CONTAINER_TASK, '--stage', 'prod', '--run-id', RUN_ID]);
    expect(result.code).toBe(7);
    const [invoke] = server.requests.filter((request) => request.operation === 'InvokeWithResponseStream');
    expect(JSON.parse(invoke?.body ?? '{}')).toMatchObject({ task: CONTAINER_TASK, runId: RUN_ID, release: RELEASE, source: 'cli' });
    expect(ecsCalls(server, 'RunTask')).toEqual([]);
    expect(ecsCalls(server, 'DescribeTasks').length).toBeGreaterThanOrEqual(3);
    expect(result.stderr).toContain('Started ECS task 0123456789abcdef');
    expect(result.stdout).toContain('Batch 1: up to note 500, 3 changed');
    // The gate's line, shown as the function streamed it, is not shown again when CloudWatch has it too.
    expect(result.stdout.split(`Started ECS task 0123456789abcdef`)).toHaveLength(2);
  });

  it('an ECS call denied while following a started task: 69, the run goes on, never "try again" (a second run)', async () => {
    const denied = { status: 400, name: 'AccessDeniedException', message: 'not authorized to perform: ecs:DescribeTasks' };
    const server = await fakeAws(
      { ecs: { states: exitedStates(7) }, logEvents: containerLog(7, { batches: 1 }) },
      { failures: { DescribeTasks: [denied, denied, denied, denied, denied, denied] } },
    );
    const result = await cnfAdmin(server, ['invoke', CONTAINER_TASK, '--stage', 'prod', '--run-id', RUN_ID, '--json']);
    expect(result.code).toBe(69);
    expect(result.stderr).toContain(`Run ${RUN_ID} was started and goes on in AWS, but cnf-admin could no longer follow it`);
    // Following needs the same permission: it says to mend that first, and where the policy is.
    expect(result.stderr).toContain(
      `Do not start it again: follow it once you may (cnf-admin policy --stage prod lists what it takes) with: cnf-admin logs ${RUN_ID} --stage prod --follow`,
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ runId: RUN_ID, exitCode: 69 });
  });

  it('ECS throttling DescribeTasks while following: 69, the run goes on and how to follow it, never "nothing changed"', async () => {
    const throttled = { status: 400, name: 'ThrottlingException', message: 'Rate exceeded' };
    const server = await fakeAws(
      { ecs: { states: exitedStates(7) }, logEvents: containerLog(7, { batches: 1 }) },
      { failures: { DescribeTasks: Array.from({ length: 6 }, () => throttled) } },
    );
    const result = await cnfAdmin(server, ['invoke', CONTAINER_TASK, '--stage', 'prod', '--run-id', RUN_ID]);
    expect(result.code).toBe(69);
    expect(result.stderr).toContain(`Run ${RUN_ID} was started and goes on in AWS`);
    expect(result.stderr).toContain('AWS throttled ecs:DescribeTasks');
    expect(result.stderr).toContain(`follow it with: cnf-admin logs ${RUN_ID} --stage prod --follow`);
    expect(result.stderr).not.toMatch(/nothing changed|try again/i);
  });

  it('refuses a bad argument before any task starts (64), with the function’s one line', async () => {
    const refusal = {
      ...startedResult(),
      container: undefined,
      exitCode: 64,
      error: { name: 'InvalidArgs', message: 'Invalid args for backfill: --batch-size: Too small: expected number to be >=1' },
    };
    const server = await fakeAws({ stream: gateStream(refusal, 'Invalid args') });
    const result = await cnfAdmin(server, ['invoke', CONTAINER_TASK, '--stage', 'prod', '--', '--batch-size', '0']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('Invalid args for backfill: --batch-size');
    expect(result.stderr).not.toContain('Started ECS task');
    expect(ecsCalls(server, 'DescribeTasks')).toEqual([]);
  });

  it('says a retried --run-id already ran, exits with its code, and replays no old task', async () => {
    const old = { ...startedResult(), container: undefined, exitCode: 5, durationMs: 4000 };
    const server = await fakeAws({
      stream: gateStream(old, `Run $RUN_ID already ran (ended 2026-11-30T04:10:00.000Z, exit 5); nothing ran again.`),
    });
    const result = await cnfAdmin(server, ['invoke', CONTAINER_TASK, '--stage', 'prod', '--run-id', RUN_ID]);
    expect(result.code).toBe(5);
    expect(`${result.stdout}${result.stderr}`).toContain(`Run ${RUN_ID} already ran`);
    expect(result.stderr).not.toContain('Started ECS task');
    expect(ecsCalls(server, 'DescribeTasks')).toEqual([]);
  });

  it.each([
    ['console: "yes"', { console: 'yes' }, '"console": expected boolean'],
    ['a container without its network', { container: { cluster: 'c' } }, '"container.taskFamily"'],
  ])('refuses a damaged stage record (%s) with 69, naming the field, and starts nothing', async (_what, damage, named) => {
    const server = await startFakeAws(healthyScenario({ ...containerScenario(), record: damage as never }));
    servers.push(server);
    const result = await cnfAdmin(server, ['invoke', CONTAINER_TASK, '--stage', 'prod']);
    expect(result.code).toBe(69);
    expect(result.stderr).toContain('The stage record at /fixture/prod/_cnf/stage cannot be read');
    expect(result.stderr).toContain(named);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(server.requests.filter((request) => request.operation.startsWith('Invoke'))).toEqual([]);
  });

  it('keeps the release lock: web and admin on different releases is 78, and nothing starts', async () => {
    const server = await fakeAws({
      aliases: { web: { live: { version: '7', release: RELEASE } }, admin: { live: { version: '4', release: 'r-00000000aaaa' } } },
    });
    const result = await cnfAdmin(server, ['invoke', CONTAINER_TASK, '--stage', 'prod']);
    expect(result.code).toBe(78);
    expect(ecsCalls(server, 'RunTask')).toEqual([]);
  });

  it('names an out-of-memory stop and exits 70', async () => {
    const server = await fakeAws({
      ecs: {
        states: exitedStates(137, {
          containers: [{ name: 'admin', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }],
        }),
      },
      logEvents: containerLog(0).slice(0, 4),
    });
    const result = await cnfAdmin(server, ['invoke', CONTAINER_TASK, '--stage', 'prod']);
    expect(result.code).toBe(70);
    expect(result.stderr).toContain('The task ran out of memory (2048 MiB)');
  });

  it('says there is no capacity and exits 75: the function started nothing, nothing is watched', async () => {
    const failed = {
      ...startedResult(),
      container: undefined,
      exitCode: 75,
      error: { name: 'ContainerStartFailed', message: 'ECS has no capacity for run x now: Capacity is unavailable; nothing started.' },
    };
    const server = await fakeAws({ stream: gateStream(failed, 'ECS has no capacity') });
    const result = await cnfAdmin(server, ['invoke', CONTAINER_TASK, '--stage', 'prod']);
    expect(result.code).toBe(75);
    expect(result.stderr).toContain('ECS has no capacity');
    expect(ecsCalls(server, 'DescribeTasks')).toEqual([]);
  });

  it('--detach asks the function to start the task, prints the run id, and watches nothing', async () => {
    const server = await fakeAws({});
    const result = await cnfAdmin(server, ['invoke', CONTAINER_TASK, '--stage', 'prod', '--detach', '--run-id', RUN_ID]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(RUN_ID);
    // One start of the run; the check before it (the catalog, as for any --detach) runs no task.
    const invokes = server.requests.filter((request) => request.operation === 'Invoke' && !request.body.includes('"cnf:describe"'));
    expect(invokes).toHaveLength(1);
    expect(invokes[0]?.headers['x-amz-invocation-type']).toBe('RequestResponse');
    expect(ecsCalls(server, 'DescribeTasks')).toEqual([]);
  });

  it('--detach refuses a bad argument as attached does (64), and prints no run id', async () => {
    const refusal = {
      ...startedResult(),
      container: undefined,
      exitCode: 64,
      error: { name: 'InvalidArgs', message: 'Invalid args for backfill: batchSize' },
    };
    const server = await fakeAws({ invoke: { payload: JSON.stringify(refusal) } });
    const result = await cnfAdmin(server, ['invoke', CONTAINER_TASK, '--stage', 'prod', '--detach', '--', '--batch-size', '0']);
    expect(result.code).toBe(64);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Invalid args for backfill: batchSize');
  });

  it('status names the container tasks, their task definition and cluster, as the stage record names them', async () => {
    const server = await fakeAws({});
    const status = await cnfAdmin(server, ['status', '--stage', 'prod']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(
      [
        `Container tasks (ECS Fargate): ${CONTAINER_TASK} (up to 4h1m)`,
        `  task definition  fixture-prod-admin-${RELEASE}`,
        '  cluster          fixture-prod-admin',
      ].join('\n'),
    );
    const json = await cnfAdmin(server, ['status', '--stage', 'prod', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).container).toEqual({
      cluster: CONTAINER_RECORD.cluster,
      taskDefinition: CONTAINER_RECORD.taskFamily,
      tasks: [{ name: CONTAINER_TASK, timeLimitSeconds: 4 * 3600 + 60 }],
    });
    expect(ecsCalls(server, 'DescribeTasks')).toEqual([]);
  });

  it("status after a rollback says the container tasks it lists are the deployed release's, not the live one's", async () => {
    // the stage record is the deploy's of RELEASE; a rollback moved the live pair back to OLD_RELEASE
    const server = await fakeAws({
      aliases: { web: { live: { version: '6', release: OLD_RELEASE } }, admin: { live: { version: '4', release: OLD_RELEASE } } },
    });
    const status = await cnfAdmin(server, ['status', '--stage', 'prod']);
    expect(status.code, status.stderr).toBe(0);
    // the first line wraps at the terminal's width
    expect(status.stdout.replace(/\s+/g, ' ')).toContain(
      `Container tasks (ECS Fargate) of the deployed release ${RELEASE}, not the live ${OLD_RELEASE}: ${CONTAINER_TASK} (up to 4h1m) task definition fixture-prod-admin-${OLD_RELEASE}`,
    );
    const json = await cnfAdmin(server, ['status', '--stage', 'prod', '--json']);
    expect(JSON.parse(json.stdout).container).toMatchObject({ tasksOf: RELEASE });
  });

  it('--dry-run shows the task definition, cluster and subnets, and starts nothing', async () => {
    const server = await fakeAws({});
    const result = await cnfAdmin(server, ['invoke', CONTAINER_TASK, '--stage', 'prod', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`task     definition fixture-prod-admin-${RELEASE}`);
    expect(result.stdout).toContain(`cluster  ${CONTAINER_RECORD.cluster}`);
    expect(result.stdout).toContain('subnets  subnet-private-a, subnet-private-b');
    expect(ecsCalls(server, 'RunTask')).toEqual([]);
  });

  it('stop <runId> asks the admin function to stop the run’s task, naming the caller; the CLI calls no StopTask', async () => {
    const server = await fakeAws({
      invoke: {
        payload: JSON.stringify({ ...startedResult(), container: undefined, output: { runId: RUN_ID, stoppedTasks: [TASK_ARN] } }),
      },
    });
    const result = await cnfAdmin(server, ['stop', RUN_ID, '--stage', 'prod']);
    expect(result.code).toBe(0);
    const [invoke] = server.requests.filter((request) => request.operation === 'Invoke');
    expect(JSON.parse(invoke?.body ?? '{}')).toMatchObject({
      task: 'cnf:stop',
      args: { runId: RUN_ID },
      caller: 'arn:aws:sts::123456789012:assumed-role/operator/alice',
    });
    expect(ecsCalls(server, 'StopTask')).toEqual([]);
    expect(result.stderr).toContain(`cnf-admin logs ${RUN_ID} --stage prod --follow`);
  });

  it('shows the container’s lines while the task runs, past the gate’s REPORT; Ctrl-C leaves the task running and exits 130', async () => {
    const server = await fakeAws({ ecs: { states: [{ lastStatus: 'RUNNING' }] }, logEvents: containerLog(0).slice(0, 4) });
    const child = spawn(process.execPath, [CLI_BIN, 'invoke', CONTAINER_TASK, '--stage', 'prod', '--run-id', RUN_ID], {
      cwd: FIXTURE_ROOT,
      env: cliEnvironment(environment(server)),
      stdio: 'pipe',
    });
    child.stdin.end();
    const done = finished(child);
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('Batch 1')) resolve();
      });
    });
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(`cnf-admin logs ${RUN_ID} --stage prod --follow`);
    expect(server.requests.filter((request) => request.operation === 'Invoke')).toEqual([]);
  });
});
