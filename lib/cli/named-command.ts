import { isNamed, type CommandSpec } from './command-spec.js';
import { COMMANDS } from './program.js';

/**
 * The command a command line names, and the words after its name: a
 * command (`invoke`), or a group's command (`db psql`). Undefined when the
 * first word names no command.
 *
 * @example
 * namedCommand(['db', 'psql', '-c', 'select 1']); // { spec: <db psql>, rest: ['-c', 'select 1'] }
 */
function namedCommand(argv: readonly string[]): { spec: CommandSpec; rest: readonly string[] } | undefined {
  const top = COMMANDS.find((spec) => isNamed(spec, argv[0]));
  const sub = top?.subcommands?.find((spec) => isNamed(spec, argv[1]));
  if (sub !== undefined) return { spec: sub, rest: argv.slice(2) };
  return top === undefined ? undefined : { spec: top, rest: argv.slice(1) };
}

export { namedCommand };
