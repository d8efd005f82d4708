import { COMMAND_OPTIONS } from './command-options.js';
import { COMMANDS } from './program.js';

/** Every flag that some command declares, long and short (`--stage`, `-s`, `--json`). */
function commandFlags(): Set<string> {
  return new Set(
    Object.values(COMMAND_OPTIONS).flatMap((options) => options.flatMap((option) => option.flags.match(/-{1,2}[\w-]+/g) ?? [])),
  );
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
  const flag = argv[0]?.split('=')[0];
  if (flag === undefined || !commandFlags().has(flag)) return undefined;
  const at = argv.findIndex((word) => COMMANDS.some((command) => command.name === word));
  if (at === -1) return `${flag} is a flag of a command: give it after the command, e.g. cnf-admin invoke <task> ${flag} …`;
  const command = COMMANDS.find((spec) => spec.name === argv[at]);
  const sub = command?.subcommands?.some((spec) => spec.name === argv[at + 1]) === true ? [argv[at + 1] as string] : [];
  const words = [argv[at] as string, ...sub];
  const more = argv.length > at + words.length ? ' …' : '';
  return `${flag} is a flag of the command: give it after the command, e.g. cnf-admin ${[...words, ...argv.slice(0, at)].join(' ')}${more}`;
}

export { flagBeforeCommand };
