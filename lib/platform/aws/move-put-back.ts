import { isCnfError, toldMore } from '../../core/errors.js';

/** One part of the live pair a failed move put back: what it is, and how its put-back went. */
interface PutBack {
  /** What was put back, as a message names it: `the web alias live (on version 7)`. */
  readonly part: string;
  readonly result: PromiseSettledResult<unknown>;
}

/**
 * The error a move of the live pair that failed part-way ends with: the
 * failed step's own (its exit code and hint), saying which it left: nothing
 * moved, when every part was put back as it was, or a stage half moved,
 * naming the parts that could not be put back and how to settle it.
 * Anything but a CnfError (a bug) is returned as it is.
 *
 * @example
 * throw moveFailure(error, [{ part: 'the web alias live (on version 7)', result }], 'prod', 'r-00000000aaaa');
 */
function moveFailure(error: unknown, putBacks: readonly PutBack[], stage: string, target: string): unknown {
  if (!isCnfError(error)) return error;
  const stuck = putBacks.flatMap(({ part, result }) => (result.status === 'rejected' ? [part] : []));
  if (stuck.length === 0) return toldMore(error, 'Nothing moved: what had moved was put back as it was.', { cause: error });
  return toldMore(error, `Stage ${stage} is left half moved: ${stuck.join(' and ')} could not be put back.`, {
    hint: `See where web, admin and the config are with: cnf-admin status --stage ${stage}; then roll back again (cnf-admin rollback --to ${target} --stage ${stage}) to move them together.`,
    cause: error,
  });
}

export { moveFailure };
export type { PutBack };
