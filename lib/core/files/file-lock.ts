import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileExclusive, isAlreadyExists, readJsonFile, removeTemporaries, writeFileAtomic } from './atomic-file.js';
import { HeartbeatLease } from '../heartbeat-lease.js';
import type { LeaseTiming, LockHolder, LockResult } from '../lease.js';

/** What a generation file holds. */
interface LeaseState extends LockHolder {
  /** Epoch milliseconds after which the lease is free for the taking. */
  readonly expiresAt: number;
  readonly released?: boolean;
}

const GENERATION_FILE = /^(\d{12})\.json$/;

/** The run id a lock file that names no holder (damaged) is held by, as {@link acquireFileLock} and {@link fileLockHolder} tell it. */
const DAMAGED_LOCK_HOLDER = 'unknown';
const MAX_ATTEMPTS = 5;

/*
 * A lock is a directory of numbered generation files. Taking the lock means
 * creating the next generation with an exclusive create (a link(2) of a
 * file already written, so that no one reads it half written), which
 * exactly one contender wins, and only once the newest generation is released
 * or expired. A holder renews only its own generation, and learns it lost the
 * lease when a newer generation appears. This is the same compare-and-set a
 * conditional write gives on DynamoDB, with no window in which two
 * contenders both break a stale lock.
 */

/**
 * Takes the lock at `directory` for `holder`, or reports who holds it.
 *
 * @param holderEnded - whether the run that holds a live lease has ended (or died): its lease is then free
 *
 * @example
 * const result = await acquireFileLock('.cnf/local/locks/migrate', holder);
 * if (result.acquired) try { ... } finally { await result.lease.release(); }
 */
async function acquireFileLock(
  directory: string,
  holder: LockHolder,
  timing: LeaseTiming = {},
  holderEnded: (current: LockHolder) => Promise<boolean> = () => Promise.resolve(false),
): Promise<LockResult> {
  const leaseMs = timing.leaseMs ?? 30_000;
  const held: LockHolder = { ...holder, pid: process.pid };
  await mkdir(directory, { recursive: true });
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const newest = await newestGeneration(directory);
    if (newest !== undefined) {
      const current = await readLease(directory, newest, leaseMs);
      // A lease whose run has ended, or died, is free at once: it need not expire first.
      if (current !== undefined && !(await holderEnded(current))) return { acquired: false, holder: current };
    }
    const generation = (newest ?? 0) + 1;
    try {
      // Created whole: a contender that reads it at once learns who holds the lock, not an empty file.
      await createFileExclusive(generationFile(directory, generation), JSON.stringify({ ...held, expiresAt: Date.now() + leaseMs }));
    } catch (error) {
      if (isAlreadyExists(error)) continue; // another contender took this generation: look again
      throw error;
    }
    // A contender that read the directory before later holders came and went finds the generation it read gone (the
    // newest holder removes those before its own) and may create the next one again: a number a newer generation
    // has passed, which holds nothing. It gives it back and looks again.
    const generations = await generationsIn(directory);
    if (Math.max(...generations) !== generation) {
      await rm(generationFile(directory, generation), { force: true });
      continue;
    }
    // The lock is ours: the generations before it are done with (read once, for the check above too).
    for (const older of generations.filter((number) => number < generation)) {
      // recursive: a damaged generation may be a directory.
      await rm(generationFile(directory, older), { recursive: true, force: true });
    }
    return { acquired: true, lease: new FileLease(directory, generation, held, leaseMs, timing.heartbeatMs ?? 10_000) };
  }
  throw new Error(`Could not settle the lock at ${directory} after ${MAX_ATTEMPTS} attempts`);
}

/**
 * Who holds the lock at `directory` now, or undefined when it is free (or
 * was never taken); it only reads, and takes nothing.
 */
async function fileLockHolder(directory: string, leaseMs: number): Promise<LockHolder | undefined> {
  let newest: number | undefined;
  try {
    newest = await newestGeneration(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return newest === undefined ? undefined : readLease(directory, newest, leaseMs);
}

/** The holder of a live lease in generation `generation`, or undefined when it is free. */
async function readLease(directory: string, generation: number, leaseMs: number): Promise<LockHolder | undefined> {
  const file = generationFile(directory, generation);
  let state: unknown;
  try {
    state = await readJsonFile<unknown>(file);
  } catch (error) {
    if (!(error instanceof SyntaxError) && (error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
    return damagedLease(file, leaseMs);
  }
  if (state === undefined) return undefined;
  if (!isLeaseState(state)) return damagedLease(file, leaseMs);
  if (state.released === true || state.expiresAt <= Date.now()) return undefined;
  return { runId: state.runId, caller: state.caller, since: state.since, ...(state.pid === undefined ? {} : { pid: state.pid }) };
}

/**
 * A generation that names no holder (no JSON, JSON of another shape, a
 * directory: damaged, or left empty by an earlier cnf-admin that created it
 * before writing it): its lease lives as long as a fresh one would, from its
 * mtime, and then the lock is free, as after any holder that went away.
 * Its holder is `unknown`, and its caller names the file and when it lets go.
 */
async function damagedLease(file: string, leaseMs: number): Promise<LockHolder | undefined> {
  const { mtimeMs } = await stat(file);
  if (mtimeMs + leaseMs <= Date.now()) return undefined;
  // Who holds it is unknown: what every refusal prints in the holder's place names the file, and when it lets go.
  const caller = `a lock file that names no holder, ${file}, free at ${new Date(mtimeMs + leaseMs).toISOString()} or once removed`;
  return { runId: DAMAGED_LOCK_HOLDER, caller, since: new Date(mtimeMs).toISOString() };
}

function isLeaseState(value: unknown): value is LeaseState {
  if (typeof value !== 'object' || value === null) return false;
  const { runId, caller, since, expiresAt, released, pid } = value as Partial<Record<keyof LeaseState, unknown>>;
  return (
    (pid === undefined || typeof pid === 'number') &&
    typeof runId === 'string' &&
    typeof caller === 'string' &&
    typeof since === 'string' &&
    typeof expiresAt === 'number' &&
    (released === undefined || typeof released === 'boolean')
  );
}

/** The numbers of the generations in the lock's directory. */
async function generationsIn(directory: string): Promise<number[]> {
  return (await readdir(directory))
    .map((name) => GENERATION_FILE.exec(name)?.[1])
    .filter((match): match is string => match !== undefined)
    .map(Number);
}

async function newestGeneration(directory: string): Promise<number | undefined> {
  const generations = await generationsIn(directory);
  return generations.length === 0 ? undefined : Math.max(...generations);
}

function generationFile(directory: string, generation: number): string {
  return join(directory, `${String(generation).padStart(12, '0')}.json`);
}

/** A lease on one generation of a file lock, renewed by a heartbeat. */
class FileLease extends HeartbeatLease {
  /* Whether a write of the generation failed: only then can one have left a temporary file to remove. */
  #writeFailed = false;

  constructor(
    private readonly directory: string,
    private readonly generation: number,
    private readonly holder: LockHolder,
    private readonly leaseMs: number,
    heartbeatMs: number,
  ) {
    super(heartbeatMs, leaseMs);
  }

  protected async renew(): Promise<void> {
    if (await this.#stillOurs()) await this.#write({});
    else this.lose(new Error(`The lease on ${this.directory} expired and another run took it`));
  }

  protected async giveBack(): Promise<void> {
    if (await this.#stillOurs()) await this.#write({ released: true });
    // A renewal that failed as its directory turned unwritable may have left its temporary file.
    if (this.#writeFailed) await removeTemporaries(generationFile(this.directory, this.generation));
  }

  async #stillOurs(): Promise<boolean> {
    return (await newestGeneration(this.directory)) === this.generation;
  }

  async #write(extra: Partial<LeaseState>): Promise<void> {
    const state: LeaseState = { ...this.holder, expiresAt: Date.now() + this.leaseMs, ...extra };
    try {
      await writeFileAtomic(generationFile(this.directory, this.generation), JSON.stringify(state));
    } catch (error) {
      this.#writeFailed = true;
      throw error;
    }
  }
}

export { acquireFileLock, DAMAGED_LOCK_HOLDER, fileLockHolder };
