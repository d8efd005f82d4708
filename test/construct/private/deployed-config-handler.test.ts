/**
 * The deployed config's provider, its SDK calls mocked with
 * aws-sdk-client-mock: a deploy that changed a declared value makes the next
 * config version and rewrites `_cnf/live`; one that changed none, or a stage
 * without `_cnf/live`, writes nothing; a number another change took is
 * skipped; the stage-wide lock is waited for.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetParameterCommand, GetParametersCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { configVersionHash } from '../../../lib/core/config-version.js';
import type { LivePairRecord } from '../../../lib/core/live-pair-record.js';
import { recordDeployedConfig, type DeployedConfigDeps } from '../../../lib/construct/private/deployed-config-handler.js';

const ssm = mockClient(SSMClient);
const dynamodb = mockClient(DynamoDBClient);
const PATH = '/notes/prod/';
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/notes-prod/0a1b2c3d';
const NOW = Date.parse('2026-12-02T20:00:00Z');

afterEach(() => {
  ssm.reset();
  dynamodb.reset();
});

// The construct tests share their processes (isolate: false): the clients are given back whole.
afterAll(() => {
  ssm.restore();
  dynamodb.restore();
});

const live: LivePairRecord = {
  release: 'r-aaaaaaaaaaaa',
  config: 4,
  keys: { GREETING: { version: 2, secure: false }, NOTES_PAGE_SIZE: { version: 1, secure: false }, TOKEN: { version: 3, secure: true } },
};

function event(
  declared: Record<string, string>,
  old?: Record<string, string>,
  type: 'Create' | 'Update' | 'Delete' = old === undefined ? 'Create' : 'Update',
): CloudFormationCustomResourceEvent {
  const properties = {
    ServiceToken: 'arn:provider',
    ParameterPath: PATH,
    Stage: 'prod',
    TableName: 'notes-prod-ledger',
    Declared: declared,
  };
  const common = {
    ServiceToken: 'arn:provider',
    ResponseURL: 'https://example.invalid/response',
    StackId: STACK_ID,
    RequestId: 'request-1',
    LogicalResourceId: 'AppDeployedConfig',
    ResourceType: 'Custom::CnfDeployedConfig',
    ResourceProperties: properties,
  };
  if (type === 'Create') return { ...common, RequestType: 'Create' };
  if (type === 'Delete') return { ...common, RequestType: 'Delete', PhysicalResourceId: 'AppDeployedConfig' };
  return {
    ...common,
    RequestType: 'Update',
    PhysicalResourceId: 'AppDeployedConfig',
    OldResourceProperties: { ...properties, Declared: old ?? {} },
  };
}

/** SSM holding `record` as `_cnf/live` (none when undefined) and each key's newest version. */
function ssmWith(record: LivePairRecord | undefined, newest: Record<string, number>): void {
  ssm.on(GetParameterCommand).callsFake((input: { Name: string }) => {
    if (input.Name !== `${PATH}_cnf/live` || record === undefined)
      throw new ParameterNotFound({ message: `Parameter ${input.Name} not found.`, $metadata: {} });
    return { Parameter: { Name: input.Name, Type: 'String', Value: JSON.stringify(record), Version: 9 } };
  });
  ssm.on(GetParametersCommand).callsFake((input: { Names: string[] }) => ({
    Parameters: input.Names.flatMap((name) => {
      const key = name.slice(PATH.length);
      const version = newest[key];
      return version === undefined ? [] : [{ Name: name, Type: 'String', Value: `value-${version}`, Version: version }];
    }),
  }));
  ssm.on(PutParameterCommand).resolves({ Version: 10, Tier: 'Standard' });
}

/** A ledger table where the config numbers in `taken` are already used, and the lock is free after `lockedFor` attempts. */
function ledgerWith(taken: number[] = [], lockedFor = 0): void {
  let lockAttempts = 0;
  dynamodb.on(PutItemCommand).callsFake((input: { Item: Parameters<typeof unmarshall>[0] }) => {
    const item = unmarshall(input.Item);
    const pk = String(item.pk);
    if (pk === 'lock#cnf:stage' && (lockAttempts += 1) <= lockedFor)
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    if (pk.startsWith('config#v') && taken.includes(Number(pk.slice('config#v'.length))))
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    return {};
  });
  dynamodb.on(GetItemCommand).resolves({
    Item: marshall({ pk: 'lock#cnf:stage', runId: 'config-20261202-x', caller: 'arn:aws:sts::1:assumed-role/op/alice', since: 'then' }),
  });
  dynamodb.on(UpdateItemCommand).resolves({});
  dynamodb.on(DeleteItemCommand).resolves({});
}

/** The deps, with a clock that the sleeps move on; the sleeps are recorded. */
function deps(): DeployedConfigDeps & { slept: number[] } {
  let now = NOW;
  const slept: number[] = [];
  return {
    ssm: new SSMClient({ region: 'eu-west-1' }),
    dynamodb: new DynamoDBClient({ region: 'eu-west-1' }),
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    slept,
  };
}

function configItemsPut(): Record<string, unknown>[] {
  return dynamodb
    .commandCalls(PutItemCommand)
    .map((call) => unmarshall(call.args[0].input.Item!))
    .filter((item) => String(item.pk).startsWith('config#'));
}

function recordsPut(): LivePairRecord[] {
  return ssm.commandCalls(PutParameterCommand).map((call) => JSON.parse(call.args[0].input.Value!) as LivePairRecord);
}

describe('recordDeployedConfig', () => {
  it('makes the next config version when a declared value changed, and makes it live with the new selectors', async () => {
    ssmWith(live, { GREETING: 2, NOTES_PAGE_SIZE: 2 });
    ledgerWith();
    const clock = deps();
    const outcome = await recordDeployedConfig(
      event({ GREETING: 'sha256:g', NOTES_PAGE_SIZE: 'sha256:new' }, { GREETING: 'sha256:g', NOTES_PAGE_SIZE: 'sha256:old' }),
      clock,
    );

    const keys = { ...live.keys, NOTES_PAGE_SIZE: { version: 2, secure: false } };
    expect(configItemsPut()).toEqual([
      {
        pk: 'config#v5',
        entity: 'config',
        // Each change's own token: a write whose answer was lost and that the SDK retried is known as its own.
        changeToken: expect.any(String),
        startedAt: new Date(NOW).toISOString(),
        version: 5,
        keys,
        hash: configVersionHash(keys),
        createdBy: 'cloudformation:notes-prod',
        createdAt: new Date(NOW).toISOString(),
        cause: 'deploy',
        changed: ['NOTES_PAGE_SIZE'],
      },
    ]);
    const from = new Date(NOW + 30_000).toISOString();
    expect(recordsPut()).toEqual([{ release: live.release, config: 5, keys, from, previous: { config: 4, keys: live.keys } }]);
    expect(ssm.commandCalls(PutParameterCommand)[0]!.args[0].input).toMatchObject({
      Name: `${PATH}_cnf/live`,
      Type: 'String',
      Overwrite: true,
    });
    // Only the changed key's version is asked for; GREETING keeps its selector.
    expect(ssm.commandCalls(GetParametersCommand).map((call) => call.args[0].input.Names)).toEqual([[`${PATH}NOTES_PAGE_SIZE`]]);
    // It answers once the new version is live, so the aliases move with it.
    expect(clock.slept).toEqual([30_000]);
    expect(outcome).toMatchObject({ Status: 'SUCCESS', Data: { ConfigVersion: '5' } });
    expect(outcome.Reason).toContain('The deploy changed NOTES_PAGE_SIZE: config v5 is live from');
    // The stage-wide lock was taken and given back.
    expect(dynamodb.commandCalls(DeleteItemCommand)).toHaveLength(1);
  });

  it('makes no version when no declared value changed the selectors', async () => {
    ssmWith(live, { GREETING: 2, NOTES_PAGE_SIZE: 1 });
    ledgerWith();
    const clock = deps();
    const outcome = await recordDeployedConfig(event({ GREETING: 'sha256:g', NOTES_PAGE_SIZE: 'sha256:p' }), clock);
    expect(configItemsPut()).toEqual([]);
    expect(ssm.commandCalls(PutParameterCommand)).toEqual([]);
    expect(clock.slept).toEqual([]);
    expect(outcome).toEqual({
      Status: 'SUCCESS',
      Reason: 'No declared parameter changed: config v4 stays live.',
      Data: { ConfigVersion: '4' },
    });
  });

  it('leaves a stage without _cnf/live as it is: no version, no lock, no record', async () => {
    ssmWith(undefined, { GREETING: 3 });
    ledgerWith();
    const outcome = await recordDeployedConfig(event({ GREETING: 'sha256:new' }, { GREETING: 'sha256:old' }), deps());
    expect(dynamodb.calls()).toEqual([]);
    expect(ssm.commandCalls(PutParameterCommand)).toEqual([]);
    expect(outcome).toMatchObject({ Status: 'SUCCESS' });
    expect(outcome.Reason).toContain('keeps no config versions yet (no /notes/prod/_cnf/live)');
  });

  it('takes the next free number when a concurrent change took N+1', async () => {
    ssmWith(live, { GREETING: 3 });
    ledgerWith([5, 6]);
    const outcome = await recordDeployedConfig(event({ GREETING: 'sha256:new' }, { GREETING: 'sha256:old' }), deps());
    expect(configItemsPut().map((item) => item.pk)).toEqual(['config#v5', 'config#v6', 'config#v7']);
    expect(recordsPut().map((record) => record.config)).toEqual([7]);
    expect(outcome.Data).toEqual({ ConfigVersion: '7' });
  });

  it('adds a newly declared key and drops a key no longer declared', async () => {
    ssmWith(live, { FEATURE: 1 });
    ledgerWith();
    await recordDeployedConfig(
      event({ GREETING: 'sha256:g', FEATURE: 'sha256:f' }, { GREETING: 'sha256:g', NOTES_PAGE_SIZE: 'sha256:p' }),
      deps(),
    );
    const [item] = configItemsPut();
    expect(item).toMatchObject({
      keys: { FEATURE: { version: 1, secure: false }, GREETING: live.keys.GREETING, TOKEN: live.keys.TOKEN },
      changed: ['FEATURE', 'NOTES_PAGE_SIZE'],
    });
    expect(item!.keys).not.toHaveProperty('NOTES_PAGE_SIZE');
  });

  it('waits for a config change that holds the stage-wide lock, then makes its version', async () => {
    ssmWith(live, { GREETING: 3 });
    ledgerWith([], 2);
    const clock = deps();
    const outcome = await recordDeployedConfig(event({ GREETING: 'sha256:new' }, { GREETING: 'sha256:old' }), clock);
    expect(clock.slept).toEqual([2000, 2000, 30_000]);
    expect(outcome.Data).toEqual({ ConfigVersion: '5' });
  });

  it('fails, naming the holder, when the lock stays held for the whole wait', async () => {
    ssmWith(live, { GREETING: 3 });
    ledgerWith([], 1000);
    await expect(recordDeployedConfig(event({ GREETING: 'sha256:new' }, { GREETING: 'sha256:old' }), deps())).rejects.toThrow(
      /Stage prod is being changed by config-20261202-x \(arn:aws:sts::1:assumed-role\/op\/alice/,
    );
    expect(configItemsPut()).toEqual([]);
  });

  it('records nothing when the resource is deleted', async () => {
    const outcome = await recordDeployedConfig(event({ GREETING: 'sha256:g' }, undefined, 'Delete'), deps());
    expect(outcome.Status).toBe('SUCCESS');
    expect([...ssm.calls(), ...dynamodb.calls()]).toEqual([]);
  });
});
