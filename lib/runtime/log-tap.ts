import { StringDecoder } from 'node:string_decoder';
import { format } from 'node:util';
import { redact } from './logger.js';

/** Receives each line a run writes, without its newline. */
type LineSink = (line: string) => void;

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** A line longer than this is handed over in pieces, so that output without newlines cannot fill memory. */
const MAX_LINE_CHARS = 1 << 20;

type Write = typeof process.stdout.write;

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
 * run goes on: stdout and stderr (a task's plain `console.log` or
 * `process.stdout.write`, Powertools' logger) and the console methods
 * (which Lambda's runtime sends to the log around stdout). The run's log,
 * on disk or in CloudWatch, and the live output never see a secure value.
 *
 * A secret split across two separate writes is not recognised; a console
 * call or a logger line is one write.
 *
 * @returns a function that removes the redaction.
 *
 * @example
 * const unredact = redactLogLines(config.secrets);
 * try { await run(); } finally { unredact(); }
 */
function redactLogLines(secrets: readonly string[]): () => void {
  if (secrets.length === 0) return () => undefined;
  const longestFirst = [...new Set(secrets)].sort((a, b) => b.length - a.length);
  const replace = (text: string): string => redact(text, longestFirst);
  let insideConsole = 0;
  const restore: (() => void)[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const original: Write = stream.write;
    const redacting = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      const text = insideConsole > 0 ? chunk : typeof chunk === 'string' ? replace(chunk) : redactBytes(chunk, replace);
      return (original as (...args: unknown[]) => boolean).call(this, text, ...rest);
    };
    stream.write = redacting as Write;
    restore.push(() => {
      stream.write = original;
    });
  }
  for (const method of CONSOLE_METHODS) {
    const original = console[method];
    console[method] = (...args: unknown[]): void => {
      insideConsole += 1;
      try {
        // Formatted here, as the console would, so that a secret inside an object is found too.
        original.call(console, replace(format(...args)));
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

/* Bytes are redacted as UTF-8 text when they are text; other bytes are passed on untouched. */
function redactBytes(chunk: unknown, replace: (text: string) => string): unknown {
  if (!(chunk instanceof Uint8Array)) return chunk;
  const text = Buffer.from(chunk).toString('utf8');
  const redacted = replace(text);
  return redacted === text ? chunk : Buffer.from(redacted, 'utf8');
}

export { redactLogLines, tapLogLines };
export type { LineSink };
