import { appendFile, open, readdir, stat } from 'node:fs/promises';
import { UnavailableError } from '../../core/errors.js';
import type { RunRecord } from '../../core/run.js';

/** How many records are read at once while indexing runs the index lacks. */
const READ_BATCH = 32;

/*
 * A directory's mtime this close to now may still move within its clock's
 * granularity without showing it: the runs are then listed again.
 */
const SETTLE_MS = 2_000;

/**
 * What the file ledger's index keeps of a run: the fields a run is given at
 * its claim and never changes (so the index is written once per claim, by
 * an append; a retry that takes over a run that never started claims it
 * anew, and its line is the run's), enough to order runs newest first and
 * filter them by task, release, caller, source and time without reading
 * their records.
 */
type RunIndexEntry = Pick<RunRecord, 'runId' | 'startedAt' | 'task' | 'release' | 'caller' | 'source'>;

/** The index entry of a record. */
function indexEntry(record: RunRecord): RunIndexEntry {
  const { runId, startedAt, task, release, caller, source } = record;
  return { runId, startedAt, task, release, caller, source };
}

function isEntry(value: unknown): value is RunIndexEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return ['runId', 'startedAt', 'task', 'release', 'caller', 'source'].every((key) => typeof entry[key] === 'string');
}

/** Newest first; runs started in the same millisecond by run id, descending. */
function newestFirst(a: RunIndexEntry, b: RunIndexEntry): number {
  if (a.startedAt !== b.startedAt) return a.startedAt < b.startedAt ? 1 : -1;
  return a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * The file ledger's index: one JSON line per run in an append-only file
 * beside `runs/`. Each line is one `appendFile` (O_APPEND, far under a
 * page), so runs claimed at once by several processes never interleave
 * their lines. It is a cache of the records, never the truth: a line that
 * is torn or repeated, or names a record that is gone, is passed over, and a
 * record without a line is read once and its line appended (a ledger from
 * before the index, a claim that died between its record and its line, a
 * record put there by hand).
 *
 * A long-lived reader (the `ui` server) keeps what it read: the next listing
 * reads only the lines appended since, and lists `runs/` again only when
 * the directory changed.
 */
class RunIndex {
  #entries = new Map<string, RunIndexEntry>();
  /** How far into the file the entries were read. */
  #offset = 0;
  /** The run ids `runs/` held, and that directory's mtime then. */
  #present: { readonly ids: ReadonlySet<string>; readonly mtimeMs: number } | undefined;
  /** Every entry, newest first, until a new one comes. */
  #sorted: RunIndexEntry[] | undefined;
  /** The last listing, and the runs of `runs/` it was made for. */
  #listed: { readonly present: ReadonlySet<string>; readonly entries: readonly RunIndexEntry[] } | undefined;

  constructor(
    private readonly file: string,
    private readonly runs: string,
    private readonly read: (runId: string) => Promise<RunRecord | undefined>,
  ) {}

  /** Every run of `runs/`, newest first, indexing those the index lacks. */
  async newestFirst(): Promise<readonly RunIndexEntry[]> {
    const present = await this.#presentIds();
    if (present === undefined) return [];
    await this.#readNewLines();
    // Nothing changed since the last listing: the same runs, in the same order.
    if (this.#listed?.present === present && this.#sorted !== undefined) return this.#listed.entries;
    const entries = this.#entries;
    const unindexed = [...present].filter((runId) => !entries.has(runId));
    const found: RunRecord[] = [];
    for (let next = 0; next < unindexed.length; next += READ_BATCH) {
      const batch = unindexed.slice(next, next + READ_BATCH);
      for (const record of await Promise.all(batch.map((runId) => this.read(runId)))) if (record !== undefined) found.push(record);
    }
    if (found.length > 0) {
      await this.add(found);
      await this.#readNewLines();
      // A record whose line could not be appended (a ledger this user cannot write) is still listed.
      for (const record of found) if (!this.#entries.has(record.runId)) this.#remember(indexEntry(record));
    }
    this.#sorted ??= [...this.#entries.values()].sort(newestFirst);
    const listed = this.#sorted.filter((entry) => present.has(entry.runId));
    this.#listed = { present, entries: listed };
    return listed;
  }

  /**
   * Appends the entries of `records` in one write. Resolves to whether it
   * could: a ledger this user cannot write is read all the same.
   */
  async add(records: readonly RunRecord[]): Promise<boolean> {
    if (records.length === 0) return true;
    try {
      await appendFile(this.file, records.map((record) => `${JSON.stringify(indexEntry(record))}\n`).join(''));
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return false;
      throw notAnIndex(this.file, error);
    }
  }

  /** The run ids of `runs/` (undefined when there is no such directory), listed again only when it changed. */
  async #presentIds(): Promise<ReadonlySet<string> | undefined> {
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(this.runs)).mtimeMs;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    if (this.#present?.mtimeMs === mtimeMs && Date.now() - mtimeMs > SETTLE_MS) return this.#present.ids;
    let names: string[];
    try {
      names = await readdir(this.runs);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    const ids = new Set(names.filter((name) => name.endsWith('.json') && !name.startsWith('.')).map((name) => name.slice(0, -5)));
    this.#present = { ids, mtimeMs };
    return ids;
  }

  /** Reads the lines appended since the last read (all of them when the file was replaced by a shorter one). */
  async #readNewLines(): Promise<void> {
    let handle;
    try {
      handle = await open(this.file, 'r');
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    try {
      const stats = await handle.stat();
      if (stats.isDirectory()) throw notAnIndex(this.file, undefined);
      const { size } = stats;
      if (size < this.#offset) {
        this.#entries = new Map();
        this.#offset = 0;
        this.#sorted = undefined;
      }
      if (size === this.#offset) return;
      const buffer = Buffer.alloc(size - this.#offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.#offset);
      const text = buffer.subarray(0, bytesRead).toString('utf8');
      // Only whole lines: a line still being appended is read next time.
      const end = text.lastIndexOf('\n') + 1;
      for (const line of text.slice(0, end).split('\n')) {
        if (line === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          continue; // a line torn by a crash mid-append: its run is read from its record and indexed again
        }
        // The last line of a run id is its entry: a retry that took over a run that never started appends its own.
        if (isEntry(value)) this.#remember(value);
      }
      this.#offset += Buffer.byteLength(text.slice(0, end));
    } finally {
      await handle.close();
    }
  }

  #remember(entry: RunIndexEntry): void {
    this.#entries.set(entry.runId, entry);
    this.#sorted = undefined;
  }
}

/** The error for an index that is in the way (a directory where the file should be): 69, naming it; the records themselves are whole. */
function notAnIndex(file: string, cause: unknown): unknown {
  if (cause !== undefined && (cause as NodeJS.ErrnoException).code !== 'EISDIR') return cause;
  return new UnavailableError(`The run ledger's index ${file} is a directory, not the index file.`, {
    hint: `Move it aside (mv ${file} ${file}.damaged): cnf-admin builds the index again from the run records.`,
    ...(cause === undefined ? {} : { cause }),
  });
}

export { indexEntry, RunIndex };
export type { RunIndexEntry };
