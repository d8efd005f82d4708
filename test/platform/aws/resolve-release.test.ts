import { describe, expect, it } from 'vitest';
import { PermissionError, ReleaseMismatchError, TryAgainError, UnavailableError } from '../../../lib/core/errors.js';
import { healthyScenario, LIVE_PLAN, OLD_RELEASE, RELEASE, type InstalledScenario } from '../../support/aws-scenario.js';
import { fixturePlatform } from '../../support/aws-platform.js';
import { MissingAliasError } from '../../../lib/platform/aws/function-aliases.js';
import { useAwsScenario } from '../../support/aws-test-scenario.js';

const CANARY = 'r-cccccccccccc';
const given = useAwsScenario();

const names = (installed: InstalledScenario): string[] => installed.sent().map((call) => call.command.replace(/Command$/, ''));

describe('AwsPlatform.resolve', () => {
  it('finds the release behind web:live and the admin version of it, in one round of parallel calls', async () => {
    // given
    const installed = given();

    // when
    const plan = await fixturePlatform().resolve({});

    // then
    expect(plan).toEqual(LIVE_PLAN);
    expect(names(installed).sort()).toEqual([
      'GetAlias',
      'GetAlias',
      'GetCallerIdentity',
      'GetFunctionConfiguration',
      'GetFunctionConfiguration',
      'GetParameter',
      'GetParameter', // the live-pair record (_cnf/live), in the same round
    ]);
  });

  it("trusts the versions' own descriptions, not an alias description a manual rollback left stale", async () => {
    // given: web:live was rolled back by hand to version 6 (the old release); its description still names the new one
    given({
      aliases: { web: { live: { version: '6', release: RELEASE } }, admin: { live: { version: '5', release: RELEASE } } },
    });

    // when
    const resolving = fixturePlatform().resolve({});

    // then: web serves the old release and admin the new one: a mismatch, not a run of the wrong release
    await expect(resolving).rejects.toBeInstanceOf(ReleaseMismatchError);
    await expect(resolving).rejects.toThrow(
      new RegExp(`web:live serves ${OLD_RELEASE} \\(version 6\\) but admin:live points at ${RELEASE}`),
    );
  });

  it('refuses with exit 78 when web and admin serve different releases, naming both', async () => {
    // given
    given(
      healthyScenario({
        aliases: { web: { live: { version: '7', release: RELEASE } }, admin: { live: { version: '4', release: OLD_RELEASE } } },
      }),
    );

    // when
    const resolving = fixturePlatform().resolve({});

    // then
    await expect(resolving).rejects.toBeInstanceOf(ReleaseMismatchError);
    await expect(resolving).rejects.toThrow(new RegExp(`${RELEASE}.*${OLD_RELEASE}`));
  });

  it('runs a canary stage against the primary release, and says what share the canary takes', async () => {
    // given: 10% of web traffic goes to version 8 (a new release); the alias description names the new release
    const scenario = healthyScenario();
    given({
      ...scenario,
      aliases: {
        web: { live: { version: '7', release: CANARY, weights: { '8': 0.1 } } },
        admin: { live: { version: '5', release: RELEASE } },
      },
      versions: { ...scenario.versions, web: [...(scenario.versions?.web ?? []), { version: '8', release: CANARY }] },
    });

    // when
    const plan = await fixturePlatform().resolve({});

    // then: the primary's own version description decides, not the alias description
    expect(plan).toMatchObject({ release: RELEASE, webVersion: '7', adminVersion: '5', qualifier: '5' });
    expect(plan.notices.join('\n')).toContain(`release ${CANARY} (version 8) takes 10% of web traffic`);
  });

  it('finds the admin version of the primary release when admin:live already moved to the canary', async () => {
    // given
    const scenario = healthyScenario();
    given({
      ...scenario,
      aliases: {
        web: { live: { version: '7', release: RELEASE, weights: { '8': 0.25 } } },
        admin: { live: { version: '9', release: CANARY } },
      },
      versions: {
        web: [...(scenario.versions?.web ?? []), { version: '8', release: CANARY }],
        admin: [...(scenario.versions?.admin ?? []), { version: '9', release: CANARY }],
      },
    });

    // when
    const plan = await fixturePlatform().resolve({});

    // then
    expect(plan).toMatchObject({ release: RELEASE, adminVersion: '5', qualifier: '5' });
    expect(plan.notices.join('\n')).toMatch(/25% of web traffic/);
  });

  it('runs a retained release picked by id, finding its versions by their descriptions', async () => {
    // given
    given();

    // when
    const plan = await fixturePlatform().resolve({ release: OLD_RELEASE });

    // then
    expect(plan).toEqual({
      stage: 'prod',
      alias: undefined,
      release: OLD_RELEASE,
      webVersion: '6',
      adminVersion: '4',
      qualifier: '4',
      notices: [],
    });
  });

  it('says which releases are retained when the picked one is not', async () => {
    // given
    given();

    // when / then
    await expect(fixturePlatform().resolve({ release: 'r-999999999999' })).rejects.toThrow(UnavailableError);
    await expect(fixturePlatform().resolve({ release: 'r-999999999999' })).rejects.toMatchObject({
      hint: `Retained releases, newest first: ${RELEASE}, ${OLD_RELEASE}`,
    });
  });

  it('follows another alias pair with --alias, and exits 69 when it does not exist', async () => {
    // given
    given(
      healthyScenario({
        aliases: {
          web: { live: { version: '7', release: RELEASE }, beta: { version: '6', release: OLD_RELEASE } },
          admin: { live: { version: '5', release: RELEASE }, beta: { version: '4', release: OLD_RELEASE } },
        },
      }),
    );

    // when
    const beta = await fixturePlatform().resolve({ alias: 'beta' });

    // then
    expect(beta).toMatchObject({ alias: 'beta', release: OLD_RELEASE, qualifier: '4' });
    await expect(fixturePlatform().resolve({ alias: 'gamma' })).rejects.toThrow(/has no alias "gamma"/);
  });

  it('reads a stage whose functions have no live alias yet as one with no live pair, where resolving it is 69', async () => {
    // given: the stage record is there, the aliases are not
    given({ aliases: {} });

    // when
    const resolving = fixturePlatform().resolve({});
    const livePair = fixturePlatform().livePairs.livePair();

    // then
    await expect(resolving).rejects.toBeInstanceOf(MissingAliasError);
    await expect(resolving).rejects.toMatchObject({ exitCode: 69, message: expect.stringMatching(/has no alias "live"/) });
    await expect(livePair).resolves.toBeUndefined();
  });

  it('reports a stage that is not deployed (no stage record) with how to deploy it, exit 69', async () => {
    // given: nothing of the stage exists
    given({ record: null, aliases: {} });

    // when
    const resolving = fixturePlatform().resolve({});

    // then: the missing record is the error, not the missing aliases
    await expect(resolving).rejects.toBeInstanceOf(UnavailableError);
    await expect(resolving).rejects.toThrow(
      /Stage prod of app fixture is not deployed in eu-west-1: there is no stage record at \/fixture\/prod\/_cnf\/stage/,
    );
    await expect(resolving).rejects.toMatchObject({ exitCode: 69, hint: expect.stringContaining('npx cdk deploy -c stage=prod') });
  });

  it('reads the aliases again when the record names other functions than the convention', async () => {
    // given
    const scenario = healthyScenario();
    const installed = given({
      ...scenario,
      record: {
        web: { functionName: 'custom-web', logGroup: '/aws/lambda/custom-web' },
        admin: { functionName: 'custom-admin', logGroup: '/aws/lambda/custom-admin', timeoutSeconds: 300 },
      },
    });

    // when
    const plan = await fixturePlatform().resolve({});

    // then
    expect(plan.qualifier).toBe('5');
    expect(
      installed
        .sent()
        .filter((call) => call.command === 'GetAliasCommand')
        .map((call) => call.input.FunctionName),
    ).toEqual(expect.arrayContaining(['custom-web', 'custom-admin']));
  });

  it("looks up a version's release when its alias description names none", async () => {
    // given
    given({ aliases: { web: { live: { version: '7' } }, admin: { live: { version: '5' } } } });

    // when
    const plan = await fixturePlatform().resolve({});

    // then
    expect(plan).toMatchObject({ release: RELEASE, qualifier: '5' });
  });

  it('names the denied action and exits 77 on AccessDenied', async () => {
    // given
    given(
      healthyScenario({
        errors: {
          GetAlias: [
            { name: 'AccessDeniedException', message: 'User is not authorized to perform: lambda:GetAlias', fault: 'client', status: 403 },
          ],
        },
      }),
    );

    // when
    const resolving = fixturePlatform().resolve({});

    // then
    await expect(resolving).rejects.toBeInstanceOf(PermissionError);
    await expect(resolving).rejects.toThrow(/Permission denied: lambda:GetAlias on function fixture-prod-(web|admin) alias live/);
  });

  it('exits 75 when reading the stage record stays throttled', async () => {
    // given
    given(
      healthyScenario({
        errors: { GetParameter: [{ name: 'ThrottlingException', message: 'Rate exceeded', fault: 'client', status: 400 }] },
      }),
    );

    // when / then
    await expect(fixturePlatform().resolve({})).rejects.toBeInstanceOf(TryAgainError);
  });
});
