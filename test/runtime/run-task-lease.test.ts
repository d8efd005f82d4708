import type { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { LeaseExpiredError } from '../../lib/core/heartbeat-lease.js';
import { defineTask } from '../../lib/runtime/define-task.js';
import { runTask } from '../../lib/runtime/run-task.js';

const quietLog = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;

/** A locked task's run whose lease is lost, with `reason`, while the task waits on its signal. */
async function runLosingLease(reason: unknown): Promise<{ exitCode: number; error?: { name: string; message: string } }> {
  const leaseLost = new AbortController();
  const task = defineTask({
    name: 'holds-on',
    description: 'Waits for its signal',
    run: ({ signal }) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        leaseLost.abort(reason);
      }),
  });
  return runTask(task, {
    args: {},
    config: {},
    log: quietLog,
    runId: 'lease-run',
    release: 'r-0123456789ab',
    stage: 'local',
    deadline: Date.now() + 60_000,
    leaseLost: leaseLost.signal,
  });
}

describe('a run whose lock lease is lost', () => {
  it('ends with 75, saying another run took it', async () => {
    const outcome = await runLosingLease(new Error('taken'));
    expect(outcome.exitCode).toBe(75);
    expect(outcome.error?.message).toContain('the lock lease was lost to another run');
  });

  it('says why when it expired because its renewals failed, not that another run took it', async () => {
    const expired = new LeaseExpiredError(
      "The lease expired before it could be renewed (3 renewals failed, the last with Error: EROFS: read-only file system, open '/x')",
    );
    const outcome = await runLosingLease(expired);
    expect(outcome.exitCode).toBe(75);
    expect(outcome.error?.message).toContain('the lock lease was lost: the lease expired before it could be renewed (3 renewals failed');
    expect(outcome.error?.message).not.toContain('another run');
  });
});
