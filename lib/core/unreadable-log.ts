import { retold, type CnfError } from './errors.js';

/*
 * The mark of a run's log that could not be read (throttled, failing, denied, unreachable), as against one that is not
 * there: `runs show` lets the first end the command with its code and tells the second in a line. Symbol.for, as the
 * CnfError brand, so that the mark is seen whichever copy of this module made it.
 */
const UNREADABLE_LOG = Symbol.for('cnf-admin.unreadable-log');

/**
 * `error` (a failed read of a run's log) said as a log that could not be
 * read, its class, exit code and hint kept, and marked so.
 *
 * @example
 * throw unreadableLog(error, runId); // "The log of run 20261124-143927-k3f9qz could not be read: AWS failed …"
 */
function unreadableLog(error: CnfError, runId: string): CnfError {
  const told = retold(error, `The log of run ${runId} could not be read: ${error.message}`, { cause: error });
  Object.defineProperty(told, UNREADABLE_LOG, { value: true });
  return told;
}

/** Whether `error` is a run's log that could not be read ({@link unreadableLog}), not one that is not there. */
function isUnreadableLog(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { [UNREADABLE_LOG]?: unknown })[UNREADABLE_LOG] === true;
}

export { isUnreadableLog, unreadableLog };
