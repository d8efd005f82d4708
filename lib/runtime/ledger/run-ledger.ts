import { writeFailureRemedy } from '../../core/write-failure-remedy.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { RefusalName } from '../../core/refusal.js';
import type { RunRecord, RunSource } from '../../core/run.js';
import type { RunStatus } from '../../core/run-status.js';
import type { LockHolder, LockResult } from '../../core/lease.js';
import { isThrottlingName } from '../aws-error-names.js';

/**
 * The outcome of claiming a run id: either it is ours, or the run already happened or is happening.
 *
 * @example
 * const claim = await ledger.claim(record);
 * if (!claim.claimed) return resultOfRecord(claim.existing); // a redelivery: the first run's result
 */
type ClaimResult =
  | {
      readonly claimed: true;
      /** The record as claimed, when the claim took over a run whose start ECS refused (see `RunRecord.notStarted`). */
      readonly record?: RunRecord;
    }
  | { readonly claimed: false; readonly existing: RunRecord };

/**
 * A query over the ledger.
 *
 * @example
 * const lastMigrations = await ledger.list({ task: 'migrate', limit: 5 } satisfies LedgerQuery);
 */
interface LedgerQuery {
  /**
   * Only the runs of this task.
   *
   * @default - runs of every task
   */
  readonly task?: string;
  /** Leave out the runs of these tasks. */
  readonly excludeTasks?: readonly string[];
  /** Only the runs of this release, or of the releases whose id starts so (`r-7deeb`). @default - runs of every release */
  readonly release?: string;
  /** Only the runs whose caller holds this, in any case (`alice`). @default - every caller's runs */
  readonly caller?: string;
  /** Only the runs of this source. @default - runs of every source */
  readonly source?: RunSource;
  /**
   * Only the runs of this status. A run that was lost reads as `running`
   * here: readers tell it apart once they settle the record.
   *
   * @default - runs of every status
   */
  readonly status?: RunStatus;
  /** ISO 8601: only runs started at or after this time. @default - no lower bound */
  readonly since?: string;
  /** ISO 8601: only runs started before this time. @default - no upper bound */
  readonly until?: string;
  /** At most this many records, newest first. */
  readonly limit?: number;
}

/**
 * The run ledger: every run recorded once, whatever its source, and the
 * locks that keep a locked task to one run at a time per stage.
 *
 * @example
 * // A ledger of its own (say, for a test): the handler records every run in it.
 * class MemoryLedger implements RunLedger {
 *   // claim, finish, acquireLock, get, list
 * }
 * export const handler = createAdminHandler({ tasks, ledger: new MemoryLedger() });
 */
interface RunLedger {
  /**
   * Records a run's start, if and only if its run id is new (a conditional
   * write). A second delivery of the same run id gets the first run's record,
   * unless that run never started (`notStarted`, same task and args): the
   * claim then takes its record over, in one conditional write.
   */
  claim(record: RunRecord): Promise<ClaimResult>;
  /** Records a claimed run's end (exit code, duration, error). */
  finish(record: RunRecord): Promise<void>;
  /**
   * Writes a run's record as `finish` does, on condition that its record
   * shows no end yet and that no container task has taken the run over
   * (`containerStartedAt`): one conditional write. The admin function's
   * refusal of a start ECS did not answer thus never overwrites a container
   * task that took the run over, whether it runs or has ended; and such a
   * task records that it took the run over only while no refusal ended it.
   * A ledger without it has the caller read the record just before `finish`.
   *
   * @returns false when the record had ended, was taken over (or was gone), and nothing was written
   */
  finishUnlessEnded?(record: RunRecord): Promise<boolean>;
  /** Takes the named lock for `holder`, or reports who holds it. */
  acquireLock(name: string, holder: LockHolder): Promise<LockResult>;
  /**
   * Who holds the named lock now (a live lease of a run that has not
   * ended), or undefined when it is free; it only reads. The admin function
   * asks it before it starts a container run of a locked task, so that a
   * locked-out run starts no task. A ledger without it leaves that check to
   * the container.
   */
  lockHolder?(name: string): Promise<LockHolder | undefined>;
  /**
   * Records on a run that has not ended that a stop was asked
   * (`stopRequestedAt`, `stopRequestedBy`: `cnf-admin stop` of a container
   * run), and changes nothing else of it, so that a run that ends meanwhile
   * keeps its end. A ledger without it has the request written with
   * `finish`, the record as read before.
   *
   * @returns false when the ledger holds no such run, or the run has ended
   */
  requestStop?(runId: string, requestedBy: string, requestedAt: string): Promise<boolean>;
  /** One run's record. */
  get(runId: string): Promise<RunRecord | undefined>;
  /** Run records, newest first. */
  list(query?: LedgerQuery): Promise<RunRecord[]>;
}

/** The ledger cannot be reached: no task may run unguarded, so the run is refused. */
class LedgerUnavailableError extends Error {
  /** 69 when the ledger is unreachable, 75 when it throttled (try again shortly). */
  readonly exitCode: number;
  /** The refusal's name on the run result. */
  override name: Extract<RefusalName, 'LedgerUnavailable' | 'LedgerThrottled'>;

  constructor(message: string, options: ErrorOptions & { readonly throttled?: boolean } = {}) {
    super(message, options);
    this.name = options.throttled === true ? 'LedgerThrottled' : 'LedgerUnavailable';
    this.exitCode = options.throttled === true ? ExitCode.TEMP_FAIL : ExitCode.UNAVAILABLE;
  }
}

/**
 * What a failed ledger operation means for the run: refused either way, with
 * 75 when the ledger only throttled (the SDK's own retries are spent), 69
 * when it is unreachable, missing or forbidden.
 */
function ledgerFailure(error: unknown): LedgerUnavailableError {
  const cause = error as Error;
  if (isThrottlingName(cause.name)) {
    return new LedgerUnavailableError(`The run ledger is throttled (${cause.name}: ${cause.message}); nothing ran. Try again shortly.`, {
      cause,
      throttled: true,
    });
  }
  return new LedgerUnavailableError(
    `The run ledger is unavailable (${cause.name}: ${cause.message}); refusing to run unguarded.${fileSystemAdvice(cause)}`,
    { cause },
  );
}

/* What to do about a ledger on a local disk that is full or cannot be written; nothing for other failures. */
function fileSystemAdvice(cause: Error): string {
  const remedy = writeFailureRemedy((cause as NodeJS.ErrnoException).code);
  return remedy === undefined ? '' : ` ${remedy}, then run it again.`;
}

export { ledgerFailure, LedgerUnavailableError };
export type { ClaimResult, LedgerQuery, RunLedger };
