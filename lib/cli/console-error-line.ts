import { isTaskExitCode } from '../core/exit-codes.js';
import type { RunResult } from '../core/run.js';

/**
 * The line a console evaluation that did not succeed ends with: its error,
 * as Node's REPL says an uncaught one. None for an evaluation that ended
 * with an exit code of its own and no error (`process.exit(5)`): its code is
 * the whole story, and its log says it called process.exit. One that ended
 * with one of cnf-admin's codes and no error (a record with no end, 70) says
 * that code, never nothing.
 *
 * @example
 * errorLine({ ...result, exitCode: 1, error: { name: 'Error', message: 'nope' } }); // 'Uncaught Error: nope'
 * errorLine({ ...result, exitCode: 5 }); // undefined
 * errorLine({ ...result, exitCode: 70 }); // 'Uncaught: the evaluation ended with exit code 70'
 */
function errorLine(result: RunResult | undefined): string | undefined {
  if (result === undefined) return 'Uncaught: the evaluation ended without a result';
  if (result.error !== undefined) return `Uncaught ${result.error.name}: ${result.error.message}`;
  return isTaskExitCode(result.exitCode) ? undefined : `Uncaught: the evaluation ended with exit code ${result.exitCode}`;
}

export { errorLine };
