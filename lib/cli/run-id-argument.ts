import { UsageError } from '../core/errors.js';
import { isValidRunId } from '../core/run.js';

/**
 * Checks a run id given on the command line before it names a file or a key.
 *
 * @throws UsageError naming the value when it cannot be a run id.
 */
function assertRunIdArgument(runId: string): void {
  if (!isValidRunId(runId)) {
    throw new UsageError(`Not a run id: ${JSON.stringify(runId)}. Run ids are 1-128 letters, digits, '.', '_' or '-'.`, {
      hint: 'List the runs with: cnf-admin runs',
    });
  }
}

export { assertRunIdArgument };
