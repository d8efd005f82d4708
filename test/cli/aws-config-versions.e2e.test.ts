/**
 * Config versions, pinned runs and rollback on an AWS stage, through the real
 * binary and the real SDK on the wire: `AWS_ENDPOINT_URL` points at the fake
 * AWS, whose Parameter Store keeps versions as SSM does, whose DynamoDB
 * holds the ledger table, and whose Lambda moves aliases on UpdateAlias.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { recordDeployedConfig } from '../../lib/construct/private/deployed-config-handler.js';
import { LIVE_PAIR_KEY, parseLivePairRecord } from '../../lib/core/live-pair-record.js';
import { formatMoment } from '../../lib/core/format-moment.js';
import { runCli } from '../support/cli.js';
import { fakeAwsEnvironment } from '../support/aws-cli.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { healthyScenario, OLD_RELEASE, RELEASE, type AwsScenario } from '../support/aws-scenario.js';
import { startFakeAws, type FakeAws, type FakeAwsOptions, type WireFailure } from '../support/fake-aws-server.js';
import { KEPT_VERSIONS } from '../support/fake-ssm.js';

const PATH = '/fixture/prod/';
const servers: FakeAws[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** A third release, published by a later cdk deploy (web 8, admin 6). */
const THIRD_RELEASE = 'r-cccccccccccc';

/** A copy of the fixture whose prod stage runs `migrate` as its release phase. */
const WITH_RELEASE_PHASE = mkdtempSync(join(tmpdir(), 'cnf-release-phase-'));
cpSync(FIXTURE_ROOT, WITH_RELEASE_PHASE, { recursive: true });
const cdk = JSON.parse(readFileSync(join(WITH_RELEASE_PHASE, 'cdk.json'), 'utf8'));
cdk.context.cnf.stages.prod.releasePhase = 'migrate';
writeFileSync(join(WITH_RELEASE_PHASE, 'cdk.json'), JSON.stringify(cdk));

afterAll(() => rmSync(WITH_RELEASE_PHASE, { recursive: true, force: true }));

/** A stage live on the older release (web 6, admin 4), the newer one (web 7, admin 5) and a third published too. */
async function fakeAws(overrides: Partial<AwsScenario> = {}, options: FakeAwsOptions = {}): Promise<FakeAws> {
  const base = healthyScenario();
  const server = await startFakeAws(
    healthyScenario({
      ...overrides,
      aliases: { web: { live: { version: '6', release: OLD_RELEASE } }, admin: { live: { version: '4', release: OLD_RELEASE } } },
      versions: {
        web: [...(base.versions?.web ?? []), { version: '8', release: THIRD_RELEASE, createdAt: '2026-11-25T10:00:00.000+0000' }],
        admin: [...(base.versions?.admin ?? []), { version: '6', release: THIRD_RELEASE, createdAt: '2026-11-25T10:00:00.000+0000' }],
      },
    }),
    options,
  );
  servers.push(server);
  return server;
}

function cnfAdmin(server: FakeAws, args: string[], cwd = FIXTURE_ROOT, input?: string) {
  return runCli([...args, '--stage', 'prod'], {
    cwd,
    ...(input === undefined ? {} : { input }),
    env: fakeAwsEnvironment(server.url, { CNF_LOG_WAIT_SECONDS: '1' }),
  });
}

/** Lambda's answer to an UpdateAlias the caller may not make. */
const DENIED_UPDATE: WireFailure = { status: 403, name: 'AccessDeniedException', message: 'not authorized to perform: lambda:UpdateAlias' };

/** An AWS service's answer when it fails on its side. */
const INTERNAL_ERROR: WireFailure = { status: 500, name: 'InternalServerError', message: 'Internal server error' };

/** The stage of {@link fakeAws}, where while `denial.on` admin's move back to version 4 is denied, and so is putting web back on version 7: a rollback left half moved. */
function putBackDenied(denial: { on: boolean }): Promise<FakeAws> {
  return fakeAws(
    {},
    {
      serve: (received) => {
        if (!denial.on || received.operation !== 'UpdateAlias') return false;
        const { FunctionVersion } = JSON.parse(received.body) as { FunctionVersion: string };
        const web = received.path.includes('fixture-prod-web');
        return (web && FunctionVersion === '7') || (!web && FunctionVersion === '4') ? DENIED_UPDATE : false;
      },
    },
  );
}

/** The stage of {@link fakeAws}, whose ledger refuses a PutItem of an item whose key holds `item` (`config#`, `run#`) while `denial.on`. */
function ledgerDenyingPutItem(item: string, denial: { on: boolean }): Promise<FakeAws> {
  return fakeAws(
    {},
    {
      serve: (received) =>
        denial.on && received.operation === 'PutItem' && received.body.includes(item)
          ? { status: 400, name: 'AccessDeniedException', message: 'not authorized to perform: dynamodb:PutItem' }
          : false,
    },
  );
}

/** A stage whose config changed with the older release live (v1), then again after the newer one went live (v2): one to roll back. */
async function liveOnNewer(server: FakeAws): Promise<void> {
  await cnfAdmin(server, ['config', 'set', 'GREETING', 'old']);
  deployNewer(server);
  await cnfAdmin(server, ['config', 'set', 'GREETING', 'new']);
}

/** What `cdk deploy` of the newer release does to the aliases. */
function deployNewer(server: FakeAws): void {
  server.aliases.web.live = { version: '7', release: RELEASE };
  server.aliases.admin.live = { version: '5', release: RELEASE };
}

/** Moves the creation of every config version recorded so far a day earlier, as if made the day before. */
function madeADayEarlier(server: FakeAws): void {
  for (const item of server.dynamodb.itemsUnder('config#') as Record<string, { S?: string }>[]) {
    const earlier = new Date(Date.parse(item.createdAt?.S ?? '') - 24 * 60 * 60 * 1000).toISOString();
    item.createdAt = { S: earlier };
  }
}

function liveRecord(server: FakeAws) {
  return parseLivePairRecord(server.ssm.versions(`${PATH}${LIVE_PAIR_KEY}`).at(-1)?.Value);
}

describe('config versions on AWS', () => {
  it('set, unset, history, diff and config rollback: each change a version, the parameter kept, the live-pair record written', async () => {
    const server = await fakeAws();
    // No version yet: history says so, and how the first is made.
    const none = await cnfAdmin(server, ['config', 'history']);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('Stage prod has no config versions yet: the first change makes v1');
    server.ssm.put(`${PATH}GREETING`, 'hello'); // set before config versions: v1 (initial) holds it

    const set = await cnfAdmin(server, ['config', 'set', 'GREETING', 'bonjour']);
    expect(set.code).toBe(0);
    expect(set.stderr).toMatch(
      /Set GREETING on stage prod: config v2 is live for web and admin together from \d\d:\d\d:\d\d UTC \(in \d+ s\)/,
    );
    const same = await cnfAdmin(server, ['config', 'set', 'GREETING', 'bonjour']);
    expect(same.stderr).toContain('the value was already that; config v2 stays live.');
    const unset = await cnfAdmin(server, ['config', 'unset', 'GREETING', '--json']);
    expect(JSON.parse(unset.stdout)).toMatchObject({ key: 'GREETING', removed: true, configVersion: 3 });
    // The parameter keeps both versions: v2 can be restored.
    expect(server.ssm.versions(`${PATH}GREETING`).map((version) => version.Value)).toEqual(['hello', 'bonjour']);
    expect((await cnfAdmin(server, ['config', 'list', '--json'])).stdout).toContain('"parameters": []');

    const history = JSON.parse((await cnfAdmin(server, ['config', 'history', '--json'])).stdout) as {
      live: number;
      versions: { version: number; cause: string; changed: string[] }[];
    };
    expect(history.live).toBe(3);
    expect(history.versions.map(({ version, cause, changed }) => [version, cause, changed])).toEqual([
      [3, 'unset', ['GREETING']],
      [2, 'set', ['GREETING']],
      [1, 'initial', ['GREETING']],
    ]);
    const diff = await cnfAdmin(server, ['config', 'diff', 'v1', 'v2']);
    expect(diff.stdout).toBe('config v1 -> v2 on stage prod:\n  ~ GREETING: hello -> bonjour\n');

    const restored = await cnfAdmin(server, ['config', 'rollback', 'v1']);
    expect(restored.code).toBe(0);
    expect(restored.stderr).toContain('Made config v4 equal to v1');
    expect((await cnfAdmin(server, ['config', 'get', 'GREETING'])).stdout).toBe('hello\n');
    const record = liveRecord(server);
    expect(record).toMatchObject({
      release: OLD_RELEASE,
      config: 4,
      keys: { GREETING: { version: 1, secure: false } },
      previous: { config: 3 },
    });
    expect(Date.parse(record?.from ?? '')).toBeGreaterThan(Date.now());
    expect(server.dynamodb.itemsUnder('config#').length).toBe(4);
    // the version it made records the one it restored, which config history names
    const after = JSON.parse((await cnfAdmin(server, ['config', 'history', '--json'])).stdout) as { versions: unknown[] };
    expect(after.versions[0]).toMatchObject({ version: 4, cause: 'config-rollback', restores: 1 });
  });

  it('a config set of a key whose parameter was deleted by hand (SSM numbers it from 1 again) makes a version, and says older ones no longer read their values', async () => {
    const server = await fakeAws();
    expect((await cnfAdmin(server, ['config', 'set', 'OLD_SECRET', 'first-secret-value', '--secure'])).code).toBe(0); // v1: OLD_SECRET:1
    expect((await cnfAdmin(server, ['config', 'set', 'GREETING', 'hello'])).code).toBe(0); // v2: OLD_SECRET:1, GREETING:1
    madeADayEarlier(server); // v1 and v2: the deletion and the sets below come a day after them
    server.ssm.handle('DeleteParameter', { Name: `${PATH}OLD_SECRET` });

    const secret = await cnfAdmin(server, ['config', 'set', 'OLD_SECRET', '-', '--secure', '--json'], FIXTURE_ROOT, 'new-secret-value');
    expect(secret.code, secret.stderr).toBe(0);
    const told =
      "SSM restarted OLD_SECRET's version numbering after its parameter was deleted: the new value is its version 1, " +
      'so config versions made before that name its versions up to 1 (v1, v2) now read the new value';
    expect(JSON.parse(secret.stdout)).toMatchObject({ key: 'OLD_SECRET', configVersion: 3, renumbered: expect.stringContaining(told) });
    expect(secret.stderr).toContain(`! ${told}`);
    madeADayEarlier(server); // v1 to v3
    server.ssm.handle('DeleteParameter', { Name: `${PATH}GREETING` });
    // The same value a plain key held: the value it names is gone, so it is set, and made a version.
    const plain = await cnfAdmin(server, ['config', 'set', 'GREETING', 'hello']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toContain('config v4 is live');
    expect(plain.stderr).toContain("SSM restarted GREETING's version numbering");
    const history = JSON.parse((await cnfAdmin(server, ['config', 'history', '--json'])).stdout) as {
      live: number;
      versions: { version: number; changed: string[]; unrestorable?: string }[];
    };
    expect(history.live).toBe(4);
    // The versions made before the deletion name numbers SSM wrote again: history marks them, and rollback refuses them.
    expect(history.versions.map(({ version, changed, unrestorable }) => [version, changed, unrestorable !== undefined])).toEqual([
      [4, ['GREETING'], false],
      [3, ['OLD_SECRET'], true],
      [2, ['GREETING'], true],
      [1, ['OLD_SECRET'], true],
    ]);
    expect(history.versions[2]?.unrestorable).toContain(
      'config v2 names GREETING:1, OLD_SECRET:1, which SSM wrote again after it was made (the parameter was deleted and set again',
    );
    const refused = await cnfAdmin(server, ['config', 'rollback', 'v1']);
    expect(refused.code, refused.stderr).toBe(69);
    expect(refused.stderr).toContain('config v1 names OLD_SECRET:1, which SSM wrote again after it was made');
    expect(liveRecord(server)?.config).toBe(4);
    // Nor does a diff show what those numbers hold now as the old version's values: GREETING:1 reads 'hello' again, a new write.
    const diff = await cnfAdmin(server, ['config', 'diff', 'v2', 'v4', '--json']);
    expect(diff.code, diff.stdout).toBe(69);
    expect(JSON.parse(diff.stdout)).toMatchObject({
      exitCode: 69,
      error: {
        name: 'UnavailableError',
        message: expect.stringContaining('config v2 names GREETING:1, OLD_SECRET:1, which SSM wrote again after it was made'),
      },
    });
  });

  it("on a machine whose clock is minutes behind AWS's, the versions config set makes are whole: none reads as written again", async () => {
    const server = await fakeAws({}, { clockSkewMs: 3 * 60_000 });
    expect((await cnfAdmin(server, ['config', 'set', 'GREETING', 'hello'])).code).toBe(0);
    expect((await cnfAdmin(server, ['config', 'set', 'GREETING', 'hi'])).code).toBe(0);
    const history = JSON.parse((await cnfAdmin(server, ['config', 'history', '--json'])).stdout) as {
      versions: { version: number; unrestorable?: string }[];
    };
    expect(history.versions.map(({ version, unrestorable }) => [version, unrestorable])).toEqual([
      [2, undefined],
      [1, undefined],
    ]);
    const diff = await cnfAdmin(server, ['config', 'diff', 'v1', 'v2', '--json']);
    expect(diff.code, diff.stdout).toBe(0);
    expect(JSON.parse(diff.stdout)).toMatchObject({ keys: [{ key: 'GREETING', change: 'changed' }] });
  });

  it('a first config set whose PutParameter is denied records no version, and the next set keeps every value', async () => {
    const denied = { status: 400, name: 'AccessDeniedException', message: 'not authorized to perform: ssm:PutParameter' };
    const server = await fakeAws({}, { failures: { PutParameter: [denied] } });
    server.ssm.put(`${PATH}GREETING`, 'hello'); // set before config versions
    const refused = await cnfAdmin(server, ['config', 'set', 'LOG_LEVEL', 'debug']);
    expect(refused.code).toBe(77);
    expect(server.dynamodb.itemsUnder('config#')).toEqual([]);
    const set = await cnfAdmin(server, ['config', 'set', 'LOG_LEVEL', 'debug']);
    expect(set.code, set.stderr).toBe(0);
    const history = JSON.parse((await cnfAdmin(server, ['config', 'history', '--json'])).stdout) as {
      versions: { version: number; cause: string }[];
    };
    expect(history.versions.map(({ version, cause }) => [version, cause])).toEqual([
      [2, 'set'],
      [1, 'initial'],
    ]);
    expect((await cnfAdmin(server, ['config', 'get', 'GREETING'])).stdout).toBe('hello\n');
  });

  it('a config set whose config version the ledger refuses says no version was made, which one stays live, and where its value is', async () => {
    const denial = { on: false };
    const server = await ledgerDenyingPutItem('config#', denial);
    await cnfAdmin(server, ['config', 'set', 'GREETING', 'hello']);
    denial.on = true;
    const refused = await cnfAdmin(server, ['config', 'set', 'GREETING', 'bonjour']);
    expect(refused.code, refused.stderr).toBe(77);
    expect(refused.stderr).toContain(
      'No config version was made: config v1 stays live (the value it wrote is kept in SSM as a parameter version that no config version names).',
    );
    expect(liveRecord(server)?.config).toBe(1);
    denial.on = false;
    expect((await cnfAdmin(server, ['config', 'get', 'GREETING'])).stdout).toBe('hello\n');
  });

  it('a config set whose config version was written but its answer lost (reset) records one version, not two: the SDK retry finds its own item', async () => {
    let lost = false;
    const server = await fakeAws(
      {},
      {
        serve: (received, response) => {
          if (lost || received.operation !== 'PutItem' || !received.body.includes('config#v2')) return false;
          // The write of v2 is made; its answer is cut off, and the SDK sends it again.
          server.dynamodb.handle('PutItem', JSON.parse(received.body) as Record<string, unknown>);
          lost = true;
          response.socket?.destroy();
          return true;
        },
      },
    );
    await cnfAdmin(server, ['config', 'set', 'GREETING', 'hello']);
    const set = await cnfAdmin(server, ['config', 'set', 'GREETING', 'bonjour']);
    expect(set.code, set.stderr).toBe(0);
    expect(lost).toBe(true);
    expect(set.stderr).toContain('config v2 is live');
    expect(server.dynamodb.itemsUnder('config#').length).toBe(2);
    expect(liveRecord(server)?.config).toBe(2);
  });

  it('a config set whose config version the ledger keeps failing (5xx: 75, a dropped connection: 69) says which one stays live, where its value is, and that the version is not known', async () => {
    for (const [fault, code] of [
      ['5xx', 75],
      ['reset', 69],
    ] as const) {
      let failing = false;
      const server = await fakeAws(
        {},
        {
          serve: (received, response) => {
            if (!failing || received.operation !== 'PutItem' || !received.body.includes('config#')) return false;
            if (fault === '5xx') return INTERNAL_ERROR;
            response.socket?.destroy();
            return true;
          },
        },
      );
      await cnfAdmin(server, ['config', 'set', 'GREETING', 'hello']);
      failing = true;
      const failed = await cnfAdmin(server, ['config', 'set', 'GREETING', 'bonjour']);
      expect(failed.code, failed.stderr).toBe(code);
      expect(failed.stderr).toContain(
        'Whether a new config version was recorded is not known: config v1 stays live; the value it wrote is kept in SSM as a parameter version.',
      );
      expect(failed.stderr).toContain(
        'See with: cnf-admin config history --stage prod; a version after v1 listed there was recorded but never went live',
      );
      expect(liveRecord(server)?.config).toBe(1);
    }
  });

  it('a config set whose live-pair record is denied says the version it recorded is not live, and which one is', async () => {
    const denied = { status: 400, name: 'AccessDeniedException', message: 'not authorized to perform: ssm:PutParameter' };
    let armed = false;
    const server = await fakeAws(
      {},
      {
        serve: (received) => {
          if (!armed || received.operation !== 'PutParameter' || !received.body.includes(LIVE_PAIR_KEY)) return false;
          return denied;
        },
      },
    );
    await cnfAdmin(server, ['config', 'set', 'GREETING', 'hello']);
    armed = true;
    const refused = await cnfAdmin(server, ['config', 'set', 'GREETING', 'bonjour']);
    expect(refused.code).toBe(77);
    expect(refused.stderr).toContain('ssm:PutParameter');
    expect(refused.stderr).toContain('Config v2 was recorded but is not live: v1 stays live; config history marks v2 never live.');
    expect(refused.stderr).toContain('Make the change again once the cause is fixed');
    expect(refused.stderr).not.toContain('config rollback v2 makes it live');
    expect(liveRecord(server)?.config).toBe(1);

    // history keeps the attempt, marked: it never served, and is no state to go back to
    const history = await cnfAdmin(server, ['config', 'history']);
    expect(history.stdout).toMatch(/^v2 \(never live\)\s+\S+ \S+\s+set\s+GREETING\s+no\s/m);
    expect(history.stdout).toMatch(/^v1 \(live\)\s+\S+ \S+\s+set\s+GREETING\s+yes\s/m);
    expect(history.stderr).toContain('Versions marked (never live) were recorded by a change that failed before it went live');
    const json = JSON.parse((await cnfAdmin(server, ['config', 'history', '--json'])).stdout) as { versions: unknown[] };
    expect(json.versions).toMatchObject([{ version: 2, neverLive: true }, { version: 1 }]);
    expect(json.versions[1]).not.toHaveProperty('neverLive');
    const rollback = await cnfAdmin(server, ['config', 'rollback', 'v2']);
    expect(rollback.code).toBe(64);
    expect(rollback.stderr).toContain('Config v2 never went live');
    expect(rollback.stderr).toContain('config diff v1 v2 --stage prod shows what it held');
    expect(liveRecord(server)?.config).toBe(1);

    // the next change takes the next number, made from the live version
    armed = false;
    const again = await cnfAdmin(server, ['config', 'set', 'GREETING', 'bonjour']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('config v3 is live');
    const after = JSON.parse((await cnfAdmin(server, ['config', 'history', '--json'])).stdout) as {
      live: number;
      versions: { version: number; neverLive?: true; changed: string[] }[];
    };
    expect(after.live).toBe(3);
    expect(after.versions.map(({ version, neverLive }) => [version, neverLive ?? false])).toEqual([
      [3, false],
      [2, true],
      [1, false],
    ]);
  });

  it('a config change that did not go live and cannot be marked so says that too, and history lists it unmarked', async () => {
    const denied = { status: 400, name: 'AccessDeniedException', message: 'not authorized to perform: ssm:PutParameter' };
    let armed = false;
    const server = await fakeAws(
      {},
      {
        serve: (received) => {
          if (!armed) return false;
          if (received.operation === 'PutParameter' && received.body.includes(LIVE_PAIR_KEY)) return denied;
          if (received.operation === 'PutItem' && received.body.includes('neverLive')) return INTERNAL_ERROR;
          return false;
        },
      },
    );
    await cnfAdmin(server, ['config', 'set', 'GREETING', 'hello']);
    armed = true;
    const refused = await cnfAdmin(server, ['config', 'set', 'GREETING', 'bonjour']);
    expect(refused.code).toBe(77);
    expect(refused.stderr).toContain(
      'Config v2 was recorded but is not live: v1 stays live; v2 could not be marked never live either (AWS failed dynamodb:PutItem',
    );
    expect(refused.stderr).toContain('so config history lists it as any version.');
    const history = JSON.parse((await cnfAdmin(server, ['config', 'history', '--json'])).stdout) as { versions: unknown[] };
    expect(history.versions[0]).toMatchObject({ version: 2 });
    expect(history.versions[0]).not.toHaveProperty('neverLive');
  });

  it('a config set whose live-pair record could be neither written nor read back says it is not known which version is live', async () => {
    let armed = false;
    let refusedWrite = false;
    const server = await fakeAws(
      {},
      {
        serve: (received) => {
          if (!armed || !received.body.includes(LIVE_PAIR_KEY)) return false;
          if (received.operation === 'PutParameter') refusedWrite = true;
          else if (received.operation !== 'GetParameter' || !refusedWrite) return false;
          return INTERNAL_ERROR;
        },
      },
    );
    await cnfAdmin(server, ['config', 'set', 'GREETING', 'hello']);
    armed = true;
    const refused = await cnfAdmin(server, ['config', 'set', 'GREETING', 'bonjour']);
    expect(refused.code).toBe(75); // a 5xx, after the SDK's retries
    expect(refused.stderr).toContain('Config v2 was recorded; whether it went live could not be read back.');
    expect(refused.stderr).not.toContain('stays live');
    expect(refused.stderr).toContain('See which version is live with: cnf-admin config history --stage prod');
  });

  it('a config set whose live-pair record was written but its answer lost (reset) reads it back: live, exit 0', async () => {
    let written = false;
    const server = await fakeAws(
      {},
      {
        serve: (received, response) => {
          if (received.operation !== 'PutParameter' || !received.body.includes(LIVE_PAIR_KEY) || liveRecord(server) === undefined)
            return false;
          // The first write of the record after the stage's first one is made; every answer is cut off.
          if (!written) server.ssm.handle('PutParameter', JSON.parse(received.body) as Record<string, unknown>);
          written = true;
          response.socket?.destroy();
          return true;
        },
      },
    );
    await cnfAdmin(server, ['config', 'set', 'GREETING', 'hello']);
    const set = await cnfAdmin(server, ['config', 'set', 'GREETING', 'bonjour']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toContain('config v2 is live');
    expect(liveRecord(server)?.config).toBe(2);
  });

  it('a config change whose move of the live pair cannot be recorded is live: exit 0, and a ! line says what is missing', async () => {
    let armed = false;
    const server = await fakeAws(
      {},
      {
        serve: (received) => {
          if (!armed || received.operation !== 'PutItem' || !received.body.includes('pair#')) return false;
          return INTERNAL_ERROR;
        },
      },
    );
    deployNewer(server);
    await cnfAdmin(server, ['config', 'set', 'GREETING', 'hello']);
    armed = true;
    const set = await cnfAdmin(server, ['config', 'set', 'GREETING', 'bonjour']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toContain('config v2 is live for web and admin together');
    expect(set.stderr).toContain(
      '! Config v2 is live, but the ledger did not record its move of the live pair (AWS failed dynamodb:PutItem',
    );
    expect(set.stderr).toContain(`${RELEASE}'s pinned config is read from the moves it recorded before`);
    expect(set.stderr).toContain('See the live version with: cnf-admin config history --stage prod');
    expect(set.stderr).not.toContain('cnf-admin:');
    expect(liveRecord(server)?.config).toBe(2);
    // config unset and config rollback end the same way
    const unset = await cnfAdmin(server, ['config', 'unset', 'GREETING', '--json']);
    expect(unset.code, unset.stderr).toBe(0);
    expect(unset.stderr).toContain('! Config v3 is live, but the ledger did not record its move of the live pair');
    // --json says it too, in a field
    expect(JSON.parse(unset.stdout)).toMatchObject({ configVersion: 3, unrecordedMove: expect.stringContaining('Config v3 is live, but') });
    const restored = await cnfAdmin(server, ['config', 'rollback', 'v1', '--json']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({
      configVersion: 4,
      changed: true,
      unrecordedMove: expect.stringContaining('Config v4 is live, but'),
    });
    expect(restored.stderr).toContain('! Config v4 is live, but the ledger did not record its move of the live pair');
    expect(liveRecord(server)?.config).toBe(4);
    // a change whose move is recorded says nothing of the kind
    armed = false;
    const recorded = await cnfAdmin(server, ['config', 'set', 'GREETING', 'hallo', '--json']);
    expect(recorded.code).toBe(0);
    expect(recorded.stderr).not.toContain('did not record');
    expect(JSON.parse(recorded.stdout)).not.toHaveProperty('unrecordedMove');
  });

  it('a deploy that changes a declared value makes a version by the deploy: history lists it, config get reads it', async () => {
    const server = await fakeAws();
    server.ssm.put(`${PATH}GREETING`, 'hello'); // a declared value, as CloudFormation wrote it
    expect((await cnfAdmin(server, ['config', 'set', 'LOG_LEVEL', 'debug'])).code).toBe(0); // v1 (initial), v2 (set)
    server.ssm.put(`${PATH}GREETING`, 'hola'); // the next deploy changes it
    const clients = { endpoint: server.url, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } };
    const properties = { ServiceToken: 'arn:provider', ParameterPath: PATH, Stage: 'prod', TableName: 'fixture-prod-runs' };
    const outcome = await recordDeployedConfig(
      {
        RequestType: 'Update',
        ServiceToken: 'arn:provider',
        ResponseURL: 'https://example.invalid/response',
        StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/fixture-prod/0a1b2c3d',
        RequestId: 'request-1',
        LogicalResourceId: 'AppDeployedConfig',
        PhysicalResourceId: 'AppDeployedConfig',
        ResourceType: 'Custom::CnfDeployedConfig',
        ResourceProperties: { ...properties, Declared: { GREETING: 'sha256:new' } },
        OldResourceProperties: { ...properties, Declared: { GREETING: 'sha256:old' } },
      },
      { ssm: new SSMClient(clients), dynamodb: new DynamoDBClient(clients), now: () => Date.now(), sleep: async () => undefined },
    );
    expect(outcome).toMatchObject({ Status: 'SUCCESS', Data: { ConfigVersion: '3' } });

    const history = await cnfAdmin(server, ['config', 'history']);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/v3 \(live\).*deploy\s+GREETING\s+cloudformation:fixture-prod/);
    expect((await cnfAdmin(server, ['config', 'get', 'GREETING'])).stdout).toBe('hola\n');
    expect(liveRecord(server)).toMatchObject({ config: 3, keys: { GREETING: { version: 2 } }, previous: { config: 2 } });
  });

  it('a secure value stays a SecureString, and a diff says only that it changed', async () => {
    const server = await fakeAws();
    expect((await cnfAdmin(server, ['config', 'set', 'API_TOKEN', 'first-secret-value', '--secure'])).code).toBe(0);
    expect((await cnfAdmin(server, ['config', 'set', 'API_TOKEN', 'second-secret-value', '--secure'])).code).toBe(0);
    const diff = await cnfAdmin(server, ['config', 'diff', 'v1', 'v2', '--json']);
    expect(JSON.parse(diff.stdout).keys).toEqual([{ key: 'API_TOKEN', change: 'changed', secure: true, from: '********', to: '********' }]);
    expect(diff.stdout).not.toContain('secret-value');
    expect(server.ssm.versions(`${PATH}API_TOKEN`).map((version) => version.Type)).toEqual(['SecureString', 'SecureString']);
  });

  it('a live-pair record past the 4 KB of a Standard parameter is written as an Advanced one (Intelligent-Tiering)', async () => {
    const server = await fakeAws();
    for (let n = 0; n < 60; n += 1) server.ssm.put(`${PATH}SETTING_NUMBER_${n}`, `value-${n}`);
    const set = await cnfAdmin(server, ['config', 'set', 'GREETING', 'hello']);
    expect(set.code).toBe(0);
    const written = server.ssm.versions(`${PATH}${LIVE_PAIR_KEY}`).at(-1);
    expect(Buffer.byteLength(written?.Value ?? '')).toBeGreaterThan(4096);
    expect(written?.Tier).toBe('Advanced');
    expect(Object.keys(liveRecord(server)?.keys ?? {})).toHaveLength(61);
  });

  it('config rollback refuses (69) a version whose value fell out of the 100 versions SSM keeps', async () => {
    const server = await fakeAws();
    await cnfAdmin(server, ['config', 'set', 'GREETING', 'first']);
    for (let n = 0; n < KEPT_VERSIONS; n += 1) server.ssm.put(`${PATH}GREETING`, `later-${n}`);
    const result = await cnfAdmin(server, ['config', 'rollback', 'v1']);
    expect(result.code).toBe(69);
    expect(result.stderr).toContain('config v1 needs a version of GREETING that SSM no longer holds');
  });

  it('config rollback names the version asked for when its value is gone, and mends a live version whose value is gone', async () => {
    const server = await fakeAws();
    await cnfAdmin(server, ['config', 'set', 'GREETING', 'first']); // v1: GREETING:1
    await cnfAdmin(server, ['config', 'set', 'GREETING', 'second']); // v2: GREETING:2
    expect((await cnfAdmin(server, ['config', 'rollback', 'v1'])).code).toBe(0); // v3: GREETING:1, live
    // 99 more puts: SSM keeps GREETING's versions 2 to 101, so v1 and the live v3 name a value that is gone, v2 not.
    for (let n = 0; n < KEPT_VERSIONS - 1; n += 1) server.ssm.put(`${PATH}GREETING`, `later-${n}`);
    const refused = await cnfAdmin(server, ['config', 'rollback', 'v1']);
    expect(refused.code).toBe(69);
    expect(refused.stderr).toContain('config v1 needs a version of GREETING that SSM no longer holds');
    expect(liveRecord(server)?.config).toBe(3);
    const mended = await cnfAdmin(server, ['config', 'rollback', 'v2', '--json']);
    expect(mended.code, mended.stderr).toBe(0);
    expect(JSON.parse(mended.stdout)).toEqual({ stage: 'prod', restored: 2, configVersion: 4, changed: true });
    expect(liveRecord(server)).toMatchObject({ config: 4, keys: { GREETING: { version: 2 } } });
    expect((await cnfAdmin(server, ['config', 'get', 'GREETING'])).stdout).toBe('second\n');
  });

  it('config get (69) and list (0) name a key whose live value SSM no longer keeps, and how to mend it', async () => {
    const server = await fakeAws();
    await cnfAdmin(server, ['config', 'set', 'GREETING', 'first']); // v1: GREETING:1
    await cnfAdmin(server, ['config', 'set', 'API_TOKEN', 'token-value-7c1e', '--secure']); // v2: API_TOKEN:1
    await cnfAdmin(server, ['config', 'set', 'LOG_LEVEL', 'debug']); // v3, live
    // SSM keeps GREETING's versions 2 to 101 (v3 names 1), and API_TOKEN was deleted by hand.
    for (let n = 0; n < KEPT_VERSIONS; n += 1) server.ssm.put(`${PATH}GREETING`, `later-${n}`);
    server.ssm.handle('DeleteParameter', { Name: `${PATH}API_TOKEN` });

    const get = await cnfAdmin(server, ['config', 'get', 'GREETING']);
    expect(get.code).toBe(69);
    expect(get.stdout).toBe('');
    expect(get.stderr).toContain(
      'The value of GREETING is gone from SSM: config v3, which is live, names version 1 of its parameter, which SSM no longer keeps',
    );
    expect(get.stderr).toContain('cnf-admin config set GREETING --stage prod');
    expect(get.stderr).toContain('cnf-admin config rollback vN --stage prod');
    expect(get.stderr).not.toContain('has no parameter');
    const secure = await cnfAdmin(server, ['config', 'get', 'API_TOKEN', '--json']);
    expect(secure.code).toBe(69);
    expect(JSON.parse(secure.stdout)).toMatchObject({ exitCode: 69, error: { message: expect.stringContaining('API_TOKEN is gone') } });
    expect(secure.stderr).toContain('cnf-admin config set API_TOKEN --secure --stage prod');

    const list = await cnfAdmin(server, ['config', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^API_TOKEN +\(gone from SSM\) +secure$/m);
    expect(list.stdout).toMatch(/^GREETING +\(gone from SSM\) +plain$/m);
    expect(list.stdout).toMatch(/^LOG_LEVEL +debug +plain$/m);
    expect(list.stderr).toContain('The values of API_TOKEN and GREETING are gone from SSM: config v3, which is live, names');
    const listed = await cnfAdmin(server, ['config', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).parameters).toEqual([
      { key: 'API_TOKEN', secure: true, gone: { version: 1, config: 3 } },
      { key: 'GREETING', secure: false, gone: { version: 1, config: 3 } },
      { key: 'LOG_LEVEL', value: 'debug', secure: false },
    ]);
    expect(`${list.stdout}${list.stderr}${listed.stdout}${secure.stdout}${secure.stderr}`).not.toContain('token-value-7c1e');
    // What the hint says mends it: the key set again is a new config version, read again.
    expect((await cnfAdmin(server, ['config', 'set', 'GREETING', 'again'])).code).toBe(0);
    expect(await cnfAdmin(server, ['config', 'get', 'GREETING'])).toMatchObject({ code: 0, stdout: 'again\n' });
  });
});

describe('pinned runs and rollback on AWS', () => {
  /** The older release live with v1, then the newer one deployed and given v2. */
  async function twoReleases(): Promise<FakeAws> {
    const server = await fakeAws();
    await liveOnNewer(server);
    return server;
  }

  it('invoke --release runs the older release with its pinned config, or the live one with --config current', async () => {
    const server = await twoReleases();
    const pinned = await cnfAdmin(server, ['invoke', 'echo', '--release', OLD_RELEASE, '--dry-run']);
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toContain('config   v1 (pinned)');
    const current = await cnfAdmin(server, ['invoke', 'echo', '--release', OLD_RELEASE, '--config', 'current', '--dry-run']);
    expect(current.stdout).toContain('config   v2 (the live config)');
    // The run's event names the pinned version: the admin function reads exactly that one.
    await cnfAdmin(server, ['invoke', 'echo', '--release', OLD_RELEASE, '--run-id', 'pinned-1']);
    const invoked = server.requests.find((request) => request.operation === 'InvokeWithResponseStream');
    expect(invoked?.path).toContain('Qualifier=4');
    expect(JSON.parse(invoked?.body ?? '{}')).toMatchObject({ task: 'echo', runId: 'pinned-1', release: OLD_RELEASE, configVersion: 1 });
  });

  it('rollback --dry-run shows the plan and moves nothing; rollback --yes moves both aliases and the config, and records the run', async () => {
    const server = await twoReleases();
    const dry = await cnfAdmin(server, ['rollback', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`Roll back stage prod from ${RELEASE} · config v2 to ${OLD_RELEASE} · config v1`);
    expect(dry.stdout).toContain('~ GREETING: new -> old');
    expect(dry.stdout).toContain('Nothing moved (--dry-run).');
    expect(server.aliases.web.live?.version).toBe('7');

    const noYes = await cnfAdmin(server, ['rollback']);
    expect(noYes.code).toBe(64);
    expect(server.requests.some((request) => request.operation === 'UpdateAlias')).toBe(false);

    const done = await cnfAdmin(server, ['rollback', '--yes', '--reason', 'bad deploy', '--run-id', 'rb-1']);
    expect(done.code).toBe(0);
    expect(done.stderr).toContain(`Rolled back stage prod to ${OLD_RELEASE} · config v1 (run rb-1)`);
    expect(server.aliases.web.live?.version).toBe('6');
    expect(server.aliases.admin.live?.version).toBe('4');
    expect(liveRecord(server)).toMatchObject({ release: OLD_RELEASE, config: 1, previous: { config: 2 } });
    const run = await cnfAdmin(server, ['runs', 'show', 'rb-1', '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({
      task: 'cnf:rollback',
      exitCode: 0,
      args: { from: `${RELEASE} · config v2`, to: `${OLD_RELEASE} · config v1`, reason: 'bad deploy' },
      // the release and the config it made live
      release: OLD_RELEASE,
      configVersion: 1,
    });
    // config history lists the rollback with who made it, as the local stage does
    const history = JSON.parse((await cnfAdmin(server, ['config', 'history', '--json'])).stdout) as { rollbacks: unknown[] };
    expect(history.rollbacks).toEqual([
      expect.objectContaining({ cause: 'rollback', config: 1, release: OLD_RELEASE, by: expect.stringMatching(/^arn:aws:sts::/) }),
    ]);

    const again = await cnfAdmin(server, ['rollback', '--to', OLD_RELEASE, '--yes', '--run-id', 'rb-1']);
    expect(again.stderr).toContain('Run rb-1 happened already');
    expect(server.aliases.web.live?.version).toBe('6');
    // the same run id for a rollback elsewhere: 64, and nothing moves
    const other = await cnfAdmin(server, ['rollback', '--to', RELEASE, '--yes', '--run-id', 'rb-1']);
    expect(other.code).toBe(64);
    expect(server.aliases.web.live?.version).toBe('6');

    // Forward again: the newer release with its pinned config.
    const forward = await cnfAdmin(server, ['rollback', '--to', RELEASE, '--yes']);
    expect(forward.code).toBe(0);
    expect(server.aliases.web.live?.version).toBe('7');
    expect(liveRecord(server)).toMatchObject({ release: RELEASE, config: 2 });
  });

  it('a rollback whose alias move is denied part-way puts back what moved: 77, and web, admin and the config stay together', async () => {
    const server = await fakeAws({}, { failures: { UpdateAlias: [DENIED_UPDATE] } });
    await liveOnNewer(server);
    const before = liveRecord(server);
    const refused = await cnfAdmin(server, ['rollback', '--yes', '--run-id', 'rb-denied']);
    expect(refused.code).toBe(77);
    expect(refused.stderr).toContain('lambda:UpdateAlias');
    expect(server.aliases.web.live?.version).toBe('7');
    expect(server.aliases.admin.live?.version).toBe('5');
    expect(liveRecord(server)).toMatchObject({ release: RELEASE, config: before?.config });
    const run = await cnfAdmin(server, ['runs', 'show', 'rb-denied', '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ task: 'cnf:rollback', exitCode: 77 });
    // It made no config live: its record names none (not the v1 it would have made live).
    expect(JSON.parse(run.stdout)).not.toHaveProperty('configVersion');
    // and the stage is whole: the next rollback plans from where it was, and moves
    const again = await cnfAdmin(server, ['rollback', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(server.aliases.web.live?.version).toBe('6');
    expect(server.aliases.admin.live?.version).toBe('4');
  });

  it('a rollback puts nothing back while an alias update is still under way, and says nothing moved', async () => {
    // web's move is denied at once; admin's is answered (and applied) later: after a put-back that raced it, or 0.2 s on
    let armed = false;
    let held: (() => void) | undefined;
    const server = await fakeAws(
      {},
      {
        serve: (received, response) => {
          if (!armed || received.operation !== 'UpdateAlias') return false;
          const { FunctionVersion } = JSON.parse(received.body) as { FunctionVersion: string };
          if (received.path.includes('fixture-prod-web') && FunctionVersion === '6') {
            return DENIED_UPDATE;
          }
          if (received.path.includes('fixture-prod-admin') && FunctionVersion === '4') {
            const timer = setTimeout(() => held?.(), 200);
            held = () => {
              clearTimeout(timer);
              held = undefined;
              server.aliases.admin.live = { version: '4', release: OLD_RELEASE };
              response.writeHead(200, { 'content-type': 'application/json' });
              response.end(JSON.stringify({ Name: 'live', FunctionVersion: '4' }));
            };
            return true;
          }
          if (held !== undefined) setImmediate(() => held?.());
          return false;
        },
      },
    );
    await liveOnNewer(server);
    armed = true;
    const refused = await cnfAdmin(server, ['rollback', '--yes']);
    expect(refused.code).toBe(77);
    expect(refused.stderr).toContain('Nothing moved: what had moved was put back as it was.');
    expect(server.aliases.web.live?.version).toBe('7');
    expect(server.aliases.admin.live?.version).toBe('5');
    expect(liveRecord(server)).toMatchObject({ release: RELEASE, config: 2 });
  });

  it('a rollback whose alias updates are both denied says nothing moved, with the permission hint, and puts back no alias', async () => {
    let armed = false;
    const putBacks: string[] = [];
    const server = await fakeAws(
      {},
      {
        serve: (received) => {
          if (!armed || received.operation !== 'UpdateAlias') return false;
          const { FunctionVersion } = JSON.parse(received.body) as { FunctionVersion: string };
          if (FunctionVersion === '6' || FunctionVersion === '4') {
            return DENIED_UPDATE;
          }
          putBacks.push(FunctionVersion);
          return false;
        },
      },
    );
    await liveOnNewer(server);
    armed = true;
    const refused = await cnfAdmin(server, ['rollback', '--yes']);
    expect(refused.code).toBe(77);
    expect(refused.stderr).toContain('Nothing moved: what had moved was put back as it was.');
    expect(refused.stderr).not.toContain('half moved');
    expect(refused.stderr).toContain('cnf-admin policy');
    expect(putBacks).toEqual([]);
    expect(server.aliases.web.live?.version).toBe('7');
    expect(server.aliases.admin.live?.version).toBe('5');
  });

  it('a rollback whose put-back fails too says the stage is left half moved, which part, and how to settle it', async () => {
    const denial = { on: false };
    const server = await putBackDenied(denial);
    await liveOnNewer(server);
    denial.on = true;
    const refused = await cnfAdmin(server, ['rollback', '--yes', '--run-id', 'rb-half']);
    expect(refused.code).toBe(77);
    expect(refused.stderr).toContain('Stage prod is left half moved: the web alias live (on version 7) could not be put back.');
    expect(refused.stderr).toContain(
      `cnf-admin status --stage prod; then roll back again (cnf-admin rollback --to ${OLD_RELEASE} --stage prod)`,
    );
    expect(refused.stderr).not.toContain('Nothing moved');
    expect(server.aliases.web.live?.version).toBe('6');
    expect(server.aliases.admin.live?.version).toBe('5');
    const run = JSON.parse((await cnfAdmin(server, ['runs', 'show', 'rb-half', '--json'])).stdout);
    expect(run).toMatchObject({ exitCode: 77, error: { message: expect.stringContaining('left half moved') } });
  });

  it('a stage left half moved is mended by the rollback --to its message names: web and admin together again, with the config', async () => {
    const denial = { on: false };
    const server = await putBackDenied(denial);
    await liveOnNewer(server);
    denial.on = true;
    expect((await cnfAdmin(server, ['rollback', '--yes'])).code).toBe(77);
    denial.on = false;
    expect([server.aliases.web.live?.version, server.aliases.admin.live?.version]).toEqual(['6', '5']);
    // which release is "previous" cannot be told: 78, naming both and the way out, nothing moved
    const previous = await cnfAdmin(server, ['rollback', '--dry-run']);
    expect(previous.code).toBe(78);
    expect(previous.stderr).toContain(`Stage prod is half moved: web serves ${OLD_RELEASE} but admin ${RELEASE}`);
    expect(previous.stderr).toContain(`cnf-admin rollback --to ${OLD_RELEASE} --stage prod (or --to ${RELEASE})`);
    const plan = await cnfAdmin(server, ['rollback', '--to', OLD_RELEASE, '--dry-run', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({
      from: { release: OLD_RELEASE, config: 2, adminRelease: RELEASE },
      to: { release: OLD_RELEASE, config: 1 },
      moved: false,
    });
    const mended = await cnfAdmin(server, ['rollback', '--to', OLD_RELEASE, '--yes', '--run-id', 'rb-mend']);
    expect(mended.code, mended.stderr).toBe(0);
    expect(mended.stdout).toContain(`from web ${OLD_RELEASE}, admin ${RELEASE} · config v2 to ${OLD_RELEASE} · config v1`);
    expect([server.aliases.web.live?.version, server.aliases.admin.live?.version]).toEqual(['6', '4']);
    expect(liveRecord(server)).toMatchObject({ release: OLD_RELEASE, config: 1 });
    const run = JSON.parse((await cnfAdmin(server, ['runs', 'show', 'rb-mend', '--json'])).stdout);
    expect(run).toMatchObject({ exitCode: 0, args: { from: `web ${OLD_RELEASE}, admin ${RELEASE} · config v2` } });
    const invoke = await cnfAdmin(server, ['invoke', 'echo', '--dry-run']);
    expect(invoke.code, invoke.stderr).toBe(0);
    expect(invoke.stdout).toContain(`release  ${OLD_RELEASE} (behind web:live)`);
  });

  it('a rollback whose claim of its run the ledger refuses says that nothing moved (77), and moves nothing', async () => {
    const denial = { on: false };
    const server = await ledgerDenyingPutItem('run#', denial);
    await liveOnNewer(server);
    denial.on = true;
    const refused = await cnfAdmin(server, ['rollback', '--yes']);
    expect(refused.code, refused.stderr).toBe(77);
    expect(refused.stderr).toMatch(/dynamodb:PutItem[^\n]*Nothing moved\./);
    expect(server.aliases.web.live?.version).toBe('7');
    expect(server.aliases.admin.live?.version).toBe('5');
  });

  it('a rollback that moved the stage but whose move the ledger would not record ends 0, saying so, and its run succeeded', async () => {
    let armed = false;
    let failEnd = false;
    const server = await fakeAws(
      {},
      {
        serve: (received) => {
          if (!armed || received.operation !== 'PutItem') return false;
          const end = failEnd && received.body.includes('endedAt') && received.body.includes('rb-');
          if (!received.body.includes('pair#') && !end) return false;
          return INTERNAL_ERROR;
        },
      },
    );
    await liveOnNewer(server);
    armed = true;
    const moved = await cnfAdmin(server, ['rollback', '--yes', '--run-id', 'rb-unrecorded', '--json']);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stderr).toContain(`Stage prod moved to ${OLD_RELEASE}`);
    expect(moved.stderr).toContain('but the ledger did not record the move');
    // --json says it too, in a field
    expect(JSON.parse(moved.stdout)).toMatchObject({ moved: true, unrecordedMove: expect.stringContaining('did not record the move') });
    expect(server.aliases.web.live?.version).toBe('6');
    expect(server.aliases.admin.live?.version).toBe('4');
    armed = false;
    const run = JSON.parse((await cnfAdmin(server, ['runs', 'show', 'rb-unrecorded', '--json'])).stdout);
    expect(run).toMatchObject({ exitCode: 0 });
    // and one whose run's end cannot be recorded either: the stage moved, which is what it says, with 0
    deployNewer(server);
    armed = true;
    failEnd = true;
    const unended = await cnfAdmin(server, ['rollback', '--yes', '--run-id', 'rb-unended']);
    expect(unended.code, unended.stderr).toBe(0);
    expect(unended.stderr).toContain('! Stage prod moved, but the end of run rb-unended could not be recorded');
    expect(unended.stderr).toContain('Rolled back stage prod');
    expect(unended.stderr).not.toContain('Nothing changed');
    // what it says runs shows is what runs shows: running, until its deadline has passed
    armed = false;
    failEnd = false;
    const shown = JSON.parse((await cnfAdmin(server, ['runs', 'show', 'rb-unended', '--json'])).stdout) as {
      deadline: string;
      status?: string;
    };
    expect(shown).not.toHaveProperty('endedAt');
    expect((await cnfAdmin(server, ['runs', 'show', 'rb-unended'])).stdout).toMatch(/ended\s+\(in progress\)/);
    const lostFrom = formatMoment(new Date(Date.parse(shown.deadline) + 60_000).toISOString());
    expect(unended.stderr).toContain(
      `runs shows it as running (ended: in progress) until ${lostFrom}, past its deadline, and as lost (70) after that, although it moved the stage.`,
    );
    expect(unended.stderr).not.toContain('runs shows it as lost.');
  });

  it('a stage lock that cannot be given back after a change (denied) leaves the change done: exit 0, no crash', async () => {
    const denied = { status: 403, name: 'AccessDeniedException', message: 'not authorized to perform: dynamodb:DeleteItem' };
    const server = await fakeAws({}, { failures: { DeleteItem: [denied] } });
    const set = await cnfAdmin(server, ['config', 'set', 'GREETING', 'kept']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).not.toContain('bug in cnf-admin');
    expect((await cnfAdmin(server, ['config', 'get', 'GREETING'])).stdout.trim()).toBe('kept');
  });

  it('status shows web and admin on two releases (the drift), rather than failing with 78', async () => {
    const server = await twoReleases();
    server.aliases.admin.live = { version: '4', release: OLD_RELEASE };
    const status = await cnfAdmin(server, ['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('RELEASE MISMATCH');
  });

  it('refuses (75) while another holds the stage lock, naming it, and moves nothing', async () => {
    const server = await twoReleases();
    server.dynamodb.items.set('lock#cnf:stage', {
      pk: { S: 'lock#cnf:stage' },
      runId: { S: 'deploy-123' },
      caller: { S: 'arn:aws:sts::123456789012:assumed-role/ci/deployer' },
      since: { S: new Date().toISOString() },
      leaseExpiresAt: { N: String(Date.now() + 60_000) },
    });
    const result = await cnfAdmin(server, ['rollback', '--yes']);
    expect(result.code).toBe(75);
    expect(result.stderr).toContain('Stage prod is being changed by deploy-123');
    expect(server.aliases.web.live?.version).toBe('7');
    const set = await cnfAdmin(server, ['config', 'set', 'GREETING', 'during']);
    expect(set.code).toBe(75);
  });

  it('a cdk deploy after a rollback rolls forward with the live config, and the next rollback goes back to the release the rollback chose', async () => {
    const server = await twoReleases();
    expect((await cnfAdmin(server, ['rollback', '--yes'])).code).toBe(0);
    // cdk deploy of a third release: CloudFormation moves both aliases to its versions; the config is not CloudFormation's.
    server.aliases.web.live = { version: '8', release: THIRD_RELEASE };
    server.aliases.admin.live = { version: '6', release: THIRD_RELEASE };
    const dry = await cnfAdmin(server, ['rollback', '--dry-run']);
    expect(dry.stdout).toContain(`from ${THIRD_RELEASE} · config v1 to ${OLD_RELEASE} · config v1`);
    expect(dry.stdout).not.toContain(RELEASE);
    const plan = await cnfAdmin(server, ['invoke', 'echo', '--dry-run']);
    expect(plan.stdout).toContain(`release  ${THIRD_RELEASE} (behind web:live)`);
    expect(plan.stdout).toContain('config   v1');
  });

  it('after the version history is exhausted, releases marks the older release not restorable, and rollback refuses its pinned config', async () => {
    const server = await twoReleases();
    // 99 more puts: SSM keeps GREETING's versions 2 to 101, so v1 (GREETING:1) cannot be restored, v2 (GREETING:2) can.
    for (let n = 0; n < KEPT_VERSIONS - 1; n += 1) server.ssm.put(`${PATH}GREETING`, `later-${n}`);
    const releases = await cnfAdmin(server, ['releases']);
    expect(releases.code).toBe(0);
    expect(releases.stdout).toMatch(new RegExp(`${OLD_RELEASE}.*v1\\s+no`));
    expect(releases.stdout).toMatch(new RegExp(`${RELEASE}.*v2\\s+yes`));
    expect(releases.stderr).toContain(`${OLD_RELEASE} cannot be rolled back to: config v1 needs a version of GREETING`);
    const refused = await cnfAdmin(server, ['rollback', '--dry-run']);
    expect(refused.code).toBe(69);
    expect(refused.stderr).toContain('--config current');
    const codeOnly = await cnfAdmin(server, ['rollback', '--dry-run', '--config', 'current']);
    expect(codeOnly.code).toBe(0);
    expect(codeOnly.stdout).toContain(`to ${OLD_RELEASE} · config v2`);
    // with a release phase too: it is checked against the target as it will run, with the live config
    const withPhase = await cnfAdmin(server, ['rollback', '--dry-run', '--config', 'current'], WITH_RELEASE_PHASE);
    expect(withPhase.code, withPhase.stderr).toBe(0);
    expect(withPhase.stdout).toContain('release phase: migrate runs on');
  });

  it('rollback --config current moves the code alone when the live config names a value SSM no longer keeps, and says so', async () => {
    const server = await twoReleases(); // the older release pinned to v1 (GREETING:1), the newer live with v2 (GREETING:2)
    // SSM keeps GREETING's versions 3 to 102: neither v1's value nor the live v2's is kept.
    for (let n = 0; n < KEPT_VERSIONS; n += 1) server.ssm.put(`${PATH}GREETING`, `later-${n}`);
    // A release phase would read the live config on the target: refused before anything starts, saying what to do first.
    const withPhase = await cnfAdmin(server, ['rollback', '--dry-run', '--config', 'current'], WITH_RELEASE_PHASE);
    expect(withPhase.code).toBe(69);
    expect(withPhase.stderr).toContain(
      `The release phase (migrate) would run ${OLD_RELEASE} · config v2, the live config, which it cannot read: config v2 needs a version of GREETING that SSM no longer holds`,
    );
    expect(withPhase.stderr).toContain('Set it again: cnf-admin config set GREETING --stage prod.');
    expect(withPhase.stderr).toContain('cnf-admin config rollback vN --stage prod');

    const dry = await cnfAdmin(server, ['rollback', '--dry-run', '--config', 'current']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`Roll back stage prod from ${RELEASE} · config v2 to ${OLD_RELEASE} · config v2`);
    expect(dry.stdout).toContain('  config diff: none');
    expect(dry.stdout).toContain(
      `  ! the live config stays, and config v2 needs a version of GREETING that SSM no longer holds (it keeps the last 100 versions of a parameter): ${OLD_RELEASE}'s web and admin cannot read that value either. Set it again: cnf-admin config set GREETING --stage prod. Or go back to a config version whose values SSM still keeps: cnf-admin config rollback vN --stage prod (config history marks those RESTORABLE yes).`,
    );
    // The commands it names are those config list names, as the user runs cnf-admin.
    const list = await cnfAdmin(server, ['config', 'list']);
    expect(list.stderr).toContain('Set it again: cnf-admin config set GREETING --stage prod.');
    const underNpx = await runCli(['rollback', '--dry-run', '--config', 'current', '--stage', 'prod'], {
      cwd: FIXTURE_ROOT,
      env: fakeAwsEnvironment(server.url, { CNF_LOG_WAIT_SECONDS: '1', npm_command: 'exec' }),
    });
    expect(underNpx.stdout).toContain('either. Set it again: npx cnf-admin config set GREETING --stage prod.');
    const moved = await cnfAdmin(server, ['rollback', '--yes', '--config', 'current', '--json']);
    expect(moved.code, moved.stderr).toBe(0);
    expect(JSON.parse(moved.stdout)).toMatchObject({
      moved: true,
      to: { release: OLD_RELEASE, config: 2 },
      diff: [],
      liveConfigUnreadable: expect.stringContaining('config v2 needs a version of GREETING'),
    });
    expect(server.aliases.web.live?.version).toBe('6');
    expect(server.aliases.admin.live?.version).toBe('4');
    expect(liveRecord(server)).toMatchObject({ release: OLD_RELEASE, config: 2 });
  });

  it('a rollback to a whole pinned config leaves the diff out when the live config names a value SSM no longer keeps, and mends it', async () => {
    const server = await fakeAws();
    await cnfAdmin(server, ['config', 'set', 'GREETING', 'old']); // v1, live with the older release
    deployNewer(server);
    await cnfAdmin(server, ['config', 'set', 'LOG_LEVEL', 'debug']); // v2, live with the newer release
    server.ssm.handle('DeleteParameter', { Name: `${PATH}LOG_LEVEL` });
    const dry = await cnfAdmin(server, ['rollback', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      '  config diff: left out: the live config cannot be read whole (config v2 needs a version of LOG_LEVEL that SSM no longer holds',
    );
    expect(dry.stdout).toContain(`the rollback makes ${OLD_RELEASE} · config v1, whose values are whole, live`);
    const moved = await cnfAdmin(server, ['rollback', '--yes']);
    expect(moved.code, moved.stderr).toBe(0);
    expect(liveRecord(server)).toMatchObject({ release: OLD_RELEASE, config: 1 });
    expect(await cnfAdmin(server, ['config', 'list', '--json'])).toMatchObject({ code: 0, stderr: '' });
  });

  it.each([
    [3, false],
    [0, true],
  ])('runs the release phase on the target with its pinned config first: exit %i moves it: %s', async (exitCode, moves) => {
    const server = await fakeAws({
      stream: {
        frames: [{ type: 'result', result: { runId: '$RUN_ID', task: 'migrate', release: OLD_RELEASE, exitCode, durationMs: 1 } }],
      },
    });
    await liveOnNewer(server);
    const result = await cnfAdmin(server, ['rollback', '--yes', '--run-id', 'rb-phase'], WITH_RELEASE_PHASE);
    expect(result.code).toBe(exitCode);
    const phase = server.requests.find((request) => request.operation === 'InvokeWithResponseStream');
    expect(phase?.path).toContain('Qualifier=4');
    expect(JSON.parse(phase?.body ?? '{}')).toMatchObject({
      task: 'migrate',
      runId: 'rb-phase-release-phase',
      source: 'release-phase',
      release: OLD_RELEASE,
      configVersion: 1,
    });
    expect(server.aliases.web.live?.version).toBe(moves ? '6' : '7');
    expect(liveRecord(server)?.config).toBe(moves ? 1 : 2);
    const run = JSON.parse((await cnfAdmin(server, ['runs', 'show', 'rb-phase', '--json'])).stdout);
    expect(run).toMatchObject({ task: 'cnf:rollback', exitCode });
    if (!moves) expect(run.error).toMatchObject({ name: 'ReleasePhaseFailed' });
    // A rollback that moved names the config it made live; one refused names none (the release phase's own run names v1).
    expect(run.configVersion).toBe(moves ? 1 : undefined);
  });

  it('status says so when the aliases went back to the release a rollback moved away from (a CloudFormation rollback of a failed deploy)', async () => {
    const server = await twoReleases();
    expect((await cnfAdmin(server, ['rollback', '--yes'])).code).toBe(0);
    // A later deploy of a third release fails after the aliases moved; CloudFormation restores the last template's versions.
    deployNewer(server);
    const status = await cnfAdmin(server, ['status']);
    expect(status.code).toBe(0);
    expect(status.stdout + status.stderr).toContain(`The live aliases serve ${RELEASE}, an older release, not ${OLD_RELEASE}`);
    expect(status.stdout + status.stderr).toContain(`cnf-admin rollback --to ${OLD_RELEASE}`);
  });

  it('refuses (69) a release whose function versions are gone', async () => {
    const server = await twoReleases();
    const result = await cnfAdmin(server, ['rollback', '--to', 'r-ffffffffffff', '--dry-run']);
    expect(result.code).toBe(69);
    expect(result.stderr).toContain('Cannot roll back to r-ffffffffffff: its web and admin function versions are gone.');
  });
});
