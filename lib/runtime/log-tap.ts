import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { StringDecoder } from 'node:string_decoder';
import { format } from 'node:util';
import { stderrGoesToStdout } from '../core/one-log-mark.js';
import type { SecretRedactor, StreamRedaction } from './redact-secrets.js';

/** Receives each line a run writes, without its newline. */
type LineSink = (line: string) => void;

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** A line longer than this is handed over in pieces, so that output without newlines cannot fill memory. */
const MAX_LINE_CHARS = 1 << 20;

type Write = typeof process.stdout.write;

/** The redaction of what goes to one file descriptor, through its stream or around it: one held tail, one decoder. */
interface FdStream {
  readonly redaction: StreamRedaction;
  readonly decoder: StringDecoder;
}

/**
 * Hands every line the process writes to `sink` as well as to where it was
 * going: stdout and stderr (where Powertools' logger writes in Lambda), and
 * the console methods (which Lambda's runtime sends to the log directly,
 * around stdout). A console call that itself writes to stdout, as Node's
 * console does outside Lambda, counts once.
 *
 * Lambda runs one invocation at a time per process, so a process-wide tap is
 * exact for the run it wraps.
 *
 * @returns a function that removes the tap and hands over a last unfinished line.
 *
 * @example
 * const untap = tapLogLines((line) => frames.push(line));
 * try { await run(); } finally { untap(); }
 */
function tapLogLines(sink: LineSink): () => void {
  let insideConsole = 0;
  const restore: (() => void)[] = [];

  for (const stream of [process.stdout, process.stderr]) {
    const original: Write = stream.write;
    const decoder = new StringDecoder('utf8');
    let partial = '';
    const tapped = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      if (insideConsole === 0) {
        partial += typeof chunk === 'string' ? chunk : decoder.write(Buffer.from(chunk as Uint8Array));
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) sink(line.replace(/\r$/, ''));
        while (partial.length >= MAX_LINE_CHARS) {
          sink(partial.slice(0, MAX_LINE_CHARS));
          partial = partial.slice(MAX_LINE_CHARS);
        }
      }
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    };
    stream.write = tapped as Write;
    restore.push(() => {
      stream.write = original;
      const rest = partial + decoder.end();
      if (rest !== '') sink(rest);
    });
  }

  for (const method of CONSOLE_METHODS) {
    const original = console[method];
    console[method] = (...args: unknown[]): void => {
      insideConsole += 1;
      try {
        sink(format(...args));
        original.apply(console, args);
      } finally {
        insideConsole -= 1;
      }
    };
    restore.push(() => {
      console[method] = original;
    });
  }

  return () => restore.reverse().forEach((undo) => undo());
}

/**
 * Replaces every secret value in what the process writes, for as long as a
 * run goes on: stdout and stderr (a task's plain `console.log`,
 * `process.stdout.write`, `fs.writeSync(1, ...)`, `fs.write(2, ...)` and
 * Powertools' logger)
 * and the console methods (which Lambda's runtime sends to the log around
 * stdout). The run's log, on disk or in CloudWatch, and the live output
 * never see a secure value, in any form {@link SecretRedactor} knows.
 *
 * Each of stdout and stderr is one stream of writes (the two are one where
 * stderr goes to stdout, as in the local stage's runs): a secret split
 * across writes is found, because a tail that could start one is held back
 * until the next write, or until the redaction is removed.
 *
 * @param oneStream - whether stdout and stderr make one stream (by default, as
 *   `lib/core/one-log-mark.ts` marks process.stderr)
 * @returns a function that removes the redaction and writes out what was held back.
 *
 * @example
 * const unredact = redactLogLines(new SecretRedactor(config.secrets));
 * try { await run(); } finally { unredact(); }
 */
function redactLogLines(redactor: SecretRedactor, oneStream = stderrGoesToStdout(process.stderr)): () => void {
  if (!redactor.active) return () => undefined;
  const restore: (() => void)[] = [];
  const byFd = new Map<number, FdStream>();
  // Where stderr goes to stdout (the local stage), the two are one stream of writes: one held tail keeps their order, and finds a secret split between them.
  for (const [fd, stream] of [
    [1, process.stdout],
    [2, process.stderr],
  ] as const) {
    const shared = oneStream ? byFd.get(1) : undefined;
    const { redaction, decoder } = shared ?? { redaction: redactor.stream(), decoder: new StringDecoder('utf8') };
    byFd.set(fd, { redaction, decoder });
    const original: Write = stream.write;
    const redacting = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : undefined;
      const text = redaction.push(textOf(chunk, decoder, encoding));
      const tail = typeof rest[0] === 'string' ? rest.slice(1) : rest;
      return (original as (...args: unknown[]) => boolean).call(this, text, 'utf8', ...tail);
    };
    stream.write = redacting as Write;
    restore.push(() => {
      stream.write = original;
      const held = redaction.push(decoder.end()) + redaction.end();
      if (held !== '') stream.write(held);
    });
  }
  restore.push(redactFdWrites(byFd));
  for (const method of CONSOLE_METHODS) {
    const original = console[method];
    console[method] = (...args: unknown[]): void => {
      // Formatted here, as the console would, so that a secret inside an object is found too (and written once, whole).
      original.call(console, redactor.text(format(...args)));
    };
    restore.push(() => {
      console[method] = original;
    });
  }
  // A table is laid out from its cells: redacted first, or its columns would be as wide as the secrets they held.
  const table = console.table;
  console.table = (data: unknown, properties?: readonly string[]): void => {
    table.call(console, redactor.value(data), properties);
  };
  restore.push(() => {
    console.table = table;
  });
  return () => restore.reverse().forEach((undo) => undo());
}

/** The text of a write: a string as is (or decoded from its encoding), bytes as UTF-8. */
function textOf(chunk: unknown, decoder: StringDecoder, encoding: BufferEncoding | undefined): string {
  if (typeof chunk === 'string') {
    return encoding === undefined || /^utf-?8$/i.test(encoding) ? chunk : decoder.write(Buffer.from(chunk, encoding));
  }
  if (ArrayBuffer.isView(chunk)) return decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  return String(chunk);
}

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * `fs.writeSync(1, ...)`, `fs.write(2, ...)` and the like go through the
 * same redaction as stdout and stderr: they write to the same file
 * descriptors, around the streams. So do `writeFileSync`, `appendFileSync`,
 * `writeFile`, `appendFile`, `writevSync` and `writev` given fd 1 or 2
 * (`fs.writeFileSync(process.stdout.fd, text)`), which Node writes with
 * its own calls, not through `fs.writeSync`. Named imports of `node:fs` see
 * the change too.
 */
function redactFdWrites(byFd: ReadonlyMap<number, FdStream>): () => void {
  const original = {
    writeSync: fs.writeSync as AnyFunction,
    write: fs.write as AnyFunction,
    writeFileSync: fs.writeFileSync as AnyFunction,
    appendFileSync: fs.appendFileSync as AnyFunction,
    writeFile: fs.writeFile as AnyFunction,
    appendFile: fs.appendFile as AnyFunction,
    writevSync: fs.writevSync as AnyFunction,
    writev: fs.writev as AnyFunction,
  };
  /* The redacted text of `bytes` written to `fd`; the number of bytes the caller asked to write. */
  const redactSync = (fd: number, bytes: Buffer): number => {
    const stream = byFd.get(fd) as FdStream;
    const text = stream.redaction.push(stream.decoder.write(bytes));
    if (text !== '') original.writeSync(fd, text);
    // The caller wrote all it asked to: a loop that writes the rest must not write it again.
    return bytes.byteLength;
  };
  const redactAsync = (fd: number, bytes: Buffer, done: (error: Error | null) => void): unknown => {
    const stream = byFd.get(fd) as FdStream;
    return original.write(fd, stream.redaction.push(stream.decoder.write(bytes)), done);
  };
  /* `writeFileSync` or `appendFileSync` (whose Node writes with its own calls): given fd 1 or 2, its data redacted. */
  const wholeFileSync =
    (unpatched: AnyFunction) =>
    (file: unknown, data: unknown, ...rest: unknown[]): unknown =>
      isRedacted(file, byFd) ? void redactSync(file, fileBytesOf(data, rest[0])) : unpatched(file, data, ...rest);
  /* `writeFile` or `appendFile`, as above, calling back once written. */
  const wholeFile =
    (unpatched: AnyFunction) =>
    (file: unknown, data: unknown, ...rest: unknown[]): unknown => {
      const callback = rest.at(-1);
      if (!isRedacted(file, byFd) || typeof callback !== 'function') return unpatched(file, data, ...rest);
      return redactAsync(file, fileBytesOf(data, rest.length > 1 ? rest[0] : undefined), (error) => (callback as AnyFunction)(error));
    };
  const redacting = {
    writeSync: (fd: unknown, data: unknown, ...rest: unknown[]): unknown =>
      isRedacted(fd, byFd) ? redactSync(fd, bytesOf(data, rest)) : original.writeSync(fd, data, ...rest),
    write: (fd: unknown, data: unknown, ...rest: unknown[]): unknown => {
      const callback = rest.at(-1);
      if (!isRedacted(fd, byFd) || typeof callback !== 'function') return original.write(fd, data, ...rest);
      const bytes = bytesOf(data, rest.slice(0, -1));
      return redactAsync(fd, bytes, (error) => (callback as AnyFunction)(error, error === null ? bytes.byteLength : 0, data));
    },
    writeFileSync: wholeFileSync(original.writeFileSync),
    appendFileSync: wholeFileSync(original.appendFileSync),
    writeFile: wholeFile(original.writeFile),
    appendFile: wholeFile(original.appendFile),
    writevSync: (fd: unknown, buffers: unknown, ...rest: unknown[]): unknown =>
      isRedacted(fd, byFd) ? redactSync(fd, Buffer.concat(buffers as Uint8Array[])) : original.writevSync(fd, buffers, ...rest),
    writev: (fd: unknown, buffers: unknown, ...rest: unknown[]): unknown => {
      const callback = rest.at(-1);
      if (!isRedacted(fd, byFd) || typeof callback !== 'function') return original.writev(fd, buffers, ...rest);
      const bytes = Buffer.concat(buffers as Uint8Array[]);
      return redactAsync(fd, bytes, (error) => (callback as AnyFunction)(error, error === null ? bytes.byteLength : 0, buffers));
    },
  };
  Object.assign(fs, redacting);
  syncBuiltinESMExports();
  return () => {
    Object.assign(fs, original);
    syncBuiltinESMExports();
  };
}

/** Whether a write names a file descriptor whose writes are redacted (1 or 2), not a path or another descriptor. */
function isRedacted(fd: unknown, byFd: ReadonlyMap<number, FdStream>): fd is number {
  return typeof fd === 'number' && byFd.has(fd);
}

/** The bytes `writeFile` or `appendFile` writes: text in the encoding its options name (UTF-8 by default), or a view. */
function fileBytesOf(data: unknown, options: unknown): Buffer {
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const encoding = typeof options === 'string' ? options : (options as { encoding?: string | null } | null | undefined)?.encoding;
  return Buffer.from(String(data), (encoding ?? 'utf8') as BufferEncoding);
}

/** The bytes a `write` or `writeSync` call writes: a string (position, encoding) or a view (offset, length, or `{ offset, length }`). */
function bytesOf(data: unknown, rest: readonly unknown[]): Buffer {
  if (typeof data === 'string') return Buffer.from(data, typeof rest[1] === 'string' ? (rest[1] as BufferEncoding) : 'utf8');
  if (!ArrayBuffer.isView(data)) return Buffer.from(String(data), 'utf8');
  const all = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const options = typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as { offset?: number; length?: number }) : undefined;
  const offset = (options === undefined ? (rest[0] as number | undefined) : options.offset) ?? 0;
  const length = (options === undefined ? (rest[1] as number | undefined) : options.length) ?? all.byteLength - offset;
  return all.subarray(offset, offset + length);
}

export { redactLogLines, tapLogLines };
export type { LineSink };
