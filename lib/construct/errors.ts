import type { IConstruct } from 'constructs';
import { UsageError, type CnfErrorOptions } from '../core/errors.js';

/**
 * A prop of a cnf-admin construct is invalid, or names something the
 * release lacks (a task, its args): the one error every cnf-admin construct
 * throws while the app is synthesised, before anything is deployed.
 *
 * Its message starts with the path of the construct that refused
 * (`Admin/ContainerTasks: containerTasks.securityGroups is empty: ...`) and
 * names the prop and the value it got. It is a cnf-admin usage error (exit
 * 64 when the CLI synthesises the app), and carries the path on its own in
 * {@link ConstructValidationError.constructPath}.
 *
 * @example
 * try {
 *   new AdminApp(stack, 'Admin', { aliasName: '7' });
 * } catch (error) {
 *   if (error instanceof ConstructValidationError) console.error(error.constructPath); // 'Stack/Admin'
 * }
 */
class ConstructValidationError extends UsageError {
  /** The path of the construct that refused its props, e.g. `notes-prod/Admin/ContainerTasks`. */
  readonly constructPath: string;

  constructor(scope: IConstruct, message: string, options?: CnfErrorOptions) {
    super(`${scope.node.path}: ${message}`, options);
    this.constructPath = scope.node.path;
  }
}

export { ConstructValidationError };
