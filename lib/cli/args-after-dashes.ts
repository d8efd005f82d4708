import { optionWords } from '../core/option-words.js';
import type { CommandSpec } from './command-spec.js';
import { flagWordsOf, valuePlaceholderOf } from './option.js';
import { namedCommand } from './named-command.js';

/** The first word of `words` that is neither a flag of `spec` nor a flag's value: the command's first argument. */
function firstArgument(spec: CommandSpec, words: readonly string[]): string | undefined {
  const takesValue = new Set(spec.options.filter((option) => valuePlaceholderOf(option)?.startsWith('<') === true).flatMap(flagWordsOf));
  return words.find((word, index) => !word.startsWith('-') && !takesValue.has(words[index - 1] ?? ''));
}

/**
 * What to say when a command that hands the words after `--` on (`invoke`,
 * `run`, `db psql`) was given a flag it does not know before `--`: most
 * likely a task's arg, or psql's flag, that belongs after it. Undefined for
 * any other command, or when the command line has a `--` already.
 *
 * @example
 * argsAfterDashes(['run', 'scripts/fix.ts', '--dry-run']);
 * // 'Script args go after --, e.g. cnf-admin run scripts/fix.ts -- --<arg> <value>'
 */
function argsAfterDashes(argv: readonly string[]): string | undefined {
  if (argv.includes('--')) return undefined;
  const named = namedCommand(optionWords(argv));
  if (named?.spec.afterDashes === undefined) return undefined;
  return named.spec.afterDashes(firstArgument(named.spec, named.rest));
}

export { argsAfterDashes };
