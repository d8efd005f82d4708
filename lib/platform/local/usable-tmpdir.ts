import { accessSync, constants, statSync } from 'node:fs';
import { UnavailableError } from '../../core/errors.js';

/* Where to turn when TMPDIR is unusable, in the order Python's tempfile tries them. */
const FALLBACKS = ['/tmp', '/var/tmp', '/usr/tmp'];

/** Why `dir` cannot serve as a temporary directory, or undefined when it can. */
function unusable(dir: string): string | undefined {
  try {
    if (!statSync(dir).isDirectory()) return 'not a directory';
    accessSync(dir, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'it does not exist';
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return `not writable (${code})`;
    return (error as Error).message;
  }
}

/**
 * Makes sure `TMPDIR` names a usable directory before the local stage
 * builds a release or starts a run (both inherit it). An unusable one
 * (missing, a file, not writable) is replaced, for this process and its
 * runs, by the first usable of /tmp, /var/tmp and /usr/tmp, as Python's
 * `tempfile` does, with one line that says so.
 *
 * @param warn - told when TMPDIR was replaced
 * @throws UnavailableError (69) when no temporary directory is usable at all.
 */
function ensureUsableTmpdir(env: NodeJS.ProcessEnv, warn: (message: string) => void): void {
  const configured = env.TMPDIR;
  if (configured === undefined || configured === '') return;
  const problem = unusable(configured);
  if (problem === undefined) return;
  const fallback = FALLBACKS.find((dir) => unusable(dir) === undefined);
  if (fallback === undefined) {
    throw new UnavailableError(`TMPDIR=${configured} is not usable (${problem}), and neither is ${FALLBACKS.join(', ')}.`, {
      hint: 'Point TMPDIR at a writable directory, e.g. TMPDIR=$HOME/tmp after mkdir -p $HOME/tmp.',
    });
  }
  warn(`TMPDIR=${configured} is not usable (${problem}); using ${fallback} instead.`);
  env.TMPDIR = fallback;
}

export { ensureUsableTmpdir };
