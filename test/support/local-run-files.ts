/**
 * Waiting, in an end-to-end test, for what a local run writes (its record in
 * the ledger, its log) and for its end, by looking at its files and
 * processes rather than by starting `cnf-admin runs show` again and again: a
 * test that did so started some ninety processes while one run wound down,
 * each a Node start, on a machine the suite keeps busy. What the test then
 * asserts, it reads through the CLI as a user would.
 */
import { readFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../lib/core/run.js';
import { isOwnerGone } from '../../lib/core/run-owner-liveness.js';

/** Resolves with `read()` once it gives a value that `holds`: read at once, then at every change in `dir` (inotify, through `fs.watch`): an event, not a guess at a delay. */
function whenFileHolds<T>(dir: string, read: () => T | undefined, holds: (value: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    // Watching starts before the first read: a change between the two is not missed.
    const watcher = watch(dir, () => check());
    watcher.on('error', (error) => {
      watcher.close();
      reject(error);
    });
    function check(): void {
      const value = read();
      if (value === undefined || !holds(value)) return;
      watcher.close();
      resolve(value);
    }
    check();
  });
}

/** The text of a file, or undefined while it does not exist. */
function textOf(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A run's record as the local ledger of the project in `projectDir` holds it, or undefined before it is written. */
function recordFile(projectDir: string, runId: string): { readonly runs: string; read(): RunRecord | undefined } {
  const runs = join(projectDir, '.cnf', 'local', 'runs');
  return {
    runs,
    // The ledger writes each record whole (a rename): every read is a record as it was written.
    read: () => {
      const text = textOf(join(runs, `${runId}.json`));
      return text === undefined ? undefined : (JSON.parse(text) as RunRecord);
    },
  };
}

/**
 * Resolves once the record of a run in the local ledger of the project in
 * `projectDir` is written. The ledger's directory must exist: a run has been
 * started in the project.
 */
async function localRecordWritten(projectDir: string, runId: string): Promise<void> {
  const record = recordFile(projectDir, runId);
  await whenFileHolds(record.runs, record.read, () => true);
}

/** How often {@link localRunEnded} looks at the processes of a run: no event tells a process's end to one that is not its parent. */
const OWNER_LOOK_MS = 20;

/**
 * Resolves once a local run has ended as the ledger reads it: its record
 * says it ended, or the processes that own it are gone (the ledger then
 * reads it as lost, by the same test, `isOwnerGone`). Looked at every
 * {@link OWNER_LOOK_MS} ms: a file read and a look into /proc.
 */
async function localRunEnded(projectDir: string, runId: string): Promise<void> {
  const record = recordFile(projectDir, runId);
  for (;;) {
    const current = record.read();
    if (current !== undefined && (current.endedAt !== undefined || (current.owner !== undefined && isOwnerGone(current.owner)))) return;
    await new Promise((resolve) => setTimeout(resolve, OWNER_LOOK_MS));
  }
}

/** Resolves once the log of a local run in the project in `projectDir` holds `text`. */
async function localLogShows(projectDir: string, runId: string, text: string): Promise<void> {
  const logs = join(projectDir, '.cnf', 'local', 'logs');
  await whenFileHolds(
    logs,
    () => textOf(join(logs, `${runId}.log`)),
    (log) => log.includes(text),
  );
}

export { localLogShows, localRecordWritten, localRunEnded };
