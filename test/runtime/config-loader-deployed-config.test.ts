/**
 * A deploy that changes a declared value, end to end on the fake endpoint
 * (its Parameter Store keeps versions as SSM does; its DynamoDB is the run
 * ledger table), through the real SDK on the wire: CloudFormation writes the
 * new value as a new parameter version, the deployed-config provider makes
 * the config version, and the runtime's loader, web and admin alike, reads
 * the old value until the switch and the new one from then on. The config
 * history lists the version, made by the deploy.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { configVersionHash } from '../../lib/core/config-version.js';
import { LIVE_PAIR_KEY, type LivePairRecord } from '../../lib/core/live-pair-record.js';
import { recordDeployedConfig } from '../../lib/construct/private/deployed-config-handler.js';
import { ConfigLedgerStore } from '../../lib/platform/aws/config-ledger-store.js';
import { loadConfig } from '../../lib/runtime/config-loader.js';
import { healthyScenario } from '../support/aws-scenario.js';
import { startFakeAws, type FakeAws } from '../support/fake-aws-server.js';
import { stubFakeAwsEnvironment } from '../support/stub-fake-aws.js';

const PATH = '/notes/prod/';
const TABLE = 'notes-prod-ledger';
let aws: FakeAws;

beforeAll(async () => {
  aws = await startFakeAws(healthyScenario({ app: 'notes', stage: 'prod' }));
  stubFakeAwsEnvironment(aws.url, { CNF_PARAMETER_FILE: '', CNF_PARAMETER_PATH: PATH, CNF_LEDGER_TABLE: TABLE });
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await aws.close();
});

function updateEvent(declared: Record<string, string>, old: Record<string, string>): CloudFormationCustomResourceEvent {
  const properties = { ServiceToken: 'arn:provider', ParameterPath: PATH, Stage: 'prod', TableName: TABLE, Declared: declared };
  return {
    RequestType: 'Update',
    ServiceToken: 'arn:provider',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/notes-prod/0a1b2c3d',
    RequestId: 'request-1',
    LogicalResourceId: 'AppDeployedConfig',
    PhysicalResourceId: 'AppDeployedConfig',
    ResourceType: 'Custom::CnfDeployedConfig',
    ResourceProperties: properties,
    OldResourceProperties: { ...properties, Declared: old },
  };
}

describe('a deploy that changes a declared value', () => {
  it('takes effect: the loader reads the new value once the deploy’s config version is live, and history lists it', async () => {
    // The stage as `config set` left it: GREETING and PAGE_SIZE in config v1, live.
    const greeting = aws.ssm.put(`${PATH}GREETING`, 'hello');
    const pageSize = aws.ssm.put(`${PATH}PAGE_SIZE`, '10');
    const v1Keys = { GREETING: { version: greeting, secure: false }, PAGE_SIZE: { version: pageSize, secure: false } };
    const store = new ConfigLedgerStore(async () => new DynamoDBClient({}), TABLE, 'prod');
    await store.add(
      (version) => ({
        version,
        keys: v1Keys,
        hash: configVersionHash(v1Keys),
        createdBy: 'arn:aws:sts::123456789012:assumed-role/operator/alice',
        createdAt: '2026-12-02T10:00:00.000Z',
        cause: 'set',
        changed: ['GREETING'],
      }),
      0,
    );
    const live: LivePairRecord = { release: 'r-aaaaaaaaaaaa', config: 1, keys: v1Keys };
    aws.ssm.put(`${PATH}${LIVE_PAIR_KEY}`, JSON.stringify(live));

    // CloudFormation writes the changed declared value: a new parameter version that `_cnf/live` does not name yet.
    aws.ssm.put(`${PATH}GREETING`, 'bonjour');
    expect((await loadConfig()).values.GREETING).toBe('hello');

    vi.useFakeTimers({ toFake: ['Date'] });
    const seenBeforeSwitch: string[] = [];
    const outcome = await recordDeployedConfig(
      updateEvent({ GREETING: 'sha256:new', PAGE_SIZE: 'sha256:p' }, { GREETING: 'sha256:old', PAGE_SIZE: 'sha256:p' }),
      {
        ssm: new SSMClient({}),
        dynamodb: new DynamoDBClient({}),
        now: () => Date.now(),
        sleep: async (ms) => {
          // Until the switch, every reader still gets the old value: web and admin never disagree.
          seenBeforeSwitch.push((await loadConfig()).values.GREETING ?? '');
          vi.setSystemTime(Date.now() + ms);
        },
      },
    );
    expect(outcome).toMatchObject({ Status: 'SUCCESS', Data: { ConfigVersion: '2' } });
    expect(seenBeforeSwitch).toEqual(['hello']);

    const config = await loadConfig();
    expect(config.version).toBe(2);
    expect(config.values).toMatchObject({ GREETING: 'bonjour', PAGE_SIZE: '10' });

    const history = await store.versions();
    expect(history.map(({ version, cause, changed, createdBy }) => ({ version, cause, changed, createdBy }))).toEqual([
      { version: 1, cause: 'set', changed: ['GREETING'], createdBy: 'arn:aws:sts::123456789012:assumed-role/operator/alice' },
      { version: 2, cause: 'deploy', changed: ['GREETING'], createdBy: 'cloudformation:notes-prod' },
    ]);
  });
});
