import { readFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from './atomic-file.js';

/** The file, under a project's `.cnf/`, that keeps the hashes its checks computed. */
const CHECKED_HASHES_FILE = 'checked-hashes.json';

/**
 * How long after a file's last change a hash of it is kept. A file system
 * stamps a change with a coarse clock (a tick of 4 to 10 ms on Linux's;
 * whole seconds on some, two on FAT): a file hashed within that span of its
 * change could change again with the very same times, so its hash is not
 * kept, and the next check hashes it again (as Git does with the index's
 * "racily clean" entries).
 */
const SETTLE_MS = 2_000;

/** At most this many hashes are kept; the oldest go first. */
const MAX_ENTRIES = 5_000;

/** What a check saw of a file when it hashed it. */
interface CheckedHash {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  readonly hash: string;
  /** When it was hashed, in epoch milliseconds. */
  readonly checkedAt: number;
}

/** The file's identity and times, as a kept hash must match them. */
function sameFile(entry: CheckedHash, stats: Stats): boolean {
  return entry.size === stats.size && entry.mtimeMs === stats.mtimeMs && entry.ctimeMs === stats.ctimeMs && entry.ino === stats.ino;
}

function isCheckedHash(value: unknown): value is CheckedHash {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    ['size', 'mtimeMs', 'ctimeMs', 'ino', 'checkedAt'].every((field) => typeof entry[field] === 'number') && typeof entry.hash === 'string'
  );
}

/** The kept hashes in `file`, by path; none when it is missing or damaged (every file is then hashed, as before any was kept). */
function readEntries(file: string): Map<string, CheckedHash> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return new Map();
    return new Map(Object.entries(parsed).filter((entry): entry is [string, CheckedHash] => isCheckedHash(entry[1])));
  } catch {
    return new Map();
  }
}

/**
 * The hashes that earlier checks of a project's files computed, so that a
 * file whose stamp in a release's record no longer matches (a copy of the
 * project, a checkout that rewrote it with the same bytes, a `.cnf/` copied
 * with its releases) is read once, not at every command. A hash is used
 * only while the file has the size, modification time, change time and inode
 * it had when it was hashed; every write moves its change time, which no
 * tool sets back. Kept in `.cnf/checked-hashes.json`; a missing, damaged or
 * unwritable file only means hashing again.
 */
class CheckedHashes {
  readonly #file: string;
  readonly #now: () => number;
  #entries: Map<string, CheckedHash> | undefined;
  #added = false;

  /**
   * The hashes kept under `stateDir` (a project's `.cnf/`), read when first
   * asked. `now` is the clock that tells how long ago a file changed.
   */
  constructor(stateDir: string, now: () => number = Date.now) {
    this.#file = join(stateDir, CHECKED_HASHES_FILE);
    this.#now = now;
  }

  /**
   * The hash of the file at `path`, which `stats` describes (taken before
   * it is read): the kept one while the file is as it was, else `compute`'s,
   * which is then kept (see {@link CheckedHashes.save}). Keyed by `kind` too,
   * so that two ways of hashing one file never mix.
   */
  hashOf(path: string, stats: Stats, kind: string, compute: () => string): string {
    this.#entries ??= readEntries(this.#file);
    const key = `${kind}\0${path}`;
    const kept = this.#entries.get(key);
    if (kept !== undefined && sameFile(kept, stats)) return kept.hash;
    const checkedAt = this.#now();
    const hash = compute();
    if (Math.max(stats.mtimeMs, stats.ctimeMs) < checkedAt - SETTLE_MS) {
      this.#entries.set(key, { size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino, hash, checkedAt });
      this.#added = true;
    } else if (kept !== undefined) this.#entries.delete(key);
    return hash;
  }

  /**
   * Writes the kept hashes back when a check added one: whole or not at all
   * (written aside, then renamed). A failure to write is no failure of the
   * check, which has its answer: the next one hashes again.
   */
  save(): void {
    if (!this.#added || this.#entries === undefined) return;
    const newest = [...this.#entries].sort(([, a], [, b]) => b.checkedAt - a.checkedAt).slice(0, MAX_ENTRIES);
    try {
      writeFileAtomicSync(this.#file, JSON.stringify(Object.fromEntries(newest)));
      this.#added = false;
    } catch {
      // The check has its answer: the next one hashes again.
    }
  }
}

export { CHECKED_HASHES_FILE, CheckedHashes };
