import { UsageError, type CnfErrorOptions } from '../core/errors.js';

/**
 * A prop of the admin app construct is invalid.
 *
 * Thrown while the app is synthesised, before anything is deployed; the
 * message names the prop and the value it got.
 */
class AdminAppPropsError extends UsageError {
  constructor(message: string, options?: CnfErrorOptions) {
    super(message, options);
  }
}

/**
 * A schedule, the release phase or a test event names a task that the
 * release's task catalog does not have.
 */
class UnknownTaskError extends AdminAppPropsError {
  constructor(message: string, options?: CnfErrorOptions) {
    super(message, options);
  }
}

export { AdminAppPropsError, UnknownTaskError };
