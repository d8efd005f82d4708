import { optionWords } from '../core/option-words.js';
import { namedCommand } from './named-command.js';

/**
 * What to say when a command was given without an argument it needs: the
 * command that lists what it takes (`cnf-admin tasks` for `invoke`), on the
 * stage the command line names. Undefined for a command that declares none.
 *
 * @example
 * missingArgumentHint(['invoke', '--stage', 'prod']); // 'See the tasks with: cnf-admin tasks --stage prod'
 */
function missingArgumentHint(argv: readonly string[]): string | undefined {
  const words = optionWords(argv);
  const hint = namedCommand(words)?.spec.whenMissing;
  if (hint === undefined) return undefined;
  const at = words.findIndex((word) => word === '--stage' || word === '-s');
  const stage = at === -1 ? words.find((word) => word.startsWith('--stage='))?.slice('--stage='.length) : words[at + 1];
  return stage === undefined || stage.startsWith('-') ? hint : `${hint} --stage ${stage}`;
}

export { missingArgumentHint };
