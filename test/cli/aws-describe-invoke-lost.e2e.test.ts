/**
 * The catalog (`cnf:describe`) that `tasks` and `invoke --dry-run` read from
 * the admin function is no run: when Lambda fails it (a 5xx) or the
 * connection drops, the CLI says what failed, as for any AWS read, and names
 * no run that "may or may not have happened".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { fakeAwsEnvironment } from '../support/aws-cli.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { healthyScenario } from '../support/aws-scenario.js';
import { startFakeAws, type FakeAws, type WireFailure } from '../support/fake-aws-server.js';

const servers: FakeAws[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function stageWhoseInvokes(failure: WireFailure | 'drop'): Promise<FakeAws> {
  const server = await startFakeAws(healthyScenario(), {
    serve: (received, response) => {
      if (received.operation !== 'Invoke') return false;
      if (failure !== 'drop') return failure;
      response.socket?.destroy();
      return true;
    },
  });
  servers.push(server);
  return server;
}

function cnfAdmin(server: FakeAws, args: string[]) {
  return runCli([...args, '--stage', 'prod'], { cwd: FIXTURE_ROOT, env: fakeAwsEnvironment(server.url, { CNF_LOG_WAIT_SECONDS: '1' }) });
}

describe('the catalog invoke of tasks and invoke --dry-run, lost', () => {
  it('a 5xx is 75 (try again), naming no run', async () => {
    const server = await stageWhoseInvokes({ status: 500, name: 'ServiceException', message: 'Lambda failed' });

    const dryRun = await cnfAdmin(server, ['invoke', 'echo', '--dry-run']);

    expect(dryRun.code, dryRun.stderr).toBe(75);
    expect(dryRun.stderr).not.toMatch(/may or may not have happened|runs show/);
  });

  it('a dropped connection is 69, naming no run', async () => {
    const server = await stageWhoseInvokes('drop');

    const tasks = await cnfAdmin(server, ['tasks']);

    expect(tasks.code, tasks.stderr).toBe(69);
    expect(tasks.stderr).toContain('dropped');
    expect(tasks.stderr).not.toMatch(/may or may not have happened|runs show/);
  });
});
