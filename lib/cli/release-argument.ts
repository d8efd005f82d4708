import { optionWords } from '../core/option-words.js';
import { isReleaseId } from '../core/release.js';
import { namedCommand } from './named-command.js';
import { flagWordsOf, valuePlaceholderOf } from './option.js';
import { shellWord } from './shell-word.js';

/**
 * What to say when a command was given a release as a word of its own,
 * which it takes through a flag (`--to <release>`, `--release <id>`): the
 * command line with the flag in place. Undefined when no such word was
 * given, or the command takes no release.
 *
 * @example
 * releaseArgumentHint(['rollback', 'r-0123456789ab', '--yes']); // 'A release goes after --to: cnf-admin rollback --to r-0123456789ab --yes'
 */
function releaseArgumentHint(argv: readonly string[]): string | undefined {
  const words = optionWords(argv);
  const named = namedCommand(words);
  if (named === undefined) return undefined;
  const takesRelease = named.spec.options.find(
    (option) => flagWordsOf(option).includes('--release') || valuePlaceholderOf(option) === '<release>',
  );
  const flag = takesRelease === undefined ? undefined : flagWordsOf(takesRelease).at(-1);
  // A word that is a flag's value (`--run-id r-…`) is that flag's.
  const valueFlags = new Set(named.spec.options.filter((option) => valuePlaceholderOf(option) !== undefined).flatMap(flagWordsOf));
  const at = words.findIndex((word, index) => isReleaseId(word) && !valueFlags.has(words[index - 1] ?? ''));
  // Given with its flag already (`--to r-a r-b`), the word is one too many, not a release without its flag.
  if (flag === undefined || at === -1 || words.some((word) => word === flag || word.startsWith(`${flag}=`))) return undefined;
  return `A release goes after ${flag}: cnf-admin ${[...words.slice(0, at), flag, ...words.slice(at)].map(shellWord).join(' ')}`;
}

export { releaseArgumentHint };
