import { createRequire } from 'node:module';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { inlineHandlerCode } from '../../../lib/construct/private/inline-handler.js';
import { startCfnResponseUrl, type CfnResponse, type CfnResponseUrl } from '../../support/cfn-response-url.js';

/*
 * The guard's provider runs as Lambda would run its inline code: the
 * CommonJS text the template carries, loaded with `require` for the AWS
 * SDK. Lambda and DynamoDB are mocked at the client (the CommonJS build the
 * code requires) over a small model of the two aliases and the ledger
 * items; CloudFormation's response URL is a local HTTP server.
 */
const requireCjs = createRequire(import.meta.url);
const lambdaSdk = requireCjs('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda');
const dynamoSdk = requireCjs('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
const cloudFormationSdk = requireCjs('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
const lambdaMock = mockClient(lambdaSdk.LambdaClient);
const dynamoMock = mockClient(dynamoSdk.DynamoDBClient);
const cloudFormationMock = mockClient(cloudFormationSdk.CloudFormationClient);

type Handler = (event: CloudFormationCustomResourceEvent) => Promise<void>;

let cfn: CfnResponseUrl;
let handler: Handler;

/** The model: each function's live alias version (undefined: no alias yet), the ledger items by key, the stack's status. */
let aliases: Record<string, string | undefined>;
let items: Map<string, Record<string, import('@aws-sdk/client-dynamodb').AttributeValue>>;
let stackStatus: string;

beforeAll(async () => {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const module = { exports: {} as { handler?: Handler } };
  new Function('module', 'exports', 'require', inlineHandlerCode('live-alias-guard-handler'))(module, module.exports, requireCjs);
  handler = module.exports.handler!;
  cfn = await startCfnResponseUrl();
});

beforeEach(() => {
  aliases = { 'notes-prod-web': '1', 'notes-prod-admin': '1' };
  items = new Map();
  stackStatus = 'UPDATE_IN_PROGRESS';
  lambdaMock.reset();
  dynamoMock.reset();
  cloudFormationMock.reset();
  lambdaMock.on(lambdaSdk.GetAliasCommand).callsFake((input: { FunctionName: string }) => {
    const version = aliases[input.FunctionName];
    if (version === undefined) throw Object.assign(new Error('Alias not found'), { name: 'ResourceNotFoundException', $metadata: {} });
    return { FunctionVersion: version, RoutingConfig: { AdditionalVersionWeights: {} } };
  });
  lambdaMock.on(lambdaSdk.UpdateAliasCommand).callsFake((input: { FunctionName: string; FunctionVersion: string }) => {
    aliases[input.FunctionName] = input.FunctionVersion;
    return {};
  });
  const keyOf = (key: Record<string, { S?: string }> | undefined) => String(key?.pk?.S);
  dynamoMock
    .on(dynamoSdk.GetItemCommand)
    .callsFake((input: { Key: Record<string, { S?: string }> }) => ({ Item: items.get(keyOf(input.Key)) }));
  dynamoMock.on(dynamoSdk.PutItemCommand).callsFake((input: { Item: Record<string, { S?: string }> }) => {
    items.set(keyOf(input.Item), input.Item as never);
    return {};
  });
  dynamoMock.on(dynamoSdk.DeleteItemCommand).callsFake((input: { Key: Record<string, { S?: string }> }) => {
    items.delete(keyOf(input.Key));
    return {};
  });
  cloudFormationMock.on(cloudFormationSdk.DescribeStacksCommand).callsFake(() => ({ Stacks: [{ StackStatus: stackStatus }] }));
});

afterAll(async () => {
  vi.restoreAllMocks();
  // The construct tests share their processes (isolate: false): the clients are given back whole.
  lambdaMock.restore();
  dynamoMock.restore();
  cloudFormationMock.restore();
  await cfn.close();
});

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/notes-prod/0a1b2c3d';

/** The guard's properties for a deploy of `release`, whose aliases move to `version` on both functions. */
function properties(release: string, version: string) {
  return {
    ServiceToken: 'x',
    Release: release,
    Stage: 'prod',
    WebFunction: 'notes-prod-web',
    AdminFunction: 'notes-prod-admin',
    AliasName: 'live',
    WebVersion: version,
    AdminVersion: version,
    Table: 'notes-prod-ledger',
    PartitionKey: 'pk',
    LockKey: 'lock#cnf:stage',
    LeaseAttribute: 'leaseExpiresAt',
    RecordKey: 'deploy#live-aliases',
  };
}

const common = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
  StackId: STACK_ID,
  RequestId: 'request-1',
  LogicalResourceId: 'AppLiveAliasGuard',
  ResourceType: 'Custom::CnfLiveAliasGuard',
};

/** The guard's provider given one CloudFormation request (its response URL the test's): resolves to the guard's one response. */
async function send(request: Record<string, unknown>): Promise<CfnResponse> {
  cfn.responses.length = 0;
  await handler({ ...common, ResponseURL: cfn.url, ...request } as CloudFormationCustomResourceEvent);
  return cfn.responses[0]!;
}

/** A deploy from the template whose aliases are on `from` to the one on `to`: CloudFormation's Update of the guard. */
async function update(from: [string, string], to: [string, string]): Promise<CfnResponse> {
  return send({
    RequestType: 'Update',
    PhysicalResourceId: 'AppLiveAliasGuard',
    ResourceProperties: properties(...to),
    OldResourceProperties: properties(...from),
  });
}

/** CloudFormation moves both aliases to the template's `version` (what an alias resource's update does). */
function cloudFormationMovesAliases(version: string): void {
  aliases['notes-prod-web'] = version;
  aliases['notes-prod-admin'] = version;
}

describe('the live-alias guard provider', () => {
  it('records what the aliases serve before a deploy moves them', async () => {
    // Given the aliases on version 1
    // When a deploy of r-b (version 2) updates the guard
    const response = await update(['r-a', '1'], ['r-b', '2']);

    // Then it succeeds, and its ledger item names version 1 for the deploy to version 2
    expect(response).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'AppLiveAliasGuard',
      Data: { WebVersion: '1', AdminVersion: '1' },
    });
    expect(JSON.parse(items.get('deploy#live-aliases')!.guard!.S!)).toMatchObject({
      target: 'web:2 admin:2',
      release: 'r-b',
      web: { version: '1', weights: {} },
      admin: { version: '1', weights: {} },
    });
    expect(lambdaMock.commandCalls(lambdaSdk.UpdateAliasCommand)).toHaveLength(0);
  });

  it('moves the aliases back to what a cnf-admin rollback chose when CloudFormation rolls a later deploy back', async () => {
    // Given r-b deployed (version 2) over r-a (version 1)
    await update(['r-a', '1'], ['r-b', '2']);
    cloudFormationMovesAliases('2');
    // and a cnf-admin rollback that moved both aliases back to r-a, out of CloudFormation's sight
    cloudFormationMovesAliases('1');

    // When a deploy of r-c (version 3) records, moves the aliases, fails, and CloudFormation rolls back
    expect((await update(['r-b', '2'], ['r-c', '3'])).Status).toBe('SUCCESS');
    cloudFormationMovesAliases('3');
    stackStatus = 'UPDATE_ROLLBACK_IN_PROGRESS';
    // (the aliases first, to the last template's version 2: r-b, which nobody chose)
    cloudFormationMovesAliases('2');
    const response = await update(['r-c', '3'], ['r-b', '2']);

    // Then the guard moves both back to version 1, r-a, which the rollback chose, and forgets the record
    expect(response).toMatchObject({ Status: 'SUCCESS', Data: { WebVersion: '1', AdminVersion: '1' } });
    expect(response.Reason).toContain(
      'The deploy of r-c rolled back: the live aliases are back on what they served before it (web 1, admin 1)',
    );
    expect(aliases).toEqual({ 'notes-prod-web': '1', 'notes-prod-admin': '1' });
    expect(lambdaMock.commandCalls(lambdaSdk.UpdateAliasCommand).map((call) => call.args[0].input)).toEqual([
      { FunctionName: 'notes-prod-web', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } },
      { FunctionName: 'notes-prod-admin', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } },
    ]);
    expect(items.has('deploy#live-aliases')).toBe(false);
  });

  it('restores the same aliases CloudFormation would when no rollback came between: the release before the failed deploy', async () => {
    // Given the aliases on version 1, and a deploy to version 2 that fails after moving them
    await update(['r-a', '1'], ['r-b', '2']);
    cloudFormationMovesAliases('2');
    stackStatus = 'UPDATE_ROLLBACK_IN_PROGRESS';
    cloudFormationMovesAliases('1');

    // When CloudFormation rolls the guard back
    const response = await update(['r-b', '2'], ['r-a', '1']);

    // Then both stay on version 1
    expect(response.Status).toBe('SUCCESS');
    expect(aliases).toEqual({ 'notes-prod-web': '1', 'notes-prod-admin': '1' });
  });

  it('refuses the deploy while a rollback holds the stage lock, and then moves nothing on the rollback of that deploy', async () => {
    // Given a rollback that holds the stage lock (its lease alive) and is moving the aliases
    items.set('lock#cnf:stage', {
      pk: { S: 'lock#cnf:stage' },
      runId: { S: 'r7k2' },
      caller: { S: 'arn:aws:iam::123456789012:user/ana' },
      since: { S: '2026-12-02T21:00:00.000Z' },
      leaseExpiresAt: { N: String(Date.now() + 30_000) },
    });
    // and the record of an earlier deploy
    await update(['r-a', '1'], ['r-b', '2']);

    // When a deploy of r-c updates the guard
    const refused = await update(['r-b', '2'], ['r-c', '3']);

    // Then the deploy fails, naming the holder, and reads or moves no alias
    expect(refused.Status).toBe('FAILED');
    expect(refused.Reason).toBe(
      'Stage prod is being changed by run r7k2 (arn:aws:iam::123456789012:user/ana, since 2026-12-02T21:00:00.000Z): a rollback or a config change holds the stage lock and may be moving the live aliases; nothing moved. Deploy again after it.',
    );
    expect(items.has('deploy#live-aliases')).toBe(false);

    // When CloudFormation rolls the deploy back (the aliases never moved: they wait for the guard), while the rollback moves them to version 5
    stackStatus = 'UPDATE_ROLLBACK_IN_PROGRESS';
    cloudFormationMovesAliases('5');
    const rolledBack = await update(['r-c', '3'], ['r-b', '2']);

    // Then the guard leaves them where the rollback put them
    expect(rolledBack.Status).toBe('SUCCESS');
    expect(rolledBack.Reason).toContain('nothing to move back');
    expect(aliases).toEqual({ 'notes-prod-web': '5', 'notes-prod-admin': '5' });
    expect(lambdaMock.commandCalls(lambdaSdk.UpdateAliasCommand)).toHaveLength(0);
  });

  it('takes an expired stage lock for a crashed holder, and records the deploy', async () => {
    items.set('lock#cnf:stage', {
      pk: { S: 'lock#cnf:stage' },
      runId: { S: 'r7k2' },
      leaseExpiresAt: { N: String(Date.now() - 1_000) },
    });
    expect((await update(['r-a', '1'], ['r-b', '2'])).Status).toBe('SUCCESS');
    expect(items.has('deploy#live-aliases')).toBe(true);
  });

  it('records no aliases on the first deploy, and so has nothing to restore', async () => {
    // Given a stage whose aliases do not exist yet
    aliases = {};
    const created = await send({ RequestType: 'Create', ResourceProperties: properties('r-a', '1') });

    // Then the create succeeds and says so
    expect(created).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'AppLiveAliasGuard' });
    expect(created.Reason).toContain('no live aliases yet');
  });

  it('does nothing on delete: no alias moves, no item changes', async () => {
    await update(['r-a', '1'], ['r-b', '2']);
    const before = new Map(items);
    lambdaMock.resetHistory();
    dynamoMock.resetHistory();
    const deleted = await send({
      RequestType: 'Delete',
      PhysicalResourceId: 'AppLiveAliasGuard',
      ResourceProperties: properties('r-b', '2'),
    });
    expect(deleted).toMatchObject({ Status: 'SUCCESS' });
    expect(lambdaMock.calls()).toHaveLength(0);
    expect(dynamoMock.calls()).toHaveLength(0);
    expect(items).toEqual(before);
  });

  it('fails the resource with the SDK error named when it cannot read the aliases', async () => {
    lambdaMock.on(lambdaSdk.GetAliasCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const response = await update(['r-a', '1'], ['r-b', '2']);
    expect(response).toMatchObject({ Status: 'FAILED', Reason: 'The live-alias guard failed: AccessDeniedException: not authorized' });
  });
});
