import { readJsonFile } from '../../runtime/ledger/atomic-file.js';
import { UnavailableError } from '../../core/errors.js';

/**
 * Reads one of the local stage's state files, turning a corrupted file into
 * a clear error that names it and says how to recover, instead of a crash.
 *
 * @param check - says what is wrong with the parsed value, or undefined when it is well-formed
 * @throws UnavailableError naming the file when it is not JSON or not well-formed.
 */
async function readStateFile<T>(file: string, check: (value: unknown) => string | undefined): Promise<T | undefined> {
  let value: unknown;
  try {
    value = await readJsonFile<unknown>(file);
  } catch (error) {
    const parseError = error instanceof SyntaxError && error.cause instanceof Error ? error.cause : undefined;
    throw corrupted(file, parseError === undefined ? (error as Error).message : `not valid JSON (${parseError.message})`, error);
  }
  if (value === undefined) return undefined;
  const problem = check(value);
  if (problem !== undefined) throw corrupted(file, problem);
  return value as T;
}

function corrupted(file: string, problem: string, cause?: unknown): UnavailableError {
  return new UnavailableError(`The local stage's state is corrupted: ${file}: ${problem}`, {
    hint: 'Restore the file, or delete .cnf/local/ and run `cnf-admin deploy --stage local` to start the local stage afresh.',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Whether `value` is a plain object (not null, not an array). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export { isRecord, readStateFile };
