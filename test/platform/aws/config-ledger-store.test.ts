/**
 * The config history in the ledger table, through the real SDK on the wire
 * against the fake endpoint's DynamoDB: two changes that start from the
 * same newest version never record the same number.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { configVersionHash, type ConfigVersion } from '../../../lib/core/config-version.js';
import { ConfigLedgerStore } from '../../../lib/platform/aws/config-ledger-store.js';
import { healthyScenario } from '../../support/aws-scenario.js';
import { startFakeAws, type FakeAws } from '../../support/fake-aws-server.js';
import { stubFakeAwsEnvironment } from '../../support/stub-fake-aws.js';

let aws: FakeAws;

beforeAll(async () => {
  aws = await startFakeAws(healthyScenario());
  stubFakeAwsEnvironment(aws.url);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await aws.close();
});

function version(key: string): (n: number) => ConfigVersion {
  const keys = { [key]: { version: 1, secure: false } };
  return (n) => ({
    version: n,
    keys,
    hash: configVersionHash(keys),
    createdBy: 'arn:aws:sts::123456789012:assumed-role/operator/alice',
    createdAt: new Date().toISOString(),
    cause: 'set',
    changed: [key],
  });
}

describe('ConfigLedgerStore', () => {
  it('gives two changes made from the same newest version different numbers (attribute_not_exists), and lists them in order', async () => {
    const store = new ConfigLedgerStore(async () => new DynamoDBClient({}), 'fixture-prod-runs', 'prod');
    const made = await Promise.all([store.add(version('A'), 0), store.add(version('B'), 0), store.add(version('C'), 0)]);
    expect(made.map((entry) => entry.version).sort()).toEqual([1, 2, 3]);
    const listed = await store.versions();
    expect(listed.map((entry) => entry.version)).toEqual([1, 2, 3]);
    expect(new Set(listed.map((entry) => entry.changed[0]))).toEqual(new Set(['A', 'B', 'C']));
    expect(await store.version(2)).toEqual(listed[1]);
  });

  it('records one version where the SDK retried a write whose answer was lost: the item it finds is its own (changeToken)', async () => {
    const client = new DynamoDBClient({});
    const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
    let lost = false;
    // The first PutItem lands but its answer is lost: the SDK sends it again, and its condition fails on the item it wrote.
    client.send = (async (command: unknown) => {
      if (!lost && command instanceof PutItemCommand) {
        lost = true;
        await send(command);
      }
      return send(command);
    }) as typeof client.send;
    const store = new ConfigLedgerStore(async () => client, 'fixture-prod-runs', 'prod');
    const newest = (await store.versions()).at(-1)?.version ?? 0;
    const made = await store.add(version('LOST'), newest);
    expect(made.version).toBe(newest + 1);
    const listed = (await store.versions()).filter((entry) => entry.changed[0] === 'LOST');
    expect(listed.map((entry) => entry.version)).toEqual([newest + 1]);
  });
});
