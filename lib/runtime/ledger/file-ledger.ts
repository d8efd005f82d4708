import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UnavailableError } from '../../core/errors.js';
import { isValidRunId, type RunRecord } from '../../core/run.js';
import { runStatus } from '../../core/run-status.js';
import { createFileExclusive, isAlreadyExists, readJsonFile, writeFileAtomic } from '../../core/files/atomic-file.js';
import { acquireFileLock, fileLockHolder } from '../../core/files/file-lock.js';
import { unquotedJsonError } from '../../core/files/unquoted-json-error.js';
import { pause } from '../../core/abortable.js';
import { probeProcess } from '../../core/process-probe.js';
import { lostRecord } from './lost-run.js';
import { isOwnerGone } from '../../core/run-owner-liveness.js';
import { parseRunRecord } from '../../core/run-record-schema.js';
import { retakenRecord, takesOverRefusedStart } from '../../core/refused-start.js';
import { callerMatches } from '../../core/caller-match.js';
import { releaseMatches } from '../../core/release-match.js';
import type { LeaseTiming, LockHolder, LockResult } from '../../core/lease.js';
import type { ClaimResult, LedgerQuery, RunLedger } from './run-ledger.js';
import { indexEntry, RunIndex, type RunIndexEntry } from './run-index.js';

/** How many records a listing reads at once. */
const READ_BATCH = 32;

/* How often a claim tries again for a run id whose record went between its create and its read (a claim given back). */
const CLAIM_ATTEMPTS = 3;

/* A retake holds its run id's lock for a few milliseconds; one whose process was stopped (SIGSTOP) frees it after this. */
const RETAKE_LEASE_MS = 10_000;
/* How long a retry waits before it looks again at a run id another retry is taking over. */
const RETAKE_WAIT_MS = 5;

/** Whether the process that took a retake lock is gone: its lock is free at once. */
function retakerGone(holder: LockHolder): Promise<boolean> {
  return Promise.resolve(holder.pid !== undefined && probeProcess(holder.pid) === 'gone');
}

/** Whether a run's claim-time fields are what the query asks for. */
function entryMatches(entry: RunIndexEntry, query: LedgerQuery): boolean {
  if (query.task !== undefined && entry.task !== query.task) return false;
  if (query.excludeTasks?.includes(entry.task) === true) return false;
  if (query.release !== undefined && !releaseMatches(entry.release, query.release)) return false;
  if (query.source !== undefined && entry.source !== query.source) return false;
  if (query.caller !== undefined && !callerMatches(entry.caller, query.caller)) return false;
  if (query.since !== undefined && entry.startedAt < query.since) return false;
  if (query.until !== undefined && entry.startedAt >= query.until) return false;
  return true;
}

/** Whether a record is one the query asks for (a lost run is `running` until a reader settles it, as on AWS). */
function matches(record: RunRecord, query: LedgerQuery): boolean {
  if (!entryMatches(indexEntry(record), query)) return false;
  if (query.status === undefined) return true;
  const status = runStatus(record);
  // A lost run reads as running until its reader settles it (its deadline passed), or as lost once recorded so (its owner died).
  return query.status === 'lost' ? status === 'lost' || status === 'running' : status === query.status;
}

/**
 * The run ledger of the local stage: one JSON file per run under
 * `<directory>/runs/`, claimed with an exclusive create, and file leases
 * under `<directory>/locks/`. An index (`<directory>/runs.index`, see
 * {@link RunIndex}) keeps each run's start time, task, release, caller and
 * source, so a listing reads only the records it returns (and those its
 * status filter passes over), not every record.
 *
 * A record without an end whose owner process is gone (see
 * `RunRecord.owner`) is read as lost, and recorded so, at once: `runs`,
 * `logs --follow`, a retry of its run id and a wait for its lock never wait
 * on a dead run. A lock whose holder's run has ended (or was lost) is free.
 */
class FileLedger implements RunLedger {
  readonly #runs: string;
  readonly #locks: string;
  /** One lock per run id being taken over by a retry (see #claimExisting). */
  readonly #retakes: string;
  readonly #index: RunIndex;

  constructor(
    directory: string,
    private readonly timing: LeaseTiming = {},
  ) {
    this.#runs = join(directory, 'runs');
    this.#locks = join(directory, 'locks');
    this.#retakes = join(directory, 'retakes');
    this.#index = new RunIndex(join(directory, 'runs.index'), this.#runs, (runId) => this.#read(this.#file(runId)));
  }

  async claim(record: RunRecord): Promise<ClaimResult> {
    return this.#claim(record, CLAIM_ATTEMPTS);
  }

  async #claim(record: RunRecord, attempts: number): Promise<ClaimResult> {
    await mkdir(this.#runs, { recursive: true });
    try {
      await createFileExclusive(this.#file(record.runId), JSON.stringify(record));
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      return this.#claimExisting(record, attempts);
    }
    try {
      await this.#index.add([record]);
    } catch (error) {
      // A claim the ledger cannot index is no claim: the run is refused, and its record must not read as a run that began.
      await rm(this.#file(record.runId), { force: true }).catch(() => undefined);
      throw error;
    }
    return { claimed: true };
  }

  /**
   * A claim of a run id the ledger holds: the run as it is, or, where it
   * never started and this claim is of the same task and args, that record
   * taken over. The takeover holds the run id's retake lock (one retry at a
   * time) and replaces the record with a rename over it: the run id's file
   * is never missing, so a claim with other args that comes meanwhile finds
   * a record and is refused, as it would be at any other time.
   */
  async #claimExisting(record: RunRecord, attempts: number): Promise<ClaimResult> {
    const holder = { runId: record.runId, caller: record.caller, since: record.startedAt };
    for (;;) {
      const existing = await this.get(record.runId);
      // The claim that made it gave it back (its index line could not be written): the run id is free again.
      if (existing === undefined && attempts > 1) return this.#claim(record, attempts - 1);
      if (existing === undefined) throw new Error(`Run ${record.runId} was claimed but its record vanished`);
      if (!takesOverRefusedStart(existing, record)) return { claimed: false, existing };
      const lock = await acquireFileLock(join(this.#retakes, record.runId), holder, { leaseMs: RETAKE_LEASE_MS }, retakerGone);
      if (!lock.acquired) {
        // Another retry is taking it over, for a few milliseconds: then the record says how that went.
        await pause(RETAKE_WAIT_MS);
        continue;
      }
      try {
        // Read again under the lock: another retry may have taken it over between the read above and the lock.
        const current = await this.get(record.runId);
        if (current === undefined || !takesOverRefusedStart(current, record)) continue;
        const retaken = retakenRecord(current, record);
        await writeFileAtomic(this.#file(record.runId), JSON.stringify(retaken));
        // Its claim-time fields are this retry's (when, which release, who): the index says so with a line of its own. The
        // run is claimed whatever the index does: a listing tells a damaged index, and the record is the truth.
        await this.#index.add([retaken]).catch(() => false);
        return { claimed: true, record: retaken };
      } finally {
        await lock.lease.release();
      }
    }
  }

  async finish(record: RunRecord): Promise<void> {
    await writeFileAtomic(this.#file(record.runId), JSON.stringify(record));
  }

  async requestStop(runId: string, requestedBy: string, requestedAt: string): Promise<boolean> {
    const record = await this.get(runId);
    if (record === undefined || record.endedAt !== undefined) return false;
    await this.finish({ ...record, stopRequestedAt: requestedAt, stopRequestedBy: requestedBy });
    return true;
  }

  acquireLock(name: string, holder: LockHolder): Promise<LockResult> {
    return acquireFileLock(this.#lockFile(name), holder, this.timing, async (current) => this.#ended(current));
  }

  async lockHolder(name: string): Promise<LockHolder | undefined> {
    const holder = await fileLockHolder(this.#lockFile(name), this.timing.leaseMs ?? 30_000);
    return holder === undefined || (await this.#ended(holder)) ? undefined : holder;
  }

  /** Where the named lock is kept. */
  #lockFile(name: string): string {
    return join(this.#locks, encodeURIComponent(name));
  }

  /** Whether the run holding a lock has ended (or was lost): its lock is free. */
  async #ended(holder: LockHolder): Promise<boolean> {
    const record = await this.get(holder.runId);
    return record?.endedAt !== undefined;
  }

  get(runId: string): Promise<RunRecord | undefined> {
    // A run id is a file name here: anything else names no run (and no other file).
    if (!isValidRunId(runId)) return Promise.resolve(undefined);
    return this.#read(this.#file(runId));
  }

  async list(query: LedgerQuery = {}): Promise<RunRecord[]> {
    const entries = await this.#index.newestFirst();
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    const records: RunRecord[] = [];
    // The index entries are matched only as far as the listing reads: a page of the newest runs looks at its own, not at every run.
    for (let next = 0; next < entries.length && records.length < limit;) {
      const batch: RunIndexEntry[] = [];
      for (; next < entries.length && batch.length < READ_BATCH; next += 1) {
        const entry = entries[next] as RunIndexEntry;
        if (entryMatches(entry, query)) batch.push(entry);
      }
      for (const record of await Promise.all(batch.map((entry) => this.#read(this.#file(entry.runId))))) {
        if (record !== undefined && matches(record, query) && records.length < limit) records.push(record);
      }
    }
    return records;
  }

  /** A record, settled ({@link #settled}), or a clear error (69) naming the file when it is not JSON or not a well-formed record. */
  async #read(file: string): Promise<RunRecord | undefined> {
    const record = await this.#readAsWritten(file);
    return record === undefined ? undefined : this.#settled(record, file);
  }

  /** A record as its file holds it, or a clear error (69) naming the file when it is not JSON or not a well-formed record. */
  async #readAsWritten(file: string): Promise<RunRecord | undefined> {
    const hint = `Move the file out of ${this.#runs} (the run it recorded is then forgotten).`;
    let value: unknown;
    try {
      value = await readJsonFile<unknown>(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EISDIR')
        throw new UnavailableError(`The run ledger's record ${file} is a directory, not a record.`, { hint, cause: error });
      if (!(error instanceof SyntaxError)) throw error;
      // A record holds a run's args and result, which may hold a value made secure after it ran: the parser's quote is left out.
      const text = await readFile(file, 'utf8').catch(() => '');
      throw new UnavailableError(`The run ledger's record ${file} is corrupted: ${unquotedJsonError(text, error.cause)}`, {
        hint,
        cause: error,
      });
    }
    return value === undefined ? undefined : parseRunRecord(value, file, hint);
  }

  /** The record, or, when its owner died before it recorded its end, the lost run it is (recorded so, when the ledger can be written). */
  async #settled(record: RunRecord, file: string): Promise<RunRecord> {
    if (record.endedAt !== undefined || record.owner === undefined || !isOwnerGone(record.owner)) return record;
    // The owner may have recorded the end and exited between the read and that check (a run stopped as asked): read once
    // more, now that nothing of it can write, so that the end it recorded stays.
    const current = (await this.#readAsWritten(file)) ?? record;
    if (current.endedAt !== undefined) return current;
    const lost = lostRecord(current, record.owner);
    try {
      await writeFileAtomic(file, JSON.stringify(lost));
    } catch (error) {
      // A ledger this user cannot write, or whose disk is full, is read as it is: the run still reads as lost.
      const code = (error as NodeJS.ErrnoException).code;
      if (!['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT'].includes(code ?? '')) throw error;
    }
    return lost;
  }

  #file(runId: string): string {
    return join(this.#runs, `${runId}.json`);
  }
}

export { FileLedger };
