import type { Readable } from 'node:stream';

/** Lines longer than this are cut into pieces, so that one endless line cannot fill memory. */
const MAX_LINE_CHARS = 1 << 20;
/** Pause the sources when this many lines wait for the consumer... */
const HIGH_WATER_LINES = 1024;
/** ...and resume them when fewer than this many do. */
const LOW_WATER_LINES = 256;

/**
 * The lines of several streams, interleaved as they arrive, with
 * backpressure: while the consumer is behind, the streams are paused, so a
 * task that prints 100 MB costs the reader at most a bounded buffer.
 */
async function* mergedLines(streams: readonly Readable[]): AsyncGenerator<string> {
  const queue: string[] = [];
  let open = streams.length;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const pauseAll = (): void => streams.forEach((stream) => stream.pause());
  const resumeAll = (): void => streams.forEach((stream) => stream.resume());

  for (const stream of streams) {
    let partial = '';
    let closed = false;
    // Whether the last piece ended exactly where a line was cut: the newline that follows ends that line, adding no empty one.
    let cutAtEnd = false;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      partial += chunk;
      let newline = partial.indexOf('\n');
      while (newline >= 0) {
        if (!(cutAtEnd && newline === 0)) queue.push(partial.slice(0, newline).replace(/\r$/, ''));
        cutAtEnd = false;
        partial = partial.slice(newline + 1);
        newline = partial.indexOf('\n');
      }
      while (partial.length >= MAX_LINE_CHARS) {
        queue.push(partial.slice(0, MAX_LINE_CHARS));
        partial = partial.slice(MAX_LINE_CHARS);
        cutAtEnd = partial === '';
      }
      if (queue.length >= HIGH_WATER_LINES) pauseAll();
      notify();
    });
    const close = (): void => {
      if (closed) return;
      closed = true;
      if (partial !== '') queue.push(partial);
      partial = '';
      open -= 1;
      notify();
    };
    stream.once('end', close);
    stream.once('error', close);
    // A stream let go of before its end (destroyed) ends here.
    stream.once('close', close);
  }

  for (;;) {
    const line = queue.shift();
    if (line !== undefined) {
      if (queue.length < LOW_WATER_LINES) resumeAll();
      yield line;
    } else if (open === 0) {
      return;
    } else {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  }
}

export { mergedLines };
