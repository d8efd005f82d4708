import type { IConstruct } from 'constructs';
import type { TaskCatalog } from '../../core/task-catalog.js';
import { LAMBDA_MAX_TIMEOUT_SECONDS, runtimeOf } from '../../core/task-runtime.js';
import { ConstructValidationError } from '../errors.js';

/**
 * Checks that every task of the release fits its runtime: a Lambda task's
 * `options.timeoutSeconds` is at most Lambda's 900 seconds (a longer one
 * needs `runtime: 'container'`), scripts' as tasks'.
 *
 * @throws ConstructValidationError naming the task, the option and its value.
 */
function assertTaskRuntimes(scope: IConstruct, catalog: TaskCatalog, release: string): void {
  for (const task of [...catalog.tasks, ...catalog.scripts]) {
    if (runtimeOf(task) === 'lambda' && (task.timeoutSeconds ?? 0) > LAMBDA_MAX_TIMEOUT_SECONDS) {
      throw new ConstructValidationError(
        scope,
        `Task ${task.name} of release ${release} sets options.timeoutSeconds to ${task.timeoutSeconds}, more than Lambda's ${LAMBDA_MAX_TIMEOUT_SECONDS}: Lambda stops every invocation at 15 minutes.`,
        {
          hint: `Give it options.runtime: 'container' to run it as a Fargate task, or a timeoutSeconds of at most ${LAMBDA_MAX_TIMEOUT_SECONDS}.`,
        },
      );
    }
  }
}

export { assertTaskRuntimes };
