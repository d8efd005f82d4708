import { inspect } from 'node:util';
import { coloursOn, writeLine, type CliIo } from '../io.js';
import { terminalWidth } from './table.js';

/**
 * A task's return value as a person reads it, after the run's log, as
 * `rails runner` and tinker show one: `=> { migrated: 3 }`, pretty-printed
 * to the terminal's width, coloured on a terminal.
 */
function formatRunOutput(io: CliIo, output: unknown): string {
  const shown = inspect(output, {
    colors: coloursOn(io.stdout, io.env),
    depth: 8,
    breakLength: Math.max(40, terminalWidth(io) - 3),
    maxArrayLength: 100,
    maxStringLength: 10_000,
  });
  return `=> ${shown.split('\n').join('\n   ')}`;
}

/** Writes a task's return value to stdout, when it returned one. */
function writeRunOutput(io: CliIo, output: unknown): void {
  if (output !== undefined) writeLine(io.stdout, formatRunOutput(io, output));
}

export { formatRunOutput, writeRunOutput };
