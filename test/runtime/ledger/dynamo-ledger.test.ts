import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunRecord } from '../../../lib/core/run.js';
import { createAdminHandler } from '../../../lib/runtime/admin-handler.js';
import { defineTask } from '../../../lib/runtime/define-task.js';
import { DynamoLedger } from '../../../lib/runtime/ledger/dynamo-ledger.js';

const dynamo = mockClient(DynamoDBClient);
const TABLE = 'notes-prod-ledger';
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const record: RunRecord = {
  runId: 'run-1',
  task: 'migrate',
  args: {},
  release: 'r-0123456789ab',
  source: 'schedule',
  caller: 'notes-prod-nightly',
  startedAt: '2026-11-24T10:00:00.000Z',
  log: '/aws/lambda/notes-prod-admin:stream',
};

beforeEach(() => {
  dynamo.reset();
});

describe('DynamoLedger', () => {
  it('claims a run id with a conditional put of the whole record, with a TTL', async () => {
    dynamo.on(PutItemCommand).resolves({});
    const ledger = new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' }));
    expect(await ledger.claim(record)).toEqual({ claimed: true });
    const put = dynamo.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(put).toMatchObject({
      TableName: TABLE,
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'pk' },
    });
    const item = unmarshall(put?.Item ?? {});
    expect(item).toMatchObject({ pk: 'run#run-1', entity: 'run', task: 'migrate', caller: 'notes-prod-nightly', source: 'schedule' });
    expect(item.expiresAt).toBe(Math.floor(Date.parse(record.startedAt) / 1000) + 400 * 24 * 3600);
  });

  it('records a stop asked on a run that has not ended, with one conditional update of those two attributes only', async () => {
    dynamo.on(UpdateItemCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    const ledger = new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' }));
    expect(await ledger.requestStop('run-1', 'bob', '2026-11-24T10:01:00.000Z')).toBe(true);
    // The run ended meanwhile (or is unknown): its end is kept, and nothing is asked.
    expect(await ledger.requestStop('run-1', 'bob', '2026-11-24T10:01:00.000Z')).toBe(false);
    const update = dynamo.commandCalls(UpdateItemCommand)[0]?.args[0].input;
    expect(update).toMatchObject({
      TableName: TABLE,
      Key: marshall({ pk: 'run#run-1' }),
      UpdateExpression: 'SET stopRequestedAt = :at, stopRequestedBy = :by',
      ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(endedAt)',
    });
    expect(unmarshall(update?.ExpressionAttributeValues ?? {})).toEqual({ ':at': '2026-11-24T10:01:00.000Z', ':by': 'bob' });
    expect(dynamo.commandCalls(PutItemCommand)).toEqual([]);
  });

  it('records an end on condition that the run has not ended, nor been taken over by its container task: false when it had', async () => {
    dynamo.on(PutItemCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    const ledger = new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' }));
    const ended = { ...record, endedAt: '2026-11-24T10:00:09.000Z', exitCode: 69, durationMs: 9000, notStarted: true };
    expect(await ledger.finishUnlessEnded(ended)).toBe(true);
    // A container task that took the run over ended it meanwhile: its end stays.
    expect(await ledger.finishUnlessEnded(ended)).toBe(false);
    const put = dynamo.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(put).toMatchObject({
      TableName: TABLE,
      ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(endedAt) AND attribute_not_exists(containerStartedAt)',
      ExpressionAttributeNames: { '#pk': 'pk' },
    });
    expect(unmarshall(put?.Item ?? {})).toMatchObject({ pk: 'run#run-1', exitCode: 69, endedAt: ended.endedAt, notStarted: true });
  });

  it('returns the first record when the conditional put fails: the run id was delivered before', async () => {
    dynamo.on(PutItemCommand).rejects(conditionFailed());
    dynamo.on(GetItemCommand, { TableName: TABLE, Key: marshall({ pk: 'run#run-1' }), ConsistentRead: true }).resolves({
      Item: marshall({ ...record, pk: 'run#run-1', entity: 'run', expiresAt: 1, exitCode: 0, endedAt: '2026-11-24T10:00:05.000Z' }),
    });
    const claim = await new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' })).claim(record);
    expect(claim).toEqual({ claimed: false, existing: { ...record, exitCode: 0, endedAt: '2026-11-24T10:00:05.000Z' } });
  });

  it('knows its own claim when the SDK retried a put whose answer was lost', async () => {
    // given: the first put succeeded, its answer was lost, and the retry failed its condition
    let written: Record<string, unknown> = {};
    dynamo
      .on(PutItemCommand)
      .callsFakeOnce((input: { Item: Record<string, never> }) => {
        written = input.Item;
        return Promise.reject(conditionFailed());
      })
      .rejects(conditionFailed());
    dynamo.on(GetItemCommand).callsFake(() => Promise.resolve({ Item: written }));
    // when / then: the item carries this claim's token, so the run is ours
    expect(await new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' })).claim(record)).toEqual({ claimed: true });
  });

  it('takes over the record of a run whose start ECS refused, on condition that it is still that record', async () => {
    const claimed = { ...record, argsHash: 'h1' };
    const refused = { ...claimed, endedAt: '2026-11-24T10:00:01.000Z', exitCode: 75, notStarted: true, clientToken: 'token-2' };
    const running = { ...claimed, clientToken: 'token-2' };
    dynamo.on(PutItemCommand).rejectsOnce(conditionFailed()).resolvesOnce({}).rejectsOnce(conditionFailed()).rejectsOnce(conditionFailed());
    dynamo
      .on(GetItemCommand)
      .resolvesOnce({ Item: marshall({ ...refused, pk: 'run#run-1' }) })
      .resolvesOnce({ Item: marshall({ ...refused, pk: 'run#run-1' }) })
      .resolves({ Item: marshall({ ...running, pk: 'run#run-1' }) });
    const ledger = new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' }));

    expect(await ledger.claim(claimed)).toEqual({ claimed: true, record: running });
    const retake = dynamo.commandCalls(PutItemCommand)[1]?.args[0].input;
    expect(retake?.ConditionExpression).toBe('notStarted = :true AND endedAt = :endedAt');
    expect(unmarshall(retake?.ExpressionAttributeValues ?? {})).toEqual({ ':true': true, ':endedAt': refused.endedAt });
    expect(unmarshall(retake?.Item ?? {})).toMatchObject({ clientToken: 'token-2', runStatus: 'running' });
    expect(unmarshall(retake?.Item ?? {}).endedAt).toBeUndefined();

    // a second retry at once: its takeover's condition fails, and it gets the run now in progress
    expect(await ledger.claim(claimed)).toEqual({ claimed: false, existing: running });
  });

  it('knows its own takeover when the SDK retried a put whose answer was lost', async () => {
    // given: a run that never started; the takeover's put succeeded, its answer was lost, and the retry failed its condition
    const claimed = { ...record, argsHash: 'h1' };
    const refused = { ...claimed, endedAt: '2026-11-24T10:00:01.000Z', exitCode: 75, notStarted: true };
    let stored: Record<string, never> = marshall({ ...refused, pk: 'run#run-1' }) as Record<string, never>;
    dynamo
      .on(PutItemCommand)
      .rejectsOnce(conditionFailed())
      .callsFakeOnce((input: { Item: Record<string, never> }) => {
        stored = input.Item;
        return Promise.reject(conditionFailed());
      });
    dynamo.on(GetItemCommand).callsFake(() => Promise.resolve({ Item: stored }));
    // when / then: the item carries this claim's token, so the run is this retry's, not one in progress
    const claim = await new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' })).claim(claimed);
    expect(claim).toMatchObject({ claimed: true, record: { runId: 'run-1' } });
  });

  it('takes a free or expired lock with a conditional put, and names the holder of a live one', async () => {
    const ledger = new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' }), { heartbeatMs: 60_000 });
    dynamo.on(PutItemCommand).resolvesOnce({}).rejects(conditionFailed());
    dynamo.on(GetItemCommand).resolves({});
    dynamo.on(GetItemCommand, { Key: marshall({ pk: 'lock#migrate' }) }).resolves({
      Item: marshall({
        pk: 'lock#migrate',
        runId: 'run-1',
        caller: 'alice',
        since: '2026-11-24T10:00:00.000Z',
        leaseExpiresAt: Date.now() + 30_000,
      }),
    });
    dynamo.on(DeleteItemCommand).resolves({});
    const first = await ledger.acquireLock('migrate', { runId: 'run-1', caller: 'alice', since: '2026-11-24T10:00:00.000Z' });
    expect(first.acquired).toBe(true);
    const lockPut = dynamo.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(lockPut?.ConditionExpression).toBe('attribute_not_exists(#pk) OR leaseExpiresAt < :now');
    expect(unmarshall(lockPut?.Item ?? {})).toMatchObject({ pk: 'lock#migrate', runId: 'run-1' });
    const second = await ledger.acquireLock('migrate', { runId: 'run-2', caller: 'bob', since: 'now' });
    expect(second).toEqual({ acquired: false, holder: { runId: 'run-1', caller: 'alice', since: '2026-11-24T10:00:00.000Z' } });
    if (first.acquired) await first.lease.release();
    expect(dynamo.commandCalls(DeleteItemCommand)[0]?.args[0].input).toMatchObject({
      ConditionExpression: 'runId = :runId',
      ExpressionAttributeValues: marshall({ ':runId': 'run-1' }),
    });
  });

  it('takes at once a lock whose run the ledger records as ended, on condition that that run still holds it', async () => {
    // given: the lease of a run that was killed (recorded as ended by cnf:settle) still has 25 s to go
    const ledger = new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' }), { heartbeatMs: 60_000 });
    dynamo.on(PutItemCommand).rejectsOnce(conditionFailed()).resolves({});
    const lockItem = { pk: 'lock#migrate', runId: 'run-1', caller: 'alice', since: 'then', leaseExpiresAt: Date.now() + 25_000 };
    dynamo.on(GetItemCommand, { Key: marshall({ pk: 'lock#migrate' }) }).resolves({ Item: marshall(lockItem) });
    dynamo.on(GetItemCommand, { Key: marshall({ pk: 'run#run-1' }) }).resolves({
      Item: marshall({ ...record, pk: 'run#run-1', endedAt: '2026-11-24T10:00:05.000Z', exitCode: 70 }),
    });

    // when
    const lock = await ledger.acquireLock('migrate', { runId: 'run-2', caller: 'bob', since: 'now' });

    // then
    expect(lock.acquired).toBe(true);
    const takeover = dynamo.commandCalls(PutItemCommand)[1]?.args[0].input;
    expect(takeover?.ConditionExpression).toBe('runId = :heldBy');
    expect(unmarshall(takeover?.ExpressionAttributeValues ?? {})).toEqual({ ':heldBy': 'run-1' });
    expect(unmarshall(takeover?.Item ?? {})).toMatchObject({ runId: 'run-2' });
  });

  it('takes a lock released between its put and its read of the holder, rather than naming an unknown holder', async () => {
    const ledger = new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' }), { heartbeatMs: 60_000 });
    dynamo.on(PutItemCommand).rejectsOnce(conditionFailed()).resolves({});
    dynamo.on(GetItemCommand, { Key: marshall({ pk: 'lock#cnf:stage' }) }).resolves({});
    const lock = await ledger.acquireLock('cnf:stage', { runId: 'config-1', caller: 'bob', since: 'now' });
    expect(lock.acquired).toBe(true);
    expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(2);
    if (lock.acquired) await lock.lease.release();
  });

  it('leaves a lock whose run goes on to that run', async () => {
    const ledger = new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' }));
    dynamo.on(PutItemCommand).rejects(conditionFailed());
    const lockItem = { pk: 'lock#migrate', runId: 'run-1', caller: 'alice', since: 'then', leaseExpiresAt: Date.now() + 25_000 };
    dynamo.on(GetItemCommand, { Key: marshall({ pk: 'lock#migrate' }) }).resolves({ Item: marshall(lockItem) });
    dynamo.on(GetItemCommand, { Key: marshall({ pk: 'run#run-1' }) }).resolves({ Item: marshall({ ...record, pk: 'run#run-1' }) });
    const lock = await ledger.acquireLock('migrate', { runId: 'run-2', caller: 'bob', since: 'now' });
    expect(lock).toEqual({ acquired: false, holder: { runId: 'run-1', caller: 'alice', since: 'then' } });
    expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(1);
  });

  it('leaves a lock to its holder when the holder’s run record cannot be read: its lease decides', async () => {
    const ledger = new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' }));
    dynamo.on(PutItemCommand).rejects(conditionFailed());
    const lockItem = { pk: 'lock#migrate', runId: 'run-1', caller: 'alice', since: 'then', leaseExpiresAt: Date.now() + 25_000 };
    dynamo.on(GetItemCommand, { Key: marshall({ pk: 'lock#migrate' }) }).resolves({ Item: marshall(lockItem) });
    dynamo.on(GetItemCommand, { Key: marshall({ pk: 'run#run-1' }) }).resolves({ Item: marshall({ pk: 'run#run-1', task: 7 }) });
    const lock = await ledger.acquireLock('migrate', { runId: 'run-2', caller: 'bob', since: 'now' });
    expect(lock).toEqual({ acquired: false, holder: { runId: 'run-1', caller: 'alice', since: 'then' } });
  });

  it('renews the lease with a conditional update and reports it lost when another run took it', async () => {
    dynamo.on(PutItemCommand).resolves({});
    dynamo.on(UpdateItemCommand).resolvesOnce({}).rejects(conditionFailed());
    const ledger = new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' }), { heartbeatMs: 30 });
    const lock = await ledger.acquireLock('migrate', { runId: 'run-1', caller: 'alice', since: 'now' });
    if (!lock.acquired) throw new Error('expected the lock');
    const reason = await new Promise((resolve) => lock.lease.lost.addEventListener('abort', () => resolve(lock.lease.lost.reason)));
    expect(String(reason)).toContain('expired and another run took it');
    expect(dynamo.commandCalls(UpdateItemCommand)[0]?.args[0].input.ConditionExpression).toBe('runId = :runId');
  });

  it('refuses a corrupted item as unavailable state (69), naming it, not as a run in progress', async () => {
    dynamo.on(GetItemCommand).resolves({ Item: marshall({ ...record, pk: 'run#run-1', entity: 'run', exitCode: 'zero' }) });
    const error = await new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' }))
      .get('run-1')
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ exitCode: 69, message: expect.stringContaining(`run#run-1 in table ${TABLE} is corrupted: exitCode`) });
  });

  it('lists runs newest first from the byStartedAt or byTask index, across pages', async () => {
    dynamo
      .on(QueryCommand, { IndexName: 'byTask' })
      .resolvesOnce({
        Items: [marshall({ ...record, pk: 'run#run-2', runId: 'run-2', entity: 'run', expiresAt: 1 })],
        LastEvaluatedKey: marshall({ pk: 'run#run-2' }),
      })
      .resolvesOnce({ Items: [marshall({ ...record, pk: 'run#run-1', entity: 'run', expiresAt: 1 })] });
    const runs = await new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' })).list({ task: 'migrate' });
    expect(runs.map((run) => run.runId)).toEqual(['run-2', 'run-1']);
    expect(runs[0]).not.toHaveProperty('pk');
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      IndexName: 'byTask',
      ScanIndexForward: false,
      ExpressionAttributeValues: marshall({ ':value': 'migrate' }),
    });
  });

  it('leaves out excluded tasks with a filter, reading on until the limit is met', async () => {
    dynamo
      .on(QueryCommand, { IndexName: 'byStartedAt' })
      // A filtered page may hold fewer items than asked for, yet more follow.
      .resolvesOnce({ Items: [], LastEvaluatedKey: marshall({ pk: 'run#run-3' }) })
      .resolvesOnce({ Items: [marshall({ ...record, pk: 'run#run-1', entity: 'run', expiresAt: 1 })] });
    const runs = await new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' })).list({
      excludeTasks: ['cnf:console'],
      limit: 1,
    });
    expect(runs.map((run) => run.runId)).toEqual(['run-1']);
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(2);
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      IndexName: 'byStartedAt',
      FilterExpression: 'NOT #task IN (:excluded0)',
      ExpressionAttributeNames: { '#key': 'entity', '#task': 'task' },
      ExpressionAttributeValues: marshall({ ':value': 'run', ':excluded0': 'cnf:console' }),
    });
  });
});

describe('listing by status and time', () => {
  it('queries the byStatus index within a time range, never scanning', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    dynamo.on(QueryCommand, { IndexName: 'byStatus' }).resolves({
      Items: [
        marshall({
          ...record,
          pk: 'run#run-1',
          entity: 'run',
          runStatus: 'failed',
          expiresAt: 1,
          endedAt: '2026-11-24T10:00:01.000Z',
          exitCode: 1,
        }),
      ],
    });
    const runs = await new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' })).list({
      status: 'failed',
      since: '2026-11-01T00:00:00.000Z',
      until: '2026-12-01T00:00:00.000Z',
      limit: 50,
    });
    expect(runs.map((run) => run.runId)).toEqual(['run-1']);
    expect(runs[0]).not.toHaveProperty('runStatus');
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      IndexName: 'byStatus',
      KeyConditionExpression: '#key = :value AND #startedAt BETWEEN :since AND :until',
      ExpressionAttributeNames: { '#key': 'runStatus', '#startedAt': 'startedAt' },
      ExpressionAttributeValues: marshall({
        ':value': 'failed',
        ':since': '2026-11-01T00:00:00.000Z',
        ':until': '2026-11-30T23:59:59.999Z',
      }),
      ScanIndexForward: false,
    });
  });

  it("filters one task's runs by status, and reads lost runs with the running ones", async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    const ledger = new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' }));
    await ledger.list({ task: 'migrate', status: 'succeeded', until: '2026-12-01T00:00:00.000Z' });
    await ledger.list({ status: 'lost' });
    const [byTask, lost] = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(byTask).toMatchObject({
      IndexName: 'byTask',
      KeyConditionExpression: '#key = :value AND #startedAt < :until',
      FilterExpression: '(#status IN (:status0) OR attribute_not_exists(#status))',
      ExpressionAttributeNames: { '#key': 'task', '#startedAt': 'startedAt', '#status': 'runStatus' },
      ExpressionAttributeValues: marshall({ ':value': 'migrate', ':until': '2026-12-01T00:00:00.000Z', ':status0': 'succeeded' }),
    });
    expect(lost).toMatchObject({ IndexName: 'byStatus', ExpressionAttributeValues: marshall({ ':value': 'running' }) });
  });

  it('lists lost runs both still marked running (unsettled) and recorded lost (cnf:settle), newest first', async () => {
    const item = (runId: string, startedAt: string, fields: Record<string, unknown>) =>
      marshall({ ...record, runId, pk: `run#${runId}`, entity: 'run', expiresAt: 1, startedAt, ...fields });
    const settledLost = { endedAt: '2026-11-24T12:00:00.000Z', exitCode: 70, error: { name: 'RunLostError', message: 'gone' } };
    dynamo.on(QueryCommand, { IndexName: 'byStatus', ExpressionAttributeValues: marshall({ ':value': 'lost' }) }).resolves({
      Items: [item('recorded-lost', '2026-11-24T11:00:00.000Z', { ...settledLost, runStatus: 'lost' })],
    });
    dynamo.on(QueryCommand, { IndexName: 'byStatus', ExpressionAttributeValues: marshall({ ':value': 'running' }) }).resolves({
      Items: [item('unsettled', '2026-11-24T11:30:00.000Z', { runStatus: 'running' })],
    });
    dynamo.on(QueryCommand, { IndexName: 'byStartedAt' }).resolves({ Items: [] });
    const ledger = new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' }));
    expect((await ledger.list({ status: 'lost' })).map((run) => run.runId)).toEqual(['unsettled', 'recorded-lost']);
  });

  it('finds the runs recorded before items carried runStatus by their record, merged newest first', async () => {
    const item = (runId: string, startedAt: string, fields: Record<string, unknown>) =>
      marshall({ ...record, runId, pk: `run#${runId}`, entity: 'run', expiresAt: 1, startedAt, ...fields });
    const ended = { endedAt: '2026-11-24T12:00:00.000Z' };
    dynamo.on(QueryCommand, { IndexName: 'byStatus' }).resolves({
      Items: [item('new-failed', '2026-11-24T11:00:00.000Z', { ...ended, exitCode: 1, runStatus: 'failed' })],
    });
    dynamo.on(QueryCommand, { IndexName: 'byStartedAt' }).resolves({
      Items: [
        item('old-failed-newer', '2026-11-24T11:30:00.000Z', { ...ended, exitCode: 2 }),
        item('old-succeeded', '2026-11-24T10:30:00.000Z', { ...ended, exitCode: 0 }),
        item('old-failed', '2026-11-24T09:00:00.000Z', { ...ended, exitCode: 1 }),
      ],
    });
    const runs = await new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' })).list({ status: 'failed', limit: 50 });
    expect(runs.map((run) => run.runId)).toEqual(['old-failed-newer', 'new-failed', 'old-failed']);
    const legacy = dynamo.commandCalls(QueryCommand, { IndexName: 'byStartedAt' })[0]?.args[0].input;
    expect(legacy).toMatchObject({
      FilterExpression: 'attribute_not_exists(#status)',
      ExpressionAttributeNames: { '#status': 'runStatus' },
    });
    expect(legacy).not.toHaveProperty('Limit');
  });

  it('filters by release, caller and source over every page of the query, until the limit is met', async () => {
    const item = (runId: string, fields: Record<string, unknown>) =>
      marshall({ ...record, runId, pk: `run#${runId}`, entity: 'run', ...fields });
    dynamo
      .on(QueryCommand)
      .resolvesOnce({
        Items: [item('other-caller', { caller: 'bob@ci' }), item('other-release', { caller: 'Alice@laptop', release: 'r-999999999999' })],
        LastEvaluatedKey: marshall({ pk: 'run#other-release' }),
      })
      .resolvesOnce({
        Items: [item('wanted', { caller: 'arn:aws:sts::1:assumed-role/Admin/ALICE' }), item('wanted-too', { caller: 'alice@laptop' })],
        LastEvaluatedKey: marshall({ pk: 'run#wanted-too' }),
      });
    const runs = await new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' })).list({
      // The start of the id, as a short commit names one: r-999999999999 does not start so.
      release: record.release.slice(0, 7),
      caller: 'alice',
      source: 'schedule',
      limit: 1,
    });
    expect(runs.map((run) => run.runId)).toEqual(['wanted']);
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(2);
    expect(dynamo.commandCalls(QueryCommand)[1]?.args[0].input).toMatchObject({
      IndexName: 'byStartedAt',
      ExclusiveStartKey: marshall({ pk: 'run#other-release' }),
    });
  });

  it('writes the status the index lists by: running when claimed, the outcome when finished', async () => {
    dynamo.on(PutItemCommand).resolves({});
    const ledger = new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' }));
    await ledger.claim(record);
    await ledger.finish({ ...record, exitCode: 2, endedAt: '2026-11-24T14:39:30.000Z' });
    const items = dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item);
    expect(items.map((item) => item?.runStatus)).toEqual([{ S: 'running' }, { S: 'failed' }]);
  });
});

describe('the admin handler on a DynamoDB ledger', () => {
  const ran: string[] = [];
  const tasks = {
    migrate: async () => ({
      default: defineTask({ name: 'migrate', description: 'Migrates', options: { lock: true }, run: async () => void ran.push('migrate') }),
    }),
  };

  beforeEach(() => {
    ran.length = 0;
    vi.stubEnv('CNF_PARAMETER_FILE', '/nonexistent/parameters.json');
    vi.stubEnv('CNF_LEDGER_TABLE', TABLE);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('runs a task once, recording its start and end, taking and giving back its lock', async () => {
    dynamo.on(PutItemCommand).resolves({});
    dynamo.on(DeleteItemCommand).resolves({});
    const result = await createAdminHandler({ tasks })({
      task: 'migrate',
      runId: 'run-9',
      source: 'cli',
      caller: 'arn:aws:iam::1:user/alice',
    });
    expect(result.exitCode).toBe(0);
    expect(ran).toEqual(['migrate']);
    const puts = dynamo.commandCalls(PutItemCommand).map((call) => unmarshall(call.args[0].input.Item ?? {}));
    expect(puts.map((item) => item.pk)).toEqual(['run#run-9', 'lock#migrate', 'run#run-9']);
    expect(puts[2]).toMatchObject({ exitCode: 0, caller: 'arn:aws:iam::1:user/alice', endedAt: expect.any(String) });
    expect(dynamo.commandCalls(DeleteItemCommand)).toHaveLength(1);
  });

  it('runs nothing on a second delivery of a run id (conditional-check failure)', async () => {
    dynamo.on(PutItemCommand).rejects(conditionFailed());
    dynamo.on(GetItemCommand).resolves({
      Item: marshall({ ...record, runId: 'run-9', pk: 'run#run-9', exitCode: 0, durationMs: 12, endedAt: '2026-11-24T10:00:12.000Z' }),
    });
    const result = await createAdminHandler({ tasks })({ task: 'migrate', runId: 'run-9' });
    expect(result).toMatchObject({ runId: 'run-9', exitCode: 0, durationMs: 12 });
    expect(ran).toEqual([]);
  });

  it('refuses with 75 when the ledger throttles, and runs nothing', async () => {
    dynamo.on(PutItemCommand).rejects(new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} }));
    const result = await createAdminHandler({ tasks })({ task: 'migrate' });
    expect(result.exitCode).toBe(75);
    expect(result.error).toMatchObject({ name: 'LedgerThrottled', message: expect.stringContaining('Try again shortly') });
    expect(ran).toEqual([]);
  });

  it('refuses with 69 when the ledger is unavailable: the task never runs unguarded', async () => {
    dynamo.on(PutItemCommand).rejects(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} }));
    const result = await createAdminHandler({ tasks })({ task: 'migrate' });
    expect(result.exitCode).toBe(69);
    expect(result.error?.message).toContain('refusing to run unguarded');
    expect(ran).toEqual([]);
  });
});
