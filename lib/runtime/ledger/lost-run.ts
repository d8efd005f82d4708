import { ExitCode } from '../../core/exit-codes.js';
import type { RunOwner, RunRecord } from '../../core/run.js';
import { ROLLBACK_TASK } from '../../core/rollback.js';

/**
 * A run whose owner process died before it recorded its end, as the ledger
 * records it: ended now, interrupted (130), with the reason. Its task may
 * have been half done: its log shows how far it got.
 */
function lostRecord(record: RunRecord, owner: RunOwner, now: Date = new Date()): RunRecord {
  const at = now.toISOString();
  return {
    ...record,
    endedAt: at,
    exitCode: ExitCode.INTERRUPTED,
    durationMs: Math.max(0, now.getTime() - Date.parse(record.startedAt)),
    interruptedAt: record.interruptedAt ?? at,
    error: {
      name: 'RunLostError',
      message: `The process that ran it (pid ${owner.pid}) ended before the run recorded its end: it was killed, its terminal closed, or the ledger could not be written then.${record.task === ROLLBACK_TASK ? ' A rollback writes no log: cnf-admin status says where the stage is.' : ' Its log shows how far it got.'}`,
    },
  };
}

export { lostRecord };
