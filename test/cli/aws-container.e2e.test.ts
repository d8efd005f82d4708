/**
 * A container task through the real binary and the real SDK on the wire:
 * `AWS_ENDPOINT_URL` points at a fake AWS that speaks ECS's JSON protocol
 * (RunTask, DescribeTasks, ListTasks, StopTask) beside SSM, STS, Lambda and
 * CloudWatch Logs.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_BIN, cliEnvironment, finished, runCli } from '../support/cli.js';
import { withoutAwsSettings } from '../support/aws-cli.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { CONTAINER_RECORD, CONTAINER_TASK, containerLog, containerScenario, exitedStates } from '../support/aws-container-scenario.js';
import { healthyScenario, RELEASE, type AwsScenario } from '../support/aws-scenario.js';
import { startFakeAws, type FakeAws } from '../support/fake-aws-server.js';

const RUN_ID = '20261130-043000-wire01';
const servers: FakeAws[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function fakeAws(overrides: Partial<AwsScenario>): Promise<FakeAws> {
  const server = await startFakeAws(healthyScenario(containerScenario(overrides)));
  servers.push(server);
  return server;
}

function environment(server: FakeAws): NodeJS.ProcessEnv {
  return {
    ...withoutAwsSettings(),
    AWS_ENDPOINT_URL: server.url,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    CNF_LOG_WAIT_SECONDS: '1',
  };
}

const cnfAdmin = (server: FakeAws, args: string[]) => runCli(args, { cwd: FIXTURE_ROOT, env: environment(server) });
const ecsCalls = (server: FakeAws, operation: string) =>
  server.requests.filter((request) => request.service === 'ecs' && request.operation === operation);

describe('a container task on the wire', () => {
  it("runs the live release's task definition with the run id as client token, shows its log, and exits with its code", async () => {
    const server = await fakeAws({ ecs: { states: exitedStates(7) }, logEvents: containerLog(7, { batches: 1 }) });
    const result = await cnfAdmin(server, ['invoke', CONTAINER_TASK, '--stage', 'prod', '--run-id', RUN_ID]);
    expect(result.code).toBe(7);
    const [runTask] = ecsCalls(server, 'RunTask');
    const body = JSON.parse(runTask?.body ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({
      clientToken: RUN_ID,
      startedBy: RUN_ID,
      taskDefinition: `fixture-prod-admin-${RELEASE}`,
      launchType: 'FARGATE',
    });
    expect(ecsCalls(server, 'DescribeTasks').length).toBeGreaterThanOrEqual(3);
    expect(server.requests.some((request) => request.service === 'lambda' && request.operation.startsWith('Invoke'))).toBe(false);
    expect(result.stderr).toContain('Started ECS task 0123456789abcdef');
    expect(result.stdout).toContain('Batch 1: up to note 500, 3 changed');
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
      logEvents: containerLog(0).slice(0, 2),
    });
    const result = await cnfAdmin(server, ['invoke', CONTAINER_TASK, '--stage', 'prod']);
    expect(result.code).toBe(70);
    expect(result.stderr).toContain('The task ran out of memory (2048 MiB)');
  });

  it('says there is no capacity, exits 75, and starts nothing else', async () => {
    const server = await fakeAws({ ecs: { failures: [{ reason: 'Capacity is unavailable at this time.' }] } });
    const result = await cnfAdmin(server, ['invoke', CONTAINER_TASK, '--stage', 'prod']);
    expect(result.code).toBe(75);
    expect(result.stderr).toContain('ECS has no capacity');
    expect(ecsCalls(server, 'DescribeTasks')).toEqual([]);
  });

  it('--detach starts the task, prints the run id, and watches nothing', async () => {
    const server = await fakeAws({});
    const result = await cnfAdmin(server, ['invoke', CONTAINER_TASK, '--stage', 'prod', '--detach', '--run-id', RUN_ID]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(RUN_ID);
    expect(ecsCalls(server, 'RunTask')).toHaveLength(1);
    expect(ecsCalls(server, 'DescribeTasks')).toEqual([]);
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

  it('stop <runId> stops the run’s task, naming the caller', async () => {
    const task = 'arn:aws:ecs:eu-west-1:123456789012:task/fixture-prod-admin/0123456789abcdef';
    const server = await fakeAws({ ecs: { running: { [RUN_ID]: [task] } } });
    const result = await cnfAdmin(server, ['stop', RUN_ID, '--stage', 'prod']);
    expect(result.code).toBe(0);
    expect(JSON.parse(ecsCalls(server, 'StopTask')[0]?.body ?? '{}')).toMatchObject({
      task,
      reason: `Stopped by arn:aws:sts::123456789012:assumed-role/operator/alice with cnf-admin stop ${RUN_ID}`,
    });
    expect(result.stderr).toContain(`cnf-admin logs ${RUN_ID} --stage prod --follow`);
  });

  it('Ctrl-C leaves the task running, says how to follow it, and exits 130', async () => {
    const server = await fakeAws({ ecs: { states: [{ lastStatus: 'RUNNING' }] }, logEvents: containerLog(0).slice(0, 2) });
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
    expect(ecsCalls(server, 'StopTask')).toEqual([]);
  });
});
