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

export { writeUnrecordedMove };
