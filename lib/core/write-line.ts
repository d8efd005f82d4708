/* The events after which a stream takes no more, or takes more again. */
const SETTLED = ['drain', 'close', 'error'] as const;

/**
 * Writes one line and waits while the stream is full, so that a fast
 * producer (100 MB of task output) never piles up in memory. A stream that
 * has failed or closed (its reader went away, its disk is full) never
 * drains: nothing more is written to it, and the wait ends.
 *
 * @example
 * for await (const line of lines) await writeLineAndWait(log, line);
 */
function writeLineAndWait(stream: NodeJS.WritableStream, line: string): Promise<void> {
  const state = stream as { destroyed?: boolean; errored?: Error | null };
  if (state.destroyed === true || (state.errored ?? null) !== null) return Promise.resolve();
  if (stream.write(`${line}\n`)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      for (const event of SETTLED) stream.off(event, done);
      resolve();
    };
    for (const event of SETTLED) stream.once(event, done);
  });
}

/**
 * Resolves once everything written to the stream so far has been written, or
 * has failed: a line {@link writeLineAndWait} buffered is only on its way.
 * Then the stream's `errored` says whether all of it got there (a full disk
 * fails a write a moment after it was taken).
 *
 * @example
 * await writesSettled(log);
 * if (log.errored !== null) notice('The log could not be written');
 */
function writesSettled(stream: NodeJS.WritableStream): Promise<void> {
  const state = stream as { destroyed?: boolean; errored?: Error | null };
  if (state.destroyed === true || (state.errored ?? null) !== null) return Promise.resolve();
  // Writes are taken in order: the callback of an empty one comes after every write before it.
  return new Promise((resolve) => stream.write('', () => resolve()));
}

export { writeLineAndWait, writesSettled };
