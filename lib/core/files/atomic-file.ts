import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { link, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { probeProcess } from '../process-probe.js';
import { PERMISSION_CODES } from '../file-system-fault.js';

/* What names a temporary sibling of a file being written (see temporaryFor). */
const TEMPORARY_PREFIX = '.tmp-';

/**
 * Writes `data` to `file` so that readers see either the old or the new
 * content, never a half-written file: write a temporary sibling, then rename
 * it over the target. `mode` (e.g. 0o600 for a file that holds secrets) is
 * the new file's permission bits.
 */
async function writeFileAtomic(file: string, data: string, mode?: number): Promise<void> {
  const temporary = temporaryFor(file);
  await writeTemporary(file, temporary, data, mode);
  try {
    await rename(temporary, file);
  } catch (error) {
    // A directory that became unwritable in between keeps it: removeTemporaries takes it later.
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * {@link writeFileAtomic}, at once: for a check that runs synchronously
 * (what it writes is its own record, and a failure to write it is no
 * failure of the check; the caller decides). A temporary that could not be
 * renamed goes.
 *
 * @example
 * writeFileAtomicSync(join(stateDir, 'checked-hashes.json'), JSON.stringify(entries));
 */
function writeFileAtomicSync(file: string, data: string): void {
  const temporary = temporaryFor(file);
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, file);
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // A directory that refuses even that keeps it: removeTemporaries takes it later.
    }
    throw error;
  }
}

/**
 * Writes the temporary sibling `temporary` of `file`. A refusal to create it
 * is its directory's (not writable, immutable, on a read-only file system),
 * so the error names the directory, which the user must fix, rather than a
 * temporary name that never came to be.
 */
async function writeTemporary(file: string, temporary: string, data: string, mode?: number): Promise<void> {
  try {
    await writeFile(temporary, data, mode === undefined ? {} : { mode });
  } catch (error) {
    const failed = error as NodeJS.ErrnoException;
    if (failed.code !== undefined && PERMISSION_CODES.has(failed.code) && failed.path === temporary) {
      failed.path = dirname(file);
      // What was refused is a write into the directory (its open is the temporary's, which the directory did not allow).
      failed.syscall = 'write';
    }
    // A disk that is full fails the write to the open file, which names no path: the file being written is what could not be.
    if (failed.path === undefined && (failed.code === 'ENOSPC' || failed.code === 'EDQUOT')) failed.path = file;
    // What the write left of the temporary (created, then not filled) goes with it.
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Removes what a write of `file` that failed half way left beside it (the
 * temporary sibling, when its directory could not be written at the time).
 */
async function removeTemporaries(file: string): Promise<void> {
  const prefix = `${TEMPORARY_PREFIX}${basename(file)}-`;
  const directory = dirname(file);
  for (const name of await readdir(directory)) if (name.startsWith(prefix)) await rm(join(directory, name), { force: true });
}

/**
 * Removes the temporary siblings of `file` that writers killed before their
 * rename left behind (their process is gone), so that a copy of a file that
 * holds secrets does not outlive the write. A write still under way in a live
 * process keeps its own.
 */
async function removeAbandonedTemporaries(file: string): Promise<void> {
  await removeLeftBehind(dirname(file), `${TEMPORARY_PREFIX}${basename(file)}-`);
}

/**
 * Removes the entries of `directory` named `<prefix><pid>-…` (files or
 * directories) whose process `pid` is gone: what a process killed before
 * its own cleanup left behind. A live process's stay.
 *
 * @example
 * await removeLeftBehind(tmpdir(), 'cnf-describe-'); // cnf-describe-4242-aB3dE9, its process gone
 */
async function removeLeftBehind(directory: string, prefix: string): Promise<void> {
  for (const name of await readdir(directory)) {
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (name.startsWith(prefix) && Number.isInteger(pid) && pid > 0 && probeProcess(pid) === 'gone')
      await rm(join(directory, name), { recursive: true, force: true });
  }
}

/** A fresh temporary sibling of `file` (naming the writing process), for a write that becomes `file` whole or not at all. */
function temporaryFor(file: string): string {
  return join(dirname(file), `${TEMPORARY_PREFIX}${basename(file)}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Creates `file` with `data` if and only if it does not exist yet, whole or
 * not at all: a reader never sees it half-written, and of concurrent callers
 * exactly one succeeds (the others get EEXIST).
 */
async function createFileExclusive(file: string, data: string): Promise<void> {
  const temporary = temporaryFor(file);
  await writeTemporary(file, temporary, data);
  try {
    // link() fails when the target exists: the same exclusivity as O_EXCL, with the content already complete.
    await link(temporary, file);
  } finally {
    await rm(temporary, { force: true });
  }
}

/**
 * Reads and parses a JSON file, or resolves to undefined when it does not exist.
 *
 * The files it reads are small records (a run, a release, a state file), and
 * a page of runs reads 51 of them: it reads each at once, which costs less
 * than the four thread-pool round trips of an asynchronous read.
 *
 * @throws SyntaxError (with the file named) when the content is not JSON.
 */
async function readJsonFile<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // A read of a directory (EISDIR) names no path: the file is what the error is about, and what a report names.
    (error as NodeJS.ErrnoException).path ??= file;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new SyntaxError(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Whether an error is Node's "file exists" (the loser of an exclusive create). */
function isAlreadyExists(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'EEXIST';
}

export {
  createFileExclusive,
  isAlreadyExists,
  readJsonFile,
  removeAbandonedTemporaries,
  removeLeftBehind,
  removeTemporaries,
  writeFileAtomic,
  writeFileAtomicSync,
};
