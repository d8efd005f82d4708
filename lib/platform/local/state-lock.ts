import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TryAgainError } from '../../core/errors.js';
import { acquireFileLock } from '../../core/files/file-lock.js';

/* Changing a state file takes milliseconds; waiting longer than this means something is stuck. */
const WAIT_MS = 10_000;

/**
 * Runs `change` while holding the local stage's state lock, so that two
 * commands changing the same state file at once (two deploys moving the alias
 * pair, two `config set`s) never lose one another's change.
 *
 * @throws TryAgainError (75) when another cnf-admin holds the lock for too long.
 */
async function withStateLock<T>(stageDir: string, change: () => Promise<T>): Promise<T> {
  // Task locks live beside it; task names start with a letter, so none is called ".state".
  const directory = join(stageDir, 'locks', '.state');
  const holder = { runId: `cnf-admin-${process.pid}-${randomUUID().slice(0, 8)}`, caller: 'cnf-admin', since: new Date().toISOString() };
  const giveUpAt = Date.now() + WAIT_MS;
  for (;;) {
    const lock = await acquireFileLock(directory, holder, { leaseMs: WAIT_MS, heartbeatMs: WAIT_MS / 3 });
    if (lock.acquired) {
      try {
        return await change();
      } finally {
        await lock.lease.release();
      }
    }
    if (Date.now() > giveUpAt)
      throw new TryAgainError(`The local stage's state is being changed by another cnf-admin (${lock.holder.runId}); try again.`);
    await sleep(20);
  }
}

export { withStateLock };
