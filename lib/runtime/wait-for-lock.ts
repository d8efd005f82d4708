import type { Logger } from '@aws-lambda-powertools/logger';
import { pause } from '../core/abortable.js';
import type { LockHolder, LockResult } from '../core/lease.js';
import type { RunLedger } from './ledger/run-ledger.js';

/** How often a waiting run asks for the lock again. */
const POLL_INTERVAL_MS = 1_000;

/**
 * Takes a task's lock, waiting up to `waitMs` while another run holds it.
 *
 * Asks again every second, and once more at the deadline itself: a wait of
 * `1s` asks twice, a wait of `2s` three times, the last one `waitMs` after
 * the first.
 *
 * Resolves to the last answer: the lease, or the holder that kept it; an
 * `interrupt` ends the wait at once, with the answer before it.
 */
async function waitForLock(
  ledger: RunLedger,
  name: string,
  holder: LockHolder,
  waitMs: number,
  log: Logger,
  interrupt?: AbortSignal,
): Promise<LockResult> {
  const giveUpAt = Date.now() + waitMs;
  let result = await ledger.acquireLock(name, holder);
  if (!result.acquired && waitMs > 0) {
    log.info(`Waiting up to ${Math.round(waitMs / 1000)}s for the lock held by run ${result.holder.runId}`);
  }
  // An interrupt ends the wait at once: the run then ends as interrupted, its task never started.
  for (let left = giveUpAt - Date.now(); !result.acquired && left > 0 && interrupt?.aborted !== true; left = giveUpAt - Date.now()) {
    if (!(await pause(Math.min(POLL_INTERVAL_MS, left), interrupt))) break;
    result = await ledger.acquireLock(name, holder);
  }
  return result;
}

export { waitForLock };
