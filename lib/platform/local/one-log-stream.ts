import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { markStderrToStdout } from '../../core/one-log-mark.js';

/**
 * Sends what a run's process writes to stderr (`console.error`, Powertools'
 * warnings and errors, `fs.writeSync(2, …)`) to stdout instead: one stream,
 * in the order the lines were written, as Lambda's log holds a run. Read as
 * two pipes side by side, the order between them was lost: a warning
 * written before the run's last line showed after it, live and in the log.
 *
 * Installed first in a run's process: the run's log tap and secret
 * redaction, installed later, wrap it, each fd's redaction as before.
 * Node's own last words (a fatal error) still go to fd 2, which the local
 * platform reads too.
 *
 * @example
 * writeStderrToStdout(); // before the release's handler loads
 */
function writeStderrToStdout(): void {
  process.stderr.write = process.stdout.write.bind(process.stdout) as typeof process.stderr.write;
  markStderrToStdout(process.stderr);
  const { writeSync, write } = fs;
  fs.writeSync = ((fd: number, ...rest: unknown[]) =>
    (writeSync as (...args: unknown[]) => number)(fd === 2 ? 1 : fd, ...rest)) as typeof fs.writeSync;
  fs.write = ((fd: number, ...rest: unknown[]) => (write as (...args: unknown[]) => void)(fd === 2 ? 1 : fd, ...rest)) as typeof fs.write;
  syncBuiltinESMExports();
}

export { writeStderrToStdout };
