import { styleText } from 'node:util';
import { terminalWidth, wrapText } from './render/table.js';
import { writeLineAndWait } from '../core/write-line.js';

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
 * Writes a message of one or more lines. On a terminal each line wraps
 * between words at the terminal's width (`COLUMNS` first), so that the
 * terminal never cuts a word; to a pipe or a file it goes as it is, one line
 * per line, for grep. `style` colours each written line.
 */
function writeWrapped(
  stream: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number },
  env: NodeJS.ProcessEnv,
  text: string,
  style: (line: string) => string = (line) => line,
): void {
  const lines = text.split('\n');
  if (stream.isTTY !== true) {
    for (const line of lines) writeLine(stream, style(line));
    return;
  }
  const width = terminalWidth({ stdout: stream, env });
  for (const line of lines) {
    const indent = /^\s*/.exec(line)?.[0] ?? '';
    const wrapped =
      line.length <= width
        ? [line]
        : wrapText(line, Math.max(1, width - indent.length))
            .split('\n')
            .map((part) => indent + part);
    for (const part of wrapped) writeLine(stream, style(part));
  }
}

/** Writes a value as the one JSON document of a `--json` command. */
function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export { coloursOn, stylerFor, writeJson, writeLine, writeLineAndWait, writeWrapped };
export type { CliIo, Style };
