import { styleText } from 'node:util';

/** Where a command reads and writes, so that tests can run commands in-process. */
interface CliIo {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** The styles cnf-admin uses. */
type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';

/**
 * A styler for one stream: colours only on a terminal, and never with
 * `NO_COLOR` set (or `FORCE_COLOR=0`); `FORCE_COLOR` forces them.
 */
function stylerFor(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv): (style: Style, text: string) => string {
  return coloursOn(stream, env) ? (style, text) => styleText(style, text) : (_style, text) => text;
}

/** Whether output to `stream` is coloured (see {@link stylerFor}). */
function coloursOn(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  return forced || (stream.isTTY === true && env.NO_COLOR === undefined && env.FORCE_COLOR !== '0' && env.TERM !== 'dumb');
}

/** Writes one line. */
function writeLine(stream: NodeJS.WritableStream, line = ''): void {
  stream.write(`${line}\n`);
}

/**
 * Writes one line and waits while the stream is full, so that a fast
 * producer (100 MB of task output) never piles up in memory.
 */
function writeLineAndWait(stream: NodeJS.WritableStream, line: string): Promise<void> {
  // A stream whose reader went away never drains: write nothing more to it.
  if ((stream as { destroyed?: boolean }).destroyed === true) return Promise.resolve();
  if (stream.write(`${line}\n`)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

/** Writes a value as the one JSON document of a `--json` command. */
function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export { coloursOn, stylerFor, writeJson, writeLine, writeLineAndWait };
export type { CliIo, Style };
