/**
 * A rollback racing a deploy on an AWS stage, through the real binary and
 * the real SDK on the wire (`AWS_ENDPOINT_URL` points at the fake AWS,
 * whose CloudFormation answers the stack's status as a test sets it), and
 * the construct's live-alias guard: its inline provider code, run in this
 * process against the same fake AWS with the events CloudFormation sends.
 */
import { createRequire } from 'node:module';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { inlineHandlerCode } from '../../lib/construct/private/inline-handler.js';
import { LIVE_PAIR_KEY, parseLivePairRecord } from '../../lib/core/live-pair-record.js';
import { runCli } from '../support/cli.js';
import { fakeAwsEnvironment } from '../support/aws-cli.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { healthyScenario, OLD_RELEASE, RELEASE } from '../support/aws-scenario.js';
import { startCfnResponseUrl, type CfnResponseUrl } from '../support/cfn-response-url.js';
import { startFakeAws, type FakeAws } from '../support/fake-aws-server.js';
import { stubFakeAwsEnvironment } from '../support/stub-fake-aws.js';

const STACK = 'fixture-prod';
const THIRD_RELEASE = 'r-cccccccccccc';
const servers: FakeAws[] = [];

afterEach(async () => {
  vi.unstubAllEnvs();
  for (const server of servers.splice(0)) await server.close();
});

/** CloudFormation's response URL: what the guard answered, request after request. */
let cfn: CfnResponseUrl;

beforeAll(async () => {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  cfn = await startCfnResponseUrl();
});

afterAll(async () => {
  vi.restoreAllMocks();
  await cfn.close();
});

/** A stage deployed by stack fixture-prod: the older release (web 6, admin 4) with v1, then the newer one (web 7, admin 5) with v2, and a third published. */
async function twoReleases(): Promise<FakeAws> {
  const base = healthyScenario();
  const server = await startFakeAws(
    healthyScenario({
      record: { stack: STACK },
      aliases: { web: { live: { version: '6', release: OLD_RELEASE } }, admin: { live: { version: '4', release: OLD_RELEASE } } },
      versions: {
        web: [...(base.versions?.web ?? []), { version: '8', release: THIRD_RELEASE, createdAt: '2026-11-25T10:00:00.000+0000' }],
        admin: [...(base.versions?.admin ?? []), { version: '6', release: THIRD_RELEASE, createdAt: '2026-11-25T10:00:00.000+0000' }],
      },
    }),
  );
  servers.push(server);
  await cnfAdmin(server, ['config', 'set', 'GREETING', 'old']);
  moveAliases(server, '7', '5', RELEASE);
  await cnfAdmin(server, ['config', 'set', 'GREETING', 'new']);
  return server;
}

function cnfAdmin(server: FakeAws, args: string[]) {
  return runCli([...args, '--stage', 'prod'], { cwd: FIXTURE_ROOT, env: fakeAwsEnvironment(server.url, { CNF_LOG_WAIT_SECONDS: '1' }) });
}

/** What CloudFormation does to an alias resource: moves it to the template's version. */
function moveAliases(server: FakeAws, web: string, admin: string, release: string): void {
  server.aliases.web.live = { version: web, release };
  server.aliases.admin.live = { version: admin, release };
}

type Handler = (event: CloudFormationCustomResourceEvent) => Promise<void>;

/** The guard's provider as Lambda runs it, its SDK clients pointed at the fake AWS. */
function guardOn(server: FakeAws): Handler {
  stubFakeAwsEnvironment(server.url);
  const requireCjs = createRequire(import.meta.url);
  const module = { exports: {} as { handler?: Handler } };
  new Function('module', 'exports', 'require', inlineHandlerCode('live-alias-guard-handler'))(module, module.exports, requireCjs);
  return module.exports.handler!;
}

/** The guard's properties in a template whose aliases are on web `web`, admin `admin`. */
function properties(release: string, web: string, admin: string) {
  return {
    ServiceToken: 'x',
    Release: release,
    Stage: 'prod',
    WebFunction: 'fixture-prod-web',
    AdminFunction: 'fixture-prod-admin',
    AliasName: 'live',
    WebVersion: web,
    AdminVersion: admin,
    Table: 'fixture-prod-runs',
    PartitionKey: 'pk',
    LockKey: 'lock#cnf:stage',
    LeaseAttribute: 'leaseExpiresAt',
    RecordKey: 'deploy#live-aliases',
  };
}

/** CloudFormation's Update of the guard, from one template to the next. */
async function updateGuard(guard: Handler, from: ReturnType<typeof properties>, to: ReturnType<typeof properties>) {
  cfn.responses.length = 0;
  await guard({
    RequestType: 'Update',
    ServiceToken: 'x',
    ResponseURL: cfn.url,
    StackId: `arn:aws:cloudformation:eu-west-1:123456789012:stack/${STACK}/0a1b2c3d`,
    RequestId: 'request-1',
    LogicalResourceId: 'AppLiveAliasGuard',
    PhysicalResourceId: 'AppLiveAliasGuard',
    ResourceType: 'Custom::CnfLiveAliasGuard',
    ResourceProperties: to,
    OldResourceProperties: from,
  });
  return cfn.responses[0]!;
}

describe('a rollback racing a deploy on AWS', () => {
  it.each(['UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS'])(
    'rollback refuses (75) while the stack is %s, moves nothing and records no run; once the deploy is done it rolls back',
    async (status) => {
      // Given a deploy under way
      const server = await twoReleases();
      server.stack.status = status;
      const recordBefore = server.ssm.versions(`/fixture/prod/${LIVE_PAIR_KEY}`).length;

      // When a rollback starts
      const refused = await cnfAdmin(server, ['rollback', '--yes', '--run-id', 'rb-race']);

      // Then it exits 75 naming the deploy, and nothing moved: no alias, no config, no run, no lock left
      expect(refused.code).toBe(75);
      expect(refused.stderr).toContain(
        `Stage prod is being deployed (stack ${STACK} is ${status}); nothing moved. Roll back once the deploy is done.`,
      );
      expect(refused.stderr).not.toMatch(/\n\s+at /);
      expect(refused.stderr).not.toContain('NodeVersionSupportWarning');
      expect(server.requests.some((request) => request.operation === 'UpdateAlias')).toBe(false);
      expect(server.ssm.versions(`/fixture/prod/${LIVE_PAIR_KEY}`)).toHaveLength(recordBefore);
      expect(server.dynamodb.items.has('run#rb-race')).toBe(false);
      expect(server.dynamodb.items.has('lock#cnf:stage')).toBe(false);

      // When the deploy is done, the same rollback goes through
      server.stack.status = 'UPDATE_COMPLETE';
      const done = await cnfAdmin(server, ['rollback', '--yes', '--run-id', 'rb-race']);
      expect(done.code).toBe(0);
      expect(server.aliases.web.live?.version).toBe('6');
    },
  );

  it('a CloudFormation rollback of a deploy after a cnf-admin rollback leaves the aliases on the release the rollback chose', async () => {
    // Given a cnf-admin rollback from the newer release (template: web 7, admin 5) to the older one
    const server = await twoReleases();
    expect((await cnfAdmin(server, ['rollback', '--yes'])).code).toBe(0);
    const guard = guardOn(server);
    const newer = properties(RELEASE, '7', '5');
    const third = properties(THIRD_RELEASE, '8', '6');

    // When a deploy of a third release records the aliases, moves them, fails, and CloudFormation rolls back
    server.stack.status = 'UPDATE_IN_PROGRESS';
    expect(await updateGuard(guard, newer, third)).toMatchObject({ Status: 'SUCCESS' });
    moveAliases(server, '8', '6', THIRD_RELEASE);
    server.stack.status = 'UPDATE_ROLLBACK_IN_PROGRESS';
    // the aliases first, to the last template's versions: the newer release, which the rollback moved away from
    moveAliases(server, '7', '5', RELEASE);
    const restored = await updateGuard(guard, third, newer);
    server.stack.status = 'UPDATE_ROLLBACK_COMPLETE';

    // Then the guard moved them back to the older release, the one the rollback chose
    expect(restored).toMatchObject({ Status: 'SUCCESS' });
    expect(server.aliases.web.live).toMatchObject({ version: '6', release: OLD_RELEASE });
    expect(server.aliases.admin.live).toMatchObject({ version: '4', release: OLD_RELEASE });
    // and the live pair agrees with the live-pair record: status has nothing to warn about
    const record = parseLivePairRecord(server.ssm.versions(`/fixture/prod/${LIVE_PAIR_KEY}`).at(-1)?.Value);
    expect(record).toMatchObject({ release: OLD_RELEASE, config: 1 });
    const status = await cnfAdmin(server, ['status']);
    expect(status.code).toBe(0);
    expect(status.stdout + status.stderr).not.toContain('an older release');
    const dry = await cnfAdmin(server, ['rollback', '--dry-run', '--to', RELEASE]);
    expect(dry.stdout).toContain(`Roll back stage prod from ${OLD_RELEASE} · config v1 to ${RELEASE} · config v2`);
  });

  it('a deploy that starts while a rollback holds the stage lock fails before the aliases move, and its CloudFormation rollback moves nothing', async () => {
    // Given a rollback holding the stage lock (its lease alive)
    const server = await twoReleases();
    server.dynamodb.items.set('lock#cnf:stage', {
      pk: { S: 'lock#cnf:stage' },
      runId: { S: 'rb-7' },
      caller: { S: 'arn:aws:sts::123456789012:assumed-role/operator/alice' },
      since: { S: '2026-12-02T21:00:00.000Z' },
      leaseExpiresAt: { N: String(Date.now() + 60_000) },
    });
    const guard = guardOn(server);

    // When a deploy of the third release reaches the guard
    server.stack.status = 'UPDATE_IN_PROGRESS';
    const refused = await updateGuard(guard, properties(RELEASE, '7', '5'), properties(THIRD_RELEASE, '8', '6'));

    // Then the deploy fails, naming the rollback, and the rollback of that deploy leaves the aliases to the rollback
    expect(refused.Status).toBe('FAILED');
    expect(refused.Reason).toContain('Stage prod is being changed by run rb-7 (arn:aws:sts::123456789012:assumed-role/operator/alice');
    expect(refused.Reason).toContain('Deploy again after it.');
    server.stack.status = 'UPDATE_ROLLBACK_IN_PROGRESS';
    moveAliases(server, '6', '4', OLD_RELEASE);
    const rolledBack = await updateGuard(guard, properties(THIRD_RELEASE, '8', '6'), properties(RELEASE, '7', '5'));
    expect(rolledBack.Status).toBe('SUCCESS');
    expect(server.aliases.web.live?.version).toBe('6');
    expect(server.requests.filter((request) => request.operation === 'UpdateAlias')).toHaveLength(0);
  });
});
