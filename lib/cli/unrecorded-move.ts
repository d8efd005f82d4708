import type { ConfigVersions } from '../core/platform.js';
import type { CliIo } from './io.js';
import { writeNotice } from './render/run-view.js';

/**
 * The `!` line of a config change (`config set`, `unset`, `rollback`) that
 * is live but took effect without something the ledger would not record (on
 * AWS, its move of the live pair): the change stands, so the command still
 * ends 0, as a code rollback does in the same case.
 */
function writeUnrecordedMove(versions: ConfigVersions | undefined, io: CliIo): void {
  const unrecorded = versions?.unrecordedMove?.();
  if (unrecorded !== undefined) writeNotice(io, unrecorded);
}

/**
 * The same, as a field of the change's `--json` document: `unrecordedMove`,
 * present only when the ledger would not record the move.
 */
function unrecordedMoveField(versions: ConfigVersions | undefined): { unrecordedMove?: string } {
  const unrecorded = versions?.unrecordedMove?.();
  return unrecorded === undefined ? {} : { unrecordedMove: unrecorded };
}

export { unrecordedMoveField, writeUnrecordedMove };
