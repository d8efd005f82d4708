import { FileLedger } from './file-ledger.js';
import { LedgerUnavailableError, type RunLedger } from './run-ledger.js';
import { CNF_VARIABLES, readCnfEnvironment } from '../../core/cnf-environment.js';

/**
 * The run ledger the environment names: `CNF_LEDGER_DIR` on the local stage
 * (files under `.cnf/`), `CNF_LEDGER_TABLE` on AWS (a DynamoDB table).
 *
 * @throws LedgerUnavailableError when neither is set: no task runs unguarded.
 */
async function ledgerFromEnvironment(): Promise<RunLedger> {
  const { ledgerDir: directory, ledgerTable: table } = readCnfEnvironment();
  if (directory !== undefined) return new FileLedger(directory);
  if (table !== undefined) {
    // The DynamoDB client loads only on AWS: the local stage never pays for it.
    const { DynamoLedger } = await import('./dynamo-ledger.js');
    return new DynamoLedger(table);
  }
  throw new LedgerUnavailableError(
    `No run ledger is configured (${CNF_VARIABLES.ledgerDir} or ${CNF_VARIABLES.ledgerTable}); refusing to run unguarded.`,
  );
}

export { ledgerFromEnvironment };
