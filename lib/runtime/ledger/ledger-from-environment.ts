import { FileLedger } from './file-ledger.js';
import { LedgerUnavailableError, type RunLedger } from './run-ledger.js';

/**
 * The run ledger the environment names: `CNF_LEDGER_DIR` on the local stage
 * (files under `.cnf/`), `CNF_LEDGER_TABLE` on AWS (a DynamoDB table).
 *
 * @throws LedgerUnavailableError when neither is set: no task runs unguarded.
 */
async function ledgerFromEnvironment(): Promise<RunLedger> {
  const directory = process.env.CNF_LEDGER_DIR;
  if (directory !== undefined && directory !== '') return new FileLedger(directory);
  const table = process.env.CNF_LEDGER_TABLE;
  if (table !== undefined && table !== '') {
    // The DynamoDB client loads only on AWS: the local stage never pays for it.
    const { DynamoLedger } = await import('./dynamo-ledger.js');
    return new DynamoLedger(table);
  }
  throw new LedgerUnavailableError('No run ledger is configured (CNF_LEDGER_DIR or CNF_LEDGER_TABLE); refusing to run unguarded.');
}

export { ledgerFromEnvironment };
