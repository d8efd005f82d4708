import fs from 'node:fs';

/* While the reader's end is full, a write waits this long between tries. */
const FULL_PIPE_PAUSE_MS = 2;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Makes every write to the process's stdout and stderr leave at once, whole,
 * waiting while the reader's end of the pipe is full, as a C program's
 * writes do; a reader that went away (EPIPE) drops them.
 *
 * A console session needs this. Node queues a write the pipe cannot take in
 * memory, and sends the queue when its event loop next turns; an input that
 * prints in a loop that never awaits (`for (;;) console.log(i)`) never lets
 * it turn. Once the CLI fell behind for a moment, the session's output would
 * stop there while its queue grew without end, and the CLI, with nothing
 * more to write, would never learn that its own output was closed
 * (`cnf-admin console | head`).
 *
 * The writes keep no state between calls (no stream's "writing" flag): an
 * input that a SIGINT breaks off in the middle of a `console.log`
 * (`breakOnSigint`) leaves the next write working.
 *
 * The writes go to the file descriptors through `fs.writeSync` as it is
 * now: a run's secret redaction, installed later, wraps both the streams
 * and `fs.writeSync`, and what the streams hand on is redacted once.
 *
 * @example
 * writeOutputInline(); // first thing in the session's process
 */
function writeOutputInline(): void {
  const writeSync = fs.writeSync;
  for (const [stream, fd] of [
    [process.stdout, 1],
    [process.stderr, 2],
  ] as const) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8';
      writeWhole(writeSync, fd, typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
      const callback = rest.find((argument) => typeof argument === 'function') as ((error: null) => void) | undefined;
      callback?.(null);
      return true;
    }) as typeof stream.write;
  }
}

function writeWhole(writeSync: typeof fs.writeSync, fd: number, data: Uint8Array): void {
  let written = 0;
  while (written < data.length) {
    try {
      written += writeSync(fd, data, written);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // The CLI is gone: nobody reads this, and the session's watchdog ends the session.
      if (code === 'EPIPE') return;
      if (code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, FULL_PIPE_PAUSE_MS);
    }
  }
}

export { writeOutputInline };
