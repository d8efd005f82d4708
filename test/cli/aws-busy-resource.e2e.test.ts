/**
 * AWS calls refused because the resource is in the middle of another change
 * (a deploy updating the function: Lambda's 409 ResourceConflictException; a
 * concurrent write of a parameter: SSM's TooManyUpdates), through the real
 * binary and the real SDK on the wire. AWS did nothing, and the same command
 * works once that change is done: 75 (try again), not 64 (a usage error the
 * user must fix).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { fakeAwsEnvironment } from '../support/aws-cli.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { healthyScenario, OLD_RELEASE } from '../support/aws-scenario.js';
import { startFakeAws, type FakeAws, type FakeAwsOptions } from '../support/fake-aws-server.js';

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;
const servers: FakeAws[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function cnfAdmin(failures: FakeAwsOptions['failures'], args: readonly string[]) {
  const server = await startFakeAws(healthyScenario(), { failures });
  servers.push(server);
  const result = await runCli([...args, '--stage', 'prod'], {
    cwd: FIXTURE_ROOT,
    env: fakeAwsEnvironment(server.url, { CNF_LOG_WAIT_SECONDS: '1' }),
  });
  return { ...result, server };
}

describe('a resource busy with another change', () => {
  it('config set refused with TooManyUpdates: 75, nothing set, no config version', async () => {
    const busy = {
      status: 400,
      name: 'TooManyUpdates',
      message: 'There are concurrent updates for a resource that supports one update at a time.',
    };
    const result = await cnfAdmin({ PutParameter: [busy] }, ['config', 'set', 'GREETING', 'hello']);
    expect(result.code).toBe(75);
    expect(result.stderr).toContain(
      'AWS refused ssm:PutParameter on parameter /fixture/prod/GREETING: another change to it is in progress (TooManyUpdates: There are concurrent updates',
    );
    expect(result.stderr).toContain('Nothing changed; try again in a moment, once that change is done.');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.server.ssm.versions('/fixture/prod/GREETING')).toEqual([]);
    expect(result.server.dynamodb.unmarshalledItems()).toEqual([]);
  });

  it('invoke refused with ResourceConflictException (the function is being updated): 75, nothing ran', async () => {
    const conflict = {
      status: 409,
      name: 'ResourceConflictException',
      message: 'The operation cannot be performed at this time. An update is in progress for resource: fixture-prod-admin',
    };
    const result = await cnfAdmin({ InvokeWithResponseStream: [conflict] }, ['invoke', 'noop', '--run-id', 'busy-1']);
    expect(result.code).toBe(75);
    expect(result.stderr).toContain(
      'AWS refused lambda:InvokeFunction on function fixture-prod-admin:5: another change to it is in progress (ResourceConflictException: The operation cannot be performed at this time.',
    );
    expect(result.stderr).toContain('Nothing changed; try again in a moment, once that change is done.');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.server.requests.filter((request) => request.operation === 'InvokeWithResponseStream')).toHaveLength(1);
  });

  it('a rollback whose alias move is refused with ResourceConflictException (a deploy in progress): 75, nothing moved, recorded as 75', async () => {
    const conflict = { status: 409, name: 'ResourceConflictException', message: 'An update is in progress for resource: fixture-prod-web' };
    const result = await cnfAdmin({ UpdateAlias: [conflict] }, ['rollback', '--to', OLD_RELEASE, '--yes', '--run-id', 'rb-busy']);
    expect(result.code).toBe(75);
    expect(result.stderr).toContain(
      'AWS refused lambda:UpdateAlias on function fixture-prod-web alias live: another change to it is in progress',
    );
    expect(result.stderr).toContain('Nothing moved');
    expect(result.server.aliases.web.live?.version).toBe('7');
    expect(result.server.aliases.admin.live?.version).toBe('5');
    expect(result.server.dynamodb.unmarshalledItems()).toEqual([
      expect.objectContaining({
        runId: 'rb-busy',
        task: 'cnf:rollback',
        exitCode: 75,
        error: expect.objectContaining({ name: 'TryAgainError' }),
      }),
    ]);
  });
});
