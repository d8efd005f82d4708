import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { stderrGoesToStdout } from '../core/one-log-mark.js';

type Write = typeof process.stdout.write;

/** What {@link trackOpenLines} gives: the end of a task's last line, if it left one open. */
interface OpenLines {
  /**
   * Stops watching, and ends with a newline the line the task left open on
   * stdout or stderr (`process.stdout.write('50%')` as its last output), so
   * that the run's next line starts a line of its own.
   */
  close(): void;
}

/** The last character of a write, or undefined when it wrote nothing. */
function lastCharOf(chunk: unknown): string | undefined {
  if (typeof chunk === 'string') return chunk.length === 0 ? undefined : chunk.slice(-1);
  if (ArrayBuffer.isView(chunk) && chunk.byteLength > 0) {
    return String.fromCharCode(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)[chunk.byteLength - 1] ?? 0);
  }
  return undefined;
}

/** Whether two file descriptors are one file (a pipe given as both stdout and stderr); false where either cannot be told. */
function sameFile(a: number, b: number): boolean {
  try {
    const [first, second] = [fs.fstatSync(a), fs.fstatSync(b)];
    return first.dev === second.dev && first.ino === second.ino;
  } catch {
    return false;
  }
}

/** What `fs.writeSync(fd, buffer, offset, length)` writes of its buffer: the part it names. */
function writtenPart(data: unknown, rest: readonly unknown[]): unknown {
  if (!ArrayBuffer.isView(data) || typeof rest[0] !== 'number') return data;
  const offset = rest[0];
  const length = typeof rest[1] === 'number' ? rest[1] : data.byteLength - offset;
  return new Uint8Array(data.buffer, data.byteOffset + offset, Math.max(0, length));
}

/**
 * Watches what a task writes to stdout and stderr (through the streams, the
 * console, and `fs.writeSync(1, ...)`), to tell whether it left a line
 * open. The run's own lines (`Run ended`, in Lambda's log and the local one)
 * would otherwise be glued to the end of the task's last one, and read as
 * no line of the run's at all.
 *
 * @example
 * const lines = trackOpenLines();
 * try { await runTask(); } finally { lines.close(); }
 */
function trackOpenLines(): OpenLines {
  // Where stdout and stderr are one stream (one pipe, or stderr written to stdout, as on the local stage), the last
  // write to either says where its line is; where they are two, each has a line of its own.
  const oneFile = sameFile(1, 2) || stderrGoesToStdout(process.stderr);
  const open = new Set<1 | 2>();
  const note = (fd: 1 | 2, chunk: unknown): void => {
    const last = lastCharOf(chunk);
    if (last === undefined) return;
    if (oneFile) open.clear();
    if (last === '\n') open.delete(fd);
    else open.add(fd);
  };
  const restore: (() => void)[] = [];
  for (const [fd, stream] of [
    [1, process.stdout],
    [2, process.stderr],
  ] as const) {
    const original: Write = stream.write;
    const watching = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      note(fd, chunk);
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    };
    stream.write = watching as Write;
    restore.push(() => {
      stream.write = original;
    });
  }
  const originalSync = fs.writeSync;
  fs.writeSync = function (fd: number, data: unknown, ...rest: unknown[]): number {
    if (fd === 1 || fd === 2) note(fd, writtenPart(data, rest));
    return (originalSync as (...args: unknown[]) => number)(fd, data, ...rest);
  } as typeof fs.writeSync;
  syncBuiltinESMExports();
  restore.push(() => {
    fs.writeSync = originalSync;
    syncBuiltinESMExports();
  });
  return {
    close() {
      restore.reverse().forEach((undo) => undo());
      if (open.has(1)) process.stdout.write('\n');
      if (open.has(2)) process.stderr.write('\n');
    },
  };
}

export { trackOpenLines };
export type { OpenLines };
