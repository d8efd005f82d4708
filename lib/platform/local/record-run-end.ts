import type { RunResult } from '../../core/run.js';
import { FileLedger } from '../../runtime/ledger/file-ledger.js';
import type { LocalPaths } from './local-paths.js';

/**
 * Records the end of a run that could not record it itself (killed, or its
 * process died), as the platform saw it end: a run left "in progress" would
 * hold its run id, and anyone following it, forever.
 */
async function recordRunEnd(paths: LocalPaths, result: RunResult): Promise<void> {
  const ledger = new FileLedger(paths.ledger);
  const record = await ledger.get(result.runId);
  if (record === undefined || record.endedAt !== undefined) return;
  await ledger.finish({
    ...record,
    endedAt: new Date().toISOString(),
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    ...(result.error === undefined ? {} : { error: result.error }),
  });
}

export { recordRunEnd };
