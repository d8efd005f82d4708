/**
 * A rollback whose first step, the write of the live-pair record, is refused
 * moved nothing: it says so, rather than that the stage is left half moved.
 * Through the real binary and the real SDK against the fake AWS.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { fakeAwsEnvironment } from '../support/aws-cli.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { healthyScenario, OLD_RELEASE, RELEASE } from '../support/aws-scenario.js';
import { startFakeAws, type FakeAws } from '../support/fake-aws-server.js';

const servers: FakeAws[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function cnfAdmin(server: FakeAws, args: string[]) {
  return runCli([...args, '--stage', 'prod'], { cwd: FIXTURE_ROOT, env: fakeAwsEnvironment(server.url, { CNF_LOG_WAIT_SECONDS: '1' }) });
}

describe('rollback --yes on AWS, the live-pair record refused', () => {
  it('says nothing moved (77, the permission hint), and moves no alias', async () => {
    // given: a stage with a config version, where writing the live-pair record is then denied
    const denial = { on: false };
    const server = await startFakeAws(healthyScenario(), {
      serve: (received) =>
        denial.on && received.operation === 'PutParameter' && received.body.includes('_cnf/live')
          ? { status: 400, name: 'AccessDeniedException', message: 'not authorized to perform: ssm:PutParameter' }
          : false,
    });
    servers.push(server);
    const set = await cnfAdmin(server, ['config', 'set', 'A', '1']);
    expect(set.code, set.stderr).toBe(0);
    denial.on = true;

    // when
    const rollback = await cnfAdmin(server, ['rollback', '--to', OLD_RELEASE, '--yes']);

    // then
    expect(rollback.code, rollback.stderr).toBe(77);
    expect(rollback.stderr).toContain('Nothing moved');
    expect(rollback.stderr).not.toContain('half moved');
    expect(server.requests.some((request) => request.operation === 'UpdateAlias')).toBe(false);
    expect(server.aliases.web.live?.release ?? server.aliases.web.live?.version).toMatch(new RegExp(`${RELEASE}|7`));
  });
});
