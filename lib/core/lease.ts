/*
 * A lock held as a lease: taken by one holder, kept alive by a heartbeat,
 * lost when it expires and another takes it. The run ledger's task locks
 * (DynamoDB and files), the local stage's state lock and the embedded
 * database's start lock are all leases.
 */

/**
 * Who holds a task's lock.
 *
 * @example
 * const holder: LockHolder = { runId: '20261124-143927-k3f9qz', caller: 'alice', since: new Date().toISOString() };
 */
interface LockHolder {
  /** The id of the run that holds the lock. */
  readonly runId: string;
  /** Who started that run. */
  readonly caller: string;
  /** ISO 8601: when the holder took the lock. */
  readonly since: string;
  /** The process that took it, where the lock is a file on this machine: a lock whose run never got a record is free once it has gone. */
  readonly pid?: number;
}

/**
 * A held lock: a lease that its heartbeat keeps alive until it is released.
 *
 * @example
 * const lock = await ledger.acquireLock('migrate', holder);
 * if (lock.acquired) {
 *   try {
 *     await work(lock.lease.lost); // stop when the lease is lost
 *   } finally {
 *     await lock.lease.release();
 *   }
 * }
 */
interface Lease {
  /** Fires when the lease was lost (it expired and another run took it). */
  readonly lost: AbortSignal;
  /** Gives the lock up; safe to call more than once. */
  release(): Promise<void>;
}

/**
 * The outcome of asking for a lock.
 *
 * @example
 * const lock = await ledger.acquireLock('migrate', holder);
 * if (!lock.acquired) console.log(`locked by run ${lock.holder.runId} of ${lock.holder.caller}`);
 */
type LockResult = { readonly acquired: true; readonly lease: Lease } | { readonly acquired: false; readonly holder: LockHolder };

/** Timing of a lease. */
interface LeaseTiming {
  /** How long a lease lives without a heartbeat. @default 30_000 */
  readonly leaseMs?: number;
  /** How often the holder renews it. @default 10_000 */
  readonly heartbeatMs?: number;
}

export type { Lease, LeaseTiming, LockHolder, LockResult };
