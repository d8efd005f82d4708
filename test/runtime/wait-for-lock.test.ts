import type { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LockResult } from '../../lib/core/lease.js';
import type { RunLedger } from '../../lib/runtime/ledger/run-ledger.js';
import { waitForLock } from '../../lib/runtime/wait-for-lock.js';

const HOLDER = { runId: 'run-holding', caller: 'alice', since: '2026-12-04T10:00:00.000Z' };
const WAITER = { runId: 'run-waiting', caller: 'bob', since: '2026-12-04T10:00:01.000Z' };

/** How long each ask of the ledger takes: a round trip, as to DynamoDB or the local ledger's files. */
const ASK_MS = 30;

/** A ledger whose lock another run keeps; it notes when each ask came, in ms after the first. */
function heldLock(): { ledger: RunLedger; asks: number[] } {
  const asks: number[] = [];
  const first = Date.now();
  const acquireLock = async (): Promise<LockResult> => {
    asks.push(Date.now() - first);
    await new Promise((resolve) => setTimeout(resolve, ASK_MS));
    return { acquired: false, holder: HOLDER };
  };
  return { ledger: { acquireLock } as unknown as RunLedger, asks };
}

const quietLog = { info: () => undefined } as unknown as Logger;

describe('waitForLock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    [1_000, [0, 1_000]],
    [2_000, [0, 1_030, 2_000]],
    [2_500, [0, 1_030, 2_060, 2_500]],
  ])(
    'waiting %i ms for a lock that stays held asks every second, each ask taking its time, and last at the deadline',
    async (waitMs, expected) => {
      // given: a lock another run keeps
      const { ledger, asks } = heldLock();

      // when: a run waits for it
      const waiting = waitForLock(ledger, 'migrate', WAITER, waitMs, quietLog);
      await vi.runAllTimersAsync();
      const result = await waiting;

      // then: it asked until the deadline itself, not a second short of it, and reports the holder
      expect(asks).toEqual(expected);
      expect(result).toEqual({ acquired: false, holder: HOLDER });
    },
  );

  it('asks once when it may not wait', async () => {
    // given: a lock another run keeps
    const { ledger, asks } = heldLock();

    // when: a run asks without waiting
    const asking = waitForLock(ledger, 'migrate', WAITER, 0, quietLog);
    await vi.runAllTimersAsync();
    const result = await asking;

    // then: one ask, and the holder
    expect(asks).toEqual([0]);
    expect(result.acquired).toBe(false);
  });

  it('stops waiting at once when interrupted, and asks no more', async () => {
    // given: a lock another run keeps, and a run that may wait a minute
    const { ledger, asks } = heldLock();
    const interrupt = new AbortController();
    const started = Date.now();
    const waiting = waitForLock(ledger, 'migrate', WAITER, 60_000, quietLog, interrupt.signal);

    // when: it is interrupted a second and a half in
    await vi.advanceTimersByTimeAsync(1_500);
    interrupt.abort();
    await vi.runAllTimersAsync();
    const result = await waiting;

    // then: the two asks before the interrupt, none after it, and the holder
    expect(asks).toEqual([0, 1_030]);
    expect(result).toEqual({ acquired: false, holder: HOLDER });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
