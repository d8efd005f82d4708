import type { Readable } from 'node:stream';

/** How long the run's pipes may stay silent, once its process has exited, before they are done. */
const IDLE_AFTER_EXIT_MS = 200;
/** How long they are read at most, once its process has exited, while something else keeps writing to them. */
const READ_AFTER_EXIT_MS = 2_000;
/*
 * More than the run's process can have left in them when it exited: a pipe's
 * buffer and the streams' own, for stdout, stderr and the result. Read past
 * this, what comes is another writer's, however slowly it is read.
 */
const RUN_REMAINDER_MAX_BYTES = 1 << 20;

/**
 * Resolves once the pipes of a run's process that has exited hold nothing
 * more of the run's own: they were silent for a moment while being read, or
 * were read for a while longer with something still writing. Pipes that all
 * close resolve nothing (the usual end); this is for the process a task left
 * behind (a detached child with the run's stdout), which holds them open
 * after the run ended, so that the CLI would wait for it.
 *
 * Whatever the run's process wrote before it exited is already in the pipes
 * and is read at once; only the time the streams are read counts, so a slow
 * reader (the streams paused for backpressure) loses none of it. A timer
 * that fires after the CLI was busy looks once more, after the pending
 * reads, before it says the pipes are done. A leftover that writes faster
 * than the CLI shows it (`yes`, a busy `tail -f`) is cut off once more has
 * come than the run's process could have left (1 MiB).
 *
 * As on Lambda, where the environment is frozen once the handler returns,
 * what the leftover process writes after the run ended is not the run's.
 */
async function leftoverOutputRead(streams: readonly Readable[], exited: Promise<unknown>, closed: Promise<unknown>): Promise<void> {
  if (await closedFirst(exited, closed)) return;
  let lastData = Date.now();
  let readMs = 0;
  let readSince = lastData;
  let bytesSinceExit = 0;
  const onData = (chunk: string | Buffer): void => {
    lastData = Date.now();
    bytesSinceExit += chunk.length;
  };
  for (const stream of streams) stream.on('data', onData);
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise((resolve) => {
        timer = setTimeout(resolve, IDLE_AFTER_EXIT_MS);
      });
      const allClosed = await closedFirst(waited, closed);
      clearTimeout(timer);
      if (allClosed) return;
      // A leftover that writes faster than the CLI shows it keeps the streams paused: bounded by the bytes read, not by
      // time, which a slow reader (a pager) would make cut the run's own last output.
      if (bytesSinceExit >= RUN_REMAINDER_MAX_BYTES) return;
      const firedAt = Date.now();
      // Reads already due run before this: data they bring counts as data before the timer.
      await new Promise((resolve) => setImmediate(resolve));
      if (!streams.filter((stream) => !stream.readableEnded && !stream.destroyed).every((stream) => stream.readableFlowing === true)) {
        // Paused while the reader catches up: neither silence nor reading counts.
        lastData = Date.now();
        readSince = lastData;
        continue;
      }
      readMs += firedAt - readSince;
      readSince = Date.now();
      if (Date.now() - lastData >= IDLE_AFTER_EXIT_MS || readMs >= READ_AFTER_EXIT_MS) return;
    }
  } finally {
    for (const stream of streams) stream.off('data', onData);
  }
}

/** Whether `closed` settled before `other` did. */
function closedFirst(other: Promise<unknown>, closed: Promise<unknown>): Promise<boolean> {
  return Promise.race([other.then(() => false), closed.then(() => true)]);
}

export { leftoverOutputRead };
