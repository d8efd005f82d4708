import { COMMAND_OPTIONS } from './command-options.js';
import { flagWordsOf, valuePlaceholderOf } from './option.js';
import { COMMANDS } from './program.js';
import { isNamed } from './command-spec.js';

/** The value placeholders of flags whose values are free text, which may hold a secret: shown as the placeholder. */
const FREE_TEXT = new Set(['<json>', '<text>', '<code>']);

/**
 * Every flag that some command declares, long and short (`--stage`, `-s`,
 * `--json`), with the placeholder of its value (`<name>`), or undefined
 * for a flag that takes none.
 */
function commandFlags(): Map<string, string | undefined> {
  return new Map(
    Object.values(COMMAND_OPTIONS).flatMap((options) =>
      options.flatMap((option) => flagWordsOf(option).map((flag) => [flag, valuePlaceholderOf(option)] as const)),
    ),
  );
}

/**
 * The words before the command as the hint shows them, and where the
 * command's name is: the first word that names a command and is no flag's
 * value (`--stage status rollback` is the command `rollback`; -1 when none
 * is). A free-text value (`--args`, `--reason`, `-e`) shows as its
 * placeholder: it may be a secret.
 */
function flagsBeforeCommand(argv: readonly string[], flags: ReadonlyMap<string, string | undefined>): { at: number; shown: string[] } {
  const shown: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const word = argv[index] as string;
    if (COMMANDS.some((command) => command.name === word)) return { at: index, shown };
    const [flag = word, inline] = word.split(/=(.*)/s);
    const placeholder = flags.get(flag);
    const hidden = placeholder !== undefined && FREE_TEXT.has(placeholder);
    if (inline !== undefined) shown.push(hidden ? `${flag}=${placeholder}` : word);
    else if (placeholder !== undefined && index + 1 < argv.length) {
      index += 1;
      shown.push(flag, hidden ? placeholder : (argv[index] as string));
    } else shown.push(word);
  }
  return { at: -1, shown };
}

/**
 * What to do when a command's own flag comes before the command
 * (`cnf-admin --stage prod invoke migrate`): commander reads a command's
 * flags after its name only, and says no more than "unknown option". The
 * line given has the flags after the command's words (and a group's
 * command: `config set`); undefined when the first word is no such flag.
 *
 * @example
 * flagBeforeCommand(['--stage', 'prod', 'invoke', 'migrate']);
 * // '--stage is a flag of the command: give it after the command, e.g. cnf-admin invoke --stage prod …'
 */
function flagBeforeCommand(argv: readonly string[]): string | undefined {
  const flags = commandFlags();
  const flag = argv[0]?.split('=')[0];
  if (flag === undefined || !flags.has(flag)) return undefined;
  const { at, shown } = flagsBeforeCommand(argv, flags);
  if (at === -1) return `${flag} is a flag of a command: give it after the command, e.g. cnf-admin invoke <task> ${flag} …`;
  const command = COMMANDS.find((spec) => isNamed(spec, argv[at]));
  const sub = command?.subcommands?.some((spec) => isNamed(spec, argv[at + 1])) === true ? [argv[at + 1] as string] : [];
  const words = [argv[at] as string, ...sub];
  const more = argv.length > at + words.length ? ' …' : '';
  return `${flag} is a flag of the command: give it after the command, e.g. cnf-admin ${[...words, ...shown].join(' ')}${more}`;
}

export { flagBeforeCommand };
