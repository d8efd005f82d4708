import { appendFile, readFile } from 'node:fs/promises';
import type { RunRecord } from '../../core/run.js';

/**
 * What the file ledger's index keeps of a run: the fields a run is given at
 * its claim and never changes (so the index is written once per run, by an
 * append), enough to order runs newest first and filter them by task,
 * release, caller, source and time without reading their records.
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

/**
 * The file ledger's index: one JSON line per run in an append-only file
 * beside `runs/`. Each line is one `appendFile` (O_APPEND, far under a
 * page), so runs claimed at once by several processes never interleave
 * their lines. It is a cache of the records, never the truth: a line
 * that is torn, repeated or names a record that is gone is passed over, and
 * a record without a line is read once and its line appended (a ledger from
 * before the index, or a claim that died between its record and its line).
 */
class RunIndex {
  constructor(private readonly file: string) {}

  /** The entries, one per run id (the first line of a run wins). */
  async read(): Promise<Map<string, RunIndexEntry>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw error;
    }
    const entries = new Map<string, RunIndexEntry>();
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue; // a line torn by a crash mid-append: its run is read from its record and indexed again
      }
      if (isEntry(value) && !entries.has(value.runId)) entries.set(value.runId, value);
    }
    return entries;
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
      throw error;
    }
  }
}

export { indexEntry, RunIndex };
export type { RunIndexEntry };
