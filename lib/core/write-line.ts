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

export { writeLineAndWait };
