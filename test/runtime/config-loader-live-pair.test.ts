/**
 * The AWS config loader with a live-pair record, through the real SDK on the
 * wire against the fake endpoint's Parameter Store (which keeps versions as
 * SSM does): the live config version's values in one round trip in the usual
 * case, older versions by `name:version` selector, the switch time, and the
 * version history's end.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { marshall } from '@aws-sdk/util-dynamodb';
import { configItem } from '../../lib/core/config-ledger.js';
import type { ConfigVersion } from '../../lib/core/config-version.js';
import { LIVE_PAIR_KEY, type LivePairRecord } from '../../lib/core/live-pair-record.js';
import { ConfigError, loadConfig } from '../../lib/runtime/config-loader.js';
import { healthyScenario } from '../support/aws-scenario.js';
import { startFakeAws, type FakeAws } from '../support/fake-aws-server.js';
import { stubFakeAwsEnvironment } from '../support/stub-fake-aws.js';

const PATH = '/notes/prod/';
let aws: FakeAws;

function record(value: LivePairRecord): void {
  aws.ssm.put(`${PATH}${LIVE_PAIR_KEY}`, JSON.stringify(value));
}

/** The SSM operations one loadConfig made. */
async function load(version?: number): Promise<{ values: Record<string, string>; version: number | undefined; calls: string[] }> {
  const before = aws.requests.length;
  const config = await loadConfig(version === undefined ? {} : { version });
  return { values: { ...config.values }, version: config.version, calls: aws.requests.slice(before).map((request) => request.operation) };
}

beforeAll(async () => {
  aws = await startFakeAws(healthyScenario({ app: 'notes', stage: 'prod' }));
  stubFakeAwsEnvironment(aws.url, { CNF_PARAMETER_FILE: '', CNF_PARAMETER_PATH: PATH, CNF_LEDGER_TABLE: 'notes-prod-ledger' });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await aws.close();
});

describe('loadConfig with a live-pair record', () => {
  beforeEach(() => {
    aws.ssm.put(`${PATH}GREETING`, 'one'); // version 1
    aws.ssm.put(`${PATH}TOKEN`, 'secret-1', 'SecureString');
  });

  it('without a record, reads every parameter under the path, as before config versions', async () => {
    const read = await load();
    expect(read.values).toMatchObject({ GREETING: 'one', TOKEN: 'secret-1' });
    expect(read.version).toBeUndefined();
  });

  it('reads the live version in one round trip when it holds the newest values, and leaves out keys it does not name', async () => {
    const greeting = aws.ssm.put(`${PATH}GREETING`, 'two');
    aws.ssm.put(`${PATH}STRAY`, 'set without a version');
    const token = aws.ssm.versions(`${PATH}TOKEN`).at(-1)?.Version as number;
    record({
      release: 'r-aaaaaaaaaaaa',
      config: 7,
      keys: { GREETING: { version: greeting, secure: false }, TOKEN: { version: token, secure: true } },
    });
    const read = await load();
    expect(read).toMatchObject({ values: { GREETING: 'two', TOKEN: 'secret-1' }, version: 7 });
    expect(read.values).not.toHaveProperty('STRAY');
    expect(read.calls).toEqual(['GetParametersByPath']);
  });

  it('reads an older version by selector after a rollback: a second round trip', async () => {
    aws.ssm.put(`${PATH}GREETING`, 'three');
    record({ release: 'r-aaaaaaaaaaaa', config: 5, keys: { GREETING: { version: 1, secure: false } } });
    const read = await load();
    expect(read).toMatchObject({ values: { GREETING: 'one' }, version: 5 });
    expect(read.calls).toEqual(['GetParametersByPath', 'GetParameters']);
  });

  it('serves the previous version until the switch time, for web and admin alike', async () => {
    const newest = aws.ssm.put(`${PATH}GREETING`, 'four');
    const later = new Date(Date.now() + 60_000).toISOString();
    record({
      release: 'r-aaaaaaaaaaaa',
      config: 9,
      keys: { GREETING: { version: newest, secure: false } },
      from: later,
      previous: { config: 8, keys: { GREETING: { version: 1, secure: false } } },
    });
    expect(await load()).toMatchObject({ values: { GREETING: 'one' }, version: 8 });
  });

  it('refuses, naming the selector, a version SSM no longer holds, and a version the stage does not have', async () => {
    record({ release: 'r-aaaaaaaaaaaa', config: 3, keys: { GREETING: { version: 999, secure: false } } });
    await expect(loadConfig()).rejects.toThrow(
      new ConfigError(`Cannot read config v3: SSM no longer holds ${PATH}GREETING:999`, { versionUnreadable: true }),
    );
    record({ release: 'r-aaaaaaaaaaaa', config: 4, keys: {} });
    await expect(loadConfig({ version: 2 })).rejects.toThrow(
      new ConfigError('Cannot read config v2: the stage has no such config version.', { versionUnreadable: true }),
    );
  });

  it('reads an older config version an admin event names from its item in the ledger table (a pinned run of an older release)', async () => {
    const first = aws.ssm.versions(`${PATH}GREETING`).at(-1)?.Version as number; // 'one', never read by selector yet
    aws.ssm.put(`${PATH}GREETING`, 'five');
    const pinned: ConfigVersion = {
      version: 2,
      keys: { GREETING: { version: first, secure: false } },
      hash: 'cv-000000000000',
      createdBy: 'arn:aws:sts::123456789012:assumed-role/operator/alice',
      createdAt: '2026-12-01T10:00:00.000Z',
      cause: 'set',
      changed: ['GREETING'],
    };
    aws.dynamodb.items.set('config#v2', marshall(configItem(pinned)) as never);
    record({ release: 'r-aaaaaaaaaaaa', config: 6, keys: {} });
    const read = await load(2);
    expect(read).toMatchObject({ values: { GREETING: 'one' }, version: 2 });
    expect(read.calls).toEqual(['GetParametersByPath', 'GetItem', 'GetParameters']);
  });
});
