import { GetItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LEDGER_TABLE, runKey } from '../../core/ledger-table.js';
import type { RunQuery } from '../../core/platform.js';
import type { RunError, RunRecord, RunSource } from '../../core/run.js';
import { callAws } from './aws-errors.js';
import { plainItem } from './attribute-values.js';

/** How many runs `runs` shows when not told. */
const DEFAULT_LIMIT = 20;

/**
 * Reads an AWS stage's run ledger (the DynamoDB table its stage record
 * names, in the layout of `lib/core/ledger-table.ts`): newest runs first
 * through the `byStartedAt` and `byTask` indexes, one run by its key.
 */
class LedgerReader {
  constructor(
    private readonly dynamodb: () => Promise<DynamoDBClient>,
    private readonly table: string,
    private readonly stage: string,
  ) {}

  async list(query: RunQuery): Promise<RunRecord[]> {
    const index = query.task === undefined ? LEDGER_TABLE.byStartedAt : LEDGER_TABLE.byTask;
    const limit = query.limit ?? DEFAULT_LIMIT;
    const client = await this.dynamodb();
    const records: RunRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await callAws(this.#call('dynamodb:Query', `table ${this.table} index ${index.indexName}`), () =>
        client.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: index.indexName,
            KeyConditionExpression: '#partition = :value',
            ExpressionAttributeNames: { '#partition': index.partitionKey },
            ExpressionAttributeValues: { ':value': { S: query.task ?? 'run' } },
            ScanIndexForward: false,
            Limit: limit - records.length,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const record = runRecordOf(plainItem(item));
        if (record !== undefined) records.push(record);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined && records.length < limit);
    return records;
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const client = await this.dynamodb();
    const answer = await callAws(this.#call('dynamodb:GetItem', `table ${this.table}`), () =>
      client.send(
        new GetItemCommand({ TableName: this.table, Key: { [LEDGER_TABLE.partitionKey]: { S: runKey(runId) } }, ConsistentRead: true }),
      ),
    );
    return answer.Item === undefined ? undefined : runRecordOf(plainItem(answer.Item));
  }

  #call(action: string, resource: string) {
    return { action, resource, stage: this.stage };
  }
}

/** A run record out of a ledger item; `args` may be stored as a map or as JSON text. */
function runRecordOf(item: Record<string, unknown>): RunRecord | undefined {
  const text = (key: string): string | undefined => (typeof item[key] === 'string' ? (item[key] as string) : undefined);
  const number = (key: string): number | undefined => (typeof item[key] === 'number' ? (item[key] as number) : undefined);
  const runId = text('runId');
  const task = text('task');
  const startedAt = text('startedAt');
  if (runId === undefined || task === undefined || startedAt === undefined) return undefined;
  const error = item.error as Partial<RunError> | undefined;
  const optional = {
    endedAt: text('endedAt'),
    exitCode: number('exitCode'),
    durationMs: number('durationMs'),
    configFingerprint: text('configFingerprint'),
    error: typeof error?.name === 'string' && typeof error.message === 'string' ? { name: error.name, message: error.message } : undefined,
  };
  return {
    runId,
    task,
    args: argsOf(item.args),
    release: text('release') ?? '',
    source: (text('source') ?? 'console') as RunSource,
    caller: text('caller') ?? '',
    startedAt,
    log: text('log') ?? '',
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
}

function argsOf(value: unknown): Readonly<Record<string, unknown>> {
  if (typeof value === 'string') {
    try {
      return argsOf(JSON.parse(value));
    } catch (error) {
      if (error instanceof SyntaxError) return { value };
      throw error;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export { LedgerReader };
