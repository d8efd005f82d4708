import { Logger } from '@aws-lambda-powertools/logger';
import { SecretRedactor } from './redact-secrets.js';
import { readCnfEnvironment } from '../core/cnf-environment.js';

/** The keys every line of a run's log carries. */
interface RunLogKeys {
  readonly runId: string;
  readonly task: string;
  readonly release: string;
}

/**
 * Creates the structured JSON logger of one run (Powertools Logger).
 *
 * Every line carries the run id, task and release; the values of the stage's
 * secure parameters are redacted from every string in the line.
 *
 * @example
 * const log = createRunLogger({ runId, task: 'migrate', release }, ['s3cret']);
 * log.info('Applied migration', { name: '0001_create_notes' });
 */
function createRunLogger(keys: RunLogKeys, secrets: readonly string[] = []): Logger {
  const redactor = new SecretRedactor(secrets);
  return new Logger({
    serviceName: readCnfEnvironment().app ?? 'cnf-admin',
    persistentKeys: { runId: keys.runId, task: keys.task, release: keys.release },
    jsonReplacerFn: (_key: string, value: unknown) => (typeof value === 'string' ? redactor.text(value) : value),
  });
}

export { createRunLogger };
export type { RunLogKeys };
