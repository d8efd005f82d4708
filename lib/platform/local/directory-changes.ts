import { watch, type FSWatcher } from 'node:fs';

/** Waits for what changes in a directory: {@link changesIn}. */
interface DirectoryChanges {
  /** Resolves at the next change to a file in the directory (at once for one since the last wait), or after `ms` at most. */
  next(ms: number): Promise<void>;
  /** Stops watching. */
  close(): void;
}

/**
 * The changes to the files directly in `dir`, to wait for: a wait that polls
 * what it waits for every `ms` ends at once when a file changes. Where the
 * directory cannot be watched (missing, or no watches left), each wait is the
 * poll's `ms` alone.
 *
 * @example
 * const changes = changesIn(dataDir);
 * try { while (!(await ready())) await changes.next(5); } finally { changes.close(); }
 */
function changesIn(dir: string): DirectoryChanges {
  let changed = false;
  let wake: (() => void) | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, () => {
      changed = true;
      wake?.();
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined;
  }
  return {
    next: (ms) =>
      new Promise((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          changed = false;
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, changed ? 0 : ms);
        wake = done;
      }),
    close: () => watcher?.close(),
  };
}

export { changesIn };
export type { DirectoryChanges };
