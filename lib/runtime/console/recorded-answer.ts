import { stripVTControlCharacters } from 'node:util';
import type { ConsoleAnswer } from '../../core/console-protocol.js';

/**
 * What the ledger keeps of a console evaluation's answer: its value as the
 * console showed it (`'on'`), without a terminal's colours or the session's
 * own fields (names, declared, saved state), which are no part of what ran.
 * Anything else is kept as it is.
 *
 * @example
 * recordedConsoleValue({ result: "\u001b[32m'on'\u001b[39m", names: ['config'], declared: [] }); // "'on'"
 */
function recordedConsoleValue(output: unknown): unknown {
  const result = (output as Partial<ConsoleAnswer> | undefined)?.result;
  return typeof result === 'string' ? stripVTControlCharacters(result) : output;
}

export { recordedConsoleValue };
