import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../lib/core/run.js';
import { DynamoLedger } from '../../../lib/runtime/ledger/dynamo-ledger.js';

const dynamo = mockClient(DynamoDBClient);
const TABLE = 'notes-prod-ledger';

/* Deeper than the 32 levels a DynamoDB map may nest. */
function deep(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < levels; level += 1) value = { next: value };
  return value;
}

const ended: RunRecord = {
  runId: 'run-1',
  task: 'migrate',
  args: {},
  release: 'r-0123456789ab',
  source: 'cli',
  caller: 'alice',
  startedAt: '2026-11-24T10:00:00.000Z',
  endedAt: '2026-11-24T10:00:05.000Z',
  exitCode: 0,
  log: '/aws/lambda/notes-prod-admin:stream',
  result: { migrated: 3, tree: deep(40) },
};

beforeEach(() => {
  dynamo.reset();
});

describe('DynamoLedger and a run result', () => {
  it('stores the result as JSON text in one attribute, and reads it back as the value', async () => {
    dynamo.on(PutItemCommand).resolves({});
    const ledger = new DynamoLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' }));
    await ledger.finish(ended);
    const item = unmarshall(dynamo.commandCalls(PutItemCommand)[0]?.args[0].input.Item ?? {});
    expect(item.result).toBeUndefined();
    expect(JSON.parse(item.resultJson as string)).toEqual(ended.result);
    dynamo.on(GetItemCommand).resolves({ Item: marshall(item) });
    const read = await ledger.get('run-1');
    expect(read?.result).toEqual(ended.result);
    expect(read).not.toHaveProperty('resultJson');
  });
});
