import { describe, expect, it } from 'vitest';
import { PermissionError, UsageError } from '../../../lib/core/errors.js';
import { MASK } from '../../../lib/core/parameter-set.js';
import { type AwsScenario } from '../../support/aws-scenario.js';
import { fixturePlatform } from '../../support/aws-platform.js';
import { useAwsScenario } from '../../support/aws-test-scenario.js';

const given = useAwsScenario();

const PARAMETERS: AwsScenario['parameters'] = [
  { Name: '/fixture/prod/LOG_LEVEL', Value: 'info', Type: 'String' },
  { Name: '/fixture/prod/DATABASE_URL', Value: 'postgres://app:hunter22@db/app', Type: 'SecureString' },
  { Name: '/fixture/prod/feature/x', Value: 'on', Type: 'String' },
];

/* A stage whose record names no run ledger keeps no config versions: the plain parameter set (the versioned one is tested through the binary in test/cli/aws-config-versions.e2e.test.ts). */
const UNVERSIONED = { ledgerTable: undefined } as unknown as AwsScenario['record'];

describe('SsmParameterStore (config on AWS stages without a run ledger)', () => {
  it('lists every parameter under /<app>/<stage>/ across pages, secrets masked, the reserved _cnf/ left out', async () => {
    // given: the stage record lives under _cnf/ too
    const installed = given({ parameters: PARAMETERS, record: UNVERSIONED });

    // when
    const parameters = await fixturePlatform().parameters.list();

    // then
    expect(parameters).toEqual([
      { key: 'DATABASE_URL', value: MASK, secure: true },
      { key: 'LOG_LEVEL', value: 'info', secure: false },
      { key: 'feature/x', value: 'on', secure: false },
    ]);
    const reads = installed.sent().filter((call) => call.command === 'GetParametersByPathCommand');
    expect(reads.length).toBeGreaterThan(1);
    expect(reads[0]?.input).toMatchObject({ Path: '/fixture/prod/', Recursive: true, WithDecryption: false });
  });

  it('gets one parameter, never decrypting a secret, and undefined for a missing one', async () => {
    // given
    given({ parameters: PARAMETERS, record: UNVERSIONED });
    const store = fixturePlatform().parameters;

    // when / then
    expect(await store.get('LOG_LEVEL')).toEqual({ key: 'LOG_LEVEL', value: 'info', secure: false });
    expect(await store.get('DATABASE_URL')).toEqual({ key: 'DATABASE_URL', value: MASK, secure: true });
    expect(await store.get('MISSING')).toBeUndefined();
  });

  it('writes a SecureString with --secure and a String otherwise, and removes parameters', async () => {
    // given
    const installed = given({ parameters: PARAMETERS, record: UNVERSIONED });
    const store = fixturePlatform().parameters;

    // when
    await store.set('API_TOKEN', 's3cret-token', { secure: true });
    await store.set('LOG_LEVEL', 'debug', { secure: false });
    const removed = await store.unset('feature/x');
    const absent = await store.unset('feature/x');

    // then
    const puts = installed.sent().filter((call) => call.command === 'PutParameterCommand');
    expect(puts.map((call) => call.input)).toEqual([
      { Name: '/fixture/prod/API_TOKEN', Value: 's3cret-token', Type: 'SecureString', Overwrite: true },
      { Name: '/fixture/prod/LOG_LEVEL', Value: 'debug', Type: 'String', Overwrite: true },
    ]);
    expect([removed, absent]).toEqual([true, false]);
  });

  it("writes a SecureString with the stage's customer managed key when its record names one, and a String without", async () => {
    // given
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const installed = given({ record: { parameterKey: key, ledgerTable: undefined } as never });
    const store = fixturePlatform().parameters;

    // when
    await store.set('API_TOKEN', 's3cret-token', { secure: true });
    await store.set('LOG_LEVEL', 'debug', { secure: false });

    // then
    const puts = installed.sent().filter((call) => call.command === 'PutParameterCommand');
    expect(puts.map((call) => call.input)).toEqual([
      { Name: '/fixture/prod/API_TOKEN', Value: 's3cret-token', Type: 'SecureString', KeyId: key, Overwrite: true },
      { Name: '/fixture/prod/LOG_LEVEL', Value: 'debug', Type: 'String', Overwrite: true },
    ]);
  });

  it('writes a SecureString with aws/ssm before the first deploy, when there is no record to name a key', async () => {
    // given
    const installed = given({ record: null });

    // when
    await fixturePlatform().parameters.set('DATABASE_URL', 'postgres://app@db/app', { secure: true });

    // then
    const puts = installed.sent().filter((call) => call.command === 'PutParameterCommand');
    expect(puts.map((call) => call.input)).toEqual([
      { Name: '/fixture/prod/DATABASE_URL', Value: 'postgres://app@db/app', Type: 'SecureString', Overwrite: true },
    ]);
  });

  it('writes nothing when the record cannot be read, naming ssm:GetParameter', async () => {
    // given
    const installed = given({
      errors: { GetParameter: [{ name: 'AccessDeniedException', message: 'not authorized', fault: 'client', status: 400 }] },
    });

    // when
    const setting = fixturePlatform().parameters.set('API_TOKEN', 's3cret-token', { secure: true });

    // then
    await expect(setting).rejects.toBeInstanceOf(PermissionError);
    await expect(setting).rejects.toThrow('Permission denied: ssm:GetParameter on parameter /fixture/prod/_cnf/stage');
    expect(installed.sent().filter((call) => call.command === 'PutParameterCommand')).toEqual([]);
  });

  it('never touches the reserved _cnf/ prefix', async () => {
    // given
    const installed = given({});

    // when / then
    await expect(fixturePlatform().parameters.set('_cnf/stage', '{}', { secure: false })).rejects.toBeInstanceOf(UsageError);
    expect(installed.sent()).toEqual([]);
  });

  it('names ssm:PutParameter and exits 77 when writing is denied', async () => {
    // given
    given({ errors: { PutParameter: [{ name: 'AccessDeniedException', message: 'not authorized', fault: 'client', status: 400 }] } });

    // when
    const setting = fixturePlatform().parameters.set('LOG_LEVEL', 'debug', { secure: false });

    // then
    await expect(setting).rejects.toBeInstanceOf(PermissionError);
    await expect(setting).rejects.toThrow('Permission denied: ssm:PutParameter on parameter /fixture/prod/LOG_LEVEL');
  });

  it('says that SSM kept the key as it was, and what to mend, when it refuses the value (64), quoting no secure value', async () => {
    // given: SSM quotes the value it refuses
    const value = 'x'.repeat(5000);
    given({
      record: UNVERSIONED,
      errors: {
        PutParameter: [
          {
            name: 'ValidationException',
            message: `Standard tier parameters support a maximum parameter value of 4096 characters: ${value}`,
            fault: 'client',
            status: 400,
          },
        ],
      },
    });

    // when
    const setting = fixturePlatform().parameters.set('API_TOKEN', value, { secure: true });

    // then
    await expect(setting).rejects.toBeInstanceOf(UsageError);
    await expect(setting).rejects.toThrow('AWS refused ssm:PutParameter on parameter /fixture/prod/API_TOKEN: ValidationException');
    await expect(setting).rejects.toMatchObject({
      hint: expect.stringMatching(/^SSM kept API_TOKEN as it was\. A Standard parameter holds at most 4 KB/),
    });
    await expect(setting).rejects.not.toThrow(value);
  });

  it('says whether SSM kept a value is not known when its answer to PutParameter was lost, and not when it throttled the write', async () => {
    // given: the connection drops after the request went out, then a later write is throttled
    given({
      record: UNVERSIONED,
      errors: {
        PutParameter: [
          { name: 'TimeoutError', message: 'socket hang up', code: 'ECONNRESET' },
          { name: 'ThrottlingException', message: 'Rate exceeded', fault: 'client', status: 400 },
        ],
      },
    });
    const store = fixturePlatform().parameters;

    // when / then
    await expect(store.set('API_TOKEN', 's3cret-token', { secure: true })).rejects.toThrow(
      /dropped during ssm:PutParameter .*Whether SSM kept the new value of API_TOKEN is not known\.$/,
    );
    const throttled = store.set('LOG_LEVEL', 'debug', { secure: false });
    await expect(throttled).rejects.toThrow('AWS throttled ssm:PutParameter on parameter /fixture/prod/LOG_LEVEL');
    await expect(throttled).rejects.not.toThrow('not known');
  });
});

describe('VersionedSsmParameters (config on AWS stages with a run ledger)', () => {
  it('says that no config version was made, and that whether SSM kept the value is not known, when PutParameter failed on AWS side', async () => {
    // given
    const installed = given({
      parameters: PARAMETERS,
      errors: {
        PutParameter: [{ name: 'InternalServerError', message: 'We encountered an internal error', fault: 'server', status: 500 }],
      },
    });

    // when
    const setting = fixturePlatform().parameters.set('LOG_LEVEL', 'debug', { secure: false });

    // then
    await expect(setting).rejects.toThrow(
      'Whether SSM kept the new value of LOG_LEVEL is not known. No config version was made: the live config is as it was.',
    );
    // and: only the value and the stage lock were written, neither a config version nor the live pair
    const written = installed
      .sent()
      .filter((call) => call.command === 'PutItemCommand' || call.command === 'PutParameterCommand')
      .map((call) => JSON.stringify(call.input));
    expect(written).toEqual([
      expect.stringContaining('"Name":"/fixture/prod/LOG_LEVEL"'),
      expect.stringContaining('"pk":{"S":"lock#cnf:stage"}'),
    ]);
  });
});
