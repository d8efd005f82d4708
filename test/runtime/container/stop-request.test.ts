/**
 * The container's read of its run's record on SIGTERM: begun when the
 * interrupt fires, and bounded, so that a ledger that does not answer
 * leaves the stop counted as ECS's well before the container is killed.
 */
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../lib/core/run.js';
import type { RunLedger } from '../../../lib/runtime/ledger/run-ledger.js';
import { watchStopRequest } from '../../../lib/runtime/container/stop-request.js';

/** A ledger whose reads never answer, counting them. */
function silentLedger(): RunLedger & { reads: number } {
  const ledger = {
    reads: 0,
    get: (): Promise<RunRecord | undefined> => {
      ledger.reads += 1;
      return new Promise(() => undefined);
    },
  };
  return ledger as unknown as RunLedger & { reads: number };
}

describe('watchStopRequest', () => {
  it('reads the record when the interrupt fires, and tells nothing when the ledger does not answer in time', async () => {
    const ledger = silentLedger();
    const interrupt = new AbortController();
    const watch = watchStopRequest(ledger, '20261130-000000-read01', interrupt.signal, 50);
    expect(ledger.reads).toBe(0);
    interrupt.abort('the container got SIGTERM');
    expect(ledger.reads).toBe(1);
    expect(await watch.asked()).toEqual({ asked: false, unread: 'the run ledger did not answer within 0.05s' });
    expect(ledger.reads).toBe(1);
  });
});
