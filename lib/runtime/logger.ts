import { Logger } from '@aws-lambda-powertools/logger';

/** The keys every line of a run's log carries. */
interface RunLogKeys {
  readonly runId: string;
  readonly task: string;
  readonly release: string;
}

/** What a secret value is replaced with when it shows up in a log line. */
const REDACTED = '[redacted]';

/*
 * Secrets shorter than this are not redacted: replacing every "1" or "on" in
 * a log would destroy it and protect nothing.
 */
const MIN_REDACTED_LENGTH = 4;

/**
 * Replaces every occurrence of a secret in `text` with `[redacted]`.
 *
 * @example
 * redact('postgres://app:hunter22@db/app', ['hunter22']); // 'postgres://app:[redacted]@db/app'
 */
function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_REDACTED_LENGTH && result.includes(secret)) {
      result = result.split(secret).join(REDACTED);
    }
  }
  return result;
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
  const longestFirst = [...secrets].sort((a, b) => b.length - a.length);
  return new Logger({
    serviceName: process.env.CNF_APP ?? 'cnf-admin',
    persistentKeys: { runId: keys.runId, task: keys.task, release: keys.release },
    jsonReplacerFn: (_key: string, value: unknown) =>
      typeof value === 'string' && longestFirst.length > 0 ? redact(value, longestFirst) : value,
  });
}

export { createRunLogger, redact, REDACTED };
export type { RunLogKeys };
