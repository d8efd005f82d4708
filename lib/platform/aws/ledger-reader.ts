import type { DynamoDBClient } from './sdk/dynamodb.js';
import type { RunQuery } from '../../core/platform.js';
import type { RunRecord } from '../../core/run.js';
import { DynamoLedger } from '../../runtime/ledger/dynamo-ledger.js';
import { callAws } from './aws-errors.js';

/** How many runs `runs` shows when not told. */
const DEFAULT_LIMIT = 20;

/**
 * Reads an AWS stage's run ledger (the DynamoDB table its stage record
 * names) with the admin function's own ledger code, so that what the CLI
 * reads is what the runtime wrote; an AWS error names the action it lacked.
 */
class LedgerReader {
  constructor(
    private readonly dynamodb: () => Promise<DynamoDBClient>,
    private readonly table: string,
    private readonly stage: string,
  ) {}

  async list(query: RunQuery): Promise<RunRecord[]> {
    const ledger = new DynamoLedger(this.table, await this.dynamodb());
    return callAws({ action: 'dynamodb:Query', resource: `table ${this.table}`, stage: this.stage }, () =>
      ledger.list({ ...query, limit: query.limit ?? DEFAULT_LIMIT }),
    );
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const ledger = new DynamoLedger(this.table, await this.dynamodb());
    return callAws({ action: 'dynamodb:GetItem', resource: `table ${this.table}`, stage: this.stage }, () => ledger.get(runId));
  }
}

export { LedgerReader };
