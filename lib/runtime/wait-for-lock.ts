import type { Logger } from '@aws-lambda-powertools/logger';
import type { LockHolder, LockResult } from '../core/lease.js';
import type { RunLedger } from './ledger/run-ledger.js';

/** How often a waiting run asks for the lock again. */
const POLL_INTERVAL_MS = 1_000;

/**
 * Takes a task's lock, waiting up to `waitMs` while another run holds it.
 *
 * Resolves to the last answer: the lease, or the holder that kept it.
 */
async function waitForLock(ledger: RunLedger, name: string, holder: LockHolder, waitMs: number, log: Logger): Promise<LockResult> {
  const giveUpAt = Date.now() + waitMs;
  let result = await ledger.acquireLock(name, holder);
  if (!result.acquired && waitMs > 0) {
    log.info(`Waiting up to ${Math.round(waitMs / 1000)}s for the lock held by run ${result.holder.runId}`);
  }
  while (!result.acquired && Date.now() + POLL_INTERVAL_MS <= giveUpAt) {
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    result = await ledger.acquireLock(name, holder);
  }
  return result;
}

export { waitForLock };
