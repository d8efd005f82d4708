/**
 * The mark a process's stderr carries once what it writes goes to stdout
 * (the local stage's runs: `lib/platform/local/one-log-stream.ts`), so that
 * the runtime, which cannot tell it from the file descriptors, knows that
 * the two make one stream of lines.
 */
const STDERR_TO_STDOUT = Symbol.for('cnf-admin.stderr-to-stdout');

/** Marks `stderr` as written to stdout. */
function markStderrToStdout(stderr: NodeJS.WriteStream): void {
  Object.defineProperty(stderr, STDERR_TO_STDOUT, { value: true });
}

/** Whether what `stderr` is given goes to stdout, as {@link markStderrToStdout} marked it. */
function stderrGoesToStdout(stderr: NodeJS.WriteStream): boolean {
  return (stderr as NodeJS.WriteStream & { [STDERR_TO_STDOUT]?: boolean })[STDERR_TO_STDOUT] === true;
}

export { markStderrToStdout, stderrGoesToStdout };
