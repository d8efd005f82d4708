import { existsSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A task module held at its import, as {@link holdTaskAtImport} leaves it. */
interface HeldTask {
  /** Resolves with the id of the process that imported the module (the catalog's loader), once it waits. */
  readonly loaded: Promise<number>;
  /** Lets the module's import go on. */
  release(): void;
  /** Puts the module's source back as it was. */
  restore(): void;
}

/**
 * Rewrites the task module `file` so that whoever imports it (the process
 * that reads a new release's catalog, after esbuild has read every source)
 * says so and then waits until {@link HeldTask.release} or its end: a test
 * acts at that moment, without sleeping. Call `restore` when done.
 */
function holdTaskAtImport(file: string): HeldTask {
  const signals = mkdtempSync(join(tmpdir(), 'cnf-held-task-'));
  const loading = join(signals, 'loading');
  const go = join(signals, 'go');
  const source = readFileSync(file, 'utf8');
  writeFileSync(
    file,
    [
      "import { existsSync, writeFileSync } from 'node:fs';",
      `writeFileSync(${JSON.stringify(loading)}, String(process.pid));`,
      // Until released or ended (the catalog's own timeout, 60 s, ends it at the latest).
      `while (!existsSync(${JSON.stringify(go)})) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);`,
      source,
    ].join('\n'),
  );
  const loaded = new Promise<number>((resolve) => {
    const watcher = watch(signals, () => {
      const pid = existsSync(loading) ? Number(readFileSync(loading, 'utf8')) : 0;
      if (pid === 0) return;
      watcher.close();
      resolve(pid);
    });
  });
  return {
    loaded,
    release: () => writeFileSync(go, ''),
    restore() {
      writeFileSync(file, source);
      rmSync(signals, { recursive: true, force: true });
    },
  };
}

export { holdTaskAtImport };
export type { HeldTask };
